"""Reading the golden files of this folder (their formats: the docstrings
of the generators beside them). Plain Python, no dependencies: the CLI
test (tests/cli/test_cli_eval.py) and the Python binding's tests
(bindings/python/tests/conftest.py) read them with it; the C suites with
tests/eval_golden_file.h."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def num(s):
    """A golden value: a C99 hex float, or nan, inf, -inf."""
    return float(s) if s in ("nan", "inf", "-inf") else float.fromhex(s)


def load(name):
    """NAME of this folder as ({data name: list of int or float}, [other lines as word lists])."""
    data, lines = {}, []
    with open(os.path.join(HERE, name)) as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            if parts[0] == "data":
                n = int(parts[3])
                vals = parts[4:4 + n]
                data[parts[1]] = [int(v) for v in vals] if parts[2] == "i" else [num(v) for v in vals]
            else:
                lines.append(parts)
    return data, lines


def fields(parts):
    """The KEY=VALUE words before "->" as a dict, and the words after it."""
    i = parts.index("->")
    return dict(p.split("=", 1) for p in parts[:i]), parts[i + 1:]
