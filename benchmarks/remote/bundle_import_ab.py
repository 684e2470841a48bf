"""Bundle import with two builds of the library, interleaved: one origin
and one bundle (bench_bundle.fill, the same records), then ROUNDS rounds
in which each library in turn imports the bundle into an empty store and
imports it again. The same `mlops` command runs both; LD_LIBRARY_PATH
picks the library (its RUNPATH gives way to it). Prints each round and
the medians, as JSON.

    python bundle_import_ab.py WORKDIR MLOPS_BIN OLD_LIB_DIR NEW_LIB_DIR \
        [RUNS] [STEPS] [MODEL_MIB] [ROUNDS]

Run it with the package of a build: MLOPS_LIBRARY=BUILD/lib/libmlops.so.1
PYTHONPATH=bindings/python.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys

import mlops

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_bundle  # noqa: E402


def main():
    work, exe, old_lib, new_lib = sys.argv[1:5]
    given = [int(x) for x in sys.argv[5:9]]
    runs, steps, mib, rounds = given + [100, 1000, 16, 8][len(given):]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    src = os.path.join(work, "src")
    with mlops.Store(src, durability="none") as s:
        ids = bench_bundle.fill(s, runs, steps, mib)
    path = os.path.join(work, "b.mlb")
    subprocess.run([exe, "-C", src, "bundle", "export", path, "model:m@champion",
                    *[f"run:{i}" for i in ids], "--json"], check=True, capture_output=True)
    libs = [("old", old_lib), ("new", new_lib)]
    res = {name: ([], []) for name, _ in libs}
    for r in range(rounds):
        for name, lib in libs if r % 2 == 0 else libs[::-1]:
            os.environ["LD_LIBRARY_PATH"] = lib
            dst = os.path.join(work, "dst")
            shutil.rmtree(dst, ignore_errors=True)
            subprocess.run([exe, "init", dst], check=True, capture_output=True)
            first = bench_bundle.timed([exe, "-C", dst, "bundle", "import", path, "--json"])
            again = bench_bundle.timed([exe, "-C", dst, "bundle", "import", path, "--json"])
            res[name][0].append(first)
            res[name][1].append(again)
            print(json.dumps({"round": r, "lib": name, "import_s": round(first[0], 2),
                              "again_s": round(again[0], 2)}), flush=True)
    print(json.dumps({"bundle_bytes": os.path.getsize(path)}))
    for name, (first, again) in res.items():
        print(json.dumps({name: {"import_median_s": round(statistics.median(x[0] for x in first), 2),
                                 "again_median_s": round(statistics.median(x[0] for x in again), 2),
                                 "peak_rss_mib": round(max(x[1] for x in first) / 1024, 1),
                                 "records_added": first[0][2]["records_added"]}}))


if __name__ == "__main__":
    main()
