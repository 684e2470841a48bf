#!/bin/sh
# The long modes of the hardening tests (not part of scripts/test.sh):
# thousands of SIGKILLs, a 60 s concurrency stress, ten minutes of fuzzing
# per target, and valgrind over every suite. Needs ./build (scripts/test.sh
# makes it). usage: scripts/long-tests.sh [KILLS [STRESS_SECONDS [FUZZ_SECONDS]]]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kills=${1:-3000}
stress=${2:-60}
fuzz=${3:-600}
scripts/install-deps.sh test
scripts/setup-build.sh build -Dtests=true -Dabi_check=true
export MLOPS_TEST_TMPDIR="$root/build/tests/tmp"
mkdir -p "$MLOPS_TEST_TMPDIR"

echo "== crash test: $kills SIGKILLs"
build/tests/crash/crash_test --kills "$kills" --writers 4
echo "== concurrency stress: 8 processes x 4 threads, $stress s"
build/tests/crash/stress_test --seconds "$stress"
echo "== I/O faults and full disk"
build/tests/faults/fault_test
echo "== fuzzing: $fuzz s per target"
scripts/fuzz.sh "$fuzz"
echo "== valgrind memcheck: every suite"
scripts/valgrind.sh all
echo "== long hardening tests passed"
