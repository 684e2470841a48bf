"""Integration tests of `mlops schema`: infer from a stored dataset
profile, show and load the JSON text form, validate CSV files (the table,
the --json report, exit 1 on anomalies, 2 on usage errors). Run by meson
test (tests/cli/meson.build).
"""
import json
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, mlops, tmpdir  # noqa: E402

HEX64 = re.compile(r"^sha256:[0-9a-f]{64}$")

REF = "amount,city,note\n" + "".join(
    f"{i * 1.5},{['Oslo', 'Rome', 'Lima'][i % 3]},{'' if i % 10 == 0 else 'n' + str(i)}\n"
    for i in range(40))


class Schema(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self.id().split(".")[-1])
        self.store = os.path.join(self.dir, "store")
        self.run_ok("init", self.store, store=None)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        p = os.path.join(self.dir, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def run_ok(self, *args, store="default"):
        r = mlops(*args, store=self.store if store == "default" else store)
        self.assertEqual(r.code, 0, r)
        return r

    def bad(self, code, *args, contains=None):
        r = mlops(*args, store=self.store)
        self.assertEqual(r.code, code, r)
        self.assertEqual(r.out, "", r)
        line = r.err.strip()
        self.assertEqual(len(line.split("\n")), 1, r)
        if contains:
            self.assertIn(contains, line, r)
        return r

    def inferred(self):
        prof = self.run_ok("drift", "profile", self.write("ref.csv", REF)).out.strip()
        out = os.path.join(self.dir, "schema.json")
        r = self.run_ok("schema", "infer", prof, "-o", out, "--ref", "schemas/train",
                         "--max-categories", "10", "--json").json()
        self.assertRegex(r["digest"], HEX64)
        self.assertEqual(r["columns"], 3)
        return r["digest"], out

    def test_infer_show_load(self):
        digest, out = self.inferred()
        with open(out) as f:
            text = json.load(f)
        cols = {c["name"]: c for c in text["columns"]}
        self.assertEqual(text["format"], "mlops.schema")
        self.assertEqual(cols["amount"]["range"], {"min": 0, "max": 58.5, "max_share": 0})
        self.assertEqual(cols["city"]["categories"]["values"], ["Lima", "Oslo", "Rome"])
        self.assertNotIn("categories", cols["note"])  # 36 distinct, over --max-categories
        shown = self.run_ok("schema", "show", "schemas/train").out
        self.assertEqual(json.loads(shown), text)
        # Edit: widen the range, drop the missing check; the digest changes.
        cols["amount"]["range"]["max"] = 100
        del cols["note"]["missing"]
        edited = self.write("edited.json", json.dumps(text))
        d2 = self.run_ok("schema", "load", edited, "-r", "schemas/v2").out.strip()
        self.assertRegex(d2, HEX64)
        self.assertNotEqual(d2, digest)
        again = json.loads(self.run_ok("schema", "show", d2).out)
        self.assertEqual({c["name"]: c for c in again["columns"]}["amount"]["range"]["max"], 100)
        # The unchanged text loads back to the same digest.
        self.assertEqual(self.run_ok("schema", "load", out).out.strip(), digest)

    def test_validate(self):
        digest, _ = self.inferred()
        ok = self.run_ok("schema", "validate", digest, self.write("same.csv", REF))
        self.assertEqual(ok.out, "ok: 40 rows, 3 columns match the schema\n")
        cur = self.write("cur.csv", "amount,city,extra\n1,Oslo,1\n900,Paris,2\nabc,,3\n")
        r = mlops("schema", "validate", "schemas/train", cur, store=self.store)
        self.assertEqual(r.code, 1, r)
        lines = r.out.splitlines()
        self.assertEqual(lines[0].split(), ["COLUMN", "ANOMALY", "COUNT", "SHARE", "LIMIT", "EXAMPLES",
                                            "(ROW:VALUE)"])
        self.assertIn("kind_change (categorical, not numeric)", lines[1])
        r = mlops("schema", "validate", "schemas/train", cur, "--json", "--examples", "1", store=self.store)
        self.assertEqual(r.code, 1, r)
        rep = r.json()
        self.assertFalse(rep["ok"])
        got = [(a["column"], a["anomaly"]) for a in rep["anomalies"]]
        self.assertEqual(got, [("amount", "kind_change"), ("city", "unseen_category"),
                               ("city", "missing_values"), ("note", "missing_column"),
                               ("extra", "unknown_column")])
        unseen = rep["anomalies"][1]
        self.assertEqual((unseen["count"], unseen["total"]), (1, 2))
        self.assertEqual(unseen["examples"], [{"row": 2, "value": "Paris"}])
        num = self.write("num.csv", "amount,city,note\n1,Oslo,a\n900,Rome,b\n-5,Lima,c\n")
        rep = json.loads(mlops("schema", "validate", digest, num, "--json", store=self.store).out)
        self.assertEqual([(a["anomaly"], a["count"], a["total"]) for a in rep["anomalies"]],
                         [("out_of_range", 2, 3)])
        self.assertEqual([e["value"] for e in rep["anomalies"][0]["examples"]], ["900", "-5"])

    def test_errors(self):
        digest, _ = self.inferred()
        self.bad(2, "schema", "validate", digest)
        self.bad(2, "schema", "validate", digest, "x.csv", "--examples", "101")
        self.bad(1, "schema", "validate", "nope", self.write("a.csv", "a\n1\n"), contains="neither a digest")
        prof = self.run_ok("drift", "profile", self.write("r.csv", REF)).out.strip()
        self.bad(1, "schema", "validate", prof, self.write("b.csv", "a\n1\n"), contains="not a valid schema")
        self.bad(1, "schema", "load", self.write("bad.json", '{"format": "mlops.schema", "version": 1,\n'
                                                         ' "columns": [{"name": "a"}]}'),
                 contains="line 2")
        self.bad(1, "schema", "infer", digest, contains="not a dataset profile")
        self.bad(2, "schema", "infer", prof, "--missing-slack", "x")


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
