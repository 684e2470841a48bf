#!/usr/bin/env python3
"""Checks that include/mlops.hpp wraps the C API: every opaque handle type
of include/mlops/*.h and every exported function (lib/libmlops.map) is
named in it, except
- the *_init functions: C++ initialises the C structs with their
  MLOPS_*_INIT macros, as doc/cpp.md says;
- the functions of tests/cpp/unwrapped.txt, each under the reason it has
  no method (doc/cpp.md, "What has no method").
An allow-listed function the header now names, or one no longer exported,
is an error too, so that the list stays true.

usage: scripts/cpp-coverage.py    exit 1 and name what is missing
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def exported():
    text = re.sub(r"/\*.*?\*/", "", read("lib", "libmlops.map"), flags=re.S)
    return set(re.findall(r"^\s*(mlops_\w+);", text, flags=re.M))


def handle_types():
    out = set()
    folder = os.path.join(ROOT, "include", "mlops")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".h"):
            out |= set(re.findall(r"typedef struct (mlops_\w+) \1;", read("include", "mlops", name)))
    return out


def allow_list():
    out = {}
    reason = None
    for line in read("tests", "cpp", "unwrapped.txt").splitlines():
        line = line.strip()
        if line.startswith("#") or not line:
            if line.startswith("# "):
                reason = line[2:]
            continue
        out[line] = reason
    return out


def main():
    # Names in code, not in comments: a comment may name a call it does not make.
    code = re.sub(r"/\*.*?\*/", "", read("include", "mlops.hpp"), flags=re.S)
    code = re.sub(r"//[^\n]*", "", code)
    named = set(re.findall(r"\bmlops_\w+", code))
    functions = exported()
    allowed = allow_list()
    problems = []
    for t in sorted(handle_types() - named):
        problems.append("handle type %s has no owner in include/mlops.hpp" % t)
    for f in sorted(functions - named):
        if f.endswith("_init") or f in allowed:
            continue
        problems.append("%s is not wrapped by include/mlops.hpp: wrap it, or add it to "
                        "tests/cpp/unwrapped.txt under the reason it has no method" % f)
    for f in sorted(allowed):
        if f in named:
            problems.append("%s is in tests/cpp/unwrapped.txt but include/mlops.hpp wraps it: "
                            "take it out of the list" % f)
        elif f not in functions:
            problems.append("%s is in tests/cpp/unwrapped.txt but not exported" % f)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
