#!/bin/sh
# Regenerates tests/abi/libmlops.abi from a build. Run it only on purpose,
# in a commit that says why (doc/abi.md): the baseline is the ABI promise.
# usage: scripts/abi-baseline.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/compile.sh "$build"
abidw --no-corpus-path --no-comp-dir-path --no-show-locs --drop-private-types \
    --headers-dir include "$build/lib/libmlops.so.1.0.0" > tests/abi/libmlops.abi
echo "wrote tests/abi/libmlops.abi"
