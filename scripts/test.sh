#!/bin/sh
# Every test: installs what is missing, then builds and runs the suites
# twice (a normal build with the ABI checks, and an AddressSanitizer +
# UndefinedBehaviorSanitizer build), then the hardening passes: libFuzzer
# targets, valgrind memcheck and cppcheck. Any failure fails the run. The
# figures the hardening tests measure are printed at the end.
# Long modes of the crash, stress and fuzz tests: scripts/long-tests.sh.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)

scripts/install-deps.sh test

echo "== normal build (debugoptimized, -g): unit tests, examples, header, symbol and ABI checks; crash, stress and I/O fault tests"
scripts/setup-build.sh build -Dtests=true -Dabi_check=true
meson test -C build --print-errorlogs --num-processes 2

echo "== sanitizer build (ASan + UBSan): unit tests, examples, bad-input table and I/O faults under LeakSanitizer, fuzz corpus replays"
scripts/setup-build.sh build-san -Dtests=true -Db_sanitize=address,undefined -Db_lundef=false -Dabi_check=false
meson test -C build-san --print-errorlogs --num-processes 2

echo "== fuzzing: libFuzzer targets (clang, ASan + UBSan), ${MLOPS_FUZZ_SECONDS:-10} s each"
scripts/fuzz.sh "${MLOPS_FUZZ_SECONDS:-10}" | tee build/fuzz-summary.txt

echo "== valgrind memcheck: a subset of the suites"
scripts/valgrind.sh

echo "== static analysis: cppcheck"
scripts/static-analysis.sh | tee build/cppcheck-summary.txt

echo "== figures"
grep -h '^# figure:' build/meson-logs/testlog.txt build-san/meson-logs/testlog.txt \
    build/fuzz-summary.txt build/cppcheck-summary.txt | sed 's/^# figure: /  /' | sort -u

echo "== all tests passed in $(( $(date +%s) - start )) s"
