"""`mlops drift test` and `mlops drift chi2` against scipy (the cli and
ctab lines of tests/drift/golden.txt), and the column types of `mlops
drift compare` against Evidently's (evidently_types.json, recorded by
evidently_types.py). Run by meson test (tests/cli/meson.build)."""
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup  # noqa: E402
from evidently_types import make_tables  # noqa: E402
from test_cli import ROOT, Base  # noqa: E402

GOLDEN = os.path.join(ROOT, "tests", "drift", "golden.txt")


def golden(kind):
    with open(GOLDEN) as f:
        return [ln.split() for ln in f if ln.startswith(kind + " ")]


def num(tok):
    return float.fromhex(tok) if tok.startswith(("0x", "-0x")) else float(tok)


def close(got, want, rel):
    """JSON writes NaN and infinities as null."""
    if not math.isfinite(want):
        return got is None
    if got is None:
        return False
    return got == want or abs(got - want) <= rel * abs(want)


class TestDriftOptions(Base):
    def test_drift_test_equals_scipy(self):
        lines = golden("cli")
        self.assertGreaterEqual(len(lines), 10)
        for ln in lines:
            test, opts = ln[1], ln[2]
            n1 = int(ln[3])
            x = ln[4:4 + n1]
            n2 = int(ln[4 + n1])
            y = ln[5 + n1:5 + n1 + n2]
            k = 5 + n1 + n2
            weighted = ln[k] == "1"
            wx, wy = (ln[k + 1:k + 1 + n1], ln[k + 1 + n1:k + 1 + n1 + n2]) if weighted else ([], [])
            stat, p = num(ln[-2]), num(ln[-1])
            ref = self.write("ref.csv", "v,w\n" + "".join(
                f"{v},{wx[i] if weighted else 1}\n" for i, v in enumerate(x)))
            cur = self.write("cur.csv", "v,w\n" + "".join(
                f"{v},{wy[i] if weighted else 1}\n" for i, v in enumerate(y)))
            args = ["drift", "test", test, ref, cur, "-c", "v", "--json"]
            if weighted:
                args += ["--weights", "w"]
            for o in ([] if opts == "-" else opts.split(",")):
                name, _, value = o.partition("=")
                args += [f"--{name}"] + ([value] if value else [])
            r = self.ok(*args).json()
            self.assertTrue(close(r["statistic"], stat, 1e-12), (ln[:3], args, r))
            self.assertTrue(close(r["p_value"], p, 1e-9), (ln[:3], args, r))

    def test_drift_chi2_equals_scipy(self):
        seen = 0
        for ln in golden("ctab"):
            rows, cols, corr, lam = int(ln[1]), int(ln[2]), ln[3] == "1", ln[4]
            cells = [num(t) for t in ln[5:5 + rows * cols]]
            stat, p, dof = num(ln[5 + rows * cols]), num(ln[6 + rows * cols]), int(ln[7 + rows * cols])
            if not math.isfinite(stat):
                continue
            text = "label," + ",".join(f"c{j}" for j in range(cols)) + "\n" + "".join(
                f"r{i}," + ",".join(repr(cells[i * cols + j]) for j in range(cols)) + "\n"
                for i in range(rows))
            args = ["drift", "chi2", self.write("t.csv", text), "--lambda", lam, "--json"]
            if not corr:
                args.append("--no-correction")
            r = self.ok(*args).json()
            self.assertEqual(r["dof"], dof)
            self.assertTrue(close(r["statistic"], stat, 1e-12), (ln, r))
            self.assertTrue(close(r["p_value"], p, 1e-9), (ln, r))
            seen += 1
        self.assertGreater(seen, 30)

    def test_bad_options(self):
        ref = self.write("ref.csv", "v,w\n1,1\n2,1\n3,1\n")
        self.bad(2, "drift", "test", "ks", ref, ref, "-c", "v", "--base", "2", contains="--base")
        self.bad(2, "drift", "test", "ks", ref, ref, "-c", "v", "--alternative", "up")
        self.bad(2, "drift", "test", "psi", ref, ref, "-c", "v")
        self.bad(2, "drift", "test", "ks", ref, ref)
        self.bad(1, "drift", "test", "js", ref, ref, "-c", "v", "--base", "1", contains="base")
        self.bad(1, "drift", "test", "wasserstein", ref, ref, "-c", "v", "-w", "x")
        neg = self.write("neg.csv", "v,w\n1,1\n2,-1\n")
        self.bad(1, "drift", "test", "energy", neg, ref, "-c", "v", "-w", "w", contains="weights")
        empty_row = self.write("t.csv", "a,b\n0,0\n1,2\n")
        self.bad(1, "drift", "chi2", empty_row, contains="row 0")

    def test_column_types_follow_evidently(self):
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "evidently_types.json")) as f:
            want = json.load(f)
        self.assertEqual(want["evidently"], "0.7.23")
        # Where we knowingly differ (doc/drift.md, "Reports"): an integer
        # column with a missing cell stays an integer column (pandas makes
        # it float, so one empty cell would move Evidently from chi-square
        # to KS), and a column of many distinct texts is categorical (we
        # have no text-content test).
        ours_instead = {"rating10_missing": {"small": "chisquare", "large": "jensenshannon"},
                        "text_numbers_many": {"small": "chisquare", "large": "jensenshannon"}}
        for size, (ref_text, cur_text) in make_tables().items():
            rep = self.ok("drift", "compare", self.write(f"{size}-ref.csv", ref_text),
                          self.write(f"{size}-cur.csv", cur_text), "--json").json()
            got = {c["name"]: c["method"] for c in rep["columns"]}
            for col, e in want["methods"][size].items():
                expect = ours_instead.get(col, {}).get(size, e["method"])
                self.assertEqual(got[col], expect, (size, col, e))

    def test_profile_compare_reads_blank_numbers_as_missing(self):
        """A field of blanks in a numeric column is missing in drift compare
        --profile too, as with two files (doc/cli.md, "CSV input")."""
        self.init()
        ref = self.write("ref.csv", "x,c\n" + "".join(f"{i % 7}.5,{'ab'[i % 2]}\n" for i in range(50)))
        cur = self.write("cur.csv", "x,c\n" + "".join(
            f"{' ' if i == 3 else str(i % 7) + '.5'},{'ab'[i % 2]}\n" for i in range(50)))
        two = {c["name"]: c for c in self.ok("drift", "compare", ref, cur, "--json").json()["columns"]}
        self.assertEqual(two["x"]["n_cur"], 49)
        digest = self.ok("drift", "profile", ref).out.strip()
        r = self.ok("drift", "compare", "--profile", digest, cur, "--json").json()
        self.assertEqual({c["name"]: c["n_cur"] for c in r["columns"]}, {"x": 49, "c": 50})

    def test_integer_categories_compare_by_value(self):
        """A column of few integers is categorical, and its categories are
        integers by value, as pandas reads them: the same ratings written
        01/02/03 in one file and 1/2/3 in the other do not drift (they did:
        chi-square over six text categories)."""
        vals = [1 + (i * 7) % 3 for i in range(300)]
        ref = self.write("ref.csv", "k\n" + "".join(f"{v:02d}\n" for v in vals))
        cur = self.write("cur.csv", "k\n" + "".join(f" +{v}\n" if v == 2 else f"{v}\n" for v in vals))
        col = self.ok("drift", "compare", ref, cur, "--json").json()["columns"][0]
        self.assertEqual(col["method"], "chisquare")
        self.assertFalse(col["drifted"], col)
        self.assertAlmostEqual(col["p_value"], 1.0)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
