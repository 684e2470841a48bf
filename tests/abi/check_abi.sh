#!/bin/sh
# Compares the built library's ABI with the committed baseline. Any
# non-zero abidiff status fails: added symbols are allowed
# (--no-added-syms); a changed or removed symbol or a changed public type
# (even a field appended to a public struct) is not. See doc/abi.md before
# regenerating the baseline.
#
# Both sides are abidw corpora made with the same flags (as
# scripts/abi-baseline.sh makes them): comparing XML with XML keeps the
# filtering of internal types identical on both sides.
# usage: check_abi.sh BASELINE LIBRARY PUBLIC_HEADERS_DIR
set -u
baseline=$1
lib=$2
headers=$3
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if ! abidw --no-corpus-path --no-comp-dir-path --no-show-locs --drop-private-types \
        --headers-dir "$headers" "$lib" > "$tmp"; then
    echo "abidw failed on $lib (built without debug info?)" >&2
    exit 1
fi
abidiff --no-added-syms "$baseline" "$tmp"
status=$?
if [ $status -ne 0 ]; then
    echo "abidiff exit status $status: the ABI differs from $baseline" >&2
    exit 1
fi
echo "ok: ABI compatible with $baseline"
