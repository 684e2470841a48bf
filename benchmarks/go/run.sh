#!/bin/sh
# The Go binding's overhead beside its anchor (the C API called from C in
# the same process, same run): batched and single metric logging and a KS
# test on 1M values. Prints each figure beside the C one and the ratio.
# Not part of the test command.
#
# usage: benchmarks/go/run.sh [-q] [WORKDIR]
#   -q        a tenth of every size (a quick smoke run)
#   WORKDIR   scratch space (default build/bench-go)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=""
if [ "${1:-}" = "-q" ]; then quick=-q; shift; fi
work=${1:-$root/build/bench-go}
mkdir -p "$work"
cd "$root"
scripts/install-deps.sh main >/dev/null
[ -f build/build.ninja ] || scripts/setup-build.sh build >/dev/null
scripts/compile.sh build
if ! command -v go >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends golang-go >/dev/null
fi
export PKG_CONFIG_PATH="$root/build/meson-uninstalled" LD_LIBRARY_PATH="$root/build/lib"
export GOPROXY=off GOTOOLCHAIN=local GOFLAGS=
cd benchmarks/go
go run . $quick "$work"
