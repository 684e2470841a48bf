"""Checks of the HTML pages in headless Chromium (Debian's `chromium`).

One browser serves every page of a test program: Chromium starts once
(about a second) and each page is a navigation in the same tab. The
browser is driven over the Chrome DevTools Protocol on a pipe
(--remote-debugging-pipe: JSON messages ended by a NUL byte, the browser
reading fd 3 and writing fd 4), so Python's standard library is all it
takes: no WebSocket client, no driver, nothing downloaded.

    with Browser() as b:
        page = b.load("report.html")        # waits for the load event
        page.console                         # console messages, CSP reports,
                                             # uncaught exceptions: [] when clean
        page.text                            # the rendered text (innerText)
        b.count("figure.chart svg")          # elements matching a selector
        stats = picture_stats(b.screenshot())

The pages forbid scripts with a Content-Security-Policy; the protocol's
Runtime.evaluate is the browser's own and still reads the document.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib

# Console sources that are page problems. Chromium's own chatter about
# the headless shell (e.g. "other" level "verbose") does not count.
_LEVELS = {"error", "warning"}


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("no chromium on PATH: scripts/install-deps.sh test installs it")


class BrowserError(Exception):
    pass


class Page:
    def __init__(self, console, text, load_s):
        self.console = console  # ["level source: text", ...]
        self.text = text
        self.load_s = load_s    # navigation to load event, seconds


class Browser:
    def __init__(self, timeout=60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="pagecheck-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():
            # Copies above 10 first: a pipe end may itself be fd 3 or 4.
            r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        argv = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "about:blank"]
        # close_fds=False: the child_fds hook puts the pipe on fds 3 and 4,
        # inheritable; Python's own descriptors are close-on-exec already.
        self.proc = subprocess.Popen(argv, close_fds=False, preexec_fn=child_fds,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._id = 0
        self._events = []
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target,
                                   flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self._call(domain + ".enable", session=True)
        self.resize(1200, 900)

    # ---- The protocol --------------------------------------------------

    def _recv(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise BrowserError("the browser did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("the browser closed the pipe (it exited: %s)" % self.proc.poll())
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def _call(self, method, session=False, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._recv(deadline)
            if m.get("id") == self._id:
                if "error" in m:
                    raise BrowserError(f"{method}: {m['error']}")
                return m["result"]
            self._events.append(m)

    def _wait_event(self, method):
        deadline = time.monotonic() + self.timeout
        for i, e in enumerate(self._events):
            if e.get("method") == method and e.get("sessionId") == self._session:
                return self._events.pop(i)
        while True:
            m = self._recv(deadline)
            if m.get("method") == method and m.get("sessionId") == self._session:
                return m
            self._events.append(m)

    # ---- Pages ---------------------------------------------------------

    def resize(self, width, height):
        self.width, self.height = width, height
        self._call("Emulation.setDeviceMetricsOverride", session=True, width=width,
                   height=height, deviceScaleFactor=1, mobile=False)

    def media(self, kind):
        """Emulates CSS media "print" or "screen" ("" for the default)."""
        self._call("Emulation.setEmulatedMedia", session=True, media=kind)

    def load(self, path):
        """Opens a local file and waits for its load event."""
        self._events = []
        url = "file://" + os.path.abspath(path)
        start = time.monotonic()
        nav = self._call("Page.navigate", session=True, url=url)
        if nav.get("errorText"):
            raise BrowserError(f"{url}: {nav['errorText']}")
        self._wait_event("Page.loadEventFired")
        load_s = time.monotonic() - start
        text = self.evaluate("document.body ? document.body.innerText : ''")
        return Page(self._console(), text, load_s)

    def _console(self):
        out = []
        for e in self._events:
            p, m = e.get("params", {}), e.get("method")
            if e.get("sessionId") != self._session:
                continue
            if m == "Runtime.consoleAPICalled":
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
                out.append(f"console.{p['type']}: {args}")
            elif m == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                out.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}")
            elif m == "Log.entryAdded" and p["entry"]["level"] in _LEVELS:
                out.append(f"{p['entry']['level']} {p['entry']['source']}: {p['entry']['text']}")
        return out

    def evaluate(self, expression):
        r = self._call("Runtime.evaluate", session=True, expression=expression,
                       returnByValue=True)
        if "exceptionDetails" in r:
            raise BrowserError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def count(self, selector):
        return self.evaluate(f"document.querySelectorAll({json.dumps(selector)}).length")

    def overflows(self):
        """Whether the page is wider than the window (a reader would have to
        scroll sideways; a printer would cut it)."""
        return self.evaluate("document.documentElement.scrollWidth > window.innerWidth")

    def clipped(self):
        """How many scroll boxes (overflow auto, hidden or scroll) hold
        content wider than they show: a reader would miss it on paper."""
        return self.evaluate(
            "[...document.querySelectorAll('*')].filter(e => {"
            " const o = getComputedStyle(e).overflowX;"
            " return (o == 'auto' || o == 'hidden' || o == 'scroll')"
            "  && e.scrollWidth > e.clientWidth + 1; }).length")

    def screenshot(self, height=None):
        """A PNG of the page's top `height` pixels (default: the window's)."""
        shot = self._call("Page.captureScreenshot", session=True, format="png",
                          captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": self.width,
                                "height": height or self.height, "scale": 1})
        return base64.b64decode(shot["data"])

    def close(self):
        if self.proc.poll() is None:
            try:
                self._call("Browser.close")
            except BrowserError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- Pictures -------------------------------------------------------------

def read_png(data):
    """(width, height, rows of (r, g, b) tuples, every second pixel of every
    second row) of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, bpp = 8, b"", None, None, 3
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


def picture_stats(png, colours=None):
    """What a screenshot shows: its size, how many colours, the share of
    pixels that are not the background, and for each named colour (a
    predicate on (r, g, b)) how many sampled pixels have it."""
    width, height, pixels = read_png(png)
    counts = {}
    for row in pixels:
        for p in row:
            counts[p] = counts.get(p, 0) + 1
    total = sum(counts.values())
    stats = {"width": width, "height": height, "colors": len(counts),
             "non_background": 1.0 - max(counts.values()) / total}
    for name, test in (colours or {}).items():
        stats[name] = sum(n for p, n in counts.items() if test(*p))
    return stats


def near(hex_colour, tolerance=40):
    """A predicate for picture_stats: within tolerance of #rrggbb per channel."""
    want = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return lambda r, g, b: all(abs(x - w) <= tolerance for x, w in zip((r, g, b), want))
