#!/bin/sh
# Configures (or reconfigures) a meson build folder of this source tree and
# builds it, quietly; on failure the output goes to stderr.
# usage: scripts/setup-build.sh BUILD_DIR [meson options...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
cd "$root"
mkdir -p "$dir"
if [ -f "$dir/build.ninja" ]; then
    set -- --reconfigure "$@"
fi
if ! meson setup "$@" "$dir" > "$dir/setup.log" 2>&1; then
    cat "$dir/setup.log" >&2
    echo "meson setup failed in $dir" >&2
    exit 1
fi
"$root/scripts/compile.sh" "$dir"
