"""Monitor ingest beside its anchors, NannyML and Evidently, on the same data.

Issue 21's measure: 10 M rows x 20 columns into hourly windows, libmlops
(bench_monitor: ingest from in-memory columns; then `mlops monitor check`,
which judges every window) against computing the same windows' drift with
NannyML's UnivariateDriftCalculator (chunk_period hourly, KS for the
numeric columns, chi2 for categorical ones) and with Evidently's
DataDriftPreset (KS) run per window. Every figure is measured in this run,
medians of --repeats runs, and each ratio is between figures of this run.

The data is bench_monitor's, regenerated here bit for bit: row r's time is
T0 + floor(r / ROWS * HOURS * 3600000) ms, column c's values are
(x >> 11) / 2^53 + c for its stretch of one LCG stream (x = x * 6364136223846793005
+ 1442695040888963407 mod 2^64, from 12345, column after column), and the
reference is the first min(ROWS, 100000) rows, as bench_monitor profiles.

The anchors are slow (Evidently builds one report per window), so they run
at --anchor-rows (default 1 M and 2 M rows, the same HOURS windows: more
rows per window), libmlops at those sizes and at --rows; the output says
which size each figure is at and how the anchors' time grows from one size
to the next. Nothing is extrapolated.

    python bench_anchors.py --build BUILD_DIR [--rows N] [--anchor-rows N,N]
        [--evidently-rows N,N] [--columns 20] [--hours 168] [--repeats 3]

Run by benchmarks/monitor/run.sh (which makes the venv of
requirements-anchors.txt). Not part of the tests.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

# Both anchors phone home (usage analytics) unless told not to: no network here.
os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("EVIDENTLY_DISABLE_TELEMETRY", "1")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

T0 = 1767225600000  # 2026-01-01T00:00:00Z, bench_monitor's
LCG_A = np.uint64(6364136223846793005)
LCG_C = np.uint64(1442695040888963407)
REF_ROWS = 100000


def lcg_columns(rows, ncols, block=1 << 20):
    """bench_monitor's values: one LCG stream, column after column, each
    state x giving (x >> 11) / 2^53 + column. Computed a block at a time:
    state k of a block is A^k * s + C * (1 + A + ... + A^(k-1)), mod 2^64."""
    with np.errstate(over="ignore"):
        mult = np.cumprod(np.full(block, LCG_A, dtype=np.uint64))  # A^1..A^block
        powers = np.concatenate(([np.uint64(1)], mult[:-1]))  # A^0..A^(block-1)
        add = np.cumsum(powers) * LCG_C  # C * sum_{i<k} A^i for k = 1..block
        out = np.empty((rows, ncols), dtype=np.float64)
        s = np.uint64(12345)
        for c in range(ncols):
            done = 0
            while done < rows:
                n = min(block, rows - done)
                st = mult[:n] * s + add[:n]
                out[done:done + n, c] = (st >> np.uint64(11)).astype(np.float64) / 9007199254740992.0 + c
                s = st[n - 1]
                done += n
    return out


def lcg_check():
    """The block formula against the recurrence itself, on a few states."""
    x, want = 12345, []
    for _ in range(5):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        want.append((x >> 11) / 9007199254740992.0)
    got = lcg_columns(5, 1, block=2)[:, 0]
    if list(got) != want:
        sys.exit("bench_anchors: the LCG does not match bench_monitor's")


def times_ms(rows, hours):
    return T0 + ((np.arange(rows, dtype=np.float64) / rows) * hours * 3600000.0).astype(np.int64)


def frame(rows, ncols, hours):
    x = lcg_columns(rows, ncols)
    df = pd.DataFrame(x, columns=[f"f{c}" for c in range(ncols)])
    df["timestamp"] = pd.to_datetime(times_ms(rows, hours), unit="ms")
    return df


def median_of(fn, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), ts


def run_nannyml(df, cols):
    import nannyml as nml

    ref = df.iloc[:REF_ROWS]
    calc = nml.UnivariateDriftCalculator(
        column_names=cols, timestamp_column_name="timestamp", chunk_period="h",
        continuous_methods=["kolmogorov_smirnov"], categorical_methods=["chi2"])
    calc.fit(ref)
    res = calc.calculate(df).filter(period="analysis").to_df()
    return len(res)


def run_evidently(df, cols):
    from evidently import Report
    from evidently.presets import DataDriftPreset

    ref = df.iloc[:REF_ROWS][cols]
    n = 0
    for _, w in df.groupby(df["timestamp"].dt.floor("h"), sort=True):
        Report([DataDriftPreset(num_method="ks", cat_method="chisquare")]).run(
            current_data=w[cols], reference_data=ref)
        n += 1
    return n


def run_ours(bench, mlops, rows, ncols, hours, repeats):
    """bench_monitor's median ingest (s), and one `mlops monitor check` of
    its last monitor judging every window (s, the command's wall time)."""
    with tempfile.TemporaryDirectory(prefix="bench-monitor-") as d:
        store = os.path.join(d, "store")
        out = subprocess.run([bench, store, str(rows), str(ncols), str(hours), str(repeats)],
                             check=True, capture_output=True, text=True).stdout
        line = next(l for l in out.splitlines() if l.startswith("ingest:"))
        ingest = float(line.split("median ")[1].split(" s")[0])
        ls = subprocess.run([mlops, "-C", store, "monitor", "ls", "--json"], check=True,
                            capture_output=True, text=True).stdout
        name = json.loads(ls)[-1]["name"]
        at = str(T0 + (hours + 1) * 3600000)
        t = time.perf_counter()
        rc = subprocess.run([mlops, "-C", store, "monitor", "check", name, "--at", at],
                            capture_output=True, text=True)
        check = time.perf_counter() - t
        if rc.returncode not in (0, 1):
            sys.exit(f"bench_anchors: mlops monitor check failed: {rc.stderr}")
        return ingest, check, line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--anchor-rows", default="1000000,2000000")
    ap.add_argument("--columns", type=int, default=20)
    ap.add_argument("--hours", type=int, default=168)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--anchor-repeats", type=int, default=3)
    ap.add_argument("--evidently-rows", default="1000000",
                    help="the anchor sizes Evidently runs at (one report per window is slow)")
    a = ap.parse_args()
    bench = os.path.join(a.build, "benchmarks", "monitor", "bench_monitor")
    mlops = os.path.join(a.build, "tools", "mlops")
    for p in (bench, mlops):
        if not os.access(p, os.X_OK):
            sys.exit(f"bench_anchors: {p} is missing (configure with -Dbenchmarks=true)")
    lcg_check()
    import evidently
    import nannyml

    cols = [f"f{c}" for c in range(a.columns)]
    anchor_sizes = [int(x) for x in a.anchor_rows.split(",") if x]
    evidently_sizes = [int(x) for x in a.evidently_rows.split(",") if x]
    sizes = sorted(set(anchor_sizes + [a.rows]))
    print(f"# monitor ingest vs anchors: {a.columns} numeric columns, {a.hours} hourly windows, "
          f"reference = first {REF_ROWS} rows; nannyml {nannyml.__version__}, "
          f"evidently {evidently.__version__}, pandas {pd.__version__}, numpy {np.__version__}; "
          f"medians of {a.repeats} (libmlops) / {a.anchor_repeats} (NannyML) runs, "
          f"Evidently 1 run; MLOPS_THREADS={os.environ.get('MLOPS_THREADS', 'all cores')}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    ours = {}
    for n in sizes:
        ingest, check, line = run_ours(bench, mlops, n, a.columns, a.hours, a.repeats)
        ours[n] = (ingest, check)
        print(f"libmlops  {n:>10} rows: ingest {ingest:8.3f} s ({n / ingest / 1e6:6.2f} M rows/s), "
              f"check (judge {a.hours} windows) {check:6.3f} s, together {ingest + check:8.3f} s")
        sys.stdout.flush()
    anchors = {}
    for n in anchor_sizes:
        df = frame(n, a.columns, a.hours)
        nml_s, nml_all = median_of(lambda: run_nannyml(df, cols), a.anchor_repeats)
        anchors[(n, "NannyML")] = nml_s
        print(f"NannyML   {n:>10} rows: {nml_s:8.3f} s (runs {', '.join(f'{t:.2f}' for t in nml_all)})")
        sys.stdout.flush()
        if n in evidently_sizes:
            ev_s, _ = median_of(lambda: run_evidently(df, cols), 1)
            anchors[(n, "Evidently")] = ev_s
            print(f"Evidently {n:>10} rows: {ev_s:8.3f} s (one report per window, {a.hours} reports)")
            sys.stdout.flush()
        del df
    print("# ratios (anchor time / libmlops time, same rows, same run):")
    for (n, who), t in sorted(anchors.items()):
        ingest, check = ours[n]
        print(f"{who:<9} {n:>10} rows: {t / ingest:8.1f}x ingest alone, "
              f"{t / (ingest + check):8.1f}x ingest + check")
    for who in ("NannyML", "Evidently"):
        pts = [(n, anchors[(n, who)]) for n in anchor_sizes if (n, who) in anchors]
        for (n1, t1), (n2, t2) in zip(pts, pts[1:]):
            print(f"# {who}: {n1} -> {n2} rows ({n2 / n1:.1f}x): time x{t2 / t1:.2f}")
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")
    if a.rows not in anchor_sizes:
        print(f"# the anchors were not run at {a.rows} rows: no ratio is given at that size")


if __name__ == "__main__":
    main()
