#!/usr/bin/env python3
"""Writes debian/libmlops1.symbols from lib/libmlops.map, the version script.

Every global symbol of every version node becomes a line
`mlops_x@MLOPS_1.0 1.0.0`, and each node its own `MLOPS_1.0@MLOPS_1.0`.
debian/rules runs dpkg-gensymbols at check level 4 (dh_makeshlibs -- -c4):
a symbol of this file missing from the built libmlops.so.1 fails the
package build, and so does a symbol the library exports that this file
lacks (then rerun this script after adding the symbol to the map).

The minimum version of a node MLOPS_X.Y is `X.Y~`: the release X.Y.0 that
first exports it, and its pre-releases; while meson.build's version is
older than the node (a node under development before the version is
raised), that version with a `~`. The `~` keeps every minimum version
below the package's version: dpkg-gensymbols reports a symbol that
disappeared only when its minimum version is older than the package's.

usage: scripts/debian-symbols.py [--check]   (--check: compare, write nothing)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAP = os.path.join(ROOT, "lib", "libmlops.map")
OUT = os.path.join(ROOT, "debian", "libmlops1.symbols")


def project_version():
    with open(os.path.join(ROOT, "meson.build"), encoding="utf-8") as f:
        m = re.search(r"project\(\s*'libmlops'.*?\bversion\s*:\s*'([^']+)'", f.read(), re.S)
    if not m:
        sys.exit("debian-symbols: no version in meson.build")
    return m.group(1)


def vkey(v):
    return tuple(int(x) for x in v.split("."))


def nodes(text):
    """[(node, [symbol...])] in the map's order."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for m in re.finditer(r"(MLOPS_\d+\.\d+)\s*\{(.*?)\}\s*[\w.]*\s*;", text, re.S):
        body = m.group(2)
        glob = re.search(r"global\s*:(.*?)(?:local\s*:|$)", body, re.S)
        syms = [s.strip() for s in (glob.group(1) if glob else "").split(";") if s.strip()]
        for s in syms:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s):
                sys.exit(f"debian-symbols: {m.group(1)}: {s!r} is not a plain symbol name")
        out.append((m.group(1), syms))
    if not out:
        sys.exit(f"debian-symbols: no version node in {MAP}")
    return out


def render():
    version = project_version()
    with open(MAP, encoding="utf-8") as f:
        parsed = nodes(f.read())
    lines = [
        "# Written by scripts/debian-symbols.py from lib/libmlops.map: do not edit.",
        "libmlops.so.1 libmlops1 #MINVER#",
        "* Build-Depends-Package: libmlops-dev",
    ]
    seen = set()
    for node, syms in parsed:
        node_version = node.split("_", 1)[1]
        if vkey(node_version + ".0") > vkey(version):
            minver = version + "~"
        else:
            minver = node_version + "~"
        entries = [node] + sorted(syms)
        for s in entries:
            if s in seen:
                sys.exit(f"debian-symbols: {s} appears twice in the map")
            seen.add(s)
            lines.append(f" {s}@{node} {minver}")
    return "\n".join(lines) + "\n"


def main():
    text = render()
    if sys.argv[1:] == ["--check"]:
        try:
            with open(OUT, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = None
        if old != text:
            sys.exit("debian-symbols: debian/libmlops1.symbols differs from lib/libmlops.map: "
                     "run scripts/debian-symbols.py")
        return
    if sys.argv[1:]:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
