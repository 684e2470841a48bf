#!/bin/sh
# cppcheck over the library (and the command-line tool when present) at
# the level the project holds to zero findings: its default error checks
# plus --enable=warning,performance,portability (doc/security.md, "Static
# and dynamic analysis"). The "style" class is not enforced: it is mostly
# advice (const-ness, scopes) and a few false "always true" conditions.
# Any finding fails the run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dirs="lib"
[ -d tools ] && dirs="$dirs tools"
out=$(mktemp)
# shellcheck disable=SC2086
cppcheck --quiet --std=c11 --enable=warning,performance,portability --inline-suppr \
    --suppress=missingIncludeSystem -D_GNU_SOURCE -DMLOPS_BUILDING -I include -I lib \
    -j 2 --error-exitcode=1 $dirs >"$out" 2>&1 || true
findings=$(grep -cE '\]$' "$out" || true)
files=$(find $dirs -name '*.c' | wc -l)
if [ "$findings" -gt 0 ]; then
    cat "$out"
    rm -f "$out"
    echo "# figure: cppcheck: $findings findings in $files C files"
    exit 1
fi
rm -f "$out"
echo "# figure: cppcheck $(cppcheck --version | sed 's/Cppcheck //') (warning, performance, portability): 0 findings in $files C files"
