#!/bin/sh
# The shared library exports exactly the symbols the version script lists,
# all named mlops_*, all in a MLOPS_* version node; with SRCDIR, every
# exported function is defined with MLOPS_API (check_api_definitions.py).
# usage: check_symbols.sh LIBRARY MAPFILE [SRCDIR]
set -eu
lib=$1
map=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Defined dynamic symbols, minus the version-node markers (type A).
nm -D --defined-only --format=posix "$lib" | awk '$2 != "A" { print $1 }' > "$tmp/raw"
sed 's/@.*//' "$tmp/raw" | sort -u > "$tmp/exported"
grep -v '@@MLOPS_[0-9]*\.[0-9]*$' "$tmp/raw" > "$tmp/unversioned" || true
# Symbols listed in the map: lines like "    mlops_x;" (comments stripped).
sed 's:/\*.*\*/::g' "$map" | grep -oE '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' \
    | tr -d ' \t;' | sort -u > "$tmp/listed"

status=0
if ! diff -u "$tmp/listed" "$tmp/exported" > "$tmp/diff"; then
    echo "exported symbols differ from $map ('-' listed only, '+' exported only):"
    cat "$tmp/diff"
    status=1
fi
if grep -v '^mlops_' "$tmp/exported"; then
    echo "^ exported symbols not named mlops_*"
    status=1
fi
if [ -s "$tmp/unversioned" ]; then
    echo "symbols outside a MLOPS_x.y version node:"
    cat "$tmp/unversioned"
    status=1
fi
if [ $# -ge 3 ] && ! python3 "$(dirname "$0")/check_api_definitions.py" "$map" "$3"; then
    status=1
fi
[ $status -eq 0 ] && echo "ok: $(wc -l < "$tmp/exported") symbols, all mlops_*, all versioned"
exit $status
