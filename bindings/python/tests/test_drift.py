"""Drift: tests and distances on any float64 buffer, profiles, reports."""
import json
import math
import random
import tracemalloc
from array import array

import pytest

import mlops
from mlops import _arrays, _buffer, drift

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None

rng = random.Random(7)
REF = [rng.gauss(0.0, 1.0) for _ in range(2000)]
CUR = [rng.gauss(0.4, 1.2) for _ in range(1500)]


def forms(values):
    """The same float64 data as every kind of input the binding takes."""
    out = {"list": list(values), "tuple": tuple(values), "array_d": array("d", values),
           "memoryview": memoryview(array("d", values))}
    if numpy is not None:
        a = numpy.array(values, dtype=numpy.float64)
        out["numpy"] = a
        wide = numpy.zeros(2 * len(values))
        wide[::2] = a
        out["numpy_strided"] = wide[::2]
    return out


TWO_SAMPLE = [
    ("ks", lambda r, c: drift.ks(r, c)),
    ("ks_ex", lambda r, c: drift.ks_ex(r, c)),
    ("wasserstein", drift.wasserstein),
    ("energy", drift.energy),
    ("cramer_von_mises", drift.cramer_von_mises),
    ("missing", drift.missing),
    ("psi", drift.psi),
    ("jensen_shannon", drift.jensen_shannon),
    ("kl", drift.kl),
    ("hellinger", drift.hellinger),
    ("binned", drift.binned),
]


@pytest.mark.parametrize("name,fn", TWO_SAMPLE, ids=[n for n, _ in TWO_SAMPLE])
def test_every_input_form_gives_the_same_result(name, fn):
    results = {k: fn(r, c) for (k, r), c in zip(forms(REF).items(), forms(CUR).values())}
    first = results["list"]
    for k, v in results.items():
        assert v == first, (k, v, first)


def test_known_values():
    r = drift.ks([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert isinstance(r, drift.TestResult) and r.statistic == 1.0 and 0 < r.p_value < 0.2
    assert drift.ks(REF, REF).statistic == 0.0 and drift.ks(REF, REF).p_value == 1.0
    assert drift.wasserstein([0.0, 1.0, 3.0], [5.0, 6.0, 8.0]) == pytest.approx(5.0)
    assert drift.psi(REF, REF) == pytest.approx(0.0, abs=1e-12)
    assert drift.hellinger(REF, REF) == pytest.approx(0.0, abs=1e-7)
    d = drift.ks_ex(REF + [math.nan, math.inf], CUR + [math.nan], method="asymptotic")
    assert isinstance(d, drift.KSResult)
    assert (d.method, d.n_ref, d.n_cur, d.ref_nan, d.ref_inf, d.cur_nan) == (
        "asymptotic", 2000, 1500, 1, 1, 1)
    assert drift.ks_ex([1.0, 2.0], [3.0, 4.0], "exact").method == "exact"
    m = drift.missing([1.0, math.nan, 2.0, math.nan], [1.0, 2.0, 3.0, 4.0])
    assert m.statistic < 0 and 0 < m.p_value < 1
    b = drift.binned(REF, CUR, bins=5)
    assert isinstance(b, drift.BinnedResult) and b.n_bins == 5
    assert b.psi == pytest.approx(drift.psi(REF, CUR, bins=5))
    assert isinstance(b.chisq, drift.TestResult)


def test_counts():
    # chi-square of [[10, 20], [20, 10]] without correction: 6.666...
    r = drift.chisq([10, 20], [20, 10])
    assert r.statistic == pytest.approx(20 / 3)
    b = drift.binned_counts(array("d", [10, 20, 0]), [20, 10, 0])
    assert b.chisq.statistic == pytest.approx(20 / 3) and b.n_bins == 2
    with pytest.raises(ValueError):
        drift.chisq([1, 2], [1, 2, 3])
    with pytest.raises(mlops.InvalidArgument):
        drift.chisq([-1, 2], [1, 2])
    with pytest.raises(mlops.InvalidArgument):
        drift.binned_counts([0, 0], [1, 2])


def test_edges_bins_and_bh():
    edges = drift.quantile_edges(list(range(1, 101)), bins=4)
    assert list(edges) == pytest.approx([25.75, 50.5, 75.25])
    counts = drift.bin_counts([0.0, 30.0, 60.0, 60.0, 1000.0, math.nan], edges)
    assert list(counts) == [1, 1, 2, 1]
    p = [0.01, 0.04, 0.03, 0.5]
    adj = drift.bh_adjust(p)
    assert list(adj) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert list(drift.bh_adjust([])) == []
    with pytest.raises(mlops.InvalidArgument):
        drift.bh_adjust([0.5, 1.5])
    with pytest.raises(mlops.InvalidArgument):
        drift.quantile_edges([1.0], bins=1)
    with pytest.raises(mlops.InvalidArgument):
        drift.bin_counts([1.0], [2.0, 1.0])


def test_bh_adjust_writes_in_place():
    p = array("d", [0.01, 0.04, 0.03, 0.5])
    assert drift.bh_adjust(p, out=p) is p
    assert list(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    with pytest.raises(ValueError):
        drift.bh_adjust([0.1, 0.2], out=array("d", [0.0]))
    with pytest.raises(TypeError):
        drift.bh_adjust([0.1], out=[0.0])


def test_results_without_numpy_are_arrays(monkeypatch):
    monkeypatch.setattr(_arrays, "np", None)
    edges = drift.quantile_edges([1.0, 2.0, 3.0, 4.0], 2)
    assert isinstance(edges, array) and edges.typecode == "d"
    counts = drift.bin_counts([1.0, 3.0], edges)
    assert isinstance(counts, array) and list(counts) == [1, 1]
    assert isinstance(drift.bh_adjust([0.5]), array)
    assert drift.ks([1.0, 2.0, 3.0], (4, 5, 6)).statistic == 1.0
    with pytest.raises(TypeError):
        drift.ks("abc", [1.0])


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_results_with_numpy_are_ndarrays():
    edges = drift.quantile_edges(numpy.arange(10.0), 2)
    assert isinstance(edges, numpy.ndarray) and edges.dtype == numpy.float64
    counts = drift.bin_counts(numpy.arange(10.0), edges)
    assert counts.dtype == numpy.uint64 and counts.sum() == 10
    with pytest.raises(ValueError):
        drift.ks(numpy.ones((2, 2)), [1.0])


@pytest.mark.parametrize("name,fn", TWO_SAMPLE, ids=[n for n, _ in TWO_SAMPLE])
def test_errors(name, fn):
    with pytest.raises(mlops.InvalidArgument) as e:
        fn([], [1.0, 2.0])
    assert e.value.message
    with pytest.raises(mlops.InvalidArgument):
        fn([math.nan, math.nan], [1.0, 2.0]) if name != "missing" else fn([], [])


def test_binned_errors():
    with pytest.raises(mlops.InvalidArgument):
        drift.psi(REF, CUR, bins=1)
    with pytest.raises(ValueError):
        drift.ks_ex(REF, CUR, method="magic")


# ---- zero copy ----


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_numpy_float64_arrays_are_lent_in_place():
    a = numpy.arange(1000, dtype=numpy.float64)
    with _buffer.float64(a) as (addr, n):
        assert addr == a.ctypes.data and n == 1000
    ro = a.copy()
    ro.flags.writeable = False
    with _buffer.float64(ro) as (addr, n):
        assert addr == ro.ctypes.data
    d = array("d", [1.0, 2.0])
    with _buffer.float64(d) as (addr, n):
        assert addr == d.buffer_info()[0] and n == 2
    with _buffer.float64(memoryview(d)[1:]) as (addr, n):
        assert addr == d.buffer_info()[0] + 8 and n == 1
    f32 = a.astype(numpy.float32)
    with _buffer.float64(f32) as (addr, n):
        assert addr != f32.ctypes.data and n == 1000  # converted: other dtype


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_numpy_array_is_not_copied():
    n = 2_000_000  # 16 MB per side
    gen = numpy.random.default_rng(3)
    ref, cur = gen.normal(size=n), gen.normal(0.1, size=n)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        drift.psi(ref, cur)
        drift.report({"x": ref}, {"x": cur}, methods={"x": "psi"})
        peak = tracemalloc.get_traced_memory()[1] - base
        # Control: data that must be converted (float32) is seen copied.
        ref32 = ref.astype(numpy.float32)
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        drift.psi(ref32, cur)
        peak_converted = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak
    assert peak_converted >= 8 * n
    # The library writes into a numpy array in place too.
    p = numpy.array([0.01, 0.04, 0.03, 0.5])
    drift.bh_adjust(p, out=p)
    assert p.tolist() == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])


# ---- profiles ----


def test_numeric_profile(store):
    with drift.Profile("numeric", bins=4, sketch_k=64) as p:
        assert p.kind == "numeric"
        p.add(REF[:1000]).add(array("d", REF[1000:]))
        p.add([math.nan, math.inf])
        s = p.summary()
        assert isinstance(s, drift.ProfileSummary)
        assert (s.kind, s.count, s.nan_count, s.inf_count) == ("numeric", 2000, 1, 1)
        assert s.mean == pytest.approx(sum(REF) / len(REF))
        assert s.min == min(REF) and s.max == max(REF)
        with pytest.raises(mlops.InvalidArgument):
            p.edges()  # not frozen yet
        p.freeze()
        assert p.summary().frozen and len(p.edges()) == 3
        assert min(REF) <= p.quantile(0.5) <= max(REF)
        with pytest.raises(mlops.InvalidArgument):
            p.quantile(2.0)
        data = p.serialize()
        assert isinstance(data, bytes)
        again = drift.Profile.deserialize(data)
        assert again.serialize() == data
        d = store.put_profile(p)
        assert d == mlops.Digest.compute(data)
        loaded = store.get_profile(d)
        assert loaded.serialize() == data
        cur = p.new_like().add(CUR)
        c = p.compare(cur)
        assert set(c) >= {"psi", "jensen_shannon", "kl", "hellinger", "chisq", "ks_statistic",
                          "ks_error", "ks_p_value", "ks_verdict", "n_ref", "n_cur"}
        assert c["n_ref"] == 2000 and c["n_cur"] == 1500
        assert c["ks_verdict"] in ("drift", "no_drift", "inconclusive")
        v = p.compare(CUR, alpha=0.01)
        assert v["alpha"] == 0.01 and v["psi"] == pytest.approx(c["psi"])
        shard = p.new_like().add(CUR[:10])
        cur.merge(shard)
        assert cur.summary().count == 1510
        with pytest.raises(mlops.InvalidArgument):
            p.category_count("x")
    with pytest.raises(ValueError):
        p.add([1.0])


def test_profile_fixed_edges_and_errors(store):
    p = drift.Profile(edges=[0.0, 1.0])
    p.add([-1.0, 0.5, 2.0])
    assert list(p.edges()) == [0.0, 1.0]
    with pytest.raises(mlops.InvalidArgument):
        drift.Profile(bins=1)
    with pytest.raises(ValueError):
        drift.Profile("textual")
    with pytest.raises(mlops.InvalidArgument):
        drift.Profile(edges=[1.0, 0.0])
    with pytest.raises(mlops.FormatError):
        drift.Profile.deserialize(b"not a profile")
    with pytest.raises(mlops.FormatError):
        store.get_profile(store.put(b"not a profile either"))
    with pytest.raises(mlops.NotFound):
        store.get_profile(mlops.Digest.compute(b"nothing"))
    cat = drift.Profile("categorical")
    with pytest.raises(mlops.InvalidArgument):
        p.merge(cat)
    other = drift.Profile(edges=[0.0, 2.0]).add([1.0])
    with pytest.raises(mlops.Conflict):
        p.merge(other)


def test_categorical_profile():
    p = drift.Profile("categorical", max_categories=16)
    assert p.kind == "categorical"
    p.add(["a", "b", "a", None, "ü"])
    s = p.summary()
    assert (s.count, s.nan_count, s.n_categories, s.categories_exact) == (4, 1, 3, True)
    assert p.category_count("a") == 2 and p.category_count("zzz") == 0
    assert p.category_count("ü") == 1
    c = p.compare(["a", "a", "c", "c"])
    assert c["n_cur"] == 4 and math.isnan(c["ks_statistic"])
    cur = p.new_like().add(["a", "b"])
    assert p.compare(cur)["n_cur"] == 2
    with pytest.raises(mlops.InvalidArgument):
        p.quantile(0.5)


# ---- reports ----


def test_report(run, store):
    # At most 1,000 reference values: "auto" picks KS for numeric columns.
    ref = {"age": REF[:800], "income": forms(REF)["array_d"],
           "segment": [float(i % 3) for i in range(300)]}
    cur = {"age": CUR[:800], "income": REF, "segment": [float(i % 2) for i in range(300)]}
    rep = drift.report(ref, cur, kinds={"segment": "categorical"},
                       methods={"income": "wasserstein"}, thresholds={"income": 0.5},
                       correction="bh", threads=2)
    assert isinstance(rep, dict) and isinstance(rep, drift.DriftReport)
    assert list(rep["columns"]) == ["age", "income", "segment"]
    age, income, seg = (rep["columns"][k] for k in ("age", "income", "segment"))
    assert age["method"] == "ks" and age["drifted"] is True and age["p_value"] < 1e-6
    assert income["method"] == "wasserstein" and income["drifted"] is False
    assert income["p_value"] is None and income["threshold"] == 0.5
    assert seg["kind"] == "categorical"
    assert rep["correction"] == "bh" and rep["n_columns"] == 3
    assert rep["n_drifted"] == sum(c["drifted"] for c in rep["columns"].values())
    assert rep["dataset_drift"] == (rep["share_drifted"] >= rep["drift_share"])
    doc = json.loads(rep.to_json())
    assert doc["n_columns"] == 3 and doc["columns"][0]["name"] == "age"
    rep.log_to(run, step=5)
    metrics = run.info().metrics
    assert "drift.share_drifted" in metrics and "drift.age.ks" in metrics
    assert metrics["drift.age.drifted"].last == 1.0 and metrics["drift.age.ks"].last_step == 5
    rep.close()
    assert rep["n_columns"] == 3  # still a dict
    with pytest.raises(ValueError):
        rep.to_json()


def test_report_errors():
    with pytest.raises(KeyError):
        drift.report({"a": [1.0, 2.0]}, {"b": [1.0]})
    with pytest.raises(ValueError):
        drift.report({"a": [1.0, 2.0]}, {"a": [1.0]}, methods={"a": "magic"})
    with pytest.raises(KeyError):
        drift.report({"a": [1.0, 2.0]}, {"a": [1.0]}, kinds={"b": "numeric"})
    with pytest.raises(KeyError):  # as kinds and methods: not silently unused
        drift.report({"a": [1.0, 2.0]}, {"a": [1.0]}, thresholds={"b": 0.2})
    with pytest.raises(ValueError):
        drift.report({"a": [1.0, 2.0]}, {"a": [1.0]}, correction="bonferroni")
    with pytest.raises(mlops.InvalidArgument) as e:
        drift.report({"empty": []}, {"empty": [1.0]})
    assert "empty" in e.value.message
    with pytest.raises(mlops.InvalidArgument):
        drift.report({}, {})
    with pytest.raises(mlops.InvalidArgument):
        drift.report({"a": [1.0, 2.0]}, {"a": [1.0]}, drift_share=2.0)


def test_report_html_and_chart_data():
    ref = {"age": REF[:800], "segment": [float(i % 3) for i in range(300)]}
    cur = {"age": CUR[:800], "segment": [float(i % 2) for i in range(300)]}
    rep = drift.report(ref, cur, kinds={"segment": "categorical"})
    age, seg = rep["columns"]["age"]["histogram"], rep["columns"]["segment"]["histogram"]
    assert age["values"] is None and len(age["edges"]) == len(age["reference"]) + 1
    assert sum(age["reference"]) == 800 and sum(age["current"]) == 800
    assert seg["edges"] is None and sorted(seg["values"]) == [0.0, 1.0, 2.0]
    assert sum(seg["reference"]) == 300 and isinstance(seg["clipped"], bool)
    page = rep.to_html(title="Churn <weekly> & co", reference_name="train.csv",
                       current_name="batch.csv", category_labels={"segment": ["a", "b", "c"]},
                       generated_ms=-1)
    assert "<html" in page.lower() and "<script" not in page.lower()
    assert "Churn &lt;weekly&gt; &amp; co" in page
    assert "train.csv" in page and "batch.csv" in page and "segment" in page
    assert rep.to_html().count("<svg") >= 2
    with pytest.raises(KeyError):
        rep.to_html(category_labels={"nope": ["x"]})
    rep.close()
    with pytest.raises(ValueError):
        rep.to_html()
