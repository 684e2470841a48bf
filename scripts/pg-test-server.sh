#!/bin/sh
# A throwaway PostgreSQL server for tests: a fresh cluster in DIR that
# listens on a Unix socket in DIR (and, with --tcp, on 127.0.0.1 at a free
# port), with no durability (fsync off).
#   scripts/pg-test-server.sh start DIR [--tcp]  prints the libpq conninfo on stdout
#                                               (TCP: host=127.0.0.1 port=P)
#   scripts/pg-test-server.sh restart DIR       pg_ctl restart -m fast, same options
#   scripts/pg-test-server.sh stop DIR          stops it (no error when not running)
# MLOPS_PG_SERVER_OPTS, when set, adds server options after ours (a later
# -c wins): tests/tls_pg.sh listens on TCP with ssl=on.
# PostgreSQL refuses to run as root: as root, the cluster belongs to
# `nobody` (DIR is given to it); as any other user it runs as that user.
set -eu
usage() { echo "usage: $0 start DIR [--tcp] | restart DIR | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2
tcp=0
if [ $# -eq 3 ] && [ "$cmd" = start ] && [ "$3" = --tcp ]; then tcp=1; elif [ $# -ne 2 ]; then usage; fi
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

# A port from the dynamic range, different from run to run; a port taken
# by another program makes pg_ctl fail, and the caller tries another.
some_port() {
    echo $((49152 + $(od -An -N2 -tu2 /dev/urandom) % 16000))
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
    tries=1
    [ "$tcp" -eq 1 ] && tries=10
    while :; do
        listen="listen_addresses=''"
        if [ "$tcp" -eq 1 ]; then
            port=$(some_port)
            listen="listen_addresses='127.0.0.1' -p $port"
        fi
        if as_owner pg_ctl -D "$dir/data" -w -l "$dir/server.log" \
            -o "-k $dir -c $listen -c fsync=off -c full_page_writes=off ${MLOPS_PG_SERVER_OPTS:-}" start \
            > "$dir/pg_ctl.log" 2>&1; then
            break
        fi
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    done
    if [ "$tcp" -eq 1 ]; then
        echo "host=127.0.0.1 port=$port dbname=postgres user=mlops"
    else
        echo "host=$dir dbname=postgres user=mlops"
    fi
    ;;
restart)
    # pg_ctl restart starts the server with the options it last ran with,
    # postmaster.opts, which name the data and socket folders: in a copy
    # of DIR made elsewhere (cp -a of a benchmark's work folder), those of
    # the original, whose cluster pg_ctl would then start. So they are
    # made this folder's first.
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/data/postmaster.opts" ]; then
        old=$(sed -n 's|.*"-D" "\(.*\)/data".*|\1|p' "$dir/data/postmaster.opts")
        if [ -n "$old" ] && [ "$old" != "$dir" ]; then
            as_owner sed -i "s|\"$old/data\"|\"$dir/data\"|; s|\"-k\" \"$old\"|\"-k\" \"$dir\"|" \
                "$dir/data/postmaster.opts"
        fi
    fi
    as_owner pg_ctl -D "$dir/data" -m fast -w -l "$dir/server.log" restart > "$dir/pg_ctl.log" 2>&1 \
        || { cat "$dir/pg_ctl.log" >&2; exit 1; }
    ;;
stop)
    [ -d "$dir/data" ] || exit 0
    as_owner pg_ctl -D "$dir/data" -m fast -w stop > /dev/null 2>&1 || true
    ;;
*) usage ;;
esac
