"""Monitors (mlops.monitors, monitor.h; doc/monitoring.md) on SQLite and,
with MLOPS_TEST_PG, on PostgreSQL: spec round trip and conflicts, ingest
from numpy and pandas, judging with the alert rule, events after a cursor,
series."""
import os
import re
import uuid

import numpy as np
import pandas as pd
import pytest

import mlops
from mlops import _frames, drift
from mlops.monitors import MonitorColumn, MonitorSpec

PG = os.environ.get("MLOPS_TEST_PG")
H = 3600000
T0 = 1767225600000  # 2026-01-01T00:00:00Z


@pytest.fixture(params=["sqlite", "postgres"])
def mstore(request, tmp_path):
    if request.param == "sqlite":
        s = mlops.Store(tmp_path / "sqlite", durability="none")
    elif not PG:
        pytest.skip("MLOPS_TEST_PG is not set (no PostgreSQL server)")
    else:
        s = mlops.Store.create(tmp_path / "pg", metadata=PG, schema="pytest_" + uuid.uuid4().hex[:12],
                               objects=tmp_path / "pg_objects", durability="none")
    yield s
    s.close()


def references(store):
    """A numeric reference (an even grid on [0, 1)) and a categorical one."""
    p = drift.Profile("numeric")
    p.add(np.arange(4000) / 4000.0)
    q = drift.Profile("categorical")
    q.add(["a", "b", "c"] * 400)
    return drift.put_profile(store, p), drift.put_profile(store, q)


def window_rows(hour, n, drifted):
    """n rows of one hour: x on an even grid (shifted by 0.6 when drifted),
    c an even mix of a, b, c; times spread over the hour."""
    t = T0 + hour * H + (np.arange(n) * (H // n))
    x = (np.arange(n) + 0.5) / n + (0.6 if drifted else 0.0)
    c = np.array(["a", "b", "c"] * (n // 3) + ["a"] * (n % 3), dtype=object)
    return t, x, c


def expected_events(states, m, n, pending, keep):
    """The alert rule of doc/monitoring.md, written out: (kind, hour,
    breaches, considered) per change of state; "ned" windows skipped."""
    hist, firing, streak, out = [], False, 0, []
    for hour, s in enumerate(states):
        if s == "ned":
            continue
        hist.append(s == "breach")
        last = hist[-n:]
        b = sum(last)
        holds = b >= m
        if firing:
            streak = 0 if holds else streak + 1
            if streak > keep:
                firing, streak = False, 0
                out.append(("resolved", hour, b, len(last)))
        elif not holds:
            streak = 0
        else:
            streak += 1
            if streak > pending:
                firing, streak = True, 0
                out.append(("firing", hour, b, len(last)))
    return out


# 48 hours: drift in hours 5-9 and 20-21, a lone drifted hour 30, hours
# 12 and 33 with too few rows (not enough data).
DRIFTED = set(range(5, 10)) | {20, 21, 30}
THIN = {12, 33}
HOURS = 48


def plan():
    states, batches = [], []
    for h in range(HOURS):
        n = 30 if h in THIN else 150
        batches.append(window_rows(h, n, h in DRIFTED))
        states.append("ned" if h in THIN else "breach" if h in DRIFTED else "clear")
    t = np.concatenate([b[0] for b in batches])
    x = np.concatenate([b[1] for b in batches])
    c = np.concatenate([b[2] for b in batches])
    return states, t, x, c


def spec_for(ref, refc):
    return MonitorSpec(columns=[MonitorColumn("x", ref), MonitorColumn("c", refc)], min_rows=100,
                       alert_m=2, alert_n=3, pending=1, keep_firing=1, drift_share=0.5)


def event_key(e):
    return (e.seq, e.kind, e.window_start_ms, e.window_end_ms, e.breaches, e.considered)


def test_shuffled_batches_fire_as_the_rule_says(mstore):
    ref, refc = references(mstore)
    states, t, x, c = plan()
    want = [(k, T0 + h * H, b, n) for k, h, b, n in expected_events(states, 2, 3, 1, 1)]
    assert [k for k, *_ in want] == ["firing", "resolved", "firing", "resolved"]

    # Shuffled rows in 4 batches (out of order), one check at the end.
    mstore.create_monitor("shuffled", spec_for(ref, refc))
    perm = np.random.default_rng(7).permutation(len(t))
    rows = 0
    for part in np.array_split(perm, 4):
        r = mstore.ingest_monitor("shuffled", {"x": x[part], "c": c[part]}, t[part])
        rows += r.rows
    assert rows == len(t)
    end = T0 + HOURS * H
    st = mstore.check_monitor("shuffled", now_ms=end)
    assert st.judged_to_ms == end and st.windows_judged == HOURS - len(THIN)
    shuffled = mstore.monitor_events("shuffled")
    assert [(e.kind, e.window_start_ms, e.breaches, e.considered) for e in shuffled] == want
    assert all(e.checked_ms == end for e in shuffled)

    # In order, hour by hour, checked after each hour: the same events.
    mstore.create_monitor("ordered", spec_for(ref, refc))
    firing_hours = []
    for h in range(HOURS):
        sel = (t >= T0 + h * H) & (t < T0 + (h + 1) * H)
        mstore.ingest_monitor("ordered", {"x": x[sel], "c": c[sel]}, t[sel])
        if mstore.check_monitor("ordered", now_ms=T0 + (h + 1) * H).firing:
            firing_hours.append(h)
    ordered = mstore.monitor_events("ordered")
    assert [event_key(e) for e in ordered] == [event_key(e) for e in shuffled]
    fired = [(a.window_start_ms - T0) // H for a in ordered]
    assert firing_hours == [h for h in range(HOURS)
                            if any(fired[i] <= h < fired[i + 1] for i in (0, 2))]

    series = mstore.monitor_series("shuffled")
    names = {0: "open", 1: "clear", 2: "breach", 3: "ned"}
    assert [names[int(s)] for s in series.windows["state"]] == states
    assert series.columns == ["x", "c"]
    assert list(series.cells["drifted"][:, 0]) == [-1 if h in THIN else int(h in DRIFTED)
                                                   for h in range(HOURS)]
    assert list(series.cells["drifted"][:, 1]) == [-1 if h in THIN else 0 for h in range(HOURS)]


def test_events_poll_after_a_cursor_and_by_time(mstore):
    ref, refc = references(mstore)
    states, t, x, c = plan()
    mstore.create_monitor("m", spec_for(ref, refc))
    mstore.ingest_monitor("m", {"x": x, "c": c}, t)
    mstore.check_monitor("m", now_ms=T0 + HOURS * H)
    every = mstore.monitor_events("m")
    assert [e.seq for e in every] == [1, 2, 3, 4]
    page, seen = mstore.monitor_events("m", limit=1), []
    while page:
        seen += page
        page = mstore.monitor_events("m", after_seq=seen[-1].seq, limit=1)
    assert seen == every
    mid = every[1].window_end_ms
    assert mstore.monitor_events_by_time("m", to_ms=mid) == every[:1]
    assert mstore.monitor_events_by_time("m", from_ms=mid) == every[1:]
    assert mstore.monitor_status("m").last_event_seq == 4
    with pytest.raises(mlops.InvalidArgument):
        mstore.monitor_events("m", limit=0)



def test_page_draws_the_monitor(mstore):
    ref, refc = references(mstore)
    states, t, x, c = plan()
    mstore.create_monitor("m<&>", spec_for(ref, refc))
    mstore.ingest_monitor("m<&>", {"x": x, "c": c}, t)
    mstore.check_monitor("m<&>", now_ms=T0 + HOURS * H)
    html = mstore.monitor_page_html("m<&>", title="Drift <b>", generated_ms=-1)
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert "Drift &lt;b&gt;" in html and "Drift <b>" not in html
    with pytest.raises(mlops.NotFound):
        mstore.monitor_page_html("absent")
    with pytest.raises(mlops.InvalidArgument):
        mstore.monitor_page_html("m<&>", max_points=1)
def test_numpy_and_pandas_ingest_are_the_same(mstore):
    ref, refc = references(mstore)
    _states, t, x, c = plan()
    x = x.copy()
    x[::17] = np.nan  # missing values
    c = c.copy()
    c[::11] = None
    for name in ("np", "pd"):
        mstore.create_monitor(name, spec_for(ref, refc))
    a = mstore.ingest_monitor("np", {"x": x, "c": c}, t)
    lent = _frames.stats["lent"]
    df = pd.DataFrame({"when": pd.to_datetime(t, unit="ms", utc=True).tz_convert("Europe/Lisbon"),
                       "x": x, "c": pd.Categorical(c)})
    b = mstore.ingest_monitor("pd", df, time_column="when")
    assert _frames.stats["lent"] == lent + 1  # the float64 column, read in place
    assert a == b and a.rows == len(t) and a.windows == HOURS
    for name in ("np", "pd"):
        mstore.check_monitor(name, now_ms=T0 + HOURS * H)
    sa, sb = mstore.monitor_series("np"), mstore.monitor_series("pd")
    for f in sa.windows.dtype.names:
        np.testing.assert_array_equal(sa.windows[f], sb.windows[f])
    for f in sa.cells.dtype.names:
        np.testing.assert_array_equal(sa.cells[f], sb.cells[f])
    fa, fb = sa.to_pandas(), sb.to_pandas()
    pd.testing.assert_frame_equal(fa, fb)
    assert fa["start"].iloc[0] == pd.Timestamp(T0, unit="ms", tz="UTC")
    assert list(fa.columns[:7]) == ["start", "end", "rows", "judged_rows", "state", "n_drifted",
                                    "share_drifted"]
    assert fa["x.drifted"].dtype == "boolean"


def test_times_convert_exactly(mstore):
    ref, _ = references(mstore)
    mstore.create_monitor("t", columns=[("x", ref)])
    # The last nanosecond of hour 0 stays in hour 0; a time zone is an instant.
    ns = np.array([T0 * 10**6 + H * 10**6 - 1, (T0 + H) * 10**6], dtype="datetime64[ns]")
    mstore.ingest_monitor("t", {"x": np.array([0.1, 0.2])}, ns)
    s = pd.Series(pd.to_datetime([T0 + 2 * H + 5], unit="ms", utc=True)).dt.tz_convert("Asia/Tokyo")
    mstore.ingest_monitor("t", {"x": [0.3]}, s)
    mstore.ingest_monitor("t", {"x": [0.4]}, [T0 + 3 * H])  # a list of int ms
    w = mstore.monitor_series("t").windows
    assert list(w["start_ms"]) == [T0, T0 + H, T0 + 2 * H, T0 + 3 * H]
    assert list(w["rows"]) == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="NaT"):
        mstore.ingest_monitor("t", {"x": [0.1]}, np.array(["NaT"], dtype="datetime64[ms]"))
    with pytest.raises(TypeError):
        mstore.ingest_monitor("t", {"x": [0.1]}, np.array([1.5]))
    # A pandas column of floats or booleans is no more a time than a numpy
    # array of them (it was cut to int64: 1.5 ms became 1, True 1 ms).
    for bad in (pd.Series([T0 + 0.5]), pd.Series([True])):
        with pytest.raises(TypeError, match="int64 milliseconds"):
            mstore.ingest_monitor("t", pd.DataFrame({"x": [0.1], "ts": bad}), time_column="ts")
    mstore.ingest_monitor("t", pd.DataFrame({"x": [0.5], "ts": pd.array([T0 + 3 * H], "Int64")}),
                          time_column="ts")  # nullable integers are integers
    assert list(mstore.monitor_series("t").windows["rows"]) == [1, 1, 1, 2]


def test_spec_round_trip_conflict_and_errors(mstore):
    ref, refc = references(mstore)
    spec = MonitorSpec(columns=[MonitorColumn("x", ref, "psi", 0.2), MonitorColumn("c", refc, "chisquare")],
                       window_ms=15 * 60000, lateness_ms=5 * 60000, min_rows=10, alert_m=3,
                       alert_n=5, pending=2, keep_firing=4, breach_column="x", drift_share=0.25,
                       alpha=0.01, model="churn@champion")
    m = mstore.create_monitor("churn", spec)
    assert m.spec == spec and m.name == "churn"
    assert m.status == mlops.MonitorStatus("inactive", None, 0, 0, 0, 0)
    assert mstore.create_monitor("churn", spec) == m  # the same spec: nothing changes
    with pytest.raises(mlops.Conflict):
        mstore.create_monitor("churn", MonitorSpec(columns=spec.columns, window_ms=H))
    with pytest.raises(mlops.NotFound):
        mstore.create_monitor("other", columns={"x": mlops.Digest.compute(b"no profile")})
    with pytest.raises(mlops.InvalidArgument):
        mstore.create_monitor("other", columns={"x": ref}, alert_m=4, alert_n=3)
    with pytest.raises(ValueError, match="method"):
        mstore.create_monitor("other", columns=[MonitorColumn("x", ref, "wasserstein")])
    mstore.create_monitor("another", columns={"x": ref})
    assert [x.name for x in mstore.monitors()] == ["another", "churn"]
    with pytest.raises(mlops.InvalidArgument, match="'y'"):
        mstore.ingest_monitor("churn", {"x": [0.1], "y": [0.2], "c": ["a"]}, [T0])
    with pytest.raises(mlops.InvalidArgument):  # c is categorical: numbers refused
        mstore.ingest_monitor("churn", {"x": [0.1], "c": [1.0]}, [T0])
    with pytest.raises(ValueError, match="values for"):
        mstore.ingest_monitor("churn", {"x": [0.1, 0.2], "c": ["a", "b"]}, [T0])
    with pytest.raises(mlops.NotFound):
        mstore.ingest_monitor("nobody", {"x": [0.1]}, [T0])
    assert mstore.ingest_monitor("churn", {"x": [], "c": np.array([], dtype=object)}, []).rows == 0
    mstore.delete_monitor("churn")
    with pytest.raises(mlops.NotFound):
        mstore.monitor("churn")
    with pytest.raises(mlops.NotFound):
        mstore.check_monitor("churn")


def test_every_monitor_function_is_bound():
    """Each function monitor.h declares is declared by the binding."""
    from mlops import _capi

    header = os.path.join(os.path.dirname(__file__), "..", "..", "..", "include", "mlops",
                          "monitor.h")
    if not os.path.exists(header):
        pytest.skip("no source tree (installed package)")
    names = set(re.findall(r"MLOPS_API[^;(]*?\b(mlops_\w+)\s*\(", open(header).read()))
    assert len(names) >= 27  # the scan finds them
    assert sorted(n for n in names if not hasattr(_capi.C, n)) == []
    assert not names & _capi.MISSING


def test_row_windows_delayed_labels_and_performance(mstore):
    """A classifier with row windows of 50: predictions wait for their
    labels (two batches, an unknown id, a duplicate); accuracy per window
    against the pairs counted here; the condition is the breach."""
    rx, _ = references(mstore)
    ext = mlops.monitors.MonitorExt(window_rows=50, task="classification",
                                    prediction_column="pred", id_column="id",
                                    performance="metrics.accuracy < 0.8", min_labels=10)
    mstore.create_monitor("clf", ext=ext, columns={"x": rx})
    got = mstore.monitor_ext("clf")
    assert got == mlops.monitors.MonitorExt(50, "classification", "pred", "id", None,
                                            "metrics.accuracy < 0.8", 10)
    with pytest.raises(ValueError):
        mlops.monitors.MonitorExt(task="ranking")._to_c()
    n = 100
    rng = np.random.default_rng(7)
    pred = np.array(rng.choice(["a", "b"], n), dtype=object)
    right = np.r_[np.arange(50) % 10 != 0, np.arange(50) % 2 == 0]  # 0.9, then 0.5
    truth = np.where(right, pred, np.where(pred == "a", "b", "a"))
    ids = np.arange(1000, 1000 + n)
    r = mstore.ingest_monitor("clf", {"x": (np.arange(n) + 0.5) / n, "pred": pred, "id": ids},
                              np.zeros(n, dtype=np.int64))
    assert r.rows == n and r.windows == 2
    a = mstore.monitor_labels("clf", list(ids[:60]) + [5], list(truth[:60]) + ["a"])
    assert (a.matched, a.unknown_ids, a.duplicates, a.windows) == (60, 1, 0, 2)
    b = mstore.monitor_labels("clf", list(ids[55:]), list(truth[55:]))
    assert (b.matched, b.duplicates) == (40, 5)
    st = mstore.check_monitor("clf", now_ms=T0)
    assert st.windows_judged == 2 and st.firing
    perf = mstore.monitor_performance("clf")
    assert [p["start_ms"] for p in perf] == [0, 50]
    for k, p in enumerate(perf):
        sl = slice(50 * k, 50 * k + 50)
        assert p["labels"] == 50
        assert p["accuracy"] == pytest.approx(float(np.mean(truth[sl] == pred[sl])), abs=1e-12)
        assert p["judged_value"] == pytest.approx(p["accuracy"], abs=1e-12)
        assert np.isnan(p["mae"])
    assert mstore.monitor_series("clf").state_names() == ["clear", "breach"]
    with pytest.raises(mlops.errors.InvalidArgument):
        mstore.monitor_labels("clf", ["1000"], [float("nan")])
    with pytest.raises(ValueError):
        mstore.monitor_labels("clf", ["1000"], [])
