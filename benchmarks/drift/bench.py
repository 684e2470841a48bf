"""Drift benchmark: libmlops beside scipy/numpy/Evidently on the same data.

Called by run.sh with the path of bench_drift. Every figure is a median of
several runs measured in this same process tree, so the ratios hold on a
busy machine even when the absolute times do not. Environment:
  DRIFT_BENCH_QUICK=1  smaller sizes (a smoke run)
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
import scipy
import scipy.stats as st
from scipy.spatial.distance import jensenshannon

BENCH = sys.argv[1]
QUICK = os.environ.get("DRIFT_BENCH_QUICK") == "1"


def run(*args):
    out = subprocess.run([BENCH, *map(str, args)], check=True, capture_output=True, text=True).stdout
    return {k: v for k, v in (line.split(" ", 1) for line in out.strip().splitlines())}


def med(f, reps):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        r = f()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), r


def numpy_psi(ref, cur, bins=10):
    """The binned figures as a numpy user writes them: reference-quantile
    edges, searchsorted, floored proportions."""
    edges = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    p = np.bincount(np.searchsorted(edges, ref), minlength=len(edges) + 1) / ref.size
    q = np.bincount(np.searchsorted(edges, cur), minlength=len(edges) + 1) / cur.size
    fp, fq = np.maximum(p, 1e-4), np.maximum(q, 1e-4)
    return float(np.sum((fq - fp) * np.log(fq / fp))), p, q


def numpy_js(ref, cur, bins=10):
    _, p, q = numpy_psi(ref, cur, bins)
    return float(jensenshannon(p, q))


rows = []


def row(name, ours, anchor, anchor_name, goal="", unit="s"):
    ratio = anchor / ours if ours > 0 else float("inf")
    rows.append((name, ours, anchor, anchor_name, ratio, goal))
    print(f"{name:34s} {ours:10.4f} {unit:2s}  {anchor_name:30s} {anchor:10.4f} {unit:2s}  x{ratio:7.1f}  {goal}",
          flush=True)


def main():
    import evidently
    print(f"anchors: scipy {scipy.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"evidently {evidently.__version__}; cpus {os.cpu_count()}")
    print(f"{'figure':34s} {'libmlops':>13s}  {'anchor':30s} {'':>13s}  ratio")
    tmp = tempfile.mkdtemp(prefix="drift-bench-")
    n = 100_000 if QUICK else 1_000_000
    rng = np.random.default_rng(1)
    ref = rng.normal(0.0, 1.0, n)
    cur = rng.normal(0.01, 1.0, n)
    ref.tofile(f"{tmp}/ref.f64")
    cur.tofile(f"{tmp}/cur.f64")
    # Interleaved: each repetition runs ours, then each anchor, so that a
    # burst of load elsewhere hits both sides alike.
    reps = 7
    ours = {k: [] for k in ("ks", "wasserstein", "psi", "js")}
    theirs = {k: [] for k in ours}
    for _ in range(reps):
        c = run("stats", f"{tmp}/ref.f64", f"{tmp}/cur.f64", 1)
        for k in ours:
            ours[k].append(float(c[f"{k}_seconds"]))
        t, r = med(lambda: st.ks_2samp(ref, cur), 1)
        theirs["ks"].append(t)
        t, w = med(lambda: st.wasserstein_distance(ref, cur), 1)
        theirs["wasserstein"].append(t)
        t, (psi, _, _) = med(lambda: numpy_psi(ref, cur), 1)
        theirs["psi"].append(t)
        t, js = med(lambda: numpy_js(ref, cur), 1)
        theirs["js"].append(t)
    assert float(c["ks_statistic"]) == r.statistic, (c["ks_statistic"], r.statistic)
    assert abs(float(c["ks_p_value"]) - r.pvalue) <= 1e-9 * r.pvalue
    assert abs(float(c["wasserstein"]) - w) <= 1e-12 * w
    assert abs(float(c["psi"]) - psi) <= 1e-12 * psi + 1e-15
    assert abs(float(c["js"]) - js) <= 1e-12 * js + 1e-9
    m = {k: (float(np.median(ours[k])), float(np.median(theirs[k]))) for k in ours}
    row(f"KS {n}x{n}", *m["ks"], "scipy ks_2samp", goal="goal x5")
    row(f"Wasserstein {n}x{n}", *m["wasserstein"], "scipy wasserstein_distance", goal="goal x10")
    row(f"PSI(10) {n}x{n}", *m["psi"], "numpy quantile+searchsorted")
    row(f"JS(10) {n}x{n}", *m["js"], "numpy + scipy jensenshannon")
    reps = 5
    e = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
    t_b, _ = med(lambda: np.bincount(np.searchsorted(e, cur), minlength=len(e) + 1), reps)
    row(f"binning on frozen edges {n}", float(c["bin_frozen_seconds"]), t_b, "numpy searchsorted+bincount")
    print("  (binning: one repetition of ours beside the anchor's median)", flush=True)

    # Profile ingest, one thread: values per second (goal 50M/s per core).
    ni = 2_000_000 if QUICK else 20_000_000
    g = run("ingest", ni, 3)
    vps, vpc = float(g["ingest_values_per_second"]), float(g["ingest_values_per_cpu_second"])
    print(f"{'profile ingest (1 thread)':34s} {vps / 1e6:10.1f} M/s wall, {vpc / 1e6:.1f} M/s per CPU "
          f"second; goal >= 50 M/s per core", flush=True)

    # 100 columns x 1M rows on both cores (goal <= 5 s).
    cols, nrows = (20, 200_000) if QUICK else (100, 1_000_000)
    rep = run("report", "gen", cols, nrows, 2, 3)
    print(f"{f'report {cols} cols x {nrows} rows, 2 threads':34s} {float(rep['report_seconds']):10.3f} s wall, "
          f"{float(rep['report_cpu_seconds']) / 2:.3f} s of CPU per core; goal <= 5 s "
          f"({rep['report_method']}, {rep['report_drifted']} drifted)", flush=True)

    # 100 columns x 100,000 rows beside Evidently's DataDriftPreset.
    from evidently import Report
    from evidently.presets import DataDriftPreset
    cols, nrows = (20, 20_000) if QUICK else (100, 100_000)
    rng = np.random.default_rng(2)
    R = rng.normal(0.0, 1.0, (nrows, cols))
    C = rng.normal(0.0, 1.0, (nrows, cols))
    C[:, ::4] += 0.2
    names = [f"c{i}" for i in range(cols)]
    np.asfortranarray(R).T.copy().tofile(f"{tmp}/ref.f64")  # column-major
    np.asfortranarray(C).T.copy().tofile(f"{tmp}/cur.f64")
    rdf, cdf = pd.DataFrame(R, columns=names), pd.DataFrame(C, columns=names)
    rep = run("report", tmp, cols, nrows, 2, 3)
    t_ev, snap = med(lambda: Report([DataDriftPreset()]).run(cdf, rdf), 1 if not QUICK else 2)
    ev_count = int(snap.dict()["metrics"][0]["value"]["count"])
    row(f"report {cols}x{nrows} (2 threads)", float(rep["report_seconds"]), t_ev,
        "Evidently DataDriftPreset", goal=f"goal x20; drifted {rep['report_drifted']} vs {ev_count}")
    for f in os.listdir(tmp):
        os.remove(os.path.join(tmp, f))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
