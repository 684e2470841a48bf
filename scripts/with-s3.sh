#!/bin/sh
# Runs CMD with a throwaway S3 server (scripts/s3-test-server.sh:
# versitygw on 127.0.0.1) in a fresh temporary folder, with
# MLOPS_TEST_S3 (s3://BUCKET/PREFIX), AWS_ENDPOINT_URL_S3, AWS_REGION,
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set for it; the server is
# stopped and the folder removed however CMD ends (a signal to this script
# is passed on to CMD first). MLOPS_TEST_S3_SERVER is s3-test-server.sh and
# MLOPS_TEST_S3_DIR the folder to pass it, for a CMD that stops the
# server itself. Exits with CMD's status.
# usage: scripts/with-s3.sh CMD [ARGS...]
set -eu
[ $# -ge 1 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/with-server-lib.sh"
with_server_setup "$here/s3-test-server.sh" mlops-s3
# The profile and config files of the caller's AWS tools must not decide
# anything in a test run: only the variables below.
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_DEFAULT_REGION
AWS_SHARED_CREDENTIALS_FILE=/dev/null
AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE
vars=$("$here/s3-test-server.sh" start "$tmp")
eval "$vars"
MLOPS_TEST_S3_SERVER="$here/s3-test-server.sh"
MLOPS_TEST_S3_DIR="$tmp"
export MLOPS_TEST_S3_SERVER MLOPS_TEST_S3_DIR
with_server_run "$@"
