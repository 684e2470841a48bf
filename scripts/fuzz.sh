#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-fuzz/, and runs each for a while on
# its committed seed corpus. A crash, leak, sanitizer report, timeout or
# out-of-memory fails the run and leaves the input in build-fuzz/findings/:
# fix the bug, then commit the input to tests/fuzz/regressions/<target>/
# (every build replays that folder). New corpus entries found meanwhile go
# to build-fuzz/corpus/<target>/ (not committed by default).
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]   (default 10 s, all)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-10}
[ $# -gt 0 ] && shift
# The list in tests/fuzz/meson.build, which may span several lines.
targets=${*:-$(sed -n '/^fuzz_targets = \[/,/\]/p' tests/fuzz/meson.build | sed 's/^fuzz_targets = //' | tr '\n' ' ' | tr -d "'[],")}
# The command-line tool's CSV reader, when the tool is in the tree.
if [ $# -eq 0 ] && [ -f tools/csv.c ]; then targets="$targets csv"; fi
# and its time parser
if [ $# -eq 0 ] && [ -f tools/timestamp.c ]; then targets="$targets time"; fi

mkdir -p build-fuzz
# Debug information relative to the clone, so that ccache serves a fresh
# clone elsewhere (scripts/test.sh sets its base_dir).
if ! CC=clang scripts/setup-build.sh build-fuzz -Dtests=false -Dfuzz=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dabi_check=false \
    -Dc_args="-fsanitize=fuzzer-no-link -fdebug-prefix-map=$root=." >build-fuzz/build.log 2>&1; then
    cat build-fuzz/build.log
    echo "# figure: fuzzing: the clang build of the fuzz targets FAILED"
    exit 1
fi

mkdir -p build-fuzz/findings
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
total=0
failed=""
# Two targets at a time: the machine has two cores.
run_one() {
    t=$1
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t"
    log="build-fuzz/findings/$t.log"
    extra=""
    [ "$t" = csv ] && extra="tests/cli/csv-seeds"
    # shellcheck disable=SC2086
    if "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/findings/$t/" \
        "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" $extra >"$log" 2>&1; then
        echo ok >"$log.status"
    else
        echo FAILED >"$log.status"
    fi
}
set -- $targets
while [ $# -gt 0 ]; do
    run_one "$1" &
    p1=$!
    t1=$1
    shift
    t2=""
    if [ $# -gt 0 ]; then
        run_one "$1" &
        p2=$!
        t2=$1
        shift
    fi
    wait $p1
    [ -n "$t2" ] && wait $p2
    for t in $t1 $t2; do
        log="build-fuzz/findings/$t.log"
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        execs=${execs:-0}
        total=$((total + execs))
        if [ "$(cat "$log.status")" = ok ]; then
            printf '  fuzz_%-16s %10s executions in %s s, no finding\n' "$t" "$execs" "$seconds"
        else
            printf '  fuzz_%-16s FAILED after %s executions: see %s and build-fuzz/findings/%s/\n' \
                "$t" "$execs" "$log" "$t"
            grep -E "ERROR|SUMMARY|==[0-9]+==" "$log" | head -5 | sed 's/^/    /'
            failed="$failed $t"
        fi
    done
done
count=$(echo $targets | wc -w)
echo "# figure: fuzzing: $count libFuzzer targets x $seconds s: $total executions in all, $( [ -z "$failed" ] && echo "no crash, leak, sanitizer report, timeout or out-of-memory" || echo "FINDINGS in:$failed")"
[ -z "$failed" ]
