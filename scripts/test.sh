#!/bin/sh
# Every test: installs what is missing, then builds and runs the suites
# twice (a normal build with the ABI checks, and an AddressSanitizer +
# UndefinedBehaviorSanitizer build), and the Python binding's tests against
# the normal build. Any failure fails the run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)

scripts/install-deps.sh test

echo "== normal build (debugoptimized, -g): unit tests, examples, header, symbol and ABI checks"
scripts/setup-build.sh build -Dtests=true -Dabi_check=true
meson test -C build --print-errorlogs --num-processes 2

echo "== sanitizer build (ASan + UBSan): unit tests and examples"
scripts/setup-build.sh build-san -Dtests=true -Db_sanitize=address,undefined -Db_lundef=false -Dabi_check=false
meson test -C build-san --print-errorlogs --num-processes 2

echo "== Python binding against the normal build (bindings/python, doc/python.md)"
scripts/test-python.sh build

echo "== Go binding against the normal build: go vet, go test -race, quickstart, doc/go.md"
scripts/test-go.sh build

echo "== all tests passed in $(( $(date +%s) - start )) s"
