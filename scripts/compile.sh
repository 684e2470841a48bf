#!/bin/sh
# Builds a configured meson folder (or some of its targets) quietly; on
# failure shows the build's output on stderr and fails.
# usage: scripts/compile.sh BUILD_DIR [TARGET...]
set -u
dir=$1
shift
log=$(mktemp)
if meson compile -C "$dir" "$@" > "$log" 2>&1; then
    rm -f "$log"
    exit 0
fi
cat "$log" >&2
rm -f "$log"
echo "build failed in $dir" >&2
exit 1
