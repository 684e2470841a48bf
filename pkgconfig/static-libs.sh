#!/bin/sh
# Run by `meson install` (pkgconfig/meson.build): in the installed
# libmlops.pc, replaces Requires.private and Libs.private with one
# Libs.private line, the libraries libmlops.a links.
# usage: static-libs.sh PC_PATH_UNDER_PREFIX "LIBS"
set -eu
pc=${MESON_INSTALL_DESTDIR_PREFIX:?run by meson install}/$1
case "$1" in /*) pc=${DESTDIR:-}$1 ;; esac
[ -f "$pc" ] || { echo "static-libs.sh: no $pc" >&2; exit 1; }
tmp=$pc.tmp
sed -e '/^Requires\.private:/d' -e "s|^Libs\.private:.*|Libs.private: $2|" "$pc" >"$tmp"
grep -q '^Libs\.private:' "$tmp" || echo "Libs.private: $2" >>"$tmp"
mv "$tmp" "$pc"
[ -n "${MESON_INSTALL_QUIET:-}" ] || echo "Rewrote Libs.private of $pc"
