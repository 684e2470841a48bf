# Sourced (not run) by scripts/with-pg.sh and scripts/with-s3.sh: what
# running a command beside a throwaway test server takes, whatever the
# server. with_server_setup SERVER_SCRIPT NAME makes a fresh folder $tmp
# and arranges that "SERVER_SCRIPT stop $tmp" runs and the folder goes
# however the script ends (a signal is passed on to the command first);
# with_server_run CMD... runs the command in the background, so that a
# signal is handled at once and not after it, and exits with its status.
with_server_setup() {
    server_script=$1
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX")
    child=""
    trap with_server_cleanup EXIT
    trap 'with_server_signal 130' INT
    trap 'with_server_signal 143' TERM
}

with_server_cleanup() {
    "$server_script" stop "$tmp" || true
    rm -rf "$tmp"
}

with_server_signal() {
    if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; fi
    exit "$1"
}

with_server_run() {
    "$@" &
    child=$!
    status=0
    wait "$child" || status=$?
    exit "$status"
}
