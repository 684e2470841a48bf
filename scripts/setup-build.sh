#!/bin/sh
# Configures (or reconfigures) a meson build folder of this source tree and
# builds it. usage: scripts/setup-build.sh BUILD_DIR [meson options...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
cd "$root"
if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" > "$dir/setup.log" 2>&1 || { cat "$dir/setup.log"; exit 1; }
else
    mkdir -p "$dir"
    meson setup "$dir" "$@" > "$dir/setup.log" 2>&1 || { cat "$dir/setup.log"; exit 1; }
fi
meson compile -C "$dir"
