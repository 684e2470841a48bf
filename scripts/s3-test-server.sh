#!/bin/sh
# A throwaway S3 server for tests: versitygw (scripts/build-versitygw.sh,
# built once into a cache outside the clone) serving DIR/data with its
# posix backend on 127.0.0.1 at a free port, with one bucket and a root
# key pair made up for this run. Keep-alive is on (versitygw's default is
# off), as on S3, so that clients reuse their connections.
#   scripts/s3-test-server.sh start DIR  prints `export NAME='value'` lines
#                                       for eval: MLOPS_TEST_S3
#                                       (s3://BUCKET/PREFIX),
#                                       AWS_ENDPOINT_URL_S3, AWS_REGION,
#                                       AWS_ACCESS_KEY_ID,
#                                       AWS_SECRET_ACCESS_KEY (also kept
#                                       in DIR/env)
#   scripts/s3-test-server.sh stop DIR   stops it (no error when not running)
#   scripts/s3-test-server.sh restart DIR starts it again after it stopped or
#                                       died (a test killed it): same port,
#                                       same keys, same data
# The server's log is DIR/server.log.
set -eu
usage() { echo "usage: $0 start DIR | stop DIR | restart DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
bucket=mlops-test
region=us-east-1

# Waits up to $2 tenths of a second for a TCP listener on 127.0.0.1:$1.
wait_port() {
    python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, tenths = int(sys.argv[1]), int(sys.argv[2])
for _ in range(tenths):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# A port the kernel has free now; another program may take it before the
# server binds it, and then the caller tries again.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts versitygw on 127.0.0.1:$port with $access and $secret, serving
# $dir/data (appending to its log); 0 once it answers there and is still
# alive, else 1 (and no server left running).
launch() {
    # versitygw also reads VGW_* variables: none of the caller's reach
    # this server (a web UI, another root folder...).
    env $(env | sed -n 's/^\(VGW_[A-Za-z0-9_]*\)=.*/-u \1/p') \
        "$bin" --access "$access" --secret "$secret" --region "$region" \
        --port "127.0.0.1:$port" --keep-alive --quiet posix "$dir/data" \
        >>"$dir/server.log" 2>&1 &
    echo $! >"$dir/pid"
    # Up, and ours: a program that took the port first would answer too,
    # while versitygw exits on failing to bind it.
    if wait_port "$port" 100 && sleep 0.2 && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
        return 0
    fi
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
    return 1
}

case "$cmd" in
start)
    bin=$("$here/build-versitygw.sh")
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # The posix backend serves each folder under its root as a bucket.
    mkdir -p "$dir/data/$bucket"
    : >"$dir/server.log"
    access=mlops-test-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
    secret=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
    tries=5
    while :; do
        port=$(free_port)
        launch && break
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || { echo "$0: versitygw did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
    done
    cat >"$dir/env" <<ENV
export MLOPS_TEST_S3='s3://$bucket/test'
export AWS_ENDPOINT_URL_S3='http://127.0.0.1:$port'
export AWS_REGION='$region'
export AWS_ACCESS_KEY_ID='$access'
export AWS_SECRET_ACCESS_KEY='$secret'
ENV
    cat "$dir/env"
    ;;
stop)
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || { rm -f "$dir/pid"; exit 0; }
    # Up to 5 s for a clean exit, then at once.
    n=50
    while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
        sleep 0.1
        n=$((n - 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    ;;
restart)
    [ -f "$dir/env" ] || { echo "$0: no server was started in $dir" >&2; exit 1; }
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
        echo "$0: the server of $dir is running" >&2
        exit 1
    fi
    bin=$("$here/build-versitygw.sh")
    dir=$(cd "$dir" && pwd)
    . "$dir/env"
    port=${AWS_ENDPOINT_URL_S3##*:}
    access=$AWS_ACCESS_KEY_ID
    secret=$AWS_SECRET_ACCESS_KEY
    # The port was ours until the server died; a program may have taken
    # it meanwhile, then this fails.
    launch || { echo "$0: versitygw did not start again on port $port:" >&2; cat "$dir/server.log" >&2; exit 1; }
    ;;
*) usage ;;
esac
