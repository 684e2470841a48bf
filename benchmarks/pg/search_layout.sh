#!/bin/sh
# Times the search benchmark's queries (bench_pg search: the three-clause
# filter, the selective and the rare one, ORDER BY metrics.loss, LIMIT 100)
# on a filled store schema as libmlops renders them (doc/search.md: its
# text, with the bound values written in), against the same searches over
# the per-run layout of search_layout.sql (plus the store's
# metric_series_by_value for metric clauses), built beside it in a scratch
# schema and dropped at the end. Checks first that every form gives the
# same runs in the same order. Rounds interleave the forms; each figure is pgbench's
# latency average over REPS executions; medians at the end. Not part of
# the tests: an aid for choosing the physical design (benchmarks/pg/RESULTS).
#
# usage: benchmarks/pg/search_layout.sh CONNINFO SCHEMA [ROUNDS [REPS]]
#   (a schema filled as benchmarks/pg/run.sh's search section does)
set -eu
[ $# -ge 2 ] || { echo "usage: $0 CONNINFO SCHEMA [ROUNDS [REPS]]" >&2; exit 2; }
conn=$1 src=$2 rounds=${3:-5} reps=${4:-5}
dst=${src}_layout
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/search-layout.XXXXXX")
cleanup() {
    psql "$conn" -qc "DROP SCHEMA IF EXISTS \"$dst\" CASCADE" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

psql "$conn" -qAt -v src="$src" -v dst="$dst" -f "$here/search_layout.sql"

# store SQL: the text mlops_run_search sends (lib/track/filter_sql.c,
# search.c) for "metrics.acc > A AND params.lr = '0.01' AND tags.team LIKE
# 'vision%'" and for the selective filter, order metrics.loss
store_metric() {
    echo "SELECT seq, k0 FROM (SELECT r.seq AS seq, s0.last AS k0 FROM runs r LEFT JOIN metric_series s0 ON s0.run = r.seq AND s0.key = 'loss' WHERE r.deleted_ms IS NULL AND (EXISTS (SELECT 1 FROM metric_series WHERE run = r.seq AND key = 'acc' AND last > $1) AND r.seq IN (SELECT run FROM run_params WHERE key = 'lr' AND length(value) < 400 AND value = '0.01') AND r.seq IN (SELECT run FROM run_tags WHERE key = 'team' AND length(value) < 400 AND value LIKE 'vision%'))) AS page ORDER BY (k0 IS NULL), k0, seq DESC LIMIT 101"
}
store_sel="SELECT seq, k0 FROM (SELECT r.seq AS seq, s0.last AS k0 FROM runs r LEFT JOIN metric_series s0 ON s0.run = r.seq AND s0.key = 'loss' WHERE r.deleted_ms IS NULL AND (r.seq IN (SELECT run FROM run_params WHERE key = 'lr' AND length(value) < 400 AND value = '0.01') AND r.seq IN (SELECT run FROM run_params WHERE key = 'p1' AND length(value) < 400 AND value = 'v3') AND r.seq IN (SELECT run FROM run_tags WHERE key = 'team' AND length(value) < 400 AND value LIKE 'vision%'))) AS page ORDER BY (k0 IS NULL), k0, seq DESC LIMIT 101"
# the same searches over run_row. The pair and metric ids are looked up
# first (a store would do it in the search's snapshot, as mlops_run_search
# already does for long values), so that the planner sees literal ids and
# estimates the GIN bitmap from the array statistics. Two forms of a
# metric clause: "layout" tests the array only; "hybrid" also offers the
# store's metric_series_by_value, which the planner takes for a rare
# clause (the rare filter: 400 entries instead of a 10,000-run bitmap).
ids() { psql "$conn" -qAt -c "SET search_path TO \"$dst\"" -c "$1"; }
arr() { ids "SELECT '{' || coalesce(string_agg(id::text, ','), '') || '}' FROM facet WHERE $1"; }
lr=$(arr "kind = 'p' AND key = 'lr' AND value = '0.01'")
lr_p1=$(arr "kind = 'p' AND ((key = 'lr' AND value = '0.01') OR (key = 'p1' AND value = 'v3'))")
team=$(arr "kind = 't' AND key = 'team' AND value LIKE 'vision%'")
acc=$(ids "SELECT id FROM mkey WHERE key = 'acc'")
loss="mlast[$(ids "SELECT id FROM mkey WHERE key = 'loss'")]"
layout_tail="ORDER BY ($loss IS NULL), $loss, run DESC LIMIT 101"
layout_metric() {
    echo "SELECT run, $loss AS k0 FROM run_row WHERE deleted_ms IS NULL AND facets @> '$lr' AND facets && '$team' AND mlast[$acc] > $1 $2 $layout_tail"
}
by_index() { echo "AND run IN (SELECT run FROM \"$src\".metric_series WHERE key = 'acc' AND last > $1)"; }
layout_sel="SELECT run, $loss AS k0 FROM run_row WHERE deleted_ms IS NULL AND facets @> '$lr_p1' AND facets && '$team' $layout_tail"

write() { # name schema sql
    printf 'SET search_path TO "%s";\nSET jit = off;\n%s;\n' "$2" "$3" > "$tmp/$1.sql"
}
write main_store "$src" "$(store_metric 0.5)"
write main_layout "$dst" "$(layout_metric 0.5 "")"
write main_hybrid "$dst" "$(layout_metric 0.5 "$(by_index 0.5)")"
write sel_store "$src" "$store_sel"
write sel_layout "$dst" "$layout_sel"
write sel_hybrid "$dst" "$layout_sel" # no metric clause: the same query (a gauge of the noise)
write rare_store "$src" "$(store_metric 0.995)"
write rare_layout "$dst" "$(layout_metric 0.995 "")"
write rare_hybrid "$dst" "$(layout_metric 0.995 "$(by_index 0.995)")"

for q in main sel rare; do
    psql "$conn" -qAt -f "$tmp/${q}_store.sql" > "$tmp/$q.store"
    for side in layout hybrid; do
        psql "$conn" -qAt -f "$tmp/${q}_$side.sql" > "$tmp/$q.$side"
        cmp -s "$tmp/$q.store" "$tmp/$q.$side" ||
            { echo "$q: the $side answer differs from the store's" >&2; exit 1; }
    done
    echo "# $q: the three give the same $(wc -l < "$tmp/$q.store") runs in the same order"
done

latency() { # file -> ms
    pgbench -n -t "$reps" -f "$1" "$conn" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}
for r in $(seq "$rounds"); do
    line="round $r load $(cut -d' ' -f1 /proc/loadavg)"
    for q in main sel rare; do
        for side in store layout hybrid; do
            ms=$(latency "$tmp/${q}_$side.sql")
            echo "$q $side $ms" >> "$tmp/figures"
            line="$line  $q/$side $ms"
        done
    done
    echo "$line"
done
for q in main sel rare; do
    for side in store layout hybrid; do
        m=$(awk -v k="$q $side" '$1 " " $2 == k { print $3 }' "$tmp/figures" | sort -n |
            awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
        echo "result ${q}_${side}_ms $m"
    done
done
