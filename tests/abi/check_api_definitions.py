#!/usr/bin/env python3
"""Every function the version script exports is defined with MLOPS_API.

The declaration in include/mlops/*.h carries MLOPS_API; the definition must
too, so that a reader of the .c file sees which functions are the public
API (and a build without the version script still exports them).
usage: check_api_definitions.py MAPFILE LIBDIR
"""
import pathlib
import re
import sys


def listed(map_path):
    text = re.sub(r"/\*.*?\*/", "", pathlib.Path(map_path).read_text(), flags=re.S)
    return set(re.findall(r"^\s*([A-Za-z_]\w*);", text, flags=re.M))


def definitions(lib_dir):
    # A definition: at the start of a line, a return type and the name, the
    # parameter list (perhaps over several lines), then "{" (not ";").
    head = re.compile(r"^([A-Za-z_][^;{}()#]*?)\b(mlops_\w+)\s*\(([^;{}]*?)\)\s*\{", re.M)
    for path in sorted(pathlib.Path(lib_dir).rglob("*.c")):
        for m in head.finditer(path.read_text()):
            line = m.string.count("\n", 0, m.start()) + 1
            yield m.group(2), m.group(1), f"{path}:{line}"


def main():
    map_path, lib_dir = sys.argv[1], sys.argv[2]
    names = listed(map_path)
    found, bad = set(), []
    for name, prefix, where in definitions(lib_dir):
        if name not in names:
            continue
        found.add(name)
        if "MLOPS_API" not in prefix.split():
            bad.append(f"{where}: {name} is exported but its definition lacks MLOPS_API")
    for name in sorted(names - found):
        bad.append(f"{name}: listed in {map_path} but no definition found under {lib_dir}")
    for line in bad:
        print(line)
    if bad:
        return 1
    print(f"ok: {len(found)} exported functions, every definition has MLOPS_API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
