#!/bin/sh
# A throwaway PostgreSQL server for tests: a fresh cluster in DIR that
# listens only on a Unix socket in DIR, with no durability (fsync off).
#   scripts/pg-test-server.sh start DIR   prints the libpq conninfo on stdout
#   scripts/pg-test-server.sh stop DIR    stops it (no error when not running)
# MLOPS_PG_SERVER_OPTS, when set, adds server options after ours (a later
# -c wins): tests/tls_pg.sh listens on TCP with ssl=on.
# PostgreSQL refuses to run as root: as root, the cluster belongs to
# `nobody` (DIR is given to it); as any other user it runs as that user.
set -eu
usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
PATH=/usr/lib/postgresql/15/bin:$PATH
export PATH

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        chown nobody "$dir"
    fi
    as_owner initdb -D "$dir/data" -A trust -U mlops --no-sync -E UTF8 --locale=C \
        > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner pg_ctl -D "$dir/data" -w -l "$dir/server.log" \
        -o "-k $dir -c listen_addresses='' -c fsync=off -c full_page_writes=off ${MLOPS_PG_SERVER_OPTS:-}" start \
        > "$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    echo "host=$dir dbname=postgres user=mlops"
    ;;
stop)
    [ -d "$dir/data" ] || exit 0
    as_owner pg_ctl -D "$dir/data" -m fast -w stop > /dev/null 2>&1 || true
    ;;
*) usage ;;
esac
