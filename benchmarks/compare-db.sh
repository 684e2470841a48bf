#!/usr/bin/env bash
# Two builds of libmlops side by side on the metadata paths (experiment
# records and the model registry): bench_track -j and bench_registry from
# each build, alternating (the first one swapping each round) because the
# machine is shared and noisy. Prints the median of REPS runs of each figure
# and the ratio after / before (for a rate, above 1 is faster; for a time,
# below 1 is faster).
#
# usage: benchmarks/compare-db.sh BEFORE_BUILD AFTER_BUILD
#        (meson build folders with benchmarks/ built, e.g. release builds)
# env:   WORK=dir (default: ./bench-compare-db)  REPS=5  QUICK=-q (smaller sizes)
set -euo pipefail
before=$(cd "$1" && pwd) after=$(cd "$2" && pwd)
reps=${REPS:-5}
work=${WORK:-$PWD/bench-compare-db}
mkdir -p "$work"
work=$(cd "$work" && pwd)
res=$work/results.txt
: > "$res"

run() { # run SIDE BUILD
    local side=$1 build=$2
    rm -rf "$work/t" "$work/r"
    mkdir -p "$work/t" "$work/r"
    "$build/benchmarks/track/bench_track" ${QUICK:-} -j -r 1 "$work/t" |
        sed -n 's/^{"bench":"\([^"]*\)","value":\([0-9.e+-]*\).*/\1\t\2/p' |
        while IFS=$'\t' read -r name value; do printf '%s\t%s\t%s\n' "$side" "$name" "$value"; done >> "$res"
    "$build/benchmarks/registry/bench_registry" ${QUICK:-} -r 1 "$work/r" |
        sed -n 's/^result \([^ ]*\) \([0-9.e+-]*\)$/\1\t\2/p' |
        while IFS=$'\t' read -r name value; do printf '%s\t%s\t%s\n' "$side" "$name" "$value"; done >> "$res"
}

for ((i = 0; i < reps; i++)); do
    if ((i % 2 == 0)); then run before "$before"; run after "$after"
    else run after "$after"; run before "$before"; fi
done

python3 - "$res" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
vals = {}
for side, name, v in rows:
    vals.setdefault(name, {}).setdefault(side, []).append(float(v))
print(f"{'figure':44} {'before':>12} {'after':>12} {'after/before':>13}")
for name, d in vals.items():
    if "before" not in d or "after" not in d or name.endswith("audit_events"):
        continue
    b, a = statistics.median(d["before"]), statistics.median(d["after"])
    print(f"{name:44} {b:12.4g} {a:12.4g} {a / b if b else float('nan'):13.3f}")
PY
