"""Closing a handle while other threads are inside calls on it.

The C calls release the GIL, so a thread may be inside mlops_store_fsck
when another closes the store: close() must wait for the calls in flight
(or leave the free to the last of them), later calls must raise a clear
ValueError, and calls on one store must still run in parallel. Before the
guard (_handle.Guard), close() freed the store under the running call:
segfaults, garbage paths in error messages, gets reporting corruption.
"""
import gc
import os
import random
import threading
import time

import pytest

import mlops
from mlops._handle import Guard

from conftest import run_python


# ---- the guard itself, with a fake handle -----------------------------------


class Fake:
    """A fake C handle whose free is recorded."""

    def __init__(self, name, log):
        self.name, self.log = name, log

    def free(self, h):
        assert h is self
        self.log.append(self.name)


def test_close_waits_for_the_calls_of_other_threads():
    log = []
    g = Guard(Fake("store", log), lambda h: h.free(h), "store")
    inside, release = threading.Event(), threading.Event()

    def call():
        with g:
            inside.set()
            release.wait(10)
            log.append("call returned")

    t = threading.Thread(target=call)
    t.start()
    assert inside.wait(10)
    closer = threading.Thread(target=g.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive() and log == []  # close is waiting for the call
    with pytest.raises(ValueError, match="the store is closed"):
        with g:  # no new call once close() started
            pass
    release.set()
    closer.join(10)
    t.join(10)
    assert log == ["call returned", "store"]
    g.close()  # twice: nothing
    assert log == ["call returned", "store"]


def test_close_inside_a_call_of_the_same_thread_defers_the_free():
    # As from a signal handler or a finaliser run in the middle of a call:
    # waiting would never end, so the call frees the handle as it leaves.
    log = []
    g = Guard(Fake("store", log), lambda h: h.free(h), "store")
    with g:
        g.close()
        assert g.closed and log == []
        with pytest.raises(ValueError):
            with g:
                pass
    assert log == ["store"]


def test_children_are_freed_before_their_store():
    log = []
    store = Guard(Fake("store", log), lambda h: h.free(h), "store")
    run = store.open_child(lambda h: Fake("run", log), lambda h: h.free(h), "run handle")
    reader = store.open_child(lambda h: Fake("reader", log), lambda h: h.free(h), "blob reader")
    reader.close()
    assert log == ["reader"]
    # A call on the run holds the store: closing the store waits for it.
    inside, release = threading.Event(), threading.Event()

    def call():
        with run:
            inside.set()
            release.wait(10)

    t = threading.Thread(target=call)
    t.start()
    assert inside.wait(10)
    closer = threading.Thread(target=store.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive() and log == ["reader"]
    with pytest.raises(ValueError, match="the store is closed"):
        with run:
            pass
    release.set()
    closer.join(10)
    t.join(10)
    assert log == ["reader", "run", "store"]


def test_the_garbage_collector_frees_children_first():
    # Store and child dropped together (a reference cycle): whatever order
    # the collector finalises them in, the child's handle goes first.
    for _ in range(5):
        log = []
        store = Guard(Fake("store", log), lambda h: h.free(h), "store")
        child = store.open_child(lambda h: Fake("run", log), lambda h: h.free(h), "run handle")
        cycle = [store, child]
        cycle.append(cycle)
        del store, child, cycle
        gc.collect()
        assert log == ["run", "store"]


def test_consume_forgets_a_handle_its_call_released():
    log = []
    store = Guard(Fake("store", log), lambda h: h.free(h), "store")
    writer = store.open_child(lambda h: Fake("writer", log), lambda h: h.free(h), "writer")
    with writer:
        writer.consume()  # as a commit does: C releases the writer
    store.close()
    assert log == ["store"]


# ---- the binding's handles -------------------------------------------------------


def test_two_gets_on_one_store_run_at_the_same_time(tmp_path):
    data = os.urandom(24 << 20)
    with mlops.Store(tmp_path / "s", durability="none", threads=1) as store:
        d = store.put(data)
        best = 0.0
        for attempt in range(5):
            spans = {}
            barrier = threading.Barrier(2)

            def get(i):
                barrier.wait()
                start = time.perf_counter()
                got = store.get(d)
                spans[i] = (start, time.perf_counter())
                assert got == data

            threads = [threading.Thread(target=get, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            (s0, e0), (s1, e1) = spans[0], spans[1]
            overlap = min(e0, e1) - max(s0, s1)
            best = max(best, overlap / min(e0 - s0, e1 - s1))
            print(f"\nattempt {attempt + 1}: gets of {len(data) >> 20} MiB took {e0 - s0:.3f} s "
                  f"and {e1 - s1:.3f} s, overlapping {overlap:.3f} s")
            if best > 0.5:
                break
        # Were the calls serialised (a guard holding its lock through the
        # call), the second get could not start before the first returned.
        assert best > 0.5


def test_calls_after_close_raise_a_clear_error(tmp_path, keypair):
    s = mlops.Store(tmp_path / "s", durability="none")
    d = s.put(b"abc")
    s.set_ref("r", d)
    f = s.open(d)
    w = s.writer()
    w.write(b"x")
    run = s.start_run("e", "r")
    blobs = s.iter_blobs()
    assert next(blobs).digest == d
    refs = s.iter_refs()
    s.close()
    assert s.closed and run.closed and w.closed and f.closed
    for call in (lambda: s.put(b"x"), lambda: s.get(d), lambda: s.fsck(), lambda: s.gc(),
                 lambda: s.refs(), lambda: s.path, lambda: s.create_model("m"),
                 lambda: s.search_runs(), lambda: s.models(), lambda: s.audit_verify(),
                 lambda: s.open(d), lambda: s.writer(), lambda: s.start_run("e"),
                 lambda: s.put_profile(mlops.drift.Profile().add([1.0, 2.0])),
                 lambda: run.log_metric("m", 1.0), lambda: run.log_metrics({"m": 1.0}),
                 lambda: run.log_param("p", "v"), lambda: run.end(), lambda: w.write(b"y"),
                 lambda: w.commit(), lambda: next(refs), lambda: next(blobs)):
        with pytest.raises(ValueError, match="closed"):
            call()
    with pytest.raises(ValueError, match="closed"):
        f.read()
    w.abort()
    run.close()
    f.close()

    p = mlops.drift.Profile().add([1.0, 2.0, 3.0])
    rep = mlops.drift.report({"x": [1.0, 2.0]}, {"x": [1.0, 3.0]})
    p.close()
    rep.close()
    for call in (lambda: p.add([1.0]), lambda: p.summary(), lambda: p.serialize(),
                 lambda: p.edges(), lambda: rep.to_json(), lambda: rep.to_html()):
        with pytest.raises(ValueError, match="closed"):
            call()


# The stress runs in a child interpreter: on a binding without the guard it
# crashes (SIGSEGV), which must fail this test, not end the test session.
STRESS = r'''
import os, random, sys, threading, time
from array import array
import mlops

root, rounds = sys.argv[1], int(sys.argv[2])
rng = random.Random(13)
failures = []
ok_closed = 0


def closed_error(e):
    return isinstance(e, ValueError) and not isinstance(e, mlops.MlopsError) and "closed" in str(e)


def until_closed(work):
    # Runs work() until a call raises the closed error; anything else fails.
    global ok_closed
    try:
        while True:
            work()
    except Exception as e:
        if closed_error(e):
            ok_closed += 1
        else:
            failures.append(repr(e))


def stress(name, make, workers, delay):
    t0 = time.perf_counter()
    for r in range(rounds):
        obj, works = make()
        threads = [threading.Thread(target=until_closed, args=(w,)) for w in works]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0, delay))
        obj.close()
        for t in threads:
            t.join(60)
            if t.is_alive():
                failures.append(f"{name}: a thread did not stop")
        if failures:
            break
    print(f"{name}: {rounds} rounds ({time.perf_counter() - t0:.2f} s)")


# fsck: a store with enough objects for an fsck to take milliseconds.
t0 = time.perf_counter()
fsck_dir = os.path.join(root, "fsck")
with mlops.Store(fsck_dir, durability="none") as s:
    for i in range(300):
        s.put(os.urandom(rng.randrange(1000, 40000)))
    s.put(os.urandom(3 << 20))
print(f"setup {time.perf_counter() - t0:.2f} s")


def fsck_store():
    s = mlops.Store(fsck_dir, durability="none")

    def fsck():
        rep = s.fsck(quarantine=False)
        if not rep.ok:
            failures.append(f"fsck reported damage: {rep}")

    return s, [fsck, fsck]


stress("fsck", fsck_store, 2, 0.08)

# get/put and the children of a store (readers, writers, runs, iterators).
rw_dir = os.path.join(root, "rw")


def rw_store():
    s = mlops.Store(rw_dir, durability="none")
    seeds = [os.urandom(n) for n in (10, 70000, 1 << 20)]
    known = {s.put(b): b for b in seeds}

    def get_put():
        data = os.urandom(rng.randrange(1, 300000))
        d = s.put(data)
        if s.get(d) != data:
            failures.append("get returned other bytes")
        for k, v in known.items():
            if s.get(k) != v or s.read_at(k, 3, 5) != v[3:8]:
                failures.append("get of a seed returned other bytes")

    def children():
        k, v = rng.choice(list(known.items()))
        with s.open(k) as f:
            if f.read() != v:
                failures.append("reader returned other bytes")
        with s.writer() as w:
            w.write(v)
        if w.digest != k:
            failures.append("writer stored other bytes")
        with s.start_run("e") as run:
            run.log_metric("m", 1.0)
        for info in s.iter_blobs():
            pass
        s.set_ref("r", k)
        dict(s.iter_refs())

    return s, [get_put, get_put, children]


stress("get/put", rw_store, 3, 0.05)


values = array("d", [rng.gauss(0, 1) for _ in range(200000)])


def profile():
    # One thread: a profile is not to be changed while another thread uses it.
    p = mlops.drift.Profile(freeze_after=10**6)

    def add():
        p.add(values)
        p.summary()

    return p, [add]


stress("profile", profile, 1, 0.02)


columns = {f"c{i}": array("d", values[i * 3000:(i + 1) * 3000]) for i in range(8)}


def report():
    rep = mlops.drift.report(columns, columns)

    def html():
        rep.to_html()
        rep.to_json()

    return rep, [html, html]


stress("report", report, 2, 0.02)
print("closed errors", ok_closed)
if failures:
    print("FAILURES", failures[:5])
    sys.exit(1)
'''


def test_close_while_calls_run_in_other_threads(tmp_path):
    p = run_python(STRESS.replace("sys.argv[1]", repr(str(tmp_path)))
                   .replace("int(sys.argv[2])", "15"))
    out = p.stdout + p.stderr
    print(out)
    # A negative code is the signal that killed the interpreter.
    assert p.returncode == 0, f"exit {p.returncode}:\n{out}"
    for name in ("fsck", "get/put", "profile", "report"):
        assert f"{name}: 15 rounds (" in out
