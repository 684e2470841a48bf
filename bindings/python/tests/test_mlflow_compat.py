"""mlops.mlflow_compat against real MLflow: one script, run once with
MLflow (SQLite store) and once with mlops.mlflow_compat; the outcomes
(values returned, errors raised and their codes, run states) must agree.
The differences doc/python.md lists are tested apart, below."""
import math
import os

import pytest

mlflow_real = pytest.importorskip("mlflow")
import mlops  # noqa: E402
import mlops.mlflow_compat as compat  # noqa: E402

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    # MLflow puts a SQLite store's artifacts (./mlruns) and its default
    # registry (./mlflow.db) in the working folder: keep them in tmp_path.
    monkeypatch.chdir(tmp_path)


SYSTEM = ("mlflow.", "mlops.")


def _err(fn, *a, **k):
    """The error code (or class name) fn raises; None when it returns."""
    try:
        fn(*a, **k)
    except Exception as e:  # noqa: BLE001 - the outcome is compared
        return getattr(e, "error_code", None) or type(e).__name__
    return None


def _user_tags(tags):
    return {k: v for k, v in tags.items() if not k.startswith(SYSTEM)}


def scenario(mlflow, uri):
    """The same calls, for either module; returns what was observed."""
    out = {}
    mlflow.set_tracking_uri(uri)
    exp = mlflow.set_experiment("compat")
    out["experiment name"] = exp.name
    client = mlflow.MlflowClient()
    with mlflow.start_run(run_name="r1") as run:
        rid = run.info.run_id
        out["active is run"] = mlflow.active_run().info.run_id == rid
        out["log_param returns"] = mlflow.log_param("lr", 0.01)
        out["same param again"] = _err(mlflow.log_param, "lr", 0.01)
        out["other param value"] = _err(mlflow.log_param, "lr", 0.02)
        mlflow.log_params({"layers": 3, "opt": "adam"})
        out["params batch conflict"] = _err(mlflow.log_params, {"layers": 4})
        mlflow.log_metric("loss", 0.5, step=0, timestamp=1_700_000_000_000)
        mlflow.log_metric("loss", 0.25, step=1, timestamp=1_700_000_001_000)
        mlflow.log_metric("loss", 0.3, step=1, timestamp=1_700_000_000_500)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=1)
        mlflow.log_metric("acc", 1)  # an int is a number
        out["bad metric value"] = _err(mlflow.log_metric, "loss", "high")
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"stage": "dev", "n": 3})
        out["second start_run"] = _err(mlflow.start_run)
        with mlflow.start_run(run_name="child", nested=True) as child:
            out["nested active"] = mlflow.active_run().info.run_id == child.info.run_id
            out["nested parent tag"] = child.data.tags.get("mlflow.parentRunId") == rid
        out["parent active again"] = mlflow.active_run().info.run_id == rid
        mlflow.log_text("hello", "notes/a.txt")
        mlflow.log_dict({"k": 1}, "notes/cfg.json")
        mlflow.log_dict({"k": [1, 2]}, "top.json")
    out["active after with"] = mlflow.active_run()
    r = mlflow.get_run(rid)
    out["status"] = r.info.status
    out["run name"] = r.info.run_name
    out["ended"] = r.info.end_time is not None and r.info.end_time >= r.info.start_time
    out["params"] = r.data.params
    out["metrics"] = r.data.metrics
    out["tags"] = _user_tags(r.data.tags)
    out["history"] = [(m.step, m.timestamp, m.value)
                      for m in sorted(client.get_metric_history(rid, "loss"),
                                      key=lambda m: (m.step, m.timestamp))]
    out["history of no metric"] = client.get_metric_history(rid, "nothing")
    out["artifacts"] = sorted((f.path, f.is_dir) for f in client.list_artifacts(rid))
    out["artifacts under notes"] = sorted(f.path for f in client.list_artifacts(rid, "notes"))
    d = client.download_artifacts(rid, "notes/cfg.json", str(uri_dir(uri) / "dl"))
    out["downloaded"] = open(d).read()

    # A block that raises ends the run FAILED, and the exception goes on.
    with pytest.raises(ZeroDivisionError):
        with mlflow.start_run(run_name="fails") as failing:
            1 / 0
    out["failed status"] = mlflow.get_run(failing.info.run_id).info.status
    out["no active after failure"] = mlflow.active_run()
    mlflow.start_run(run_name="killed")
    killed = mlflow.active_run().info.run_id
    mlflow.end_run("KILLED")
    out["killed status"] = mlflow.get_run(killed).info.status
    out["end_run without run"] = _err(mlflow.end_run)
    mlflow.log_param("auto", "yes")  # starts a run
    auto = mlflow.active_run().info.run_id
    mlflow.end_run()
    out["auto run"] = (mlflow.get_run(auto).info.status, mlflow.get_run(auto).data.params)
    out["unknown run"] = _err(mlflow.get_run, "0" * 32)
    # Resuming a running run: start, leave it RUNNING, resume by id.
    first = mlflow.start_run(run_name="resumed")
    mlflow.end_run()
    out["resume ended"] = mlflow.get_run(first.info.run_id).info.status

    # search_runs: MLflow's filter strings and DataFrame columns.
    def names(flt, **kw):
        df = mlflow.search_runs(filter_string=flt, **kw)
        return sorted(df["tags.mlflow.runName"]) if len(df) else []

    out["search lr"] = names("params.lr = '0.01'")
    out["search loss"] = names("metrics.loss < 0.3 and params.lr = '0.01'")
    out["search loss none"] = names("metrics.loss < 0.2")
    out["search tag like"] = names("tags.team LIKE 'vis%'")
    out["search status"] = names("attributes.status = 'FAILED'")
    out["search name"] = names("attributes.run_name = 'killed'")
    out["search ne"] = names("params.opt != 'sgd'")
    out["search and 3"] = names("metrics.acc >= 1 AND tags.stage = 'dev' AND params.layers = '3'")
    out["search param as number"] = _err(mlflow.search_runs, filter_string="params.lr = 0.01")
    out["search or"] = _err(mlflow.search_runs, filter_string="params.lr = '0.01' or "
                            "params.lr = '0.02'")
    ordered = mlflow.search_runs(filter_string="attributes.status != 'RUNNING'",
                                 order_by=["attributes.run_name ASC"])
    out["ordered"] = [n for n in ordered["tags.mlflow.runName"] if n != mlflow.get_run(auto).info.run_name]
    df = mlflow.search_runs()
    out["columns"] = [c for c in df.columns if not c.startswith("tags.")] and sorted(
        c for c in df.columns if not c.startswith("tags.mlflow") and not c.startswith("tags.mlops"))
    out["time dtype"] = (str(df["start_time"].dt.tz), df["end_time"].isna().sum())
    lst = mlflow.search_runs(output_format="list", filter_string="params.lr = '0.01'")
    out["list"] = [type(x).__name__ for x in lst]

    # Registry through the client: versions and aliases.
    client.create_registered_model("churn")
    out["model twice"] = _err(client.create_registered_model, "churn")
    v1 = client.create_model_version("churn", f"runs:/{rid}/notes", rid)
    v2 = client.create_model_version("churn", f"runs:/{rid}/notes", rid)
    out["versions"] = (v1.version, v2.version, v1.status, v1.run_id == rid)
    client.set_registered_model_alias("churn", "champion", v2.version)
    out["by alias"] = client.get_model_version_by_alias("churn", "champion").version
    out["model aliases"] = client.get_registered_model("churn").aliases
    out["version aliases"] = client.get_model_version("churn", 2).aliases
    client.delete_registered_model_alias("churn", "champion")
    out["alias gone"] = _err(client.get_model_version_by_alias, "churn", "champion")
    out["no version"] = _err(client.get_model_version, "churn", 99)
    out["no model"] = _err(client.get_registered_model, "nope")
    out["search versions"] = sorted(v.version for v in
                                    client.search_model_versions("name='churn'"))
    return out


def uri_dir(uri):
    import pathlib
    return pathlib.Path(uri[len("sqlite:///"):]).parent if uri.startswith("sqlite") else \
        pathlib.Path(uri)


def test_same_outcomes_as_mlflow(tmp_path, mlflow_sqlite, monkeypatch):
    # MLflow's set_experiment leaves MLFLOW_EXPERIMENT_ID in the
    # environment: monkeypatch restores it after the test.
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    theirs = scenario(mlflow_real, mlflow_sqlite)
    ours = scenario(compat, str(tmp_path / "store"))
    assert set(ours) == set(theirs)
    diff = {k: (theirs[k], ours[k]) for k in theirs if theirs[k] != ours[k]}
    assert not diff, diff


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    # MLflow's set_experiment leaves its experiment id in the environment.
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    compat.set_tracking_uri(tmp_path / "store")
    yield tmp_path
    while compat.active_run():
        compat.end_run()


def test_run_artifacts_form_a_tree_output(fresh):
    with compat.start_run() as run:
        compat.log_text("a", "model/weights.txt")
        with mlops.Store(fresh / "store") as s:
            first = s.get_ref(f"mlflow/runs/{run.info.run_id}/artifacts")
        compat.log_text("b", "model/more.txt")
    with mlops.Store(fresh / "store") as s:
        cur = s.get_ref(f"mlflow/runs/{run.info.run_id}/artifacts")
        assert cur != first
        out = s.get_run(run.info.run_id).outputs
        assert [(e.name, e.role, e.digest) for e in out] == [("artifacts", "artifacts", cur)]
        s.get_tree(cur, fresh / "restored")
    assert (fresh / "restored" / "model" / "more.txt").read_text() == "b"
    mv = compat.register_model(f"runs:/{run.info.run_id}/model", "m")
    assert mv.version == 1 and mv.source == f"runs:/{run.info.run_id}/model"
    with mlops.Store(fresh / "store") as s:
        s.get_tree(s.resolve("m/1").artifact, fresh / "model")
    assert sorted(os.listdir(fresh / "model")) == ["more.txt", "weights.txt"]


def test_log_input_records_stored_content(fresh):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"x": [1.5, 2.5]})
    with compat.start_run() as run:
        compat.log_input(compat.data.from_pandas(df, name="train"), context="training")
    r = compat.get_run(run.info.run_id)
    (inp,) = r.inputs.dataset_inputs
    assert (inp.name, inp.context) == ("train", "training")
    with mlops.Store(fresh / "store") as s:
        assert s.get(inp.digest) == df.to_csv(index=False).encode()


def test_differences_documented(fresh):
    # Resuming an ended run: MLflow sets it RUNNING again; here it raises.
    with compat.start_run() as run:
        pass
    with pytest.raises(compat.MlflowException) as e:
        compat.start_run(run_id=run.info.run_id)
    assert e.value.error_code == "INVALID_STATE"
    # Resuming a running run works.
    c = compat.MlflowClient()
    live = c.create_run(compat.set_experiment("x").experiment_id)
    with compat.start_run(run_id=live.info.run_id):
        compat.log_metric("m", 1.0)
    assert compat.get_run(live.info.run_id).info.status == "FINISHED"
    # Logging to an ended run through the client is refused.
    with pytest.raises(compat.MlflowException) as e:
        c.log_metric(run.info.run_id, "m", 1.0)
    assert e.value.error_code == "INVALID_STATE"
    # Tracking URIs other than a store folder are refused, naming the importer.
    with pytest.raises(compat.MlflowException, match="mlflow_import"):
        compat.set_tracking_uri("sqlite:///mlflow.db")


def test_filters_translated_or_refused():
    from mlops._mlflow_filter import translate_filter, translate_order_by
    t = translate_filter("metrics.`top-1 acc` > 0.5 and params.lr = \"0.01\" "
                         "AND tags.x ILIKE 'a%' and run_id IN ('ab', 'cd')")
    assert t == ("metrics.`top-1 acc` > 0.5 AND params.`lr` = '0.01' AND tags.`x` ILIKE 'a%' "
                 "AND attributes.run_id IN ('ab', 'cd')")
    assert translate_filter("metrics.loss.min < 1") == "metrics.`loss.min` < 1"
    assert translate_filter("  ") is None
    assert translate_order_by(["metrics.acc DESC", "start_time"]) == \
        "metrics.`acc` DESC, attributes.start_time ASC"
    for bad, why in [("params.a = '1' OR params.a = '2'", "no OR"),
                     ("(params.a = '1')", "parentheses"),
                     ("params.lr > '1'", "as a string"),
                     ("metrics.m = 'x'", "must be a number"),
                     ("datasets.name = 'x'", "dataset"),
                     ("attributes.artifact_uri = 'x'", "artifact location"),
                     ("params.a = '1' AND", "ends where")]:
        with pytest.raises(compat.MlflowException, match=why) as e:
            translate_filter(bad)
        assert e.value.error_code == "INVALID_PARAMETER_VALUE"


def test_metric_values_bit_exact(fresh):
    vals = [0.1, -0.0, math.inf, -math.inf, 5e-324, 1.7976931348623157e308]
    with compat.start_run() as run:
        for i, v in enumerate(vals):
            compat.log_metric("v", v, step=i)
        compat.log_metric("v", math.nan, step=len(vals))
    hist = compat.MlflowClient().get_metric_history(run.info.run_id, "v")
    got = [m.value for m in hist]
    assert [math.copysign(1, g) for g in got[:-1]] == [math.copysign(1, v) for v in vals]
    assert got[:-1] == vals and math.isnan(got[-1])


def test_needs_no_mlflow(tmp_path):
    from conftest import run_python
    code = ("import sys; sys.modules['mlflow'] = None\n"  # any import of mlflow fails
            "import mlops.mlflow_compat as mlflow\n"
            f"mlflow.set_tracking_uri({str(tmp_path / 's')!r})\n"
            "with mlflow.start_run() as r:\n"
            "    mlflow.log_metric('m', 1.0)\n"
            "    mlflow.log_text('x', 'a.txt')\n"
            "print(mlflow.get_run(r.info.run_id).info.status)\n")
    p = run_python(code, env={"MLFLOW_EXPERIMENT_ID": None, "MLFLOW_EXPERIMENT_NAME": None,
                              "MLFLOW_TRACKING_URI": None})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "FINISHED"


def _both(tmp_path, mlflow_sqlite, monkeypatch, fn):
    """fn(module) run with MLflow (SQLite) and with mlops.mlflow_compat."""
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
    theirs = fn(mlflow_real, mlflow_sqlite)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_ID", raising=False)
    ours = fn(compat, str(tmp_path / "store"))
    return theirs, ours


def test_filter_strings_taken_verbatim_as_mlflow(tmp_path, mlflow_sqlite, monkeypatch):
    # MLflow compares the text between the quotes as it is: a backslash
    # (a Windows path) is a backslash, in = and in LIKE, and '' is not
    # undone. The translation used to drop each backslash.
    def fn(mlflow, uri):
        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment("verbatim")
        with mlflow.start_run():
            mlflow.log_param("path", "C:\\data\\train")
            mlflow.log_param("q", "it's")
        out = {}
        for flt in ["params.path = 'C:\\data\\train'", "params.path LIKE 'C:\\data%'",
                    "params.path ILIKE 'c:\\DATA\\%'", "params.path = 'C:datatrain'",
                    "params.path != 'C:\\data\\train'", "params.q = \"it's\"",
                    "params.q = 'it''s'"]:
            out[flt] = len(mlflow.search_runs(filter_string=flt))
        return out

    theirs, ours = _both(tmp_path, mlflow_sqlite, monkeypatch, fn)
    assert theirs["params.path = 'C:\\data\\train'"] == 1  # the oracle sees the case
    assert ours == theirs


def test_invalid_logging_refused_whole_with_mlflow_errors(tmp_path, mlflow_sqlite, monkeypatch):
    # A log_batch MLflow refuses writes nothing (its params were kept
    # when a metric was bad), duplicate param keys in one batch are refused
    # (the last value was kept), and a key the store refuses raises
    # MlflowException with MLflow's code (mlops.errors.InvalidArgument
    # escaped from log_param, log_metric(s) and log_batch).
    def fn(mlflow, uri):
        from mlflow.entities import Metric, Param
        if mlflow is compat:
            Metric, Param = compat.entities.Metric, compat.entities.Param  # noqa: N806
        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment("invalid")
        client = mlflow.MlflowClient()
        out = {}

        def code(f, *a, **k):
            try:
                f(*a, **k)
            except mlflow.MlflowException as e:
                return e.error_code
            except Exception as e:  # noqa: BLE001 - the outcome is compared
                return type(e).__name__
            return None

        with mlflow.start_run() as run:
            rid = run.info.run_id
            out["bad metric in batch"] = code(client.log_batch, rid,
                                              metrics=[Metric("m", "high", 0, 0)],
                                              params=[Param("p", "1")])
            out["duplicate params"] = code(client.log_batch, rid,
                                           params=[Param("d", "1"), Param("d", "2")])
            out["long param key"] = code(mlflow.log_param, "k" * 300, "v")
            out["control char metric key"] = code(mlflow.log_metric, "a\nb", 1.0)
            out["control char metrics key"] = code(mlflow.log_metrics, {"a\nb": 1.0})
            out["long key in batch"] = code(client.log_batch, rid, params=[Param("k" * 300, "v")])
        r = mlflow.get_run(rid)
        out["params"] = r.data.params
        out["metrics"] = r.data.metrics
        return out

    theirs, ours = _both(tmp_path, mlflow_sqlite, monkeypatch, fn)
    assert theirs["bad metric in batch"] == "INVALID_PARAMETER_VALUE"
    assert ours == theirs
