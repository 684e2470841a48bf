#!/bin/sh
# Every test: installs what is missing, then builds and runs the suites
# twice (a normal build with the ABI checks, and an AddressSanitizer +
# UndefinedBehaviorSanitizer build), builds as packagers do
# (--buildtype=release) with gcc and with clang and runs the unit suites on
# each (every build treats warnings as errors), runs the Python and Go
# bindings' tests against the normal build, builds the Debian packages and
# uses them unpacked (never installed), then the hardening passes:
# libFuzzer targets, valgrind memcheck and cppcheck. Any failure fails the
# run. The figures the hardening tests measure are printed at the end. Long
# modes of the crash, stress and fuzz tests: scripts/long-tests.sh.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)

scripts/install-deps.sh test

# meson compiles through ccache (installed above; its cache is in the home
# directory, outside the clone). A build with debug information (-g: the
# normal, sanitizer and fuzz builds) is cached under its working directory
# unless that directory is left out of the objects: with base_dir and
# -fdebug-prefix-map, a fresh clone elsewhere on a machine that ran this
# before compiles only what changed, and the debug information names
# paths relative to the clone.
export CCACHE_BASEDIR="$root"
debug_map="-fdebug-prefix-map=$root=."

echo "== normal build (debugoptimized, -g): unit tests, examples, header, symbol and ABI checks, CMake and pkg-config consumers of the installed tree; crash, stress and I/O fault tests; the suites of the store again on PostgreSQL; the S3 client on versitygw"
# -Dpostgresql=enabled, -Ds3=enabled: without libpq or libcurl this fails
# instead of leaving the postgres or s3 suite out (each of their programs
# starts a throwaway server: scripts/with-pg.sh, scripts/with-s3.sh).
scripts/setup-build.sh build -Dtests=true -Dabi_check=true -Dpostgresql=enabled -Ds3=enabled \
    -Dc_args="$debug_map" -Dcpp_args="$debug_map"
meson test -C build --print-errorlogs --num-processes 2
grep -h '^# figure:' build/meson-logs/testlog.txt | sed 's/^# figure: /  normal build: /' >build/figures.txt || true

echo "== sanitizer build (ASan + UBSan): unit tests, examples, bad-input table and I/O faults under LeakSanitizer, fuzz corpus replays"
scripts/setup-build.sh build-san -Dtests=true -Db_sanitize=address,undefined -Db_lundef=false -Dabi_check=false \
    -Dc_args="$debug_map" -Dcpp_args="$debug_map"
meson test -C build-san --print-errorlogs --num-processes 2
grep -h '^# figure:' build-san/meson-logs/testlog.txt | sed 's/^# figure: /  sanitizer build: /' >>build/figures.txt || true

# Packagers build optimised, with either compiler: gcc's flow-based
# warnings (maybe-uninitialized) differ at -O3 from -O2, and clang has
# checks of its own; clang++ compiles the C++ header test. Then the unit,
# corpus-replay and example suites at the smaller sizes (the crash, stress
# and fault tests ran above): the optimised code behaves too, cheaply.
# Through ccache (from scripts/install-deps.sh, its cache in the home
# directory, outside the clone): a fresh clone on a machine that ran this
# before compiles only what changed.
for cc in gcc clang; do
    echo "== release build with $cc (-O3, warnings as errors): unit tests, corpus replays, examples"
    cxx=g++
    [ "$cc" = clang ] && cxx=clang++
    CC="ccache $cc" CXX="ccache $cxx" scripts/setup-build.sh "build-release-$cc" --buildtype=release -Dtests=true -Dabi_check=false
    MLOPS_TEST_SMALL=1 meson test -C "build-release-$cc" --print-errorlogs --num-processes 2 \
        --suite unit --suite fuzz-replay --suite examples
done

# Each binding's run gets a throwaway PostgreSQL (MLOPS_TEST_PG) for its
# shared-store tests, stopped however the run ends.
echo "== Python binding against the normal build (bindings/python, doc/python.md)"
scripts/with-pg.sh scripts/test-python.sh build

echo "== the self-contained Python wheel (scripts/build-wheel.sh): installed into a fresh virtualenv with no other libmlops in reach, runs the quickstart; a backend it lacks is a clear error"
scripts/test-wheel.sh >build/wheel-summary.txt || { cat build/wheel-summary.txt; exit 1; }
cat build/wheel-summary.txt

# Packagers' view (doc/packaging.md): the CMake and pkg-config consumers
# ran in the normal build (suite packaging, against its meson install
# --destdir); here the Debian packages are built from a copy of the
# checkout, checked with lintian, unpacked with dpkg -x (never installed:
# the wheel check above needs a machine without libmlops) and used.
echo "== Debian packages (scripts/test-debian.sh): dpkg-buildpackage, lintian, dpkg -x into a temporary root, the C quickstart, the CLI, the Python binding, CMake and pkg-config consumers against the unpacked files"
scripts/test-debian.sh >build/debian-summary.txt 2>&1 || { cat build/debian-summary.txt; exit 1; }
cat build/debian-summary.txt

echo "== Go binding against the normal build: go vet, go test -race, quickstart, doc/go.md"
scripts/with-pg.sh scripts/test-go.sh build

echo "== fuzzing: libFuzzer targets (clang, ASan + UBSan), ${MLOPS_FUZZ_SECONDS:-10} s each"
# (no pipe into tee: sh has no pipefail, and a finding must fail the run)
scripts/fuzz.sh "${MLOPS_FUZZ_SECONDS:-10}" >build/fuzz-summary.txt || { cat build/fuzz-summary.txt; exit 1; }
cat build/fuzz-summary.txt

echo "== valgrind memcheck: a subset of the suites"
scripts/valgrind.sh >build/valgrind-summary.txt 2>&1 || { cat build/valgrind-summary.txt; exit 1; }
tail -6 build/valgrind-summary.txt

echo "== static analysis: cppcheck"
scripts/static-analysis.sh >build/cppcheck-summary.txt || { cat build/cppcheck-summary.txt; exit 1; }
cat build/cppcheck-summary.txt

echo "== figures"
grep -h '^# figure:' build/wheel-summary.txt build/debian-summary.txt build/fuzz-summary.txt build/valgrind-summary.txt build/cppcheck-summary.txt | sed 's/^# figure: /  /' \
    >>build/figures.txt || true
cat build/figures.txt

echo "== all tests passed in $(( $(date +%s) - start )) s"
