#!/bin/sh
# Valgrind memcheck over a subset of the Check suites of the normal build
# (the ones that finish in seconds under valgrind; cas and drift push
# hundreds of MiB and take minutes: scripts/long-tests.sh runs them too).
# What it adds to the sanitizer build: reads of uninitialised memory
# (which gcc's sanitizers do not detect) and errors in code built without
# instrumentation. Leaks are LeakSanitizer's job in the sanitizer build:
# forked test children exit without freeing what the parent held, which
# valgrind would report. Any error fails the run. --fair-sched=yes: valgrind
# runs one thread at a time, and without it a thread that polls (the
# registry's reader racing alias moves) starves the one it waits for, for
# minutes.
# usage: scripts/valgrind.sh [all]   (needs ./build from scripts/test.sh)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "${1:-}" = all ]; then
    suites=""
else
    suites="common store cas_tree track track_search track_lineage registry registry_signing drift_html eval badinput fuzz_replay_profile fuzz_replay_chunk_manifest"
fi
# shellcheck disable=SC2086
CK_FORK=no MLOPS_TEST_SMALL=1 meson test -C build --num-processes 2 --print-errorlogs \
    --wrapper "valgrind -q --fair-sched=yes --error-exitcode=99 --leak-check=no --track-origins=yes" \
    --suite unit --suite fuzz-replay $suites
n=$(echo ${suites:-every suite} | wc -w)
echo "# figure: valgrind memcheck: ${suites:+$n suites }${suites:-every suite} ran with no invalid access or use of uninitialised memory"
