"""What the generators of tests/eval share: the lines of a golden file as
they are built, the named arrays they hold, and the writing. The formats
are in each generator's docstring; the C and Python tests read them
(tests/eval_golden_file.h, bindings/python/tests/conftest.py)."""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

lines = []  # the golden file's lines, in order
data = {}  # the arrays put so far, by name


def hx(x):
    """A float as a C99 hex float (exact), or nan, inf, -inf."""
    x = float(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x.hex()


def put(name, arr):
    """A `data NAME i|d N ...` line for arr, kept in data[name]."""
    arr = np.asarray(arr)
    if arr.dtype.kind in "iu":
        lines.append(f"data {name} i {arr.size} " + " ".join(str(int(v)) for v in arr.ravel()))
    else:
        lines.append(f"data {name} d {arr.size} " + " ".join(hx(v) for v in arr.ravel()))
    data[name] = arr


def keys(kw):
    """The KEY=VALUE fields of a case line, floats as hex."""
    return " ".join(f"{k}={hx(v) if isinstance(v, float) else v}" for k, v in kw.items())


def write(name, *head):
    """Writes tests/eval/NAME: the head lines, then the lines; returns its path."""
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        f.write("".join(h + "\n" for h in head))
        f.write("\n".join(lines) + "\n")
    return path
