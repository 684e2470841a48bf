#!/bin/sh
# Runs CMD with a throwaway PostgreSQL server (scripts/pg-test-server.sh)
# in a fresh temporary folder, MLOPS_TEST_PG set to its conninfo; the
# server is stopped and the folder removed however CMD ends (a signal to
# this script is passed on to CMD first). Exits with CMD's status.
# --tcp: the server also listens on 127.0.0.1 (MLOPS_TEST_PG names that
# port), and CMD may restart or stop it: MLOPS_TEST_PG_SERVER is
# pg-test-server.sh, MLOPS_TEST_PG_DIR the folder to pass it.
# usage: scripts/with-pg.sh [--tcp] CMD [ARGS...]
set -eu
tcp=""
if [ "${1:-}" = --tcp ]; then
    tcp=--tcp
    shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [--tcp] CMD [ARGS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/with-server-lib.sh"
with_server_setup "$here/pg-test-server.sh" mlops-pg
MLOPS_TEST_PG=$("$here/pg-test-server.sh" start "$tmp" $tcp)
MLOPS_TEST_PG_SERVER="$here/pg-test-server.sh"
MLOPS_TEST_PG_DIR="$tmp"
export MLOPS_TEST_PG MLOPS_TEST_PG_SERVER MLOPS_TEST_PG_DIR
with_server_run "$@"
