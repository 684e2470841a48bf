#!/bin/sh
# Builds the S3 test server (versitygw, Apache-2.0) from the Go module
# proxy into a cache outside the clone, so that a fresh clone on a machine
# that built it once does not build it again (about 3 minutes on 2 cores).
# Prints the binary's path on stdout. Needs Go (>= 1.21); the module cache
# and build cache are Go's own (GOMODCACHE, GOCACHE). Go 1.21 or newer
# is needed (Debian 12's golang-go is 1.19): it downloads the toolchain
# versitygw's go.mod asks for (GOTOOLCHAIN=auto) from the same proxy.
#   MLOPS_VERSITYGW_VERSION  the module version (default v1.8.0)
#   MLOPS_VERSITYGW          a binary to use instead (nothing is built)
# usage: scripts/build-versitygw.sh
set -eu
if [ -n "${MLOPS_VERSITYGW:-}" ]; then
    [ -x "$MLOPS_VERSITYGW" ] || { echo "$0: MLOPS_VERSITYGW=$MLOPS_VERSITYGW is not executable" >&2; exit 1; }
    echo "$MLOPS_VERSITYGW"
    exit 0
fi
version=${MLOPS_VERSITYGW_VERSION:-v1.8.0}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libmlops/versitygw-$version
bin=$cache/bin/versitygw
if [ -x "$bin" ]; then
    echo "$bin"
    exit 0
fi
command -v go >/dev/null 2>&1 || PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null 2>&1 || { echo "$0: go is not installed (Go 1.21 or newer, from https://go.dev/dl, builds versitygw)" >&2; exit 1; }
# "go1.19.8" -> 19: older than 1.21 cannot fetch a newer toolchain.
minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 21 ]; then
    echo "$0: $(go env GOVERSION) is too old to build versitygw: Go 1.21 or newer is needed (https://go.dev/dl)" >&2
    exit 1
fi
mkdir -p "$cache"
# Into a folder of its own, moved into place whole: an interrupted build
# leaves no half binary that a later run would take for a good one.
tmp=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "$0: building versitygw $version into $cache (a few minutes, once)" >&2
GOBIN=$tmp GOFLAGS=-buildvcs=false go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
mkdir -p "$cache/bin"
mv "$tmp/versitygw" "$bin"
echo "$bin"
