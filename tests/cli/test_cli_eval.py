"""`mlops eval` on CSV columns: pinned output (table, --json, bootstrap),
values equal to the golden vectors (tests/eval/golden.txt from
scikit-learn, tests/eval/calibration_golden.txt from torchmetrics), usage
and input errors. Run by meson test (tests/cli/meson.build)."""
import hashlib
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup  # noqa: E402
from test_cli import ROOT, Base  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests", "eval"))
from golden_file import fields, load, num  # noqa: E402

SMALL = ("y,p,s,yhat,w,p0,p1,p2,c\n"
         "0,0,0.1,0,1,0.7,0.2,0.1,0\n"
         "1,1,0.8,1,2,0.1,0.8,0.1,1\n"
         "1,0,0.4,0,1,0.2,0.3,0.5,2\n"
         "0,1,0.6,1,1,0.6,0.3,0.1,0\n"
         "1,1,0.9,1,0.5,0.1,0.1,0.8,2\n")


def close(got, want):
    if math.isnan(want):
        return got is None
    return got == want or abs(got - want) <= 1e-12 * max(abs(got), abs(want))


class TestEval(Base):
    def test_pinned_table(self):
        d = self.write("d.csv", SMALL)
        r = self.ok("eval", d, "-m", "accuracy,f1,roc_auc,ece,log_loss", "-l", "y", "-p", "p", "-s", "s")
        self.assertEqual(r.out,
                         "METRIC                  VALUE  NOTE\n"
                         "accuracy                  0.6  -\n"
                         "f1         0.6666666666666666  -\n"
                         "roc_auc    0.8333333333333334  -\n"
                         "ece                      0.32  -\n"
                         "log_loss  0.45328920927563443  -\n")
        self.assertEqual(r.err, "")

    def test_pinned_json_multiclass(self):
        d = self.write("d.csv", SMALL)
        r = self.ok("eval", d, "--metric", "roc_auc,ece,accuracy", "--labels", "c", "--scores", "p0,p1,p2",
                    "--predictions", "yhat", "--json")
        self.assertEqual(r.out,
                         '[{"metric":"roc_auc","value":1,"reason":0,"reason_text":null,"n":5},'
                         '{"metric":"ece","value":0.32,"reason":0,"reason_text":null,"n":5},'
                         '{"metric":"accuracy","value":0.4,"reason":0,"reason_text":null,"n":5}]\n')

    def test_pinned_bootstrap_and_reason(self):
        d = self.write("d.csv", SMALL)
        r = self.ok("eval", d, "-m", "mae,r2", "-l", "y", "-p", "s", "--bootstrap", "100", "-w", "w")
        self.assertEqual(r.out,
                         "METRIC                VALUE                   LOW                HIGH  NOTE\n"
                         "mae      0.3181818181818181   0.16397435897435897                 0.5  -\n"
                         "r2      0.35964285714285726  -0.43584722222222194  0.7840000000000001  -\n")
        # One class in y_true: NaN with its reason, exit 0.
        one = self.write("one.csv", "y,s\n1,0.2\n1,0.7\n")
        r = self.ok("eval", one, "-m", "roc_auc", "-l", "y", "-s", "s")
        self.assertEqual(r.out, "METRIC   VALUE  NOTE\nroc_auc    nan  one class only in y_true\n")
        j = self.ok("eval", one, "-m", "roc_auc", "-l", "y", "-s", "s", "--json").json()
        self.assertEqual(j, [{"metric": "roc_auc", "value": None, "reason": 1,
                              "reason_text": "one class only in y_true", "n": 2}])

    def test_equals_golden_values(self):
        data, lines = load("golden.txt")
        cases = {p[1]: p for p in lines if p[0] == "case"}
        # F1 macro with weights, ROC AUC with ties, one-vs-rest weighted AUC, R2 with weights.
        checks = 0
        for p in cases.values():
            kv, rest = fields(p[4:])
            want = num(rest[0])
            family, metric = p[2], p[3]
            pick = None
            if family == "lab" and metric == "fbeta" and kv.get("avg") == "macro" and "beta" not in kv \
                    and kv.get("zd", "0") == "0" and "labels" not in kv:
                pick = (["f1", "--average", "macro"], kv["yt"], kv["yp"], None)
            elif family == "sco" and metric == "roc_auc" and kv.get("k", "1") == "4" and kv.get("mc") == "ovr" \
                    and kv.get("avg") == "weighted" and "labels" not in kv:
                pick = (["roc_auc", "--average", "weighted"], kv["yt"], None, kv["s"])
            elif family == "reg" and metric == "r2" and "ff" not in kv and "w" in kv:
                pick = (["r2"], kv["yt"], kv["yp"], None)
            if not pick:
                continue
            args, yt, yp, s = pick
            k = int(kv.get("k", "1"))
            cols = ["y"] + (["p"] if yp else []) + ([f"s{j}" for j in range(k)] if s else []) + \
                (["w"] if "w" in kv else [])
            rows = []
            for i in range(len(data[yt])):
                row = [repr(data[yt][i])]
                if yp:
                    row.append(repr(data[yp][i]))
                if s:
                    row += [repr(v) for v in data[s][i * k:(i + 1) * k]]
                if "w" in kv:
                    row.append(repr(data[kv["w"]][i]))
                rows.append(",".join(row))
            path = self.write("g.csv", ",".join(cols) + "\n" + "\n".join(rows) + "\n")
            cmd = ["eval", path, "-m", args[0], "-l", "y", "--json"] + args[1:]
            cmd += ["-p", "p"] if yp else ["-s", ",".join(f"s{j}" for j in range(k))]
            if "w" in kv:
                cmd += ["-w", "w"]
            got = self.ok(*cmd).json()[0]
            self.assertTrue(close(got["value"], want), (p, got))
            self.assertEqual(got["reason"], int(rest[1]))
            checks += 1
        self.assertGreaterEqual(checks, 4)
        # Calibration error: the torchmetrics goldens on 15 bins.
        data, lines = load("calibration_golden.txt")
        seen = 0
        for p in lines:
            if p[0] != "calib":
                continue
            kv, rest = fields(p[2:])
            if kv["bins"] != "15":
                continue
            k = int(kv["k"])
            y, s = data[kv["yt"]], data[kv["s"]]
            if "labels" in kv:
                continue  # the columns follow the sorted labels: same as without
            text = "y," + ",".join(f"s{j}" for j in range(k)) + "\n" + "".join(
                f"{y[r]}," + ",".join(repr(v) for v in s[r * k:(r + 1) * k]) + "\n" for r in range(len(y)))
            path = self.write("c.csv", text)
            args = ["eval", path, "-m", "ece,mce,rmsce", "-l", "y", "-s", ",".join(f"s{j}" for j in range(k)),
                    "--json"] + (["--pos-label", kv["pos"]] if "pos" in kv else [])
            got = [o["value"] for o in self.ok(*args).json()]
            want = [num(v) for v in rest[:3]]
            self.assertTrue(all(close(g, w) for g, w in zip(got, want)), (p[:8], got, want))
            seen += 1
        self.assertGreaterEqual(seen, 3)

    def test_errors(self):
        d = self.write("d.csv", SMALL)
        self.bad(2, "eval", d, "-l", "y", "-s", "s", contains="--metric")
        self.bad(2, "eval", d, "-m", "roc_auc", "-s", "s", contains="--labels")
        self.bad(2, "eval", d, "-m", "roc_auc", "-l", "y", contains="--scores")
        self.bad(2, "eval", d, "-m", "accuracy", "-l", "y", "-s", "s", contains="accuracy needs --predictions")
        self.bad(2, "eval", d, "-m", "auc", "-l", "y", "-s", "s", contains="unknown metric 'auc'")
        self.bad(2, "eval", d, "-m", "ece,ece", "-l", "y", "-s", "s", contains="twice")
        self.bad(2, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--average", "samples", contains="average")
        self.bad(2, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--seed", "3", contains="--bootstrap")
        self.bad(2, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--bootstrap", "0", contains="--bootstrap")
        self.bad(1, "eval", d, "-m", "f1", "-l", "nope", "-p", "p", contains="no column 'nope'")
        self.bad(1, "eval", d, "-m", "f1", "-l", "s", "-p", "p", contains="line 2: column 's': '0.1' is not an integer")
        self.bad(1, "eval", d, "-m", "roc_auc", "-l", "c", "-s", "s", contains="roc_auc: mlops_eval_scores")
        self.bad(1, "eval", d, "-m", "log_loss", "-l", "c", "-s", "p0,p1", contains="log_loss")
        gap = self.write("gap.csv", "y,s\n0,0.2\n1,\n")
        self.bad(1, "eval", gap, "-m", "roc_auc", "-l", "y", "-s", "s", contains="gap.csv line 3: column 's' is empty")
        inf = self.write("inf.csv", "y,s\n0,0.2\n1,inf\n")
        self.bad(1, "eval", inf, "-m", "mae", "-l", "y", "-p", "s", contains="not a finite number")
        self.bad(1, "eval", self.path("missing.csv"), "-m", "mae", "-l", "y", "-p", "s")


class TestEvalRecords(Base):
    """`mlops eval --model` records an evaluation; `mlops model evals` lists them."""

    def setUp(self):
        super().setUp()
        self.init()
        art = self.write("w.bin", "weights")
        digest = self.ok("put", art).out.split()[0]
        self.ok("model", "create", "churn")
        self.ok("model", "version", "create", "churn", digest)
        self.ok("model", "version", "create", "churn", digest)

    def test_record_and_list(self):
        d = self.write("d.csv", SMALL)
        with open(d, "rb") as f:
            file_digest = "sha256:" + hashlib.sha256(f.read()).hexdigest()
        r = self.ok("eval", d, "-m", "accuracy,roc_auc", "-l", "y", "-p", "p", "-s", "s",
                    "--model", "churn/1", "--actor", "ci")
        self.assertEqual(r.out,
                         "METRIC                 VALUE  NOTE\n"
                         "accuracy                 0.6  -\n"
                         "roc_auc   0.8333333333333334  -\n"
                         "evaluation 1 of churn/1 on %s recorded\n" % file_digest)
        other = "sha256:" + "ab" * 32
        one = self.write("one.csv", "y,s\n1,0.2\n1,0.7\n")
        j = self.ok("eval", one, "-m", "roc_auc,mae", "-l", "y", "-s", "s", "-p", "s",
                    "--model", "churn@latest", "--dataset", other, "--bootstrap", "20",
                    "--json", "--reason", "nightly").json()
        self.assertEqual(j["evaluation"], 2)
        self.assertEqual((j["model"], j["version"], j["dataset"]), ("churn", 2, other))
        self.assertEqual([m["metric"] for m in j["metrics"]], ["roc_auc", "mae"])
        self.assertEqual(j["metrics"][0]["reason_text"], "one class only in y_true")
        self.assertIsNone(j["metrics"][0]["value"])
        # listing: version 1 has one evaluation, version 2 the other
        lst = self.ok("model", "evals", "churn/1", "--json").json()
        self.assertEqual(len(lst), 1)
        e = lst[0]
        self.assertEqual((e["id"], e["version"], e["dataset"], e["actor"], e["reason"]),
                         (1, 1, file_digest, "ci", None))
        self.assertEqual([(m["metric"], m["value"]) for m in e["metrics"]],
                         [("accuracy", 0.6), ("roc_auc", 0.8333333333333334)])
        self.assertNotIn("low", e["metrics"][0])
        lst = self.ok("model", "evals", "churn", "2", "--json").json()
        self.assertEqual(lst[0]["reason"], "nightly")
        roc = lst[0]["metrics"][1]
        self.assertEqual((roc["metric"], roc["value"], roc["reason"]), ("roc_auc", None, 1))
        self.assertIn("low", roc)
        # the NaN reads back with its reason in the table
        table = self.ok("model", "evals", "churn/2").out.splitlines()
        self.assertEqual(table[0].split(), ["ID", "CREATED", "ACTOR", "DATASET", "METRIC", "VALUE",
                                            "LOW", "HIGH", "NOTE"])
        self.assertEqual(len(table), 3)
        self.assertIn("roc_auc", table[2])
        self.assertTrue(table[2].endswith("one class only in y_true"), table[2])
        # by dataset
        self.assertEqual(self.ok("model", "evals", "churn/2", "--dataset", file_digest, "--json").json(), [])
        self.assertEqual(len(self.ok("model", "evals", "churn/2", "--dataset", other, "--json").json()), 1)

    def test_refusals(self):
        d = self.write("d.csv", SMALL)
        self.bad(2, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--dataset", "sha256:" + "0" * 64,
                 contains="go with --model")
        self.bad(2, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--model", "churn/1", "--dataset", "x",
                 contains="is not a digest")
        self.bad(1, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--model", "churn/9",
                 contains="has no version 9")
        self.bad(1, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--model", "nope/1")
        self.bad(2, "eval", d, "-m", "f1", "-l", "y", "-p", "p", "--model", "churn",
                 contains="names no version")
        self.bad(1, "model", "evals", "churn/9", contains="has no version 9")
        self.bad(2, "model", "evals", "churn/1", "--dataset", "nope", contains="is not a digest")
        # nothing was recorded
        self.assertEqual(self.ok("model", "evals", "churn/1", "--json").json(), [])


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
