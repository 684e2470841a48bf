"""What bench.py and bench_fairness.py share: their arguments, running the
C benchmark on arrays written for it, and timing an anchor."""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def args():
    """EXE [N] [REPEATS] from the command line (defaults 10 million, 5)."""
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    return exe, n, repeats


def run_c(exe, arrays, repeats):
    """Writes arrays ({file name: numpy array}) to a temporary folder, runs
    EXE FOLDER REPEATS there and returns its output lines as word lists."""
    with tempfile.TemporaryDirectory() as d:
        for name, a in arrays.items():
            a.tofile(os.path.join(d, name))
        out = subprocess.run([exe, d, str(repeats)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()]


def median_of_3(fn):
    """fn() run three times: the median seconds and the last value."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        v = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), v
