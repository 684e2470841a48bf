"""Evaluation records: Store.record_evaluation, evaluations, get_evaluation,
latest_evaluation (registry.h, "Evaluation records"), on SQLite and, with
MLOPS_TEST_PG, on PostgreSQL."""
import math
import os
import struct
import uuid

import pytest

import mlops
from mlops import metrics

PG = os.environ.get("MLOPS_TEST_PG")


def _stores(tmp_path):
    yield "sqlite", lambda: mlops.Store(tmp_path / "sqlite", durability="none")
    if PG:
        schema = "pytest_" + uuid.uuid4().hex[:12]
        yield "postgres", lambda: mlops.Store.create(tmp_path / "pg", metadata=PG, schema=schema,
                                                     objects=tmp_path / "pg_objects",
                                                     durability="none")


@pytest.fixture(params=["sqlite", "postgres"])
def evstore(request, tmp_path):
    makers = dict(_stores(tmp_path))
    if request.param not in makers:
        pytest.skip("MLOPS_TEST_PG is not set (no PostgreSQL server)")
    s = makers[request.param]()
    art = s.put(b"weights")
    s.create_model("churn")
    s.create_model_version("churn", art)
    s.create_model_version("churn", art)
    yield s
    s.close()


def bits(x):
    return struct.pack("<d", x)


def test_record_list_get(evstore):
    ds = mlops.Digest.compute(b"data.csv bytes")
    other = mlops.Digest.compute(b"other")
    y_true, y_score = [0, 1, 1, 0, 1], [0.1, 0.8, 0.4, 0.6, 0.9]
    auc = metrics.evaluate("roc_auc_score", y_true, y_score)
    ci = metrics.bootstrap("roc_auc_score", y_true, y_score, n_resamples=50)
    one_class = metrics.evaluate("roc_auc_score", [1, 1], [0.2, 0.7])
    assert math.isnan(one_class.value) and one_class.reason == 1
    a = evstore.record_evaluation("churn", 1, ds, {"auc": auc, "p95_ms": 12.5},
                                  actor=None, reason="nightly")
    b = evstore.record_evaluation("churn", 1, other, {"auc": ci, "auc_one": one_class})
    c = evstore.record_evaluation("churn", 1, ds, {"auc": 0.9})
    assert a < b < c
    evs = evstore.evaluations("churn", 1)
    assert [e.id for e in evs] == [a, b, c]
    first = evs[0]
    assert isinstance(first, mlops.EvaluationRecord)
    assert (first.model, first.version, first.dataset, first.reason) == ("churn", 1, ds, "nightly")
    assert list(first.metrics) == ["auc", "p95_ms"]
    assert first.metrics["auc"] == mlops.RecordedMetric(auc.value, 0, None, None)
    assert first.metrics["p95_ms"].value == 12.5
    second = evstore.get_evaluation(b)
    assert second.metrics["auc"].low == ci.low and second.metrics["auc"].high == ci.high
    # NaN kept bit for bit with its reason; bounds of a metric without one are NaN
    nan_metric = second.metrics["auc_one"]
    assert bits(nan_metric.value) == bits(one_class.value) and nan_metric.reason == 1
    assert math.isnan(nan_metric.low) and math.isnan(nan_metric.high)
    assert [e.id for e in evstore.evaluations("churn", 1, dataset=ds)] == [a, c]
    assert [e.id for e in evstore.evaluations("churn", 1, limit=1, after_id=a)] == [b]
    assert evstore.latest_evaluation("churn", 1, ds).id == c
    assert evstore.latest_evaluation("churn", 2, ds) is None
    assert evstore.evaluations("churn", 2) == []


def test_refusals(evstore):
    ds = mlops.Digest.compute(b"x")
    with pytest.raises(mlops.NotFound):
        evstore.record_evaluation("churn", 9, ds, {"auc": 0.5})
    with pytest.raises(mlops.NotFound):
        evstore.record_evaluation("nope", 1, ds, {"auc": 0.5})
    with pytest.raises(mlops.InvalidArgument):
        evstore.record_evaluation("churn", 1, ds, {})
    with pytest.raises(mlops.InvalidArgument):
        evstore.record_evaluation("churn", 1, ds, {"bad\nname": 0.5})
    with pytest.raises(mlops.InvalidArgument):
        evstore.record_evaluation("churn", 1, ds, {"auc": mlops.RecordedMetric(0.5, reason=42)})
    with pytest.raises(ValueError):
        evstore.record_evaluation("churn", 1, ds, {"a\0b": 0.5})
    with pytest.raises(TypeError):
        evstore.record_evaluation("churn", 1, ds, {"auc": "high"})
    with pytest.raises(mlops.NotFound):
        evstore.evaluations("churn", 9)
    with pytest.raises(mlops.NotFound):
        evstore.get_evaluation(12345)
    assert evstore.evaluations("churn", 1) == []


def test_numpy_scalars_are_numbers(evstore):
    # Numbers from numpy (float32 of a framework, an int64 count) are
    # numbers, as Python's float and int are.
    np = pytest.importorskip("numpy")
    ds = mlops.Digest.compute(b"x")
    eid = evstore.record_evaluation("churn", 1, ds, {
        "acc": np.float32(0.75), "n": np.int64(2**53 + 1), "auc": np.float64(0.5)})
    got = evstore.get_evaluation(eid).metrics
    assert (got["acc"].value, got["n"].value, got["auc"].value) == (0.75, float(2**53), 0.5)
    with pytest.raises(TypeError):
        evstore.record_evaluation("churn", 1, ds, {"ok": np.bool_(True)})


def test_deleted_version_keeps_its_evaluations(evstore):
    ds = mlops.Digest.compute(b"x")
    e = evstore.record_evaluation("churn", 1, ds, {"auc": 0.5})
    evstore.delete_model_version("churn", 1)
    assert [x.id for x in evstore.evaluations("churn", 1)] == [e]
    assert evstore.get_evaluation(e).version == 1
    with pytest.raises(mlops.NotFound):
        evstore.record_evaluation("churn", 1, ds, {"auc": 0.6})
