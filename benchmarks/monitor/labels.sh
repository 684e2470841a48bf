#!/bin/sh
# The delayed-label path (bench_labels.c) with this build's library and,
# beside it in the same run, another build's (e.g. main's): ingest with
# ids and predictions, then labels, on SQLite and on PostgreSQL. Runs
# alternate between the libraries, the first one swapping each round (the
# machine is shared and noisy); prints the median of REPS runs of each
# figure and the ratio base / ours. Not part of the test command.
#
# usage: scripts/with-pg.sh benchmarks/monitor/labels.sh BUILD [BASE_LIBDIR]
#        BUILD: a meson build folder with -Dbenchmarks=true (release);
#        BASE_LIBDIR: a folder holding the other libmlops.so.1 (none: ours only)
# env:   REPS=3   SIZES="sqlite:100000 sqlite:1000000 pg:100000 pg:1000000"
#        BASE_SIZES (the sizes also run with the base library; default SIZES)
#        WORK (scratch folder; default a new one under $TMPDIR, removed)
set -eu
build=$(cd "$1" && pwd)
base=${2:+$(cd "$2" && pwd)}
reps=${REPS:-3}
sizes=${SIZES:-"sqlite:100000 sqlite:1000000 pg:100000 pg:1000000"}
base_sizes=${BASE_SIZES:-$sizes}
work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/bench-labels.XXXXXX")}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
bin=$build/benchmarks/monitor/bench_labels
res=$work/results.txt
: > "$res"
seq=0

# one WHICH LIBDIR BACKEND ROWS: one run, its figures appended to $res
one() {
    seq=$((seq + 1))
    if [ "$3" = pg ]; then
        target=bl_$seq
    else
        target=$work/store-$seq
    fi
    out=$(cd "$work" && LD_LIBRARY_PATH=$2 "$bin" "$3" "$4" "$target")
    ingest=$(echo "$out" | sed -n 's/.*ingest_s=\([0-9.]*\).*/\1/p')
    labels=$(echo "$out" | sed -n 's/.*labels_s=\([0-9.]*\).*/\1/p')
    echo "$3.$4.ingest.$1 $ingest" >> "$res"
    echo "$3.$4.labels.$1 $labels" >> "$res"
    echo "$1 $out" >&2
    rm -rf "$work/store-$seq"
}

r=0
while [ $r -lt "$reps" ]; do
    for sz in $sizes; do
        be=${sz%%:*} rows=${sz#*:}
        with_base=""
        case " $base_sizes " in *" $sz "*) [ -n "$base" ] && with_base=1 ;; esac
        if [ -n "$with_base" ] && [ $((r % 2)) = 1 ]; then
            one base "$base" "$be" "$rows"
            one ours "$build/lib" "$be" "$rows"
        else
            one ours "$build/lib" "$be" "$rows"
            [ -z "$with_base" ] || one base "$base" "$be" "$rows"
        fi
    done
    r=$((r + 1))
done

echo "load average: $(cat /proc/loadavg)"
sort -k1,1 -k2,2n "$res" | awk '
    { v[$1] = v[$1] " " $2; n[$1]++ }
    END {
        for (k in v) {
            c = split(substr(v[k], 2), a, " ")
            m = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
            med[k] = m
            printf "%-32s median %8.3f s of %d\n", k, m, c
        }
        for (k in med)
            if (k ~ /\.ours$/) {
                b = k; sub(/\.ours$/, ".base", b)
                if (b in med) printf "%-32s base / ours %.2fx\n", substr(k, 1, length(k) - 5), med[b] / med[k]
            }
    }' | sort
