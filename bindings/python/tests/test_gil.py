"""Long C calls release the GIL: threads run them at the same time."""
import os
import threading
import time
import tracemalloc

import pytest

import mlops

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None

SIZE = 32 * 1024 * 1024


def test_two_threads_put_large_blobs_concurrently(tmp_path):
    blobs = [os.urandom(SIZE) for _ in range(3)]
    # One worker thread per put, so that each put is one busy thread.
    with mlops.Store(tmp_path / "s", durability="none", threads=1) as store:
        t0 = time.perf_counter()
        store.put(blobs[2])
        alone = time.perf_counter() - t0

        spans = {}
        barrier = threading.Barrier(2)

        def put(i):
            barrier.wait()
            start = time.perf_counter()
            store.put(blobs[i])
            spans[i] = (start, time.perf_counter())

        threads = [threading.Thread(target=put, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        # While the puts run, this thread keeps waking up to run Python
        # code: it can only do so if the putting threads do not hold the GIL.
        ticks = 0
        while any(t.is_alive() for t in threads):
            ticks += 1
            time.sleep(0.001)
        for t in threads:
            t.join()
        (s0, e0), (s1, e1) = spans[0], spans[1]
        overlap = min(e0, e1) - max(s0, s1)
        shortest = min(e0 - s0, e1 - s1)
        wall = max(e0, e1) - min(s0, s1)
        print(f"\nput {SIZE >> 20} MiB alone {alone:.3f} s; two threads: "
              f"{e0 - s0:.3f} s and {e1 - s1:.3f} s, overlapping {overlap:.3f} s, wall {wall:.3f} s "
              f"(serialised would be >= {(e0 - s0) + (e1 - s1):.3f} s); main thread ran {ticks} loops")
        # With the GIL held during a put, the second put could not start
        # before the first returned: the calls would not overlap at all.
        assert overlap > 0.5 * shortest
        assert ticks >= 10
        assert store.get(mlops.Digest.compute(blobs[0])) == blobs[0]


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_put_of_a_numpy_array_does_not_copy_it(store):
    a = numpy.random.default_rng(1).random(4 * 1024 * 1024)  # 32 MiB
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        d = store.put(a)
        peak = tracemalloc.get_traced_memory()[1] - base
        # Control: a copy of the array is seen by the same measurement.
        tracemalloc.reset_peak()
        base2 = tracemalloc.get_traced_memory()[0]
        store.put(a.copy())
        peak_copy = tracemalloc.get_traced_memory()[1] - base2
    finally:
        tracemalloc.stop()
    assert d == mlops.Digest.compute(a.tobytes())
    assert peak < 1024 * 1024, peak
    assert peak_copy >= a.nbytes
