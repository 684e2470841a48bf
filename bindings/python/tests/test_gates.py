"""Promotion gates: Store.set_gate, gate, clear_gate, promote (registry.h,
"Promotion gates"; doc/gates.md), on SQLite and, with MLOPS_TEST_PG, on
PostgreSQL."""
import os
import uuid

import pytest

import mlops

PG = os.environ.get("MLOPS_TEST_PG")
DS = mlops.Digest.compute(b"holdout")


@pytest.fixture(params=["sqlite", "postgres"])
def gstore(request, tmp_path):
    if request.param == "postgres":
        if not PG:
            pytest.skip("MLOPS_TEST_PG is not set (no PostgreSQL server)")
        s = mlops.Store.create(tmp_path / "pg", metadata=PG,
                               schema="pytest_" + uuid.uuid4().hex[:12],
                               objects=tmp_path / "pg_objects", durability="none")
    else:
        s = mlops.Store(tmp_path / "sqlite", durability="none")
    art = s.put(b"weights")
    s.create_model("churn")
    for auc in (0.85, 0.70, None):
        v = s.create_model_version("churn", art)
        if auc is not None:
            s.record_evaluation("churn", v, DS, {"auc": auc})
    yield s
    s.close()


def test_set_get_clear(gstore):
    gstore.set_gate("churn", "champion", ["METRICS.auc>=0.8", "signed"], dataset=DS)
    g = gstore.gate("churn", "champion")
    assert g.conditions == ["metrics.auc >= 0.8", "signed"]
    assert g.dataset == DS
    with pytest.raises(mlops.InvalidArgument, match="expected"):
        gstore.set_gate("churn", "champion", ["metrics.auc >="])
    with pytest.raises(TypeError):
        gstore.set_gate("churn", "champion", "signed")
    gstore.clear_gate("churn", "champion")
    with pytest.raises(mlops.NotFound):
        gstore.gate("churn", "champion")


def test_promote_refuse_force(gstore):
    gstore.set_gate("churn", "champion",
                    ["metrics.auc >= 0.8", "metrics.auc >= baseline.metrics.auc - 0.005"],
                    dataset=DS)
    d = gstore.promote("churn", 1, "champion")
    assert d.promoted and d.gated and d.passed and d.baseline is None
    assert [c.outcome for c in d.checks] == ["pass", "skip"]
    d = gstore.promote("churn", 2, "champion")
    assert not d.promoted and not d.passed and d.baseline == 1
    assert d.checks[0].left == pytest.approx(0.70) and d.checks[0].right == 0.8
    assert "refuses version 2" in d.message
    d = gstore.promote("churn", 3, "champion")  # no metric: fails
    assert not d.promoted and d.checks[0].left is None and "missing" in d.checks[0].why
    assert gstore.resolve("churn@champion").version == 1
    with pytest.raises(mlops.PolicyError):
        gstore.set_alias("churn", "champion", 2)
    with pytest.raises(mlops.InvalidArgument):
        gstore.promote("churn", 2, "champion", force=True)
    d = gstore.promote("churn", 2, "champion", force=True, reason="hotfix")
    assert d.promoted and d.forced
    assert gstore.resolve("churn@champion").version == 2
    with pytest.raises(mlops.NotFound):
        gstore.promote("churn", 9, "champion")
    gstore.audit_verify()
