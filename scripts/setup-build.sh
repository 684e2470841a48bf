#!/bin/sh
# Configures (or reconfigures) a meson build folder of this source tree and
# builds it, quietly; on failure the output goes to stderr. The project's
# own builds treat warnings as errors (-Dwerror=true, which options given
# here can override); meson.build leaves werror off so that a packager's
# build with another compiler or flags does not stop on a new warning.
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
if ! meson setup -Dwerror=true "$@" "$dir" > "$dir/setup.log" 2>&1; then
    cat "$dir/setup.log" >&2
    echo "meson setup failed in $dir" >&2
    exit 1
fi
"$root/scripts/compile.sh" "$dir"
