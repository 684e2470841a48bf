#!/usr/bin/env python3
"""Evidently's automatic method choice on integer, float and text-typed
numeric columns, beside `mlops drift compare` (issue 26).

make_tables() builds the CSV pairs (stdlib only, deterministic); run as a
script in a throwaway virtual environment with the pinned Evidently, it
records the method Evidently picks for each column in
evidently_types.json, reading the same CSV text with pandas as Evidently's
users do:

    python3 -m venv VENV && VENV/bin/pip install \\
        evidently==0.7.23 pandas==2.2.3 numpy==2.1.3 scipy==1.14.1
    VENV/bin/python tests/cli/evidently_types.py   (VENV outside the tree)

Evidently 0.7.23 decides in two steps, both called here as its report
does: the column type from the current dataset's pandas dtype
(evidently/core/datasets.py, infer_column_type: int64 with at most 10
distinct values is categorical, float64 numerical, strings categorical or
text) and the test from the type, the reference size and the number of
distinct values (evidently/legacy/calculations/stattests/registry.py,
_get_default_stattest). The test (test_cli.py) never needs Evidently.
"""
import io
import json
import os
import random

EVIDENTLY = "0.7.23"
HERE = os.path.dirname(os.path.abspath(__file__))


def make_tables():
    """{size: (ref_csv_text, cur_csv_text)} for a small (500 rows, Evidently's
    <= 1000 branch) and a large (2000 rows) reference."""
    out = {}
    for size, nref in (("small", 500), ("large", 2000)):
        rnd = random.Random(26 + nref)
        cols = ["label01", "rating5", "rating10", "rating10_missing", "rating12", "float5",
                "text_numbers", "text_numbers_many"]

        def row(i, shift):
            return [rnd.randint(0, 1) if rnd.random() > shift else 1,
                    rnd.randint(1, 5),
                    min(10, rnd.randint(1, 10) + (1 if rnd.random() < shift else 0)),
                    "" if i % 50 == 7 else rnd.randint(1, 10),
                    rnd.randint(1, 12),
                    rnd.choice([0.5, 1.5, 2.5, 3.5, 4.5]),
                    "?" if i % 40 == 3 else rnd.randint(1, 4),
                    "?" if i % 40 == 3 else rnd.randint(1, 100000)]

        texts = []
        for n, shift in ((nref, 0.0), (400, 0.3)):
            buf = io.StringIO()
            buf.write(",".join(cols) + "\n")
            for i in range(n):
                buf.write(",".join(str(v) for v in row(i, shift)) + "\n")
            texts.append(buf.getvalue())
        out[size] = tuple(texts)
    return out


def main():
    import evidently
    import pandas as pd
    from evidently.core.datasets import infer_column_type
    from evidently.legacy.calculations.stattests.registry import get_stattest

    assert evidently.__version__ == EVIDENTLY, evidently.__version__
    result = {"evidently": evidently.__version__, "pandas": pd.__version__, "methods": {}}
    for size, (ref_text, cur_text) in make_tables().items():
        ref, cur = pd.read_csv(io.StringIO(ref_text)), pd.read_csv(io.StringIO(cur_text))
        methods = {}
        for col in cur.columns:
            ctype = infer_column_type(cur[col])
            # get_one_column_drift drops NaN before choosing
            r, c = ref[col].dropna(), cur[col].dropna()
            try:
                name = get_stattest(r, c, ctype, None).name
            except ValueError:
                name = None
            methods[col] = {"type": ctype.value, "dtype": str(cur[col].dtype), "method": name}
        result["methods"][size] = methods
    path = os.path.join(HERE, "evidently_types.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
