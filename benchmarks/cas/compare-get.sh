#!/usr/bin/env bash
# get of two builds side by side (say before and after a change to reads):
# the streaming reader to nowhere and get to a file (fsync'd) of a CSV-like
# and a random file, interleaved run by run with zstd -d anchors (to
# nowhere, and to a file then sync). Prints medians of wall time (the
# library call, as cas_bench reports it) and of CPU time (user + sys of
# the process, steadier on a shared machine), and the throughput ratio
# zstd -d time / ours (the get goal is >= 0.9).
#
# usage: benchmarks/cas/compare-get.sh BEFORE_CAS_BENCH AFTER_CAS_BENCH
#        (each a built benchmarks/cas/cas_bench; both read the same stores)
# env:   WORK=dir (default: ./bench-compare-get)  REPS=5  CSV_MIB=256  RND_MIB=256
set -euo pipefail
before=$1 after=$2
reps=${REPS:-5}
work=${WORK:-$PWD/bench-compare-get}
mkdir -p "$work"
res=$work/results.txt
: > "$res"

# one NAME CMD...: wall (from cas_bench's output, or measured) and CPU time
one() {
    local name=$1
    shift
    sync
    local t0 t1 out
    t0=$(date +%s.%N)
    out=$(/usr/bin/time -o "$work/cpu" -f "%U %S" "$@")
    t1=$(date +%s.%N)
    local wall
    wall=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
    [ -n "$wall" ] || wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
    echo "$name $wall" >> "$res"
    echo "$name.cpu $(awk '{print $1 + $2}' "$work/cpu")" >> "$res"
}

for tag in csv rnd; do
    data=$work/data.$tag
    mib=$([ $tag = csv ] && echo "${CSV_MIB:-256}" || echo "${RND_MIB:-256}")
    if [ ! -f "$data" ] || [ "$(stat -c %s "$data")" != $((mib << 20)) ]; then
        "$before" "gen-$([ $tag = csv ] && echo csv || echo random)" "$data" "$mib"
        rm -rf "$work/store-$tag" "$work/$tag.zst" "$work/$tag.digest"
    fi
    [ -f "$work/$tag.zst" ] || zstd -3 -T2 -q -f "$data" -o "$work/$tag.zst"
    [ -f "$work/$tag.digest" ] ||
        "$before" put "$work/store-$tag" "$data" |
        sed -n 's/.*digest=\(sha256:[0-9a-f]*\).*/\1/p' > "$work/$tag.digest"
done

out=$work/out
for rep in $(seq 1 "$reps"); do
    for tag in csv rnd; do
        d=$(cat "$work/$tag.digest")
        one "$tag.read.before" "$before" read "$work/store-$tag" "$d"
        one "$tag.read.after" "$after" read "$work/store-$tag" "$d"
        one "$tag.get.before" "$before" get "$work/store-$tag" "$d" "$out"
        rm -f "$out"
        one "$tag.get.after" "$after" get "$work/store-$tag" "$d" "$out"
        cmp -s "$out" "$work/data.$tag" || { echo "FAILED: $tag: other bytes" >&2; exit 1; }
        rm -f "$out"
        one "$tag.zstd_d" sh -c "zstd -d -q -c '$work/$tag.zst' > /dev/null"
        one "$tag.zstd_d_file" sh -c "zstd -d -q -f '$work/$tag.zst' -o '$out' && sync '$out'"
        rm -f "$out"
    done
done

med() {
    awk -v n="$1" '$1 == n {print $2}' "$res" | sort -g |
        awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
echo "medians of $reps runs; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for tag in csv rnd; do
    for k in read get; do
        z=zstd_d
        [ $k = get ] && z=zstd_d_file
        for unit in "" .cpu; do
            b=$(med "$tag.$k.before$unit") a=$(med "$tag.$k.after$unit") zz=$(med "$tag.$z$unit")
            awk -v t="$tag $k$([ -n "$unit" ] && echo ' cpu' || echo ' wall')" -v b="$b" -v a="$a" -v z="$zz" \
                'BEGIN {printf "%-13s before %6.3f s (%.2fx zstd -d)   after %6.3f s (%.2fx zstd -d)   zstd -d %6.3f s   after/before %.2f\n", t, b, z / b, a, z / a, z, a / b}'
        done
    done
done
