"""Renders the HTML drift report in headless Chromium (Debian's `chromium`)
to a PNG, and checks that the page loaded without console messages (the
page's Content-Security-Policy turns any script or fetch into one) and
that the picture is not blank: it has the verdict banner's red and the
charts' blue and orange. Two control pages (a console error, a blank page)
prove that the checks can fail.

Set MLOPS_KEEP_PNG=DIR to keep the screenshots.
"""
import os
import shutil
import struct
import subprocess
import sys
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clienv import cleanup, mlops, tmpdir  # noqa: E402

WIDTH, HEIGHT = 1200, 2600


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("no chromium on PATH: scripts/install-deps.sh test installs it")


def render(html_path, png_path, profile_dir):
    """Screenshots html_path; returns (exit code, console lines)."""
    argv = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + profile_dir, "--enable-logging=stderr",
            "--v=0", "--hide-scrollbars", "--force-device-scale-factor=1",
            f"--window-size={WIDTH},{HEIGHT}", "--screenshot=" + png_path,
            "file://" + os.path.abspath(html_path)]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=180)
    console = [line for line in p.stderr.splitlines() if ":CONSOLE" in line]
    return p.returncode, console


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB/RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), f"unsupported PNG (depth {depth}, color {color})"
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    pixels = [[tuple(r[x * bpp:x * bpp + 3]) for x in range(0, width, 2)] for r in rows[::2]]
    return width, height, pixels


def picture_stats(path):
    width, height, pixels = read_png(path)
    counts = {}
    for row in pixels:
        for p in row:
            counts[p] = counts.get(p, 0) + 1
    total = sum(counts.values())
    background = max(counts.values())
    reds = sum(n for (r, g, b), n in counts.items() if r > 150 and g < 80 and b < 80)
    blues = sum(n for (r, g, b), n in counts.items() if b > r + 50 and b > 120)
    oranges = sum(n for (r, g, b), n in counts.items() if r > 200 and 90 < g < 180 and b < 120)
    return {"width": width, "height": height, "colors": len(counts),
            "non_background": 1.0 - background / total, "red": reds, "blue": blues,
            "orange": oranges}


class TestRender(unittest.TestCase):
    def setUp(self):
        self.dir = tmpdir("html-render")

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
        html = self.report()
        png = self.path("report.png")
        code, console = render(html, png, self.path("profile"))
        self.assertEqual(code, 0)
        self.assertEqual(console, [], "the page logged console messages")
        st = picture_stats(png)
        self.assertEqual((st["width"], st["height"]), (WIDTH, HEIGHT))
        self.assertGreater(st["non_background"], 0.15, st)
        self.assertGreater(st["colors"], 50, st)
        self.assertGreater(st["red"], 2000, st)     # the "drift detected" banner
        self.assertGreater(st["blue"], 2000, st)    # reference bars
        self.assertGreater(st["orange"], 2000, st)  # current bars

    def test_checks_can_fail(self):
        bad = self.path("console.html")
        with open(bad, "w") as f:
            f.write("<!DOCTYPE html><html><body><p>x</p><script>console.error('boom')</script>"
                    "</body></html>")
        code, console = render(bad, self.path("console.png"), self.path("profile1"))
        self.assertEqual(code, 0)
        self.assertTrue(any("boom" in line for line in console), console)
        blank = self.path("blank.html")
        with open(blank, "w") as f:
            f.write("<!DOCTYPE html><html><body></body></html>")
        code, console = render(blank, self.path("blank.png"), self.path("profile2"))
        self.assertEqual(console, [])
        st = picture_stats(self.path("blank.png"))
        self.assertLess(st["non_background"], 0.01, st)
        self.assertEqual(st["red"] + st["blue"] + st["orange"], 0, st)


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        cleanup()
