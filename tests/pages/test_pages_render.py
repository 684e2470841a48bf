"""The HTML pages rendered in headless Chromium, one browser for all of
them (pagecheck.py): the drift report, the run comparison, the model
page and the monitor page. Each page
must load without a console message (its Content-Security-Policy turns
any script or fetch into one), show the expected text, have one SVG per
chart and nothing else drawn as SVG, give a screenshot that is not blank
(with the colours its charts use), and fit a printed page's width. The
comparison is made from runs whose names, params and metric keys try to
break out of the HTML. Control pages prove that each check can fail.

Set MLOPS_KEEP_PNG=DIR to keep the pages and their screenshots.
"""
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import pagecheck  # noqa: E402
from clienv import cleanup, mlops, tmpdir  # noqa: E402

BROWSER = None
A4_WIDTH = 794  # CSS pixels of an A4 page's width at 96 dpi

# Names that would run or inject something if a page wrote them unescaped.
HOSTILE_RUN = "<script>alert('run')</script> & \"quoted\" caf\u00e9 \u2713"
HOSTILE_PARAM_KEY = "k<b>&amp;\"'"
HOSTILE_PARAM_VALUE = "\"><img src=x onerror=alert(1)> \u0645\u0631\u062d\u0628\u0627 \u202eevil"
HOSTILE_METRIC = "</svg><script>alert(2)</script>"


def setUpModule():
    global BROWSER
    BROWSER = pagecheck.Browser()


def tearDownModule():
    if BROWSER:
        BROWSER.close()
    cleanup()


class PageTest(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir("pages-render")
        BROWSER.media("")
        BROWSER.resize(1200, 900)

    def tearDown(self):
        keep = os.environ.get("MLOPS_KEEP_PNG")
        if keep:
            os.makedirs(keep, exist_ok=True)
            for f in os.listdir(self.dir):
                if f.endswith(".png") or f.endswith(".html"):
                    shutil.copy(os.path.join(self.dir, f), keep)
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def shot(self, name, height):
        png = BROWSER.screenshot(height)
        with open(self.path(name), "wb") as f:
            f.write(png)
        return png

    def check_common(self, html, charts):
        """The checks every page passes; returns the loaded page."""
        page = BROWSER.load(html)
        self.assertEqual(page.console, [], "the page logged console messages")
        self.assertEqual(BROWSER.count("script"), 0)
        self.assertEqual(BROWSER.count("img, iframe, object, embed, [onerror], [onload]"), 0)
        self.assertEqual(BROWSER.count("figure svg"), charts, "one SVG per chart")
        self.assertFalse(BROWSER.overflows(), "the page is wider than the window")
        self.assertEqual(BROWSER.clipped(), 0, "a box hides part of its content")
        # On paper: print styles, an A4 page's width, nothing cut off.
        BROWSER.media("print")
        BROWSER.resize(A4_WIDTH, 1100)
        self.assertFalse(BROWSER.overflows(), "the printed page is wider than A4")
        self.assertEqual(BROWSER.clipped(), 0, "a printed box hides part of its content")
        self.assertEqual(BROWSER.count("figure svg"), charts)
        BROWSER.media("")
        BROWSER.resize(1200, 900)
        return page


class TestDriftReport(PageTest):
    def report(self):
        import random
        rnd = random.Random(3)
        cities = [f"city-{i:02d}" for i in range(14)] + ["S\u00e3o Paulo", "a \"quoted\" <name>"]
        with open(self.path("ref.csv"), "w", encoding="utf-8") as f:
            f.write("age,income,city,tier,rating\n")
            for i in range(3000):
                f.write(f"{rnd.gauss(40, 9):.1f},{'' if i % 30 == 0 else round(rnd.lognormvariate(10, .5))},"
                        f"\"{rnd.choice(cities[:10]).replace(chr(34), chr(34) * 2)}\",{rnd.choice('ab')},{rnd.randint(1, 5)}\n")
        with open(self.path("cur.csv"), "w", encoding="utf-8") as f:
            f.write("age,income,city,tier,rating\n")
            for i in range(2000):
                f.write(f"{rnd.gauss(48, 9):.1f},{round(rnd.lognormvariate(10, .5))},"
                        f"\"{rnd.choice(cities).replace(chr(34), chr(34) * 2)}\",{rnd.choice('aaab')},{rnd.randint(1, 5)}\n")
        html = self.path("report.html")
        r = mlops("drift", "compare", self.path("ref.csv"), self.path("cur.csv"), "--html", html,
                  "--title", "Render check")
        self.assertEqual(r.code, 0, r)
        return html

    def test_report_renders(self):
        page = self.check_common(self.report(), charts=5)
        for text in ("Render check", "Dataset drift detected", "income", "a \"quoted\" <name\u2026"):
            self.assertIn(text, page.text)
        st = pagecheck.picture_stats(self.shot("report.png", 2600), {
            "red": lambda r, g, b: r > 150 and g < 80 and b < 80,
            "blue": lambda r, g, b: b > r + 50 and b > 120,
            "orange": lambda r, g, b: r > 200 and 90 < g < 180 and b < 120})
        self.assertEqual((st["width"], st["height"]), (1200, 2600))
        self.assertGreater(st["non_background"], 0.15, st)
        self.assertGreater(st["colors"], 50, st)
        self.assertGreater(st["red"], 2000, st)     # the "drift detected" banner
        self.assertGreater(st["blue"], 2000, st)    # reference bars
        self.assertGreater(st["orange"], 2000, st)  # current bars


class TestRunComparison(PageTest):
    store = None  # made once for the class: (store, run ids)

    @classmethod
    def tearDownClass(cls):
        if cls.store:
            shutil.rmtree(os.path.dirname(cls.store[0]), ignore_errors=True)

    def make_store(self):
        if not TestRunComparison.store:
            TestRunComparison.store = self._make_store(os.path.join(tmpdir("pages-store"), "store"))
        return TestRunComparison.store

    def _make_store(self, store):
        p = subprocess.run([os.environ["MLOPS_MAKE_RUNS"], store, "3", "200000"],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        ids = p.stdout.split()
        r = mlops("run", "start", "pages", "--name", HOSTILE_RUN, store=store)
        self.assertEqual(r.code, 0, r)
        hostile = r.out.strip()
        for args in (("run", "log-param", hostile, HOSTILE_PARAM_KEY, HOSTILE_PARAM_VALUE),
                     ("run", "log-param", hostile, "lr", "0.5"),
                     ("run", "log-metric", hostile, HOSTILE_METRIC, "0.25", "--step", "1"),
                     ("run", "log-metric", hostile, HOSTILE_METRIC, "0.75", "--step", "2"),
                     ("run", "log-metric", hostile, "loss", "1.5", "--step", "100000"),
                     ("run", "end", hostile, "--status", "failed")):
            r = mlops(*args, store=store)
            self.assertEqual(r.code, 0, r)
        return store, ids + [hostile]

    def test_comparison_renders(self):
        store, ids = self.make_store()
        html = self.path("compare.html")
        r = mlops("runs", "compare", *ids, "-o", html, "--title", "Compare <check>", store=store)
        self.assertEqual(r.code, 0, r)
        self.assertLess(os.path.getsize(html), 400_000)  # 600,000 points, a few thousand drawn
        page = self.check_common(html, charts=3)  # accuracy, loss, the hostile key
        self.assertEqual(BROWSER.count("svg"), 3, "an SVG that is not a chart")
        self.assertEqual(BROWSER.count("figure.chart + .side table"), 3, "a table beside each chart")
        for text in ("Compare <check>", "run-01", "run-03", HOSTILE_RUN, HOSTILE_PARAM_KEY,
                     HOSTILE_PARAM_VALUE, HOSTILE_METRIC, "FAILED", "Downsampled (LTTB)",
                     "Final, min and max", "Params", "4 of 4 params differ"):
            self.assertIn(text, page.text)
        # Every chart names its axes; units on the x axis.
        self.assertEqual(BROWSER.evaluate(
            "[...document.querySelectorAll('figure.chart svg')].filter("
            "s => s.querySelector('title') && s.textContent.includes('Step')).length"), 3)
        st = pagecheck.picture_stats(self.shot("compare.png", 2400), {
            "blue": pagecheck.near("#0072B2"), "vermillion": pagecheck.near("#D55E00"),
            "green": pagecheck.near("#009E73")})
        self.assertGreater(st["non_background"], 0.15, st)
        for colour in ("blue", "vermillion", "green"):  # the first three runs' lines
            self.assertGreater(st[colour], 200, st)

    def test_time_axis(self):
        store, ids = self.make_store()
        html = self.path("compare-time.html")
        r = mlops("runs", "compare", *ids[:2], "-o", html, "--x", "time", "--points", "200",
                  store=store)
        self.assertEqual(r.code, 0, r)
        page = self.check_common(html, charts=2)
        self.assertIn("Time since the run started (min)", page.text)  # 2,000 s of points


# A model name that tries to break out of the page.
HOSTILE_MODEL = "<script>alert('model')</script> & \"q\" caf\u00e9 \u2713"


class TestModelPage(PageTest):
    def test_model_page_renders(self):
        store = self.path("store")
        p = subprocess.run([os.environ["MLOPS_MAKE_MODEL"], store, HOSTILE_MODEL],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        signed = shutil.which("openssl") is not None
        if signed:  # a signature through the CLI, as a user makes one
            key = self.path("key.pem")
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key],
                           check=True, capture_output=True)
            r = mlops("model", "sign", HOSTILE_MODEL, "3", "--key", key, store=store)
            self.assertEqual(r.code, 0, r)
        html = self.path("model.html")
        r = mlops("model", "page", HOSTILE_MODEL, "-o", html, store=store)
        self.assertEqual(r.code, 0, r)
        # Two alias charts (champion, shadow-test) and the lineage drawing.
        page = self.check_common(html, charts=3)
        self.assertEqual(BROWSER.count("svg"), 3, "an SVG that is not a chart")
        self.assertEqual(BROWSER.count("figure.chart + .side table"), 2, "a table beside each chart")
        for text in ("Model " + HOSTILE_MODEL, "Versions", "Aliases and their splits over time",
                     "Alias champion", "1:80,2:20", "1:50,2:50", "2+shadow:3", "Gate decisions",
                     "refused", "forced", "metrics.auc >= 0.95", "Lineage", "train.csv",
                     "Audit timeline", "alias.gate.decision", "Share (%)",
                     "Time since the alias was first set"):
            self.assertIn(text, page.text)
        if signed:
            self.assertIn("1 signed", page.text)
        # Every chart has an accessible name.
        self.assertEqual(BROWSER.evaluate(
            "[...document.querySelectorAll('figure svg')].filter("
            "s => s.querySelector('title')).length"), 3)
        st = pagecheck.picture_stats(self.shot("model.png", 2400), {
            "blue": pagecheck.near("#0072B2"), "vermillion": pagecheck.near("#D55E00")})
        self.assertGreater(st["non_background"], 0.15, st)
        for colour in ("blue", "vermillion"):  # versions 1 and 2
            self.assertGreater(st[colour], 100, st)


# A monitor and a column whose names try to break out of the page.
HOSTILE_MONITOR = "<script>alert('monitor')</script> & \"q\" caf\u00e9 \u2713"
HOSTILE_COLUMN = "</svg><b>col</b>&amp;"
HOSTILE_LABEL = "<u>label</u>&amp;"
T0_MS = 1767225600000  # 2026-01-01T00:00:00Z


class TestMonitorPage(PageTest):
    def test_monitor_page_renders(self):
        import random
        rnd = random.Random(5)
        store = self.path("store")
        with open(self.path("ref.csv"), "w", encoding="utf-8") as f:
            f.write(f"age,{HOSTILE_COLUMN}\n")
            for _ in range(1000):
                f.write(f"{rnd.gauss(40, 9):.2f},{rnd.choice('abc')}\n")

        labels = open(self.path("labels.csv"), "w", encoding="utf-8")
        labels.write(f"id,{HOSTILE_LABEL}\n")

        def batch(name, hours):
            with open(self.path(name), "w", encoding="utf-8") as f:
                f.write(f"ts,id,pred,age,{HOSTILE_COLUMN}\n")
                for h in hours:  # hour 5: too few rows; 20..29: drifted
                    drift = 20 <= h < 30
                    for i in range(3 if h == 5 else 30):
                        rid, pred = f"h{h}r{i}", rnd.choice("xy")
                        f.write(f"{T0_MS + h * 3600000 + i * 1000},{rid},{pred},"
                                f"{rnd.gauss(70 if drift else 40, 9):.2f},{'c' if drift else rnd.choice('abc')}\n")
                        # labels: none for hours 40, 41; right 9 in 10, half in hours 50..54
                        if h not in (40, 41) and not labels.closed:  # the late batch: none
                            right = i % 2 == 0 if 50 <= h < 55 else i % 10 != 0
                            labels.write(f"{rid},{pred if right else ('y' if pred == 'x' else 'x')}\n")
            return self.path(name)

        cur = batch("cur.csv", range(72))
        labels.close()
        for args in (("init",), ("monitor", "create", HOSTILE_MONITOR, "--reference", self.path("ref.csv"),
                      "--window", "1h", "--alert", "2/3", "--min-rows", "10", "--task", "classification",
                      "--prediction-column", "pred", "--id-column", "id", "--label-column", HOSTILE_LABEL,
                      "--performance", "metrics.accuracy < 0.8", "--min-labels", "5"),
                     ("monitor", "ingest", HOSTILE_MONITOR, cur, "--time-column", "ts"),
                     ("monitor", "labels", HOSTILE_MONITOR, self.path("labels.csv")),
                     ("monitor", "check", HOSTILE_MONITOR, "--at", str(T0_MS + 72 * 3600000)),
                     ("monitor", "ingest", HOSTILE_MONITOR, batch("late.csv", [-3]), "--time-column", "ts")):
            r = mlops(*args, store=store)
            self.assertEqual(r.code, 0, r)
        html = self.path("monitor.html")
        r = mlops("monitor", "page", HOSTILE_MONITOR, "-o", html, store=store)
        self.assertEqual(r.code, 0, r)
        # The share drifted, the rows, one chart per column, and one per
        # metric of the task (accuracy, balanced accuracy, macro F1).
        page = self.check_common(html, charts=7)
        self.assertEqual(BROWSER.count("svg"), 7, "an SVG that is not a chart")
        self.assertEqual(BROWSER.count("figure.chart + .side table"), 7, "a table beside each chart")
        for text in ("Monitor " + HOSTILE_MONITOR, "INACTIVE", "Alert state",
                     "fires when 2 of the last 3 judged windows are in breach",
                     "Share of drifted columns", "Rows per window", "Column " + HOSTILE_COLUMN,
                     "\u2212log10 p-value (KS)", "\u2212log10 p-value (chi-square)", "alert firing",
                     "not enough data", "late (never judged)", "Alert events", "firing", "resolved",
                     "Performance over time", "Every window drawn", "Drifted columns (%)",
                     "Accuracy (share of labelled rows right)", "Macro F1 (no unit)", "breach: accuracy < 0.8",
                     "fewer than 5 labels", "Every labelled window drawn", HOSTILE_LABEL,
                     "Accuracy, 73 windows in 11 rows of 7",
                     "Time since 2025-12-31 21:00:00 UTC (d)"):  # the late window (hour -3) starts the axis
            self.assertIn(text, page.text)
        self.assertEqual(BROWSER.evaluate(
            "[...document.querySelectorAll('figure svg')].filter("
            "s => s.querySelector('title')).length"), 7)
        # A dashed threshold line on the rows, on each column and on
        # accuracy's chart, none on the share drifted (the breach is the
        # performance condition); thin: counted in the document, not in
        # the screenshot.
        self.assertEqual(BROWSER.count("figure svg path[stroke='#D55E00'][stroke-dasharray]"), 4 * 2)  # + legend
        self.assertEqual(BROWSER.count("#share svg path[stroke='#D55E00'][stroke-dasharray]"), 0)
        self.assertEqual(BROWSER.count("#perf-accuracy svg path[stroke='#D55E00'][stroke-dasharray]"), 2)
        self.assertNotIn("no label column", page.text)
        st = pagecheck.picture_stats(self.shot("monitor.png", 2600), {
            "blue": pagecheck.near("#0072B2"), "alert": pagecheck.near("#F9E7C2", 12)})
        self.assertGreater(st["non_background"], 0.15, st)
        for colour in ("blue", "alert"):  # the curves, the alert spans shaded in orange
            self.assertGreater(st[colour], 100, st)


class TestChecksCanFail(PageTest):
    def write(self, name, body):
        with open(self.path(name), "w") as f:
            f.write("<!DOCTYPE html><html><body>" + body + "</body></html>")
        return self.path(name)

    def test_console_error(self):
        page = BROWSER.load(self.write("console.html",
                                       "<p>x</p><script>console.error('boom')</script>"))
        self.assertTrue(any("boom" in line for line in page.console), page.console)
        self.assertEqual(BROWSER.count("script"), 1)

    def test_blocked_fetch(self):
        page = BROWSER.load(self.write(
            "csp.html", "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
                        "<img src=\"http://192.0.2.1/x.png\">"))
        self.assertTrue(any("Content Security Policy" in line for line in page.console), page.console)

    def test_blank_and_missing_chart(self):
        page = BROWSER.load(self.write("blank.html", "<figure class=\"chart\"></figure>"))
        self.assertEqual(page.console, [])
        self.assertEqual(page.text, "")
        self.assertEqual(BROWSER.count("figure svg"), 0)
        st = pagecheck.picture_stats(BROWSER.screenshot())
        self.assertLess(st["non_background"], 0.01, st)

    def test_overflow(self):
        BROWSER.load(self.write("wide.html", "<div style=\"width:3000px\">wide</div>"))
        self.assertTrue(BROWSER.overflows())
        BROWSER.load(self.write("clipped.html", "<div style=\"width:200px;overflow-x:auto\">"
                                                "<div style=\"width:600px\">wide</div></div>"))
        self.assertFalse(BROWSER.overflows())
        self.assertEqual(BROWSER.clipped(), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
