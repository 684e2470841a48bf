#!/bin/sh
# The Debian packages' check (doc/packaging.md): builds libmlops1,
# libmlops-dev, mlops-tools and python3-libmlops with
# `dpkg-buildpackage -us -uc -b` from a copy of the checkout (dpkg writes
# the packages beside the source folder: here build-deb/), runs lintian
# (an error fails the check; warnings are listed), unpacks the packages
# with `dpkg -x` into build-deb/root - nothing is installed on the
# machine, whose wheel check needs no libmlops in reach - and there:
# builds and runs the C quickstart (doc/examples/quickstart.c) with
# pkg-config into the unpacked tree, runs tests/consumer/run.sh (CMake and
# pkg-config, shared and static), runs the mlops command and imports the
# Python binding, each loading the unpacked libmlops.so.1. The package
# build compiles through ccache (CC="ccache gcc") in a fixed folder so that
# a second run compiles only what changed.
# usage: scripts/test-debian.sh    (MLOPS_DEB_BUILD: the folder, default build-deb)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${MLOPS_DEB_BUILD:-$root/build-deb}
start=$(date +%s)
unset LD_LIBRARY_PATH PYTHONPATH MLOPS_LIBRARY
fail() { echo "test-debian: $*" >&2; exit 1; }

version=$(sed -n "/^  version: '/{s/^  version: '//;s/'.*//;p;q}" "$root/meson.build")
src=$out/libmlops-$version
rm -rf "$out/root" "$out/run" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo "$src"
mkdir -p "$src"
# The checkout's files as they are (tracked and new, not ignored ones).
(cd "$root" && git ls-files -co --exclude-standard | while IFS= read -r f; do
    [ -e "$f" ] && printf '%s\n' "$f"; done | tar -cf - -T -) | tar -xf - -C "$src"

t0=$(date +%s)
# debhelper points HOME into the source folder: name ccache's own cache.
ccache_dir=${CCACHE_DIR:-$(ccache -k cache_dir)}
(cd "$src" && CC="${CC:-ccache gcc}" CCACHE_DIR="$ccache_dir" DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b) >"$out/dpkg-buildpackage.log" 2>&1 ||
    { tail -60 "$out/dpkg-buildpackage.log" >&2; fail "dpkg-buildpackage failed (log: $out/dpkg-buildpackage.log)"; }
t1=$(date +%s)
echo "# figure: Debian packages built in $((t1 - t0)) s (dpkg-buildpackage -b, ccache)"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in "libmlops1_${version}_$arch" "libmlops-dev_${version}_$arch" "mlops-tools_${version}_$arch" \
         "python3-libmlops_${version}_all"; do
    [ -f "$out/$p.deb" ] || fail "no $p.deb"
done
changes=$out/libmlops_${version}_$arch.changes

# lintian: errors fail; the other tags are listed.
lintian --fail-on error --tag-display-limit 0 "$changes" >"$out/lintian.log" 2>&1 ||
    { cat "$out/lintian.log" >&2; fail "lintian reports errors"; }
echo "test-debian: lintian: no errors; $(grep -c '^[WIP]:' "$out/lintian.log" || true) warnings and notes:"
grep '^[WIPX]:' "$out/lintian.log" | sed 's/^/  /' || true

# What each package holds (doc/packaging.md lists it).
for deb in "$out"/libmlops1_*.deb "$out"/libmlops-dev_*.deb "$out"/mlops-tools_*.deb "$out"/python3-libmlops_*.deb; do
    dpkg-deb -x "$deb" "$out/root"
    echo "test-debian: $(basename "$deb"): $(dpkg-deb -c "$deb" | grep -vc '/$') files"
done
lib=$out/root/usr/lib/$ma
[ -f "$lib/libmlops.a" ] && [ -f "$lib/cmake/libmlops/libmlopsConfig.cmake" ] &&
    [ -f "$lib/pkgconfig/libmlops.pc" ] && [ -f "$out/root/usr/include/mlops.h" ] ||
    fail "libmlops-dev lacks a file"
if [ -f "$root/include/mlops.hpp" ] && [ ! -f "$out/root/usr/include/mlops.hpp" ]; then
    fail "libmlops-dev lacks mlops.hpp"
fi
[ -f "$out/root/usr/share/man/man1/mlops.1.gz" ] || fail "mlops-tools lacks the manual page mlops(1)"

# The C quickstart against the unpacked files, as its header comment says.
mkdir -p "$out/run"
export PKG_CONFIG_SYSROOT_DIR="$out/root" PKG_CONFIG_PATH="$lib/pkgconfig"
# shellcheck disable=SC2046
${CC:-cc} -o "$out/run/quickstart" "$root/doc/examples/quickstart.c" \
    $(pkg-config --cflags --libs libmlops libcrypto) -lm
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
got=$(LD_LIBRARY_PATH=$lib ldd "$out/run/quickstart" | awk '$1 == "libmlops.so.1" { print $3 }')
case "$(readlink -f "$got")" in "$out/root"/*) ;; *) fail "the quickstart loads ${got:-no libmlops.so.1}" ;; esac
LD_LIBRARY_PATH=$lib "$out/run/quickstart" "$out/run/quickstart-store" >"$out/run/quickstart.log" 2>&1 ||
    { cat "$out/run/quickstart.log" >&2; fail "the quickstart failed"; }
grep -q '^7. audit log verified' "$out/run/quickstart.log" || { cat "$out/run/quickstart.log" >&2; fail "the quickstart did not reach its last step"; }
echo "test-debian: quickstart: ran ($(wc -l <"$out/run/quickstart.log") lines of output)"

# The mlops command of mlops-tools.
cli=$(LD_LIBRARY_PATH=$lib "$out/root/usr/bin/mlops" --version) || fail "mlops --version failed"
echo "test-debian: mlops-tools: $cli"

# python3-libmlops: the binding loads libmlops.so.1 by its soname, here
# the unpacked one (LD_LIBRARY_PATH), and agrees on the version.
LD_LIBRARY_PATH=$lib PYTHONPATH=$out/root/usr/lib/python3/dist-packages python3 -c '
import os, sys, mlops
assert os.path.realpath(mlops.__file__).startswith(os.path.realpath(sys.argv[1])), mlops.__file__
assert mlops.__version__ == mlops.library_version() == sys.argv[2], (mlops.__version__, mlops.library_version())
assert mlops.library_found_by == "soname", mlops.library_found_by
maps = open("/proc/self/maps").read()
assert os.path.realpath(sys.argv[1]) in "".join(l for l in maps.splitlines(True) if "libmlops.so" in l), "libmlops.so.1 not from the packages"
print("test-debian: python3-libmlops: mlops", mlops.__version__)
' "$out/root" "$version" || fail "python3-libmlops does not work"

# CMake and pkg-config consumers, shared and static, against libmlops-dev.
"$root/tests/consumer/run.sh" --root "$out/root" "$out/run/consumer"

echo "test-debian: passed in $(( $(date +%s) - start )) s"
echo "# figure: Debian packages: build, lintian, unpack and checks in $(( $(date +%s) - start )) s"
