#!/bin/sh
# A store on PostgreSQL beside MLflow 3.x on the same server, measured in
# the same run (issue 16, "Measure"); not part of the test command.
#
# One throwaway PostgreSQL 15 (scripts/pg-test-server.sh: Unix socket only,
# fsync off, for both sides alike) holds libmlops's store (a schema of
# database postgres) and MLflow's tracking and registry tables (database
# mlflow). MLflow runs as `mlflow server --backend-store-uri
# postgresql+psycopg2://...` (psycopg2-binary) and is driven through its
# REST API by MlflowClient (mlflow_pg.py), its uvicorn workers allowed 300 s
# to answer a health check (on a loaded machine the default had them killed
# in the middle of a search); libmlops by bench_pg.c, which
# also times raw libpq COPY and multi-row INSERT of the same rows.
#
#   1. 16 processes logging batches of 1,000 metric points: points/s of
#      libmlops, raw COPY, raw INSERT and MLflow log_batch (goals: >= 30x
#      MLflow, >= 0.5x the better raw figure).
#   2. Search over 100,000 runs x 20 metrics x 10 params (3 clauses, ORDER
#      BY, LIMIT 100): libmlops's store is filled through its API (or, with
#      SEARCH_FILL=sql, 100 runs through it and the rest by
#      fill_search.sql, which checks its rows against the API's), MLflow's
#      by COPY of rows checked against a run made through its API (see
#      mlflow_pg.py); both are VACUUM ANALYZEd. Goals: <= 50 ms, >= 20x.
#      Then libmlops alone with a selective filter (about 1,400 runs pass:
#      search_sel_ms) and a rare one (about 50: search_rare_ms), where the
#      walk along the metric's order falls short (doc/search.md).
#   3. Version create and alias move per second from 8 processes.
#   4. mlops_audit_verify over 100,000 events (goal <= 2 s).
# Repeated rounds interleave the sides; figures are medians.
#
# usage: benchmarks/pg/run.sh [-q]      (-q: small sizes, a smoke run)
# env:   BENCH_PG_WORK  scratch folder (default: a new one under $TMPDIR),
#                       removed at the end unless given
#        MLFLOW_VENV    virtualenv with MLflow 3.x and psycopg2-binary
#                       (default: made in the scratch folder; needs PyPI)
#        BUILD          meson build folder (default build-bench, release)
#        ROUNDS LOG_PROCS LOG_BATCHES MLFLOW_LOG_BATCHES SEARCH_RUNS
#        FILL_PROCS REG_PROCS REG_OPS MLFLOW_REG_OPS AUDIT_EVENTS
#        MLFLOW_WORKERS  override the sizes below
#        SECTIONS       which parts to run (default: "log search registry audit")
#        SEARCH_FILL    api (default) or sql: how libmlops's search store is filled;
#                       kept: no fill, the stores of a BENCH_PG_WORK folder a
#                       run filled before (its server is started again)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
quick=""
[ "${1:-}" = "-q" ] && quick=1

if [ -n "$quick" ]; then
    : "${ROUNDS:=3}" "${LOG_BATCHES:=20}" "${MLFLOW_LOG_BATCHES:=2}" "${SEARCH_RUNS:=2000}"
    : "${REG_OPS:=20}" "${MLFLOW_REG_OPS:=5}" "${AUDIT_EVENTS:=5000}"
else
    : "${ROUNDS:=5}" "${LOG_BATCHES:=200}" "${MLFLOW_LOG_BATCHES:=5}" "${SEARCH_RUNS:=100000}"
    : "${REG_OPS:=200}" "${MLFLOW_REG_OPS:=20}" "${AUDIT_EVENTS:=100000}"
fi
: "${LOG_PROCS:=16}" "${FILL_PROCS:=2}" "${REG_PROCS:=8}" "${MLFLOW_WORKERS:=4}"
: "${SECTIONS:=log search registry audit}"
wanted() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

keep_work=${BENCH_PG_WORK:+1}
work=${BENCH_PG_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/bench-pg.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
# As root the server runs as nobody (scripts/pg-test-server.sh), who must
# reach its folder inside this one (mktemp makes it private).
chmod 755 "$work"
venv=${MLFLOW_VENV:-$work/venv}
build=${BUILD:-build-bench}

scripts/install-deps.sh main >/dev/null
# The server (scripts/pg-test-server.sh), psql, curl and venv: the test
# packages' share of what this needs, without the rest of them.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ] || ! command -v psql >/dev/null ||
    ! command -v curl >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends postgresql curl python3-venv >/dev/null
fi
if [ ! -f "$build/build.ninja" ]; then
    scripts/setup-build.sh "$build" -Dtests=false -Dbuildtype=release >/dev/null
fi
scripts/compile.sh "$build" benchmarks/pg/bench_pg
bench="$root/$build/benchmarks/pg/bench_pg"

if ! "$venv/bin/python" -c "import mlflow, psycopg2, sys; sys.exit(mlflow.__version__.split('.')[0] != '3')" 2>/dev/null; then
    echo "== installing MLflow 3.x and psycopg2-binary into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "mlflow>=3,<4" psycopg2-binary
fi
py="$venv/bin/python"
mlflow_py="$root/benchmarks/pg/mlflow_pg.py"

server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    scripts/pg-test-server.sh stop "$work/pg" || true
    if [ -z "$keep_work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

kept=""
if [ "${SEARCH_FILL:-api}" = kept ]; then
    [ -n "$keep_work" ] && [ -d "$work/pg/data" ] ||
        { echo "run.sh: SEARCH_FILL=kept needs the BENCH_PG_WORK folder of an earlier run" >&2; exit 2; }
    kept=1
    scripts/pg-test-server.sh restart "$work/pg"
    conn="host=$work/pg dbname=postgres user=mlops"
else
    conn=$(scripts/pg-test-server.sh start "$work/pg")
    psql "$conn" -qc "CREATE DATABASE mlflow" >/dev/null
fi
ml_db="host=$work/pg dbname=mlflow user=mlops"
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
mkdir -p "$work/mlflow"
(cd "$work/mlflow" && exec "$venv/bin/mlflow" server \
    --backend-store-uri "postgresql+psycopg2://mlops@/mlflow?host=$work/pg" \
    --host 127.0.0.1 --port "$port" --workers "$MLFLOW_WORKERS" \
    --no-serve-artifacts --default-artifact-root "file://$work/mlflow/artifacts" \
    --uvicorn-opts "--timeout-worker-healthcheck 300" \
    > "$work/mlflow/server.log" 2>&1) &
server_pid=$!
i=0
until curl -sf "$url/health" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 180 ] || ! kill -0 "$server_pid" 2>/dev/null; then
        cat "$work/mlflow/server.log" >&2
        echo "run.sh: the MLflow server did not start" >&2
        exit 1
    fi
    sleep 1
done

export BENCH_PG_OBJECTS="$work/objects"
res="$work/results.txt"
: > "$res"
# Runs a benchmark and keeps its "result" lines (its other output goes to
# the log).
measure() {
    "$@" > "$work/last.txt" 2>> "$work/bench.log" || { cat "$work/last.txt" "$work/bench.log" >&2; exit 1; }
    grep '^#' "$work/last.txt" || true
    grep '^result ' "$work/last.txt" | tee -a "$res" | sed 's/^result /   /'
}

echo "libmlops $(git -C "$root" rev-parse --short HEAD), MLflow $("$py" -c 'import mlflow; print(mlflow.__version__)'), $(psql "$conn" -Atc 'SHOW server_version'), $(nproc) cores, $ROUNDS rounds${quick:+, QUICK sizes}"

if wanted log; then
echo "== 1. $LOG_PROCS processes logging batches of 1,000 points"
for r in $(seq "$ROUNDS"); do
    measure "$bench" log "$conn" "log$r" "$LOG_PROCS" "$LOG_BATCHES"
    measure "$bench" raw "$conn" "$LOG_PROCS" "$LOG_BATCHES" copy
    measure "$bench" raw "$conn" "$LOG_PROCS" "$LOG_BATCHES" insert
    measure "$py" "$mlflow_py" log "$url" "$LOG_PROCS" "$MLFLOW_LOG_BATCHES"
done
fi

if wanted search; then
if [ -n "$kept" ]; then
echo "== 2. search over the stores kept in $work"
else
echo "== 2. search over $SEARCH_RUNS runs x 20 metrics x 10 params (filling both stores at once)"
if [ "${SEARCH_FILL:-api}" = sql ] && [ "$SEARCH_RUNS" -gt 100 ]; then
    ("$bench" fill "$conn" search "$FILL_PROCS" 100 &&
        PGOPTIONS="-c search_path=search" psql "$conn" -v ON_ERROR_STOP=1 -v first=100 \
            -v n="$SEARCH_RUNS" -Atf "$root/benchmarks/pg/fill_search.sql" | sed 's/^/# /') \
        > "$work/fill.txt" 2>> "$work/bench.log" &
else
    "$bench" fill "$conn" search "$FILL_PROCS" "$SEARCH_RUNS" > "$work/fill.txt" 2>> "$work/bench.log" &
fi
fill_pid=$!
measure "$py" "$mlflow_py" fill "$url" "$ml_db" "$SEARCH_RUNS"
wait "$fill_pid" || { cat "$work/bench.log" >&2; exit 1; }
sed 's/^result /   /' "$work/fill.txt"
# What autovacuum would have done by the time anyone searches, on both.
# (every table of the store: format 10's search rows too)
psql "$conn" -qAt -c "SELECT format('VACUUM ANALYZE search.%I;', tablename) FROM pg_tables WHERE schemaname = 'search'" |
    psql "$conn" -q
psql "$ml_db" -qc "VACUUM ANALYZE runs, params, tags, metrics, latest_metrics"
fi
for r in $(seq "$ROUNDS"); do
    measure "$bench" search "$conn" search 5
    measure "$py" "$mlflow_py" search "$url" 3
    measure "$bench" search "$conn" search 3 \
        "params.lr = '0.01' AND params.p1 = 'v3' AND tags.team LIKE 'vision%'" search_sel_ms
    measure "$bench" search "$conn" search 3 \
        "metrics.acc > 0.995 AND params.lr = '0.01' AND tags.team LIKE 'vision%'" search_rare_ms
done
fi

if wanted registry; then
echo "== 3. registry: $REG_PROCS processes creating versions, then moving aliases"
for r in $(seq "$ROUNDS"); do
    measure "$bench" registry "$conn" "reg$r" "$REG_PROCS" "$REG_OPS"
    measure "$py" "$mlflow_py" registry "$url" "$REG_PROCS" "$MLFLOW_REG_OPS"
done
fi

if wanted audit; then
echo "== 4. audit verify"
measure "$bench" audit "$conn" audit "$AUDIT_EVENTS" "$ROUNDS"
fi

echo "== side by side (medians of $ROUNDS rounds)"
python3 - "$res" <<'PY'
import statistics, sys
vals = {}
for line in open(sys.argv[1]):
    _, name, value = line.split()
    vals.setdefault(name, []).append(float(value))
m = {k: statistics.median(v) for k, v in vals.items()}
def row(what, ours, anchor, anchor_name, goal, higher=True):
    if ours not in m or anchor not in m:
        return
    o, a = m[ours], m[anchor]
    ratio = o / a if higher else a / o
    print(f"{what:26} {o:12.1f} | {anchor_name:34} {a:12.1f} | x{ratio:7.2f} | goal {goal}")
if "raw_copy_points_per_s" in m:
    m["raw_better"] = max(m["raw_copy_points_per_s"], m["raw_insert_points_per_s"])
row("log points/s", "log_points_per_s", "mlflow_log_points_per_s", "MLflow log_batch", ">= 30x")
row("log points/s", "log_points_per_s", "raw_copy_points_per_s", "raw libpq COPY", "")
row("log points/s", "log_points_per_s", "raw_insert_points_per_s", "raw libpq INSERT", "")
row("log points/s", "log_points_per_s", "raw_better", "the better raw figure", ">= 0.5x")
row("search ms", "search_ms", "mlflow_search_ms", "MLflow search_runs", "<= 50 ms, >= 20x faster", higher=False)
for k in ("search_sel_ms", "search_rare_ms"):
    if k in m:
        print(f"{k:26} {m[k]:12.1f} | (libmlops alone: selective filters)")
row("version create/s", "version_create_per_s", "mlflow_version_create_per_s", "MLflow create_model_version", "(beside)")
row("alias move/s", "alias_move_per_s", "mlflow_alias_move_per_s", "MLflow set_registered_model_alias", "(beside)")
if "audit_verify_s" in m:
    print(f"{'audit verify s':26} {m['audit_verify_s']:12.3f} | {int(m['audit_events'])} events | goal <= 2 s")
PY
