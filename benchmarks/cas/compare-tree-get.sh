#!/usr/bin/env bash
# Tree restore (`mlops get TREE -o DIR`, fsync on, the CLI's default) of
# two builds side by side: a tree of FILES small files, restored by each
# build in turn (the first swapping each round), beside `cp -r` of the
# source followed by `sync -f` (one sync of the file system: the floor for
# a durable copy). Prints medians of wall time.
#
# usage: benchmarks/cas/compare-tree-get.sh BEFORE_MLOPS AFTER_MLOPS
#        (each a built tools/mlops)
# env:   WORK=dir (default: ./bench-tree-get)  REPS=5  FILES=5000  SIZE=4096
set -euo pipefail
before=$(realpath "$1") after=$(realpath "$2")
reps=${REPS:-5} files=${FILES:-5000} size=${SIZE:-4096}
work=${WORK:-$PWD/bench-tree-get}
mkdir -p "$work"
work=$(cd "$work" && pwd)
res=$work/results.txt
: > "$res"
src=$work/src store=$work/store out=$work/out
if [ ! -d "$src" ] || [ "$(find "$src" -type f | wc -l)" != "$files" ]; then
    rm -rf "$src" "$store"
    python3 - "$src" "$files" "$size" <<'PY'
import os, random, sys
root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(7)
for i in range(n):
    d = os.path.join(root, "d%02d" % (i % 50))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(rnd.randbytes(size))
PY
fi
[ -f "$store/mlops.db" ] || "$before" init "$store" > /dev/null
tree=$("$before" -C "$store" put "$src" | cut -d' ' -f1)

one() { # NAME CMD...
    local name=$1
    shift
    rm -rf "$out"
    sync
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    echo "$name $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" >> "$res"
}
for rep in $(seq 1 "$reps"); do
    if [ $((rep % 2)) = 1 ]; then order="before after"; else order="after before"; fi
    for side in $order; do
        bin=$before
        [ "$side" = after ] && bin=$after
        one "$side" "$bin" -C "$store" get "$tree" -o "$out"
        [ "$rep" = 1 ] && { diff -r "$src" "$out" > /dev/null || { echo "FAILED: $side restored other files" >&2; exit 1; }; }
    done
    one cp sh -c 'cp -r "$1" "$2" && sync -f "$2"' sh "$src" "$out"
done
rm -rf "$out"

med() {
    awk -v n="$1" '$1 == n {print $2}' "$res" | sort -g |
        awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
b=$(med before) a=$(med after) c=$(med cp)
echo "tree of $files files of $size bytes, medians of $reps; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v b="$b" -v a="$a" -v c="$c" 'BEGIN {printf "before %.2f s   after %.2f s   after/before %.2f   cp -r + sync -f %.2f s (after / it %.2f)\n", b, a, a / b, c, a / c}'
