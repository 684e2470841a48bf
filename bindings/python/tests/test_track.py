"""Experiments, runs, params, metrics, history, lineage and search."""
import math
import struct
from array import array

import pytest

import mlops
from mlops import _arrays

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None


# ---- experiments ----


def test_experiments(store):
    e = store.create_experiment("alpha")
    assert isinstance(e, mlops.Experiment)
    assert e.id > 0 and e.name == "alpha" and e.deleted_ms == 0 and e.created_ms > 0
    assert store.get_experiment("alpha") == e
    assert store.get_experiment(e.id) == e
    assert store.get_experiment(e) == e
    store.set_experiment_tag(e, "team", "vision")
    assert store.get_experiment(e.id).tags == {"team": "vision"}
    store.set_experiment_tag(e, "owner", "ann")
    assert store.get_experiment(e.id).tags == {"owner": "ann", "team": "vision"}
    store.delete_experiment_tag("alpha", "team")
    store.delete_experiment_tag("alpha", "owner")
    assert store.get_experiment(e.id).tags == {}
    with pytest.raises(mlops.NotFound) as err:
        store.delete_experiment_tag(e, "team")
    assert "mlops_experiment_tag_delete:" in str(err.value)
    store.rename_experiment(e.id, "beta")
    assert store.get_experiment(e.id).name == "beta"
    store.create_experiment("gamma")
    assert [x.name for x in store.experiments()] == ["beta", "gamma"]
    store.delete_experiment("beta")
    assert [x.name for x in store.experiments()] == ["gamma"]
    assert [x.name for x in store.experiments("deleted")] == ["beta"]
    assert [x.name for x in store.experiments("all")] == ["beta", "gamma"]
    assert store.get_experiment("beta").deleted_ms > 0
    with pytest.raises(mlops.Conflict):
        store.start_run("beta")
    store.restore_experiment("beta")
    assert store.get_experiment("beta").deleted_ms == 0


def test_experiment_errors(store):
    store.create_experiment("a")
    with pytest.raises(mlops.AlreadyExists):
        store.create_experiment("a")
    with pytest.raises(mlops.InvalidArgument):
        store.create_experiment("")
    with pytest.raises(mlops.InvalidArgument):
        store.create_experiment("bad\nname")
    with pytest.raises(mlops.NotFound):
        store.get_experiment("nope")
    with pytest.raises(mlops.NotFound):
        store.get_experiment(999)
    with pytest.raises(mlops.NotFound):
        store.rename_experiment(999, "x")
    with pytest.raises(mlops.NotFound):
        store.delete_experiment_tag("a", "missing")
    with pytest.raises(ValueError):
        store.experiments("sometimes")
    store.create_experiment("b")
    with pytest.raises(mlops.AlreadyExists):
        store.rename_experiment("b", "a")


# ---- runs ----


def test_start_run_creates_the_experiment_and_finishes(store):
    with store.start_run("new-exp", "trial") as run:
        assert isinstance(run, mlops.Run)
        assert len(run.id) == 32 and int(run.id, 16) >= 0
        assert run.info().status == "RUNNING"
    info = store.get_run(run.id)
    assert info.status == "FINISHED" and info.end_ms >= info.start_ms > 0
    assert info.name == "trial"
    assert info.experiment_id == store.get_experiment("new-exp").id == run.experiment_id
    assert run.closed
    assert "mlops.user" in info.tags and "mlops.host" in info.tags


def test_exception_marks_the_run_failed(store):
    with pytest.raises(ZeroDivisionError):
        with store.start_run("e") as run:
            1 / 0
    assert store.get_run(run.id).status == "FAILED"


def test_keyboard_interrupt_marks_the_run_killed(store):
    with pytest.raises(KeyboardInterrupt):
        with store.start_run("e") as run:
            raise KeyboardInterrupt
    assert store.get_run(run.id).status == "KILLED"


def test_ending_inside_the_block_is_kept(store):
    with store.start_run("e") as run:
        run.end("KILLED")
    assert store.get_run(run.id).status == "KILLED"
    with pytest.raises(mlops.Conflict):
        with store.open_run(run.id) as again:
            again.end()
    with pytest.raises(ValueError):
        store.start_run("e").end("DONE")


def test_run_options_and_nesting(store):
    parent = store.start_run("e", "parent")
    child = store.start_run("e", "child", parent=parent, user="bob", source="train.py",
                            git_commit="abcdef12", start_ms=1234)
    info = child.info()
    assert info.parent_id == parent.id
    assert info.tags["mlops.user"] == "bob"
    assert info.tags["mlops.source"] == "train.py"
    assert info.tags["mlops.git.commit"] == "abcdef12"
    assert info.start_ms == 1234
    with pytest.raises(mlops.NotFound):
        store.start_run("e", parent="0" * 32)
    with pytest.raises(mlops.InvalidArgument):
        store.start_run("e", git_commit="xyz")
    with pytest.raises(mlops.NotFound):
        store.start_run(999)


def test_open_run_and_list(store):
    a = store.start_run("e", "a")
    b = store.start_run("e", "b", start_ms=a.info().start_ms + 10)
    with store.open_run(a.id) as again:
        again.log_param("k", "v")
    assert store.get_run(a.id).params == {"k": "v"}
    assert [r.name for r in store.runs("e")] == ["b", "a"]
    store.delete_run(b.id)
    assert [r.name for r in store.runs("e")] == ["a"]
    assert [r.name for r in store.runs("e", "deleted")] == ["b"]
    assert store.get_run(b.id).deleted_ms > 0
    with pytest.raises(mlops.Conflict):
        b.log_metric("x", 1.0)
    store.restore_run(b.id)
    b.log_metric("x", 1.0)
    with pytest.raises(mlops.InvalidArgument):
        store.open_run("not-an-id")
    with pytest.raises(mlops.NotFound):
        store.open_run("0" * 32)
    with pytest.raises(mlops.NotFound):
        store.get_run("0" * 32)
    with pytest.raises(mlops.NotFound):
        store.delete_run("0" * 32)
    with pytest.raises(mlops.NotFound) as err:
        store.runs(999)
    assert "mlops_run_list_ex:" in str(err.value)


def test_params(run):
    run.log_param("lr", 0.01)
    run.log_param("lr", "0.01")  # same value again: fine
    run.log_params({"layers": 3, "name": "résumé ✓", "empty": ""})
    assert run.info().params == {"lr": "0.01", "layers": "3", "name": "résumé ✓", "empty": ""}
    with pytest.raises(mlops.Conflict):
        run.log_param("lr", 0.02)
    with pytest.raises(mlops.Conflict):
        run.log_params({"new": "1", "lr": "0.5"})
    assert "new" not in run.info().params  # all or none
    with pytest.raises(mlops.InvalidArgument):
        run.log_param("", "x")
    with pytest.raises(mlops.InvalidArgument):
        run.log_param("k" * 251, "x")
    run.log_params({})


def test_tags(run):
    run.set_tag("note", "hello")
    assert run.info().tags["note"] == "hello"
    run.delete_tag("note")
    assert "note" not in run.info().tags
    with pytest.raises(mlops.NotFound) as err:
        run.delete_tag("note")
    assert "mlops_run_tag_delete:" in str(err.value)  # the 1.1 function
    with pytest.raises(mlops.InvalidArgument) as err:
        run.set_tag("k" * 251, "v")  # keys: at most 250 bytes
    assert "mlops_run_tag_set:" in str(err.value)
    run.set_tag("k" * 250, "v")
    run.end()
    run.set_tag("after", "end")  # tags stay writable
    assert run.info().tags["after"] == "end"


def test_log_metric_and_summary(run, store):
    for step, v in enumerate([0.5, 0.25, float("nan"), 0.125]):
        run.log_metric("loss", v, step=step, timestamp_ms=1000 + step)
    run.log_metric("neg", -0.0)
    run.log_metric("inf", float("inf"), step=2)
    s = run.info().metrics["loss"]
    assert isinstance(s, mlops.MetricSummary)
    assert (s.last, s.last_step, s.last_ts_ms, s.min, s.max, s.count) == (
        0.125, 3, 1003, 0.125, 0.5, 4)
    h = store.metric_history(run.id, "loss")
    assert list(h.steps) == [0, 1, 2, 3]
    assert list(h.timestamps_ms) == [1000, 1001, 1002, 1003]
    assert math.isnan(h.values[2]) and h.values[3] == 0.125
    assert len(h) == 4 and h.key == "loss"
    neg = store.metric_history(run.id, "neg").values[0]
    assert neg == 0.0 and math.copysign(1, neg) == -1.0
    assert run.info().metrics["inf"].last == float("inf")


def test_nan_payload_kept_bit_for_bit(run, store):
    payload = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF))[0]
    run.log_metric("m", payload, step=1)
    got = store.metric_history(run.id, "m").values[0]
    assert struct.pack("<d", got) == struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF)


def test_log_metrics_dict(run, store):
    run.log_metrics({"a": 1, "b": 2.5, "c": numpy.float32(0.5) if numpy else 0.5}, step=7,
                    timestamp_ms=99)
    m = run.info().metrics
    assert (m["a"].last, m["b"].last, m["c"].last) == (1.0, 2.5, 0.5)
    assert m["a"].last_step == 7 and m["a"].last_ts_ms == 99
    run.log_metrics({}, step=1)
    with pytest.raises(mlops.InvalidArgument):
        run.log_metrics({"ok": 1.0, "": 2.0})
    assert run.info().metrics["ok"].count if "ok" in run.info().metrics else True
    assert "ok" not in run.info().metrics  # all or none
    # Default time is now.
    run.log_metrics({"t": 1.0})
    assert run.info().metrics["t"].last_ts_ms > 1_600_000_000_000


def test_log_metrics_many_keys_and_a_long_batch(run, store):
    keys = {f"k{i}": float(i) for i in range(300)}
    run.log_metrics(keys, step=1)
    assert len(run.info().metrics) == 300


def _arrays_inputs():
    vals = [0.5, 1.5, 2.5]
    out = [vals, tuple(vals), array("d", vals), memoryview(array("d", vals)),
           array("f", vals), [1, 2, 3]]
    if numpy is not None:
        out += [numpy.array(vals), numpy.array(vals, dtype=numpy.float32),
                numpy.array([0.0, 0.5, 0.0, 1.5, 0.0, 2.5])[1::2]]
    return out


@pytest.mark.parametrize("values", _arrays_inputs(), ids=lambda v: type(v).__name__)
def test_log_metric_arrays_accepts_buffers_and_sequences(run, store, values):
    n = run.log_metric_arrays({"m": values}, steps=[10, 20, 30], timestamps_ms=5)
    assert n == 3
    h = store.metric_history(run.id, "m")
    assert list(h.steps) == [10, 20, 30]
    assert list(h.timestamps_ms) == [5, 5, 5]
    assert list(h.values) == [float(v) for v in values]


def test_log_metric_arrays_columns_steps_and_times(run, store):
    n = run.log_metric_arrays({"a": [1.0, 2.0], "b": [3.0, 4.0, 5.0]}, start_step=100)
    assert n == 5
    assert list(store.metric_history(run.id, "a").steps) == [100, 101]
    assert list(store.metric_history(run.id, "b").steps) == [100, 101, 102]
    run.log_metric_arrays({"c": [1.0, 2.0]}, steps=array("q", [1, 2]),
                          timestamps_ms=array("q", [7, 8]))
    h = store.metric_history(run.id, "c")
    assert list(h.timestamps_ms) == [7, 8]
    if numpy is not None:
        run.log_metric_arrays({"d": numpy.ones(4)}, steps=numpy.arange(4),
                              timestamps_ms=numpy.arange(4) + 50)
        h = store.metric_history(run.id, "d")
        assert list(h.steps) == [0, 1, 2, 3] and list(h.timestamps_ms) == [50, 51, 52, 53]
    assert run.log_metric_arrays({}) == 0
    assert run.log_metric_arrays({"e": []}) == 0
    with pytest.raises(ValueError):
        run.log_metric_arrays({"a": [1.0, 2.0]}, steps=[1])
    with pytest.raises(ValueError):
        run.log_metric_arrays({"a": [1.0, 2.0]}, timestamps_ms=[1, 2, 3])
    with pytest.raises((TypeError, ValueError)):
        run.log_metric_arrays({"a": ["x"]})
    with pytest.raises(mlops.InvalidArgument):
        run.log_metric_arrays({"fine": [1.0], "bad\x01": [2.0]})
    assert "fine" not in run.info().metrics


def test_log_metric_arrays_large(run, store):
    n = 200_000
    vals = array("d", range(n))
    run.log_metric_arrays({"big": vals, "big2": vals})
    h = store.metric_history(run.id, "big")
    assert len(h) == n and h.values[n - 1] == n - 1 and h.steps[n - 1] == n - 1


def test_metric_errors_after_end(run):
    run.end()
    with pytest.raises(mlops.Conflict):
        run.log_metric("x", 1.0)
    with pytest.raises(mlops.Conflict):
        run.log_metrics({"x": 1.0})
    with pytest.raises(mlops.Conflict):
        run.log_metric_arrays({"x": [1.0]})
    with pytest.raises(mlops.Conflict):
        run.log_param("p", "v")
    with pytest.raises(mlops.Conflict):
        run.end()


def test_closed_run_handle(store):
    r = store.start_run("e")
    r.close()
    for call in (lambda: r.log_metric("x", 1), lambda: r.log_metrics({"x": 1}),
                 lambda: r.log_param("p", 1), lambda: r.log_metric_arrays({"x": [1.0]}),
                 lambda: r.end()):
        with pytest.raises(ValueError):
            call()
    # The run itself is still RUNNING: it can be reopened.
    assert store.get_run(r.id).status == "RUNNING"


def test_metric_history_options(run, store):
    run.log_metric_arrays({"m": [float(i % 7) for i in range(1000)]})
    h = store.metric_history(run.id, "m", step_min=10, step_max=19)
    assert list(h.steps) == list(range(10, 20))
    h = store.metric_history(run.id, "m", buckets=10)
    assert 10 <= len(h) <= 20
    h = store.metric_history(run.id, "m", step_min=5000)
    assert len(h) == 0
    with pytest.raises(mlops.InvalidArgument):
        store.metric_history(run.id, "m", step_min=5, step_max=1)
    with pytest.raises(mlops.NotFound):
        store.metric_history(run.id, "nope")
    with pytest.raises(mlops.NotFound):
        store.metric_history("0" * 32, "m")


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_metric_history_is_numpy_when_available(run, store):
    run.log_metric("m", 1.5, step=3, timestamp_ms=4)
    h = store.metric_history(run.id, "m")
    assert isinstance(h.values, numpy.ndarray) and h.values.dtype == numpy.float64
    assert h.steps.dtype == numpy.int64 and h.timestamps_ms.dtype == numpy.int64
    assert h.values.tolist() == [1.5] and h.steps.tolist() == [3]


def test_metric_history_is_array_without_numpy(run, store, monkeypatch):
    monkeypatch.setattr(_arrays, "np", None)
    run.log_metric("m", 1.5, step=3, timestamp_ms=4)
    run.log_metric_arrays({"n": [1.0, 2.0], "o": array("f", [1.0]),
                           "p": memoryview(array("i", [1, 2]))})
    assert list(store.metric_history(run.id, "p").values) == [1.0, 2.0]
    with pytest.raises(TypeError):
        run.log_metric_arrays({"a": ["x"]})
    with pytest.raises(TypeError):
        run.log_metric_arrays({"a": b"bytes"})
    h = store.metric_history(run.id, "m")
    assert isinstance(h.values, array) and h.values.typecode == "d"
    assert isinstance(h.steps, array) and h.steps.typecode == "q"
    assert list(h.values) == [1.5] and list(h.steps) == [3] and list(h.timestamps_ms) == [4]


# ---- lineage ----


def test_lineage(store):
    data = store.put(b"dataset")
    model = store.put(b"model")
    with store.start_run("e") as run:
        run.log_input(data, "train.csv")
        run.log_output(model, "model.bin", role="weights")
        run.log_input(data, "train.csv")  # again: fine
        with pytest.raises(mlops.Conflict):
            run.log_input(data, "train.csv", role="other")
        with pytest.raises(mlops.NotFound):
            run.log_input(mlops.Digest.compute(b"not stored"), "x")
    edges = store.lineage(run.id)
    assert [(e.direction, e.name, e.role, e.digest) for e in edges] == [
        ("input", "train.csv", "dataset", data), ("output", "model.bin", "weights", model)]
    assert all(isinstance(e, mlops.LineageEdge) and e.run_id == run.id for e in edges)
    info = store.get_run(run.id)
    assert [e.name for e in info.inputs] == ["train.csv"]
    assert [e.name for e in info.outputs] == ["model.bin"]
    used = store.runs_using(data)
    assert [(e.run_id, e.direction) for e in used] == [(run.id, "input")]
    assert store.runs_using(mlops.Digest.compute(b"unused")) == []
    with pytest.raises(mlops.NotFound):
        store.lineage("0" * 32)


# ---- search ----


def test_search(store):
    ids = {}
    for i in range(5):
        with store.start_run("s", f"r{i}") as run:
            run.log_metric("acc", i / 10)
            run.log_param("lr", f"0.0{i}")
            ids[i] = run.id
    with store.start_run("other") as other:
        other.log_metric("acc", 0.9)
    page = store.search_runs("metrics.acc >= 0.2", order_by="metrics.acc DESC",
                             experiments=["s"])
    assert isinstance(page, mlops.RunPage) and page.next_page_token is None
    assert [r.id for r in page] == [ids[4], ids[3], ids[2]]
    assert all(isinstance(r, mlops.RunInfo) for r in page)
    page = store.search_runs("params.lr = '0.01'")
    assert [r.id for r in page] == [ids[1]]
    assert len(store.search_runs()) == 6
    # Paging.
    first = store.search_runs(order_by="metrics.acc ASC", max_results=2, experiments=["s"])
    assert [r.id for r in first] == [ids[0], ids[1]] and first.next_page_token
    second = store.search_runs(order_by="metrics.acc ASC", max_results=2, experiments=["s"],
                               page_token=first.next_page_token)
    assert [r.id for r in second] == [ids[2], ids[3]]
    everything = list(store.iter_runs(order_by="metrics.acc ASC", page_size=2,
                                      experiments=["s"]))
    assert [r.id for r in everything] == [ids[i] for i in range(5)]
    # Lifecycle.
    store.delete_run(ids[0])
    assert [r.id for r in store.search_runs(lifecycle="deleted")] == [ids[0]]
    assert store.search_runs("params.lr = 'none'") == []  # an empty page


def test_search_in_no_experiments_finds_nothing(store):
    # experiments=[] names no experiment: nothing matches (None is every
    # experiment). The library reads an empty id list as every one.
    with store.start_run("a"):
        pass
    with store.start_run("b"):
        pass
    assert len(store.search_runs()) == 2 and len(store.search_runs(experiments=None)) == 2
    page = store.search_runs(experiments=[])
    assert page == [] and isinstance(page, mlops.RunPage) and page.next_page_token is None
    wanted = [e for e in store.experiments() if e.name.startswith("prod")]
    assert store.search_runs("attributes.status = 'FINISHED'", experiments=wanted) == []
    assert list(store.iter_runs(experiments=[])) == []
    with pytest.raises(ValueError):
        store.search_runs(experiments=[], lifecycle="bogus")

def test_search_frees_the_page_token_when_reading_the_page_fails(store, monkeypatch):
    # The next page's token is the library's memory: freed whatever
    # happens while the page is read into RunInfo snapshots.
    from mlops import _capi, track

    for _ in range(2):
        with store.start_run("t"):
            pass
    assert store.search_runs(max_results=1).next_page_token
    freed = []
    real_free = _capi.C.mlops_free
    monkeypatch.setattr(_capi.C, "mlops_free", lambda p: (freed.append(p), real_free(p)))

    def broken(cls, ri):
        raise KeyboardInterrupt

    monkeypatch.setattr(track.RunInfo, "_from_c", classmethod(broken))
    with pytest.raises(KeyboardInterrupt):
        store.search_runs(max_results=1)
    assert len(freed) == 1

def test_search_errors(store):
    with pytest.raises(mlops.InvalidArgument) as e:
        store.search_runs("metrics.acc >>> 1")
    assert "position" in e.value.message or "expected" in e.value.message
    assert e.value.message.startswith("mlops_run_search_ex: ")
    with pytest.raises(mlops.InvalidArgument):
        store.search_runs(page_token="garbage")
    with pytest.raises(mlops.InvalidArgument):
        store.search_runs(max_results=10**9)
    with pytest.raises(mlops.NotFound):
        store.search_runs(experiments=["no-such-experiment"])


def test_one_run_handle_shared_by_threads(run, store):
    import threading

    def worker(i):
        for step in range(50):
            run.log_metric("single", float(i), step=i * 1000 + step)
            run.log_metrics({"a": 1.0, f"k{i}": 2.0}, step=i * 1000 + step)
        run.log_metric_arrays({"arr": [float(i)] * 100, f"arr{i}": [1.0] * 100},
                              start_step=i * 1000)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    m = run.info().metrics
    assert m["single"].count == 200 and m["a"].count == 200 and m["arr"].count == 400
    assert all(m[f"k{i}"].count == 50 and m[f"arr{i}"].count == 100 for i in range(4))


def test_compare_runs_html(store):
    runs = []
    for i, name in enumerate(["<script>x</script>", "b & \"c\""]):
        r = store.start_run("exp", name)
        r.log_param("lr", str(0.1 * (i + 1)))
        r.log_metric_arrays({"loss": [1.0 / (s + 1) for s in range(5000)]})
        runs.append(r)
    ids = [r.id for r in runs]
    page = store.compare_runs_html(ids, title="T <1>", max_points=50, generated_ms=-1)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "T &lt;1&gt;" in page and "b &amp; &quot;c&quot;" in page
    assert page.count("<svg") == 1 and "Downsampled (LTTB): at most 50 of up to 5" in page
    assert "1 of 1 param differs" in page
    assert page == store.compare_runs_html(ids, title="T <1>", max_points=50, generated_ms=-1)
    assert "Time since the run started" in store.compare_runs_html(ids, x_axis="time")
    with pytest.raises(ValueError):
        store.compare_runs_html(ids, x_axis="wall")
    with pytest.raises(TypeError):
        store.compare_runs_html(ids[0])
    with pytest.raises(mlops.InvalidArgument):
        store.compare_runs_html([])
    with pytest.raises(mlops.InvalidArgument):
        store.compare_runs_html([ids[0], ids[0]])
    with pytest.raises(mlops.NotFound):
        store.compare_runs_html(["0" * 32])
    for r in runs:
        r.close()
