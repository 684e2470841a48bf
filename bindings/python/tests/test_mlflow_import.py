"""python -m mlops.mlflow_import: an MLflow store written by MLflow itself
comes in whole (runs, params, tags, bit-exact metric histories with their
timestamps, artifacts, versions, aliases), and a second import adds
nothing."""
import math
import os
import struct
import subprocess
import sys

import pytest

mlflow = pytest.importorskip("mlflow")
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import Metric, ViewType  # noqa: E402

import mlops  # noqa: E402
from mlops.mlflow_import import import_mlflow  # noqa: E402

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    # MLflow puts a SQLite store's artifacts (./mlruns) and its default
    # registry (./mlflow.db) in the working folder: keep them in tmp_path.
    monkeypatch.chdir(tmp_path)


ODD = [0.1, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308, 1e-300]


def _bits(v):
    return struct.pack("<d", v)


def make_mlflow_store(tmp_path, uri):
    """An MLflow store with two experiments, nested, failed and deleted
    runs, odd metric values, repeated steps, artifacts, a model with two
    versions and an alias."""
    c = MlflowClient(tracking_uri=uri, registry_uri=uri)
    e1 = c.create_experiment("churn", tags={"team": "vision"})
    e2 = c.create_experiment("other")
    gone = c.create_experiment("gone")
    c.delete_experiment(gone)
    parent = c.create_run(e1, run_name="parent", start_time=1_700_000_000_000)
    pid = parent.info.run_id
    c.log_batch(pid, params=[mlflow.entities.Param("lr", "0.01"),
                             mlflow.entities.Param("layers", "3")],
                tags=[mlflow.entities.RunTag("stage", "dev")])
    pts = [Metric("loss", 1.0 / (i + 1), 1_700_000_000_000 + i, i) for i in range(300)]
    pts += [Metric("odd", v, 1_700_000_100_000 + i, i) for i, v in enumerate(ODD)]
    # The same step twice, at two times with two values.
    pts += [Metric("loss", 0.123, 1_700_000_200_000, 5)]
    c.log_batch(pid, metrics=pts)
    art = tmp_path / "art"
    (art / "model").mkdir(parents=True)
    (art / "model" / "weights.bin").write_bytes(os.urandom(3000))
    (art / "notes.txt").write_text("hello")
    c.log_artifacts(pid, str(art))
    child = c.create_run(e1, run_name="child", tags={"mlflow.parentRunId": pid})
    c.log_metric(child.info.run_id, "acc", 0.5, timestamp=1_700_000_300_000, step=0)
    c.set_terminated(child.info.run_id, "FAILED")
    c.set_terminated(pid, "FINISHED")
    other = c.create_run(e2, run_name="deleted-one")
    c.log_param(other.info.run_id, "x", "1")
    c.set_terminated(other.info.run_id, "KILLED")
    c.delete_run(other.info.run_id)
    c.create_run(e2, run_name="still-running")
    c.create_registered_model("churn-model", tags={"owner": "ann"}, description="the model")
    v1 = c.create_model_version("churn-model", f"runs:/{pid}/model", pid)
    c.create_model_version("churn-model", f"runs:/{pid}/model", pid, tags={"k": "v"})
    c.set_registered_model_alias("churn-model", "champion", v1.version)
    return c


def check_same(c, store):
    """Every run MLflow returns is in the store, identical."""
    n_runs = n_points = 0
    for e in c.search_experiments(view_type=ViewType.ACTIVE_ONLY):
        for r in c.search_runs([e.experiment_id], run_view_type=ViewType.ALL):
            n_runs += 1
            got = store.get_run(r.info.run_id)
            assert got.status == r.info.status
            assert got.start_ms == r.info.start_time
            assert got.end_ms == (r.info.end_time or 0)
            assert got.name == r.info.run_name
            assert bool(got.deleted_ms) == (r.info.lifecycle_stage == "deleted")
            assert got.params == r.data.params
            assert got.tags == r.data.tags
            assert store.get_experiment(got.experiment_id).name == e.name
            assert set(got.metrics) == set(r.data.metrics)
            for key in r.data.metrics:
                theirs = sorted((m.step, m.timestamp, _bits(m.value))
                                for m in c.get_metric_history(r.info.run_id, key))
                h = store.metric_history(r.info.run_id, key)
                ours = sorted(zip((int(s) for s in h.steps), (int(t) for t in h.timestamps_ms),
                                  (_bits(float(v)) for v in h.values)))
                # NaN: any NaN is NaN in MLflow (it stores a flag), so
                # compare NaN by class, every other value bit for bit.
                norm = (lambda p: (p[0], p[1], b"nan" if math.isnan(struct.unpack("<d", p[2])[0])
                                   else p[2]))
                assert [norm(p) for p in ours] == [norm(p) for p in theirs], key
                n_points += len(theirs)
    return n_runs, n_points


@pytest.mark.parametrize("kind", ["sqlite", "mlruns"])
def test_round_trip_and_idempotent(tmp_path, kind, request):
    if kind == "sqlite":
        source = request.getfixturevalue("mlflow_sqlite")
        uri = source
    else:
        source = str(tmp_path / "mlruns")
        uri = "file://" + source
        # MLflow 3 writes a file store only when allowed (maintenance mode).
        request.getfixturevalue("monkeypatch").setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    c = make_mlflow_store(tmp_path, uri)
    with mlops.Store(tmp_path / "store", durability="none") as s:
        rep = import_mlflow(source, s)
        assert rep.imported["runs"] == 4 and rep.imported["experiments"] == 3  # with Default
        assert rep.imported["model versions"] == 2 and rep.imported["aliases"] == 1
        assert rep.imported["artifact trees"] == 1
        assert any("gone" in x["what"] and "deleted" in x["reason"] for x in rep.skipped)
        n_runs, n_points = check_same(c, s)
        assert n_runs == 4 and n_points == 301 + len(ODD) + 1
        assert rep.imported["metric points"] == n_points
        # The artifacts, as a tree output and under the run's reference.
        pid = [r for r in s.runs("churn") if r.name == "parent"][0].id
        (out,) = s.get_run(pid).outputs
        assert (out.name, out.role) == ("artifacts", "artifacts")
        assert s.get_ref(f"mlflow/runs/{pid}/artifacts") == out.digest
        s.get_tree(out.digest, tmp_path / "restored")
        assert (tmp_path / "restored" / "notes.txt").read_text() == "hello"
        assert ((tmp_path / "restored" / "model" / "weights.bin").read_bytes() ==
                (tmp_path / "art" / "model" / "weights.bin").read_bytes())
        # Versions and aliases; a version's artifact is the run's subtree.
        v1 = s.get_model_version("churn-model", 1)
        assert v1.run_id == pid and v1.tags["mlflow.source"] == f"runs:/{pid}/model"
        assert s.get_model_version("churn-model", 2).tags["k"] == "v"
        assert s.get_alias("churn-model", "champion") == 1
        m = s.get_model("churn-model")
        assert (m.description, m.tags) == ("the model", {"owner": "ann"})
        s.get_tree(v1.artifact, tmp_path / "v1")
        assert os.listdir(tmp_path / "v1") == ["weights.bin"]
        head = s.audit_head()
        # Twice: nothing new, nothing in the audit log.
        again = import_mlflow(source, s)
        assert again.imported == {}, again.imported
        assert again.present["runs"] == 4 and again.present["metric points"] == n_points
        assert s.audit_head() == head


def test_command_line(tmp_path, mlflow_sqlite):
    uri = mlflow_sqlite
    c = MlflowClient(tracking_uri=uri, registry_uri=uri)
    e = c.create_experiment("e")
    r = c.create_run(e)
    c.log_metric(r.info.run_id, "m", 1.5, step=3)
    c.set_terminated(r.info.run_id)
    cmd = [sys.executable, "-m", "mlops.mlflow_import", uri, "--store", str(tmp_path / "s")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "runs: 1 imported, 0 already there" in p.stdout
    assert "metric points: 1 imported" in p.stdout
    with mlops.Store(tmp_path / "s") as s:
        assert list(s.metric_history(r.info.run_id, "m").values) == [1.5]


def test_records_the_store_refuses_are_skipped_not_fatal(tmp_path, mlflow_sqlite):
    # MLflow counts characters (a tag value up to 8,000, a key up to 250),
    # the store bytes: a run whose tag value or metric key MLflow took but
    # the store refuses stopped the whole import with InvalidArgument,
    # leaving the runs after it out. Now it is skipped, with the reason.
    c = MlflowClient(tracking_uri=mlflow_sqlite)
    e = c.create_experiment("wide")
    wide = c.create_run(e, run_name="wide-tag", start_time=1_700_000_000_000)
    c.set_tag(wide.info.run_id, "note", "é" * 5000)           # 10,000 bytes
    c.set_terminated(wide.info.run_id)
    key = c.create_run(e, run_name="wide-key", start_time=1_700_000_001_000)
    c.log_metric(key.info.run_id, "é" * 200, 1.0, 1_700_000_001_500, 0)   # 400 bytes
    c.log_metric(key.info.run_id, "loss", 0.5, 1_700_000_001_500, 0)
    c.set_terminated(key.info.run_id)
    ok = c.create_run(e, run_name="plain", start_time=1_700_000_002_000)
    c.log_metric(ok.info.run_id, "loss", 0.25, 1_700_000_002_500, 0)
    c.set_terminated(ok.info.run_id)
    with mlops.Store(tmp_path / "store") as s:
        rep = import_mlflow(mlflow_sqlite, s)
        assert s.get_run(ok.info.run_id).metrics["loss"].last == 0.25
        assert s.get_run(key.info.run_id).metrics["loss"].last == 0.5
        with pytest.raises(mlops.errors.NotFound):
            s.get_run(wide.info.run_id)
    skipped = " ".join(x["what"] for x in rep.skipped)
    assert f"run {wide.info.run_id}" in skipped
    assert f"run {key.info.run_id} metric" in skipped
    assert rep.imported["runs"] == 2
