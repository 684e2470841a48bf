"""`mlops monitor create|ingest|check|series|page|ls|rm` (doc/monitoring.md):
a monitor over two columns, production rows in ISO 8601 and epoch
milliseconds, shuffled, with drift in three hours: `monitor check` exits 1
exactly while the alert fires (2 of the last 3 judged windows), 0 when
quiet, 2 on a usage error, 3 on any other; a changed window is refused;
series as JSON and CSV. Run by meson test (tests/cli/meson.build).
"""
import csv
import io
import os
import random
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, installed, mlops, tmpdir  # noqa: E402

T0 = 1767225600000  # 2026-01-01T00:00:00Z
HOUR = 3600000
DRIFT = {4, 5, 6}


class TestMonitor(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir(self.id().split(".")[-1])
        self.store = os.path.join(self.dir, "st")
        rnd = random.Random(7)
        self.ref = os.path.join(self.dir, "ref.csv")
        with open(self.ref, "w") as f:
            f.write("x,c\n")
            for i in range(600):
                f.write("%.5f,%s\n" % (rnd.gauss(0, 1), "abc"[i % 3]))
        rows = []
        for h in range(12):
            for i in range(60):
                d = h in DRIFT
                t = T0 + h * HOUR + i * 60000
                ts = ("2026-01-01T%02d:%02d:00Z" % (h, i)) if i % 2 else str(t)
                rows.append((ts, "%.5f" % rnd.gauss(4 if d else 0, 1), "c" if d else "abc"[rnd.randrange(3)], i))
        rnd.shuffle(rows)
        self.prod = os.path.join(self.dir, "prod.csv")
        with open(self.prod, "w") as f:
            f.write("ts,x,c,id\n")
            for r in rows:
                f.write("%s,%s,%s,%d\n" % r)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_(self, *args):
        return mlops(*args, store=self.store)

    def ok(self, *args):
        r = self.run_(*args)
        self.assertEqual(r.code, 0, r)
        return r

    def test_delayed_labels_and_row_windows(self):
        """A classifier's predictions by id, labels a batch later (one unknown
        id), accuracy below 0.8 as the breach; series and check show it; row
        windows need no time column."""
        self.ok("init", self.store)
        ref = os.path.join(self.dir, "ref2.csv")
        with open(ref, "w") as f:
            f.write("x,id,label\n")
            for i in range(300):
                f.write("%.3f,%d,a\n" % ((i % 17) / 17.0, i))
        prod = os.path.join(self.dir, "prod2.csv")
        labels = os.path.join(self.dir, "labels.csv")
        with open(prod, "w") as f, open(labels, "w") as g:
            f.write("ts,x,id,pred\n")
            g.write("id,truth\n")
            for i in range(40):
                h = i // 20
                p = "ab"[i % 2]
                right = (i % 20) < (18 if h == 0 else 8)
                f.write("%d,%.3f,r%d,%s\n" % (T0 + h * HOUR + i, (i % 17) / 17.0, i, p))
                g.write("r%d,%s\n" % (i, p if right else "ab"[(i + 1) % 2]))
            g.write("nobody,a\n")
        self.ok("monitor", "create", "clf", "--reference", ref, "--window", "1h", "--alert", "1/1",
                "--task", "classification", "--prediction-column", "pred", "--id-column", "id",
                "--performance", "metrics.accuracy < 0.8")
        r = self.run_("monitor", "create", "bad", "--reference", ref, "--window", "1h", "--alert", "1/1",
                      "--task", "classification", "--prediction-column", "pred", "--id-column", "id",
                      "--performance", "metrics.rmse > 1")
        self.assertEqual(r.code, 1, r)
        self.ok("monitor", "ingest", "clf", prod, "--time-column", "ts")
        out = self.ok("monitor", "labels", "clf", labels, "--label-column", "truth").out
        self.assertIn("40 labels joined into 2 windows", out)
        self.assertIn("1 unknown ids", out)
        r = self.run_("monitor", "check", "clf", "--at", str(T0 + 2 * HOUR), "--json")
        self.assertEqual(r.code, 1, r)
        self.assertEqual(r.json()["breach"], "metrics.accuracy < 0.8")
        self.assertEqual(r.json()["recent"][0]["judged_value"], 0.4)
        series = self.ok("monitor", "series", "clf", "--json").json()
        self.assertEqual([w["performance"]["accuracy"] for w in series], [0.9, 0.4])
        self.assertEqual([w["state"] for w in series], ["clear", "breach"])
        rows = list(csv.DictReader(io.StringIO(self.ok("monitor", "series", "clf", "--csv").out)))
        self.assertEqual([r["labels"] for r in rows], ["20", "20"])
        self.ok("monitor", "create", "rw", "--reference", ref, "--window-rows", "15", "--alert", "1/1",
                "--columns", "x")
        self.assertIn("40 rows into 3 windows", self.ok("monitor", "ingest", "rw", prod).out)
        st = self.ok("monitor", "check", "rw", "--json").json()
        self.assertEqual((st["windows_judged"], st["judged_to_ms"]), (2, 30))

    def test_check_exits_1_only_while_firing(self):
        self.ok("init", self.store)
        self.ok("monitor", "create", "churn", "--reference", self.ref, "--window", "1h",
                "--alert", "2/3", "--min-rows", "10")
        self.ok("monitor", "create", "churn", "--reference", self.ref, "--window", "1h",
                "--alert", "2/3", "--min-rows", "10")
        r = self.run_("monitor", "create", "churn", "--reference", self.ref, "--window", "2h",
                      "--alert", "2/3", "--min-rows", "10")
        self.assertEqual(r.code, 1, r)
        self.assertIn("another spec", r.err)
        out = self.ok("monitor", "ingest", "churn", self.prod, "--time-column", "ts",
                      "--id-column", "id").out
        self.assertIn("720 rows into 12 windows", out)
        # Hour by hour: judged up to hour h; firing from the window where 2 of
        # the last 3 are in breach (hour 5, judged at 6:00) until the first with
        # fewer (hour 8, judged at 9:00).
        for h in range(1, 13):
            r = self.run_("monitor", "check", "churn", "--at", str(T0 + h * HOUR), "--json")
            status = r.json()
            want = 6 <= h <= 8
            self.assertEqual(status["firing"], want, (h, status))
            self.assertEqual(r.code, 1 if want else 0, (h, r))
        r = self.run_("monitor", "check", "churn", "--at", "yesterday")
        self.assertEqual(r.code, 2, r)
        r = self.run_("monitor", "check", "nope")
        self.assertEqual(r.code, 3, r)
        self.assertIn("no monitor 'nope'", r.err)
        series = self.ok("monitor", "series", "churn", "--json").json()
        self.assertEqual(len(series), 12)
        states = [w["state"] for w in series]
        for h in DRIFT:
            self.assertEqual(states[h], "breach", states)
        self.assertEqual(series[0]["rows"], 60)
        table = list(csv.reader(io.StringIO(self.ok("monitor", "series", "churn", "--csv").out)))
        self.assertEqual(table[0][:5], ["start_ms", "end_ms", "rows", "state", "share_drifted"])
        self.assertEqual(len(table), 13)
        self.assertEqual(self.ok("monitor", "ls", "--json").json()[0]["name"], "churn")
        self.ok("monitor", "rm", "churn")
        self.assertEqual(self.ok("monitor", "ls", "--json").json(), [])

    def test_series_csv_quotes_column_names(self):
        """A column whose name holds a comma or a quote (a quoted field of the
        reference's header) stays one field of the --csv header."""
        self.ok("init", self.store)
        ref = os.path.join(self.dir, "ref3.csv")
        prod = os.path.join(self.dir, "prod3.csv")
        with open(ref, "w") as f, open(prod, "w") as g:
            f.write('"a,b","say ""hi"""\n')
            g.write('ts,"a,b","say ""hi"""\n')
            for i in range(30):
                f.write("%d,%s\n" % (i % 5, "xy"[i % 2]))
                g.write("%d,%d,%s\n" % (T0 + i * 60000, i % 5, "xy"[i % 2]))
        self.ok("monitor", "create", "q", "--reference", ref, "--window", "1h", "--alert", "1/1")
        self.ok("monitor", "ingest", "q", prod, "--time-column", "ts")
        self.ok("monitor", "check", "q", "--at", str(T0 + HOUR))
        table = list(csv.reader(io.StringIO(self.ok("monitor", "series", "q", "--csv").out)))
        self.assertEqual(table[0], ["start_ms", "end_ms", "rows", "state", "share_drifted",
                                    "a,b.statistic", "a,b.p_value", "a,b.drifted",
                                    'say "hi".statistic', 'say "hi".p_value', 'say "hi".drifted'])
        self.assertEqual(len(table[1]), len(table[0]))

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_check_unwritable_output_is_an_error_not_firing(self):
        """A quiet monitor whose status cannot be written exits 3 (any other
        error), not 1, which says the alert fires."""
        self.ok("init", self.store)
        self.ok("monitor", "create", "m", "--reference", self.ref, "--window", "1h", "--alert", "1/1")
        self.assertEqual(self.run_("monitor", "check", "m", "--at", str(T0)).code, 0)
        exe, env, _ = installed()
        with open("/dev/full", "wb") as full:
            p = subprocess.run([exe, "-C", self.store, "monitor", "check", "m", "--at", str(T0)],
                               env=env, stdout=full, stderr=subprocess.PIPE, timeout=120)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(b"cannot write the output", p.stderr)

    def test_usage_errors(self):
        self.ok("init", self.store)
        # time windows need --time-column (row windows number rows instead)
        self.ok("monitor", "create", "m", "--reference", self.ref, "--window", "1h", "--alert", "1/1")
        for args in (["monitor", "create", "n", "--reference", self.ref, "--window", "1h",
                      "--window-rows", "5", "--alert", "1/1"],
                     ["monitor", "create", "n", "--reference", self.ref, "--window", "1h", "--alert", "1/1",
                      "--task", "ranking"],
                     ["monitor", "create", "n", "--reference", self.ref, "--window", "1x", "--alert", "1/1"],
                     ["monitor", "create", "n", "--reference", self.ref, "--window", "1h", "--alert", "x"],
                     ["monitor", "create", "n", "--window", "1h", "--alert", "1/1"],
                     ["monitor", "ingest", "m", self.prod]):
            r = self.run_(*args)
            self.assertEqual(r.code, 2, r)

    def test_error_quoting_a_cell_is_one_line(self):
        # A message that quotes a CSV cell holding a line break stays one
        # line on stderr (doc/cli.md), as the library's messages are.
        self.ok("init", self.store)
        self.ok("monitor", "create", "m", "--reference", self.ref, "--window", "1h", "--alert", "1/1")
        bad = os.path.join(self.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write('ts,x,c\n2026-01-01T00:00:00Z,"1\n2",a\n')
        r = self.run_("monitor", "ingest", "m", bad, "--time-column", "ts")
        self.assertEqual(r.code, 1, r)
        self.assertIn("is not a number", r.err)
        self.assertEqual(r.err.count("\n"), 1, r.err)

    def test_page(self):
        """`monitor page`: the file, a range, and its usage errors (the
        page itself: tests/test_monitor_page.c and tests/pages)."""
        self.ok("init", self.store)
        self.ok("monitor", "create", "m", "--reference", self.ref, "--window", "1h", "--alert", "2/3")
        self.ok("monitor", "ingest", "m", self.prod, "--time-column", "ts")
        self.ok("monitor", "check", "m", "--at", str(T0 + 12 * HOUR))
        page = os.path.join(self.dir, "m.html")
        self.ok("monitor", "page", "m", "-o", page, "--from", "2026-01-01T02:00:00Z", "--to", str(T0 + 10 * HOUR),
                "--points", "5", "--title", "Churn <monitor>")
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<h1><bdi>Churn &lt;monitor&gt;</bdi></h1>", html)
        self.assertIn("8 windows from 2026-01-01 02:00:00 UTC", html)
        self.assertIn("Downsampled (LTTB): 5 of 8 windows drawn", html)
        self.assertEqual(html.count("<svg"), 4)
        out = self.ok("monitor", "page", "m", "-o", "-").out
        self.assertIn("12 windows from 2026-01-01 00:00:00 UTC", out)
        for args in (["monitor", "page", "m"], ["monitor", "page", "m", "-o", page, "--points", "2"],
                     ["monitor", "page", "m", "-o", page, "--from", "x"],
                     ["monitor", "page", "m", "-o", page, "--from", str(T0), "--to", str(T0)]):
            r = self.run_(*args)
            self.assertEqual(r.code, 2, r)
        r = self.run_("monitor", "page", "nope", "-o", page)
        self.assertEqual(r.code, 1, r)  # as `model page` and `monitor series`
        self.assertIn("no monitor", r.err)


if __name__ == "__main__":
    try:
        unittest.main()
    finally:
        cleanup()
