"""The import calls and Store.copy (doc/import.md): a second import adds
nothing, other content is a Conflict, and a copy keeps the audit head."""
import os
import uuid

import pytest

import mlops

RUN = "0123456789abcdef0123456789abcdef"
ORIGIN = "mlflow:sqlite:///mlflow.db"


def test_import_calls_are_idempotent_and_checked(store):
    eid = store.import_experiment("exp", 500, {"owner": "ann"}, origin=ORIGIN)
    assert store.import_experiment("exp", 500, {"owner": "ann"}, origin=ORIGIN) == eid
    with pytest.raises(mlops.Conflict):
        store.import_experiment("exp", 501, {"owner": "ann"}, origin=ORIGIN)
    store.import_run(RUN, "exp", status="FINISHED", start_ms=1000, end_ms=2000,
                     params={"lr": "0.1"}, tags={"t": "x"}, origin=ORIGIN)
    head = store.audit_head()
    store.import_run(RUN, "exp", status="FINISHED", start_ms=1000, end_ms=2000,
                     params={"lr": "0.1"}, tags={"t": "x"}, origin=ORIGIN)
    assert store.audit_head() == head
    with pytest.raises(mlops.Conflict):
        store.import_run(RUN, "exp", status="FAILED", start_ms=1000, end_ms=2000,
                         params={"lr": "0.1"}, tags={"t": "x"}, origin=ORIGIN)
    pts = [("loss", 1.0 / (i + 1), i, 10_000 + 3 * i) for i in range(50)]
    assert store.import_metrics(RUN, pts, origin=ORIGIN) == 50
    assert store.import_metrics(RUN, pts, origin=ORIGIN) == 0
    h = store.metric_history(RUN, "loss")
    assert list(h.timestamps_ms) == [10_000 + 3 * i for i in range(50)]
    info = store.get_run(RUN)
    assert (info.status, info.start_ms, info.end_ms) == ("FINISHED", 1000, 2000)

    d = store.put(b"weights")
    store.import_lineage(RUN, "output", d, "model", "model", 2500, origin=ORIGIN)
    store.import_lineage(RUN, "output", d, "model", "model", 2500, origin=ORIGIN)
    with pytest.raises(mlops.Conflict):
        store.import_lineage(RUN, "output", d, "model", "data", 2500, origin=ORIGIN)
    assert [e.name for e in store.get_run(RUN).outputs] == ["model"]
    store.import_model_version("m", 4, d, created_ms=3000, run_id=RUN, creator="bob",
                               tags={"stage": "prod"}, origin=ORIGIN)
    store.import_model_version("m", 4, d, created_ms=3000, run_id=RUN, creator="bob",
                               tags={"stage": "prod"}, origin=ORIGIN)
    with pytest.raises(mlops.Conflict):
        store.import_model_version("m", 4, d, created_ms=3001, run_id=RUN, creator="bob",
                                   tags={"stage": "prod"}, origin=ORIGIN)
    store.import_alias("m", "champion", 4, 4000, origin=ORIGIN)
    store.import_alias("m", "champion", 4, 4000, origin=ORIGIN)
    assert store.resolve("m@champion").version == 4
    with pytest.raises(mlops.Conflict):
        store.import_alias("m", "champion", 4, 3500, origin=ORIGIN)
    store.audit_verify()
    with pytest.raises(ValueError):
        store.import_run(RUN, "exp", status="DONE", start_ms=1, origin=ORIGIN)


def test_import_signature(tmp_path, keypair):
    priv, pub = keypair
    with mlops.Store(tmp_path / "a", durability="none") as a, \
            mlops.Store(tmp_path / "b", durability="none") as b:
        for s in (a, b):
            d = s.put(b"signed model")
            s.import_model_version("m", 1, d, created_ms=1, origin=ORIGIN)
        a.sign_model_version("m", 1, priv)
        sig = a.get_model_version("m", 1).signatures[0]
        b.import_signature("m", 1, pub, sig.signature, sig.signed_ms, "ann", origin=ORIGIN)
        b.import_signature("m", 1, pub, sig.signature, sig.signed_ms, "ann", origin=ORIGIN)
        b.verify_model_version("m", 1, pub)
        bad = bytes([sig.signature[0] ^ 1]) + sig.signature[1:]
        with pytest.raises(mlops.Conflict):
            b.import_signature("m", 1, pub, bad, sig.signed_ms, "ann", origin=ORIGIN)


def _fill(store):
    with store.start_run("train", "r") as run:
        run.log_param("lr", "0.1")
        run.log_metrics({"loss": 0.5}, step=1)
    d = store.put(b"model bytes")
    store.create_model("m")
    v = store.create_model_version("m", d)
    store.set_alias("m", "champion", v)
    return d


def test_copy_keeps_the_audit_head(tmp_path):
    with mlops.Store(tmp_path / "a", durability="none") as a, \
            mlops.Store(tmp_path / "b", durability="none") as b:
        d = _fill(a)
        rep = a.copy(b)
        assert rep.objects_copied >= 1 and rep.events_copied >= 3
        assert b.audit_head() == a.audit_head()
        assert (rep.head_seq, rep.head_hash) == (a.audit_head().seq, a.audit_head().hash)
        assert b.get(d) == b"model bytes"
        again = a.copy(b)
        assert (again.objects_copied, again.records_written, again.events_copied) == (0, 0, 0)
        with pytest.raises(mlops.Conflict):
            b.copy(a)


PG = os.environ.get("MLOPS_TEST_PG")


@pytest.mark.skipif(not PG, reason="MLOPS_TEST_PG is not set (no PostgreSQL server)")
def test_copy_round_trip_through_postgresql(tmp_path):
    schema = "pytest_" + uuid.uuid4().hex[:12]
    with mlops.Store(tmp_path / "a", durability="none") as a, \
            mlops.Store.create(tmp_path / "pg", metadata=PG, schema=schema,
                               durability="none") as pg, \
            mlops.Store(tmp_path / "c", durability="none") as c:
        _fill(a)
        a.copy(pg)
        pg.copy(c)
        assert pg.audit_head() == a.audit_head() == c.audit_head()
        c.audit_verify(a.audit_head())
        assert [r.id for r in c.search_runs("params.lr = '0.1'")] == \
            [r.id for r in a.search_runs("params.lr = '0.1'")]
