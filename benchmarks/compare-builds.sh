#!/usr/bin/env bash
# Two builds of libmlops side by side (before and after a change): put,
# streaming read and get to a file (fsync'd) of a CSV-like and a random
# file, fsck of the random file's store, and a drift report on all cores
# and on 2 threads. Runs alternate between the builds, the first one
# swapping each round, because the machine is shared and noisy; prints the
# median of REPS runs of each figure and the ratio after / before.
#
# usage: benchmarks/compare-builds.sh BEFORE_BUILD AFTER_BUILD
#        (meson build folders with benchmarks/ and tools/ built)
# env:   WORK=dir (default: ./bench-compare)  REPS=7  CSV_MIB=256  RND_MIB=256
#        COLS=100 ROWS=100000 (the drift report's size)
set -euo pipefail
before=$(cd "$1" && pwd) after=$(cd "$2" && pwd)
reps=${REPS:-7}
cols=${COLS:-100} rows=${ROWS:-100000}
work=${WORK:-$PWD/bench-compare}
mkdir -p "$work"
work=$(cd "$work" && pwd)
res=$work/results.txt
: > "$res"

gen=$before/benchmarks/cas/cas_bench
data_csv=$work/data.csv data_rnd=$work/data.bin
csv_mib=${CSV_MIB:-256} rnd_mib=${RND_MIB:-256}
[ -f "$data_csv" ] && [ "$(stat -c %s "$data_csv")" = $((csv_mib << 20)) ] || "$gen" gen-csv "$data_csv" "$csv_mib"
[ -f "$data_rnd" ] && [ "$(stat -c %s "$data_rnd")" = $((rnd_mib << 20)) ] || "$gen" gen-random "$data_rnd" "$rnd_mib"

# cas NAME BUILD ARGS...: the library call's seconds, as cas_bench prints
# them, and the process's CPU seconds (user + sys: steadier than wall time
# on a shared machine, and what a change of threading costs)
cas() {
    local name=$1 build=$2
    shift 2
    sync
    local out
    out=$(/usr/bin/time -o "$work/cpu" -f "%U %S" "$build/benchmarks/cas/cas_bench" "$@")
    echo "$name $(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')" >> "$res"
    echo "$name.cpu $(awk '{print $1 + $2}' "$work/cpu")" >> "$res"
    digest=$(echo "$out" | sed -n 's/.*digest=\(sha256:[0-9a-f]*\).*/\1/p')
}

# one_build WHICH BUILD: every figure of one build, once
one_build() {
    local which=$1 build=$2 tag data store copy
    for tag in csv rnd; do
        data=$([ $tag = csv ] && echo "$data_csv" || echo "$data_rnd")
        store=$work/store-$which-$tag copy=$work/copy
        rm -rf "$store"
        cas "$tag.put.$which" "$build" put "$store" "$data"
        cas "$tag.read.$which" "$build" read "$store" "$digest"
        cas "$tag.get.$which" "$build" get "$store" "$digest" "$copy"
        cmp -s "$copy" "$data" || { echo "FAILED: $which $tag: get returned other bytes" >&2; exit 1; }
        rm -f "$copy"
    done
    sync
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -o "$work/cpu" -f "%U %S" "$build/tools/mlops" -C "$work/store-$which-rnd" fsck --no-quarantine > /dev/null
    t1=$(date +%s.%N)
    echo "fsck.$which $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" >> "$res"
    echo "fsck.$which.cpu $(awk '{print $1 + $2}' "$work/cpu")" >> "$res"
    local th out
    for th in 0 2; do
        out=$("$build/benchmarks/drift/bench_drift" report gen "$cols" "$rows" "$th" 3)
        echo "report_t$th.$which $(echo "$out" | sed -n 's/^report_seconds //p')" >> "$res"
        echo "report_t$th.$which.cpu $(echo "$out" | sed -n 's/^report_cpu_seconds //p')" >> "$res"
    done
}

echo "before: $before"
echo "after:  $after"
echo "machine: $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for rep in $(seq 1 "$reps"); do
    if [ $((rep % 2)) = 1 ]; then
        one_build before "$before"
        one_build after "$after"
    else
        one_build after "$after"
        one_build before "$before"
    fi
    echo "  round $rep of $reps done"
done
rm -rf "$work"/store-*
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

med() {
    awk -v n="$1" '$1 == n {print $2}' "$res" | sort -g |
        awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# The median of the rounds' own ratios: the two builds of a round ran
# minutes apart at most, so a change of the machine's load cancels out.
med_ratio() {
    paste <(awk -v n="$1.before$2" '$1 == n {print $2}' "$res") <(awk -v n="$1.after$2" '$1 == n {print $2}' "$res") |
        awk '$1 > 0 {print $2 / $1}' | sort -g |
        awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
echo
echo "medians of $reps runs, seconds (csv: $csv_mib MiB CSV-like, rnd: $rnd_mib MiB random;" \
    "report: $cols columns x $rows rows, median of 3 inside each run); wall time, then CPU time (user + sys);" \
    "ratio: after / before of the medians, and the median of each round's ratio"
for k in csv.put csv.read csv.get rnd.put rnd.read rnd.get fsck report_t0 report_t2; do
    for unit in "" .cpu; do
        b=$(med "$k.before$unit") a=$(med "$k.after$unit") r=$(med_ratio "$k" "$unit")
        awk -v k="$k$([ -n "$unit" ] && echo ' cpu' || echo ' wall')" -v b="$b" -v a="$a" -v r="$r" \
            'BEGIN {printf "  %-15s before %8.3f   after %8.3f   ratio %.3f   per round %.3f\n", k, b, a, a / b, r}'
    done
done
echo "raw figures: $res"
