"""Bundle export and import with two builds, interleaved, each build
reading and writing its own format (so that a change of the file format,
such as version 2's frame checksums, is measured end to end): one origin
(bench_bundle.fill), then ROUNDS rounds in which each build in turn
exports the bundle with its own `mlops`, imports that file into an empty
store and imports it again. Each command runs under /usr/bin/time -v:
wall seconds, CPU seconds (user + system) and peak RSS are its own.
Prints each round and the medians, as JSON.

    python bundle_format_ab.py WORKDIR OLD_BUILD NEW_BUILD \
        [RUNS] [STEPS] [MODEL_MIB] [ROUNDS]

OLD_BUILD and NEW_BUILD are build folders (BUILD/tools/mlops, BUILD/lib).
Run it with the package of a build: MLOPS_LIBRARY=BUILD/lib/libmlops.so.1
PYTHONPATH=bindings/python.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import mlops

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_bundle  # noqa: E402


def timed(cmd, lib):
    env = dict(os.environ, LD_LIBRARY_PATH=lib)
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if p.returncode:
        sys.exit(f"{cmd}: {p.returncode}\n{p.stderr}")
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([0-9.]+)", p.stderr).group(1))
              for k in ("User", "System"))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return {"wall": wall, "cpu": cpu, "rss_mib": rss / 1024}


def main():
    work, old, new = sys.argv[1:4]
    given = [int(x) for x in sys.argv[4:8]]
    runs, steps, mib, rounds = given + [1000, 100, 256, 5][len(given):]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    src = os.path.join(work, "src")
    with mlops.Store(src, durability="none") as s:
        ids = bench_bundle.fill(s, runs, steps, mib)
    sels = ["model:m@champion"] + [f"run:{i}" for i in ids]
    builds = [("old", old), ("new", new)]
    steps_ = ("export", "import", "again")
    res = {name: {k: [] for k in steps_} for name, _ in builds}
    sizes = {}
    for r in range(rounds):
        for name, b in builds if r % 2 == 0 else builds[::-1]:
            exe, lib = os.path.join(b, "tools", "mlops"), os.path.join(b, "lib")
            path = os.path.join(work, f"{name}.mlb")
            dst = os.path.join(work, "dst")
            shutil.rmtree(dst, ignore_errors=True)
            subprocess.run([exe, "init", dst], check=True, capture_output=True,
                           env=dict(os.environ, LD_LIBRARY_PATH=lib))
            row = {"export": timed([exe, "-C", src, "bundle", "export", path, *sels, "--json"], lib),
                   "import": timed([exe, "-C", dst, "bundle", "import", path, "--json"], lib),
                   "again": timed([exe, "-C", dst, "bundle", "import", path, "--json"], lib)}
            sizes[name] = os.path.getsize(path)
            for k in steps_:
                res[name][k].append(row[k])
            print(json.dumps({"round": r, "build": name,
                              **{k: [round(row[k]["wall"], 2), round(row[k]["cpu"], 2)] for k in steps_}}),
                  flush=True)
    print(json.dumps({"bundle_bytes": sizes, "runs": runs, "points": runs * len(bench_bundle.KEYS) * steps,
                      "model_mib": mib}))
    for name, _ in builds:
        print(json.dumps({name: {k: {"median_wall_s": round(statistics.median(x["wall"] for x in res[name][k]), 2),
                                     "median_cpu_s": round(statistics.median(x["cpu"] for x in res[name][k]), 2),
                                     "peak_rss_mib": round(max(x["rss_mib"] for x in res[name][k]), 1)}
                                 for k in steps_}}))


if __name__ == "__main__":
    main()
