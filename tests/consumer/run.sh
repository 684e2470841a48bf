#!/bin/sh
# Builds and runs tests/consumer/consumer.c as a project outside the tree
# would, against an installed libmlops that is not on the machine: a
# `meson install --destdir` tree of a build, or the Debian packages
# unpacked with `dpkg -x` (scripts/test-debian.sh). Four ways:
#   CMake's find_package(libmlops X.Y REQUIRED), CMAKE_PREFIX_PATH into
#   the tree: libmlops::libmlops (shared) and libmlops::libmlops_static;
#   pkg-config with PKG_CONFIG_SYSROOT_DIR and PKG_CONFIG_PATH into the
#   tree: --cflags --libs (shared) and --static (static).
# Each program must run, the shared ones loading the libmlops.so.1 of the
# tree and the static ones needing no libmlops.so at all. Also checks the
# CMake version file: no version and X.Y are accepted, X.(Y+1) and (X+1).0
# are refused.
# usage: run.sh --build BUILD_DIR WORK_DIR   (installs BUILD_DIR into WORK_DIR/root)
#        run.sh --root ROOT WORK_DIR          (an installed tree, e.g. dpkg -x)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 3 ] || { echo "usage: $0 --build BUILD_DIR WORK_DIR | --root ROOT WORK_DIR" >&2; exit 2; }
work=$3
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
case "$1" in
--build)
    root=$work/root
    meson install -C "$2" --destdir "$root" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
        { cat "$work/install.log" >&2; echo "consumer: meson install failed" >&2; exit 1; }
    ;;
--root) root=$(cd "$2" && pwd) ;;
*) echo "usage: $0 --build BUILD_DIR WORK_DIR | --root ROOT WORK_DIR" >&2; exit 2 ;;
esac

fail() { echo "consumer: $*" >&2; exit 1; }
unset LD_LIBRARY_PATH
command -v cmake >/dev/null || fail "no cmake (scripts/install-deps.sh test installs it)"
one() { # exactly one match of a find, or fail
    n=$(printf '%s\n' "$1" | grep -c .) || true
    [ "$n" -eq 1 ] || fail "expected one $2 in $root, found $n"
    printf '%s\n' "$1"
}
pc=$(one "$(find "$root" -path '*/pkgconfig/libmlops.pc')" libmlops.pc)
config=$(one "$(find "$root" -path '*/cmake/libmlops/libmlopsConfig.cmake')" libmlopsConfig.cmake)
header=$(one "$(find "$root" -path '*/include/mlops.h')" include/mlops.h)
libdir=$(dirname "$(dirname "$pc")")
prefix=$(dirname "$(dirname "$header")")
[ -e "$libdir/libmlops.so.1" ] || fail "no libmlops.so.1 in $libdir"
[ -e "$libdir/libmlops.a" ] || fail "no libmlops.a in $libdir"
[ "$(dirname "$(dirname "$(dirname "$config")")")" = "$libdir" ] || fail "$config is not in $libdir/cmake"

export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH=$(dirname "$pc")
version=$(pkg-config --modversion libmlops)
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}

# A libmlops.so.1 the program loaded must be the tree's: ldd resolves it.
loads_tree_lib() { # PROGRAM [LD_LIBRARY_PATH]
    got=$(LD_LIBRARY_PATH=${2:-} ldd "$1" | awk '$1 == "libmlops.so.1" { print $3 }')
    [ -n "$got" ] || fail "$1 does not load libmlops.so.1"
    case "$(readlink -f "$got")" in
    "$root"/*) ;;
    *) fail "$1 loads $got, not the one in $root" ;;
    esac
}
needs_no_libmlops() {
    if readelf -d "$1" | grep -q 'NEEDED.*libmlops'; then
        fail "$1 links the static library yet needs a shared libmlops"
    fi
}

# ---- CMake --------------------------------------------------------------
src=$here/cmake
cb=$work/cmake-build
configure() { cmake -S "$src" -B "$cb" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release "$@"; }
configure -DLIBMLOPS_WANTED= >"$work/cmake-noversion.log" 2>&1 ||
    { cat "$work/cmake-noversion.log" >&2; fail "find_package(libmlops) without a version failed"; }
for wanted in "$major.$((minor + 1))" "$((major + 1)).0"; do
    if configure -DLIBMLOPS_WANTED="$wanted" >"$work/cmake-refused.log" 2>&1; then
        fail "find_package(libmlops $wanted) accepted version $version"
    fi
    grep -q "compatible with requested version" "$work/cmake-refused.log" ||
        { cat "$work/cmake-refused.log" >&2; fail "find_package(libmlops $wanted) failed for another reason"; }
done
configure -DLIBMLOPS_WANTED="$major.$minor" >"$work/cmake.log" 2>&1 ||
    { cat "$work/cmake.log" >&2; fail "find_package(libmlops $major.$minor) failed"; }
found=$(sed -n 's/^libmlops_DIR:PATH=//p' "$cb/CMakeCache.txt")
[ "$(readlink -f "$found")" = "$(readlink -f "$(dirname "$config")")" ] ||
    fail "CMake found libmlops in $found, not $(dirname "$config")"
cmake --build "$cb" >"$work/cmake-build.log" 2>&1 ||
    { cat "$work/cmake-build.log" >&2; fail "the CMake project did not build"; }
loads_tree_lib "$cb/consumer_shared"
needs_no_libmlops "$cb/consumer_static"
"$cb/consumer_shared" "$work/store-cmake-shared"
"$cb/consumer_static" "$work/store-cmake-static"
"$cb/consumer_cpp" "$work/store-cmake-cpp"

# ---- pkg-config ---------------------------------------------------------
cc=${CC:-cc}
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Wextra -Werror -o "$work/pc_shared" "$here/consumer.c" \
    $(pkg-config --cflags --libs libmlops)
loads_tree_lib "$work/pc_shared" "$libdir"
LD_LIBRARY_PATH=$libdir "$work/pc_shared" "$work/store-pc-shared"
# The static library by name (-l:libmlops.a): with both in -L, ld takes the
# shared one; --static adds what libmlops.a needs (Requires.private, Libs.private).
static_libs=$(pkg-config --static --libs libmlops | sed 's/-lmlops\b/-l:libmlops.a/')
case "$static_libs" in *-l:libmlops.a*) ;; *) fail "pkg-config --static --libs gave no -lmlops: $static_libs" ;; esac
# shellcheck disable=SC2046,SC2086
$cc -std=c11 -Wall -Wextra -Werror -o "$work/pc_static" "$here/consumer.c" \
    $(pkg-config --cflags libmlops) $static_libs
needs_no_libmlops "$work/pc_static"
"$work/pc_static" "$work/store-pc-static"
echo "consumer: passed: libmlops $version from $root: CMake shared, static and C++, pkg-config shared and static"
