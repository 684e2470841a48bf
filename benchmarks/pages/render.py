"""Times a page's render in headless Chromium (tests/pages/pagecheck.py,
one browser for every repeat): from the navigation to the load event
(parsed, styled, laid out), and to a screenshot of the first screen
(painted), the median of REPEATS loads after one warm-up load. Also the
command that writes the page (`mlops runs compare`, `mlops monitor page`)
end to end (process, store, page, file), named by its words after the
options ("mlops runs compare s").
Prints one JSON line per figure.
    usage: render.py PAGE.html [REPEATS] [-- MLOPS_COMMAND...]
"""
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "pages"))
import pagecheck  # noqa: E402


def main():
    args = sys.argv[1:]
    command = []
    if "--" in args:
        command = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    page, repeats = args[0], int(args[1]) if len(args) > 1 else 7
    if command:
        times = []
        for _ in range(repeats):
            t0 = time.monotonic()
            subprocess.run(command, check=True)
            times.append(time.monotonic() - t0)
        words = [w for w in command[1:] if not w.startswith("-")]
        skip = 1 if "-C" in command[1:3] else 0  # the store's path after -C
        name = "mlops " + " ".join(words[skip:skip + 2]) + " s"
        print(json.dumps({"bench": name, "value": round(statistics.median(times), 3),
                          "min": round(min(times), 3), "repeats": repeats}))
    with pagecheck.Browser() as b:
        b.load(page)  # warm-up: the browser's first page pays for its start
        loads, painted = [], []
        for _ in range(repeats):
            t0 = time.monotonic()
            p = b.load(page)
            b.screenshot()
            painted.append(time.monotonic() - t0)
            loads.append(p.load_s)
            if p.console:
                sys.exit(f"console messages: {p.console}")
        charts = b.count("figure.chart svg")
    print(json.dumps({"bench": "render to load event s", "value": round(statistics.median(loads), 3),
                      "min": round(min(loads), 3), "repeats": repeats, "charts": charts,
                      "bytes": os.path.getsize(page)}))
    print(json.dumps({"bench": "render to screenshot s", "value": round(statistics.median(painted), 3),
                      "min": round(min(painted), 3), "repeats": repeats}))


if __name__ == "__main__":
    main()
