"""pandas DataFrames/Series and pyarrow Tables/arrays as inputs (mlops._frames):
each entry point gives with them what it gives with the numpy arrays they
stand for; float64 columns without missing values reach C without a copy;
categoricals and strings become categories, datetimes epoch milliseconds,
missing values (NaN, None, pd.NA, NaT, Arrow nulls) NaN; results as
DataFrames. pandas and pyarrow are installed by scripts/test-python.sh."""
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import mlops
from mlops import _buffer, _frames, drift, fairness, metrics, validate
from mlops.errors import InvalidArgument

N = 400


def same(a, b):
    """Equal, NaN equal to NaN, through dicts, lists and tuples."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.fixture
def frames():
    """A reference and a current DataFrame (every kind of column, missing
    values of each sort in current) and the numpy arrays they stand for
    (categories coded into their sorted labels, datetimes in epoch ms)."""
    rng = np.random.default_rng(7)
    ref = pd.DataFrame({
        "x": rng.normal(size=N),
        "n": rng.integers(0, 50, N),
        "city": rng.choice(["oslo", "lima", "pune"], N),
        "grade": pd.Categorical(rng.choice(["b", "a", "c"], N), categories=["c", "b", "a"]),
        "when": pd.date_range("2024-01-01", periods=N, freq="37min"),
        "maybe": pd.array(rng.integers(0, 9, N), dtype="Int64"),
    })
    cur = pd.DataFrame({
        "x": rng.normal(0.4, 1.0, N),
        "n": rng.integers(0, 60, N),
        "city": rng.choice(["oslo", "lima", "rome"], N).astype(object),
        "grade": pd.Categorical(rng.choice(["a", "b"], N), categories=["c", "b", "a"]),
        "when": pd.date_range("2024-01-03", periods=N, freq="41min"),
        "maybe": pd.array(rng.integers(0, 9, N), dtype="Int64"),
    })
    cur.loc[::9, "x"] = np.nan
    cur.loc[1::11, "city"] = None
    cur.loc[2::13, "grade"] = np.nan
    cur.loc[3::17, "when"] = pd.NaT
    cur.loc[4::19, "maybe"] = pd.NA

    def arrays(df):
        city_labels = ["lima", "oslo", "pune", "rome"]
        grade_labels = ["c", "b", "a"]
        out = {
            "x": df["x"].to_numpy(dtype=float),
            "n": df["n"].to_numpy(dtype=float),
            "city": np.array([np.nan if v is None or v != v else city_labels.index(v)
                              for v in df["city"]], dtype=float),
            "grade": np.array([np.nan if v != v else grade_labels.index(v) for v in df["grade"]],
                              dtype=float),
            "when": np.array([np.nan if v is pd.NaT else v.value / 1e6 for v in df["when"]]),
            "maybe": np.array([np.nan if v is pd.NA else float(v) for v in df["maybe"]]),
        }
        return out

    return ref, cur, arrays(ref), arrays(cur)


def arrow(df):
    return pa.Table.from_pandas(df, preserve_index=False)


KINDS = {"city": "categorical", "grade": "categorical"}


# ---- pandas and pyarrow stay optional ----------------------------------------------------


def test_import_mlops_loads_neither_pandas_nor_pyarrow():
    code = ("import sys, mlops, mlops.fairness, mlops.drift, mlops.validate\n"
            "assert 'pandas' not in sys.modules and 'pyarrow' not in sys.modules, "
            "[m for m in sys.modules if m.startswith(('pandas', 'pyarrow'))]\n")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))


# ---- no copy ------------------------------------------------------------------------------


def test_float64_series_lent_in_place():
    s = pd.Series(np.linspace(0, 1, 1000))
    before = dict(_frames.stats)
    with _buffer.float64(s) as (addr, n):
        assert addr == s.values.ctypes.data and n == 1000
    assert _frames.stats["lent"] == before["lent"] + 1
    assert _frames.stats["copied"] == before["copied"]


def test_float64_arrow_array_lent_in_place():
    a = pa.array(np.linspace(0, 1, 1000))
    with _buffer.float64(a) as (addr, n):
        assert addr == a.buffers()[1].address and n == 1000
    one_chunk = pa.chunked_array([a])
    with _buffer.float64(one_chunk) as (addr, n):
        assert addr == a.buffers()[1].address


def test_what_is_copied():
    """int64, missing values, several Arrow chunks: one conversion each."""
    for col in (pd.Series(np.arange(10)), pd.Series([1.0, None, 2.0], dtype="Float64"),
                pa.chunked_array([[1.0, 2.0], [3.0]]), pa.array([1.0, None])):
        before = _frames.stats["copied"]
        with _buffer.float64(col) as (addr, n):
            assert n == len(col)
        assert _frames.stats["copied"] == before + 1, col


def test_report_on_float64_frame_copies_nothing():
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({f"c{i}": rng.normal(size=5000) for i in range(6)})
    cur = pd.DataFrame({f"c{i}": rng.normal(size=5000) for i in range(6)})
    for r, c in ((ref, cur), (arrow(ref), arrow(cur))):
        before = dict(_frames.stats)
        rep = drift.report(r, c)
        assert rep["n_columns"] == 6
        assert _frames.stats["copied"] == before["copied"]
        assert _frames.stats["lent"] == before["lent"] + 12


# ---- drift reports --------------------------------------------------------------------------


def test_report_frame_equals_arrays(frames):
    ref, cur, ra, ca = frames
    want = drift.report(ra, ca, kinds=KINDS)
    for r, c in ((ref, cur), (arrow(ref), arrow(cur))):
        got = drift.report(r, c)
        assert same(dict(got), dict(want))
    # the missing values of each sort are counted
    cols = want["columns"]
    assert cols["x"]["cur_nan"] == len(range(0, N, 9))
    assert cols["city"]["cur_nan"] == len(range(1, N, 11))
    assert cols["grade"]["cur_nan"] == len(range(2, N, 13))
    assert cols["when"]["cur_nan"] == len(range(3, N, 17))
    assert cols["maybe"]["cur_nan"] == len(range(4, N, 19))


def test_report_mapping_of_series_and_arrow_arrays(frames):
    ref, cur, ra, ca = frames
    want = drift.report({"x": ra["x"], "city": ra["city"]}, {"x": ca["x"], "city": ca["city"]},
                        kinds={"city": "categorical"}, methods={"x": "psi"})
    got = drift.report({"x": ref["x"], "city": pa.array(ref["city"])},
                       {"x": pa.array(cur["x"]), "city": list(cur["city"])}, methods={"x": "psi"})
    assert same(dict(got), dict(want))


def test_report_kinds_labels_and_input_types(frames):
    ref, cur, _, _ = frames
    rep = drift.report(ref, cur)
    assert rep["columns"]["city"]["kind"] == "categorical"
    assert rep["columns"]["when"]["kind"] == "numeric"
    assert rep.category_labels == {"city": ["lima", "oslo", "pune", "rome"],
                                   "grade": ["c", "b", "a"]}
    assert rep.input_types["x"] == "float64"
    assert rep.input_types["when"] == "datetime64[us] as milliseconds since the Unix epoch (UTC)"
    assert rep.input_types["maybe"] == "Int64"
    html = rep.to_html()
    assert "rome" in html and "pune" in html
    with pytest.raises(TypeError, match="holds categories"):
        drift.report(ref, cur, kinds={"city": "numeric"})


def test_report_to_pandas(frames):
    ref, cur, _, _ = frames
    rep = drift.report(ref, cur, correction="bh")
    df = rep.to_pandas()
    assert list(df.index) == list(ref.columns) and df.index.name == "column"
    for name, c in rep["columns"].items():
        row = df.loc[name]
        assert row["method"] == c["method"] and row["drifted"] == c["drifted"]
        assert same(float(row["statistic"]), c["statistic"])
        assert same(float(row["p_value"]), math.nan if c["p_value"] is None else c["p_value"])
        assert same(float(row["missing_p_value"]), c["missing"]["p_value"])
        assert row["cur_nan"] == c["cur_nan"]
    assert df.attrs["dataset_drift"] == rep["dataset_drift"]
    assert df.attrs["correction"] == "bh"


# ---- datetimes ----------------------------------------------------------------------------


def test_datetimes_are_epoch_milliseconds():
    naive = pd.Series(pd.to_datetime(["1970-01-01 00:00:01.5", "2024-02-29 12:00", None], format="ISO8601"))
    want = [1500.0, 1709208000000.0]
    for col in (naive, naive.astype("datetime64[ns]"), naive.astype("datetime64[s]"),
                naive.dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo"), pa.array(naive),
                pa.array(naive).cast(pa.timestamp("ns", tz="America/Lima"))):
        a = _buffer.as_float64(col)
        if str(getattr(col, "dtype", "")).startswith("datetime64[s"):
            assert list(a[:2]) == [1000.0, want[1]]
        else:
            assert list(a[:2]) == want, col
        assert math.isnan(a[2])
    days = pa.array([0, 1, None], pa.date32())
    assert list(_buffer.as_float64(days)[:2]) == [0.0, 86400000.0]
    span = pd.Series(pd.to_timedelta(["1s", "2ms", None]))
    b = _buffer.as_float64(span)
    assert list(b[:2]) == [1000.0, 2.0] and math.isnan(b[2])


# ---- two-sample tests and profiles ------------------------------------------------------------


def test_two_sample_tests_take_columns(frames):
    ref, cur, ra, ca = frames
    for fn in (drift.ks, drift.wasserstein, drift.psi, drift.binned, drift.missing):
        want = fn(ra["x"], ca["x"])
        assert same(fn(ref["x"], cur["x"]), want)
        assert same(fn(pa.array(ref["x"]), pa.chunked_array([pa.array(cur["x"])])), want)
    assert same(drift.ks_ex(ref["when"], cur["when"]), drift.ks_ex(ra["when"], ca["when"]))


def test_profiles_of_frames(frames):
    ref, cur, ra, ca = frames
    with drift.Profile("categorical") as want_city, drift.Profile() as want_maybe:
        want_city.add([None if v != v else v for v in cur["city"]])
        want_maybe.add(ca["maybe"])
        for data in (cur, arrow(cur)):
            ps = drift.profiles(data)
            try:
                assert {n: p.kind for n, p in ps.items()} == {
                    "x": "numeric", "n": "numeric", "city": "categorical",
                    "grade": "categorical", "when": "numeric", "maybe": "numeric"}
                assert ps["city"].summary() == want_city.summary()
                assert ps["city"].category_count("rome") == want_city.category_count("rome")
                assert ps["maybe"].summary() == want_maybe.summary()
                assert ps["grade"].summary().nan_count == len(range(2, N, 13))
            finally:
                for p in ps.values():
                    p.close()
    with drift.Profile() as p, drift.Profile() as q:
        p.add(ra["x"])
        q.add(ref["x"])
        assert p.serialize() == q.serialize()
        assert same(p.compare(ca["x"]), q.compare(pa.array(cur["x"])))


# ---- validation ---------------------------------------------------------------------------------


def test_validate_frame_equals_columns(frames):
    ref, cur, ra, ca = frames
    ps = drift.profiles(ref[["x", "city", "when", "maybe"]])
    try:
        schema = validate.Schema.infer(ps)
    finally:
        for p in ps.values():
            p.close()
    with schema:
        plain = {"x": ca["x"], "city": [None if v != v else v for v in cur["city"]],
                 "when": ca["when"], "maybe": ca["maybe"], "extra": ca["n"]}
        want = schema.validate(plain)
        frame = cur[["x", "city", "when", "maybe"]].assign(extra=cur["n"])
        for batch in (frame, arrow(frame)):
            got = schema.validate(batch)
            assert got == want
            assert {a["anomaly"] for a in got} >= {"unseen_category", "missing_values",
                                                   "unknown_column"}
        df = want.to_pandas()
        assert len(df) == len(want)
        assert list(df["column"]) == [a["column"] for a in want]
        assert list(df["count"]) == [a["count"] for a in want]
        assert validate.Anomalies().to_pandas().shape == (0, 9)


# ---- metrics and fairness -------------------------------------------------------------------------


def test_metrics_take_series_arrow_and_frames():
    rng = np.random.default_rng(3)
    yt = rng.integers(0, 3, 300)
    yp = rng.integers(0, 3, 300)
    score = rng.dirichlet([1, 1, 1], 300)
    v, w = rng.normal(size=300), rng.uniform(0.5, 2, 300)
    assert metrics.f1_score(pd.Series(yt), pa.array(yp), average="macro") == \
        metrics.f1_score(yt, yp, average="macro")
    assert metrics.accuracy_score(pd.Series(yt, dtype="int32"), pd.Series(yp, dtype="Int64")) == \
        metrics.accuracy_score(yt, yp)
    assert metrics.roc_auc_score(pd.Series(yt), pd.DataFrame(score), multi_class="ovr") == \
        metrics.roc_auc_score(yt, score, multi_class="ovr")
    assert metrics.log_loss(pa.array(yt), pa.table({"a": score[:, 0], "b": score[:, 1],
                                                    "c": score[:, 2]})) == metrics.log_loss(yt, score)
    assert metrics.mean_absolute_error(pd.Series(v), pa.array(v[::-1]),
                                       sample_weight=pd.Series(w)) == \
        metrics.mean_absolute_error(v, v[::-1], sample_weight=w)
    # missing values: NaN, which the library refuses as numpy NaN; labels cannot be missing
    with pytest.raises(InvalidArgument):
        metrics.mean_absolute_error(pd.Series([1.0, None]), pd.Series([1.0, 2.0]))
    with pytest.raises(ValueError, match="missing values"):
        metrics.accuracy_score(pd.Series([1, None], dtype="Int64"), [1, 1])
    with pytest.raises(ValueError, match="missing values"):
        metrics.accuracy_score(pa.array([1, None]), [1, 1])


def test_fairness_takes_series_arrow_and_categories():
    rng = np.random.default_rng(4)
    yt, yp = rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    groups = rng.choice(["x", "y", "z"], 500)
    want = fairness.MetricFrame(metrics={"acc": metrics.accuracy_score,
                                         "sel": fairness.selection_rate},
                                y_true=yt, y_pred=yp, sensitive_features=groups)
    for sf in (pd.Series(groups), pd.Series(groups, dtype="category"), pa.array(groups),
               pa.chunked_array([groups[:100], groups[100:]]), pd.DataFrame({"g": groups})):
        got = fairness.MetricFrame(metrics={"acc": metrics.accuracy_score,
                                            "sel": fairness.selection_rate},
                                   y_true=pd.Series(yt), y_pred=pa.array(yp), sensitive_features=sf)
        assert got.by_group.equals(want.by_group)
        assert got.difference().equals(want.difference())
        assert fairness.demographic_parity_difference(pd.Series(yt), pd.Series(yp),
                                                      sensitive_features=sf) == \
            fairness.demographic_parity_difference(yt, yp, sensitive_features=groups)
        assert fairness.disparate_impact(pd.Series(yp), sensitive_features=sf,
                                         privileged_groups=["x"]) == \
            fairness.disparate_impact(yp, sensitive_features=groups, privileged_groups=["x"])
    codes = rng.integers(0, 3, 500)
    assert fairness.equalized_odds_difference(yt, yp, sensitive_features=pd.Series(codes)) == \
        fairness.equalized_odds_difference(yt, yp, sensitive_features=codes)
    table = want.to_pandas("sel")
    assert list(table.index) == ["x", "y", "z"] and table.index.name == "group"
    assert list(table["value"]) == [g.value for g in want.groups("sel")]
    assert list(table["count"]) == [int((groups == g).sum()) for g in "xyz"]
    with pytest.raises(ValueError, match="missing values"):
        fairness.demographic_parity_difference(yt[:3], yp[:3],
                                               sensitive_features=pd.Series(["a", None, "b"]))


def test_categorical_and_dictionary_keep_their_order():
    values = ["lo", "hi", "mid", "hi"]
    sf = pd.Series(pd.Categorical(values, categories=["lo", "mid", "hi"]))
    d = pa.DictionaryArray.from_arrays(pa.array([0, 2, 1, 2], pa.int32()), ["lo", "mid", "hi"])
    for s in (sf, d, pa.chunked_array([d])):
        mf = fairness.MetricFrame(metrics=fairness.selection_rate, y_true=[1, 0, 1, 1],
                                  y_pred=[1, 0, 0, 1], sensitive_features=s)
        assert list(mf.by_group.index) == ["lo", "mid", "hi"]
        assert list(mf.by_group) == [1.0, 0.0, 0.5]
    plain = fairness.MetricFrame(metrics=fairness.selection_rate, y_true=[1, 0, 1, 1],
                                 y_pred=[1, 0, 0, 1], sensitive_features=pd.Series(values))
    assert list(plain.by_group.index) == ["hi", "lo", "mid"]



def test_objects_numbers_and_strings_where_numbers_are_expected():
    a = _buffer.as_float64(pd.Series([1, 2.5, None], dtype=object))
    assert list(a[:2]) == [1.0, 2.5] and math.isnan(a[2])
    for col in (pd.Series(["a", "b"]), pd.Series(["a"], dtype=object),
                pd.Series(["a"], dtype="category"), pa.array(["a"])):
        with pytest.raises(TypeError, match="where numbers are expected"):
            drift.ks(col, [1.0, 2.0])


def test_evaluate_and_bootstrap_take_columns():
    rng = np.random.default_rng(5)
    yt, s = rng.integers(0, 2, 200), rng.uniform(size=200)
    assert metrics.evaluate("roc_auc_score", pd.Series(yt), pa.array(s)) == \
        metrics.evaluate("roc_auc_score", yt, s)
    assert metrics.bootstrap("roc_auc_score", pa.array(yt), pd.Series(s), n_resamples=50,
                             random_state=3) == \
        metrics.bootstrap("roc_auc_score", yt, s, n_resamples=50, random_state=3)


def test_categorical_profile_compare_takes_columns():
    ref = ["a", "b", "b", None, "c"] * 40
    cur = ["b", "c", "c", None, "d"] * 40
    with drift.Profile("categorical") as p, drift.Profile("categorical") as q:
        p.add(ref)
        q.add(pd.Series(ref, dtype="category"))
        assert p.summary() == q.summary()
        want = p.compare(cur)
        for col in (pd.Series(cur), pa.array(cur), pa.array(cur).dictionary_encode()):
            assert same(q.compare(col), want)
