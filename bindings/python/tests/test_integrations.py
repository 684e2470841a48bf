"""mlops.integrations against the real frameworks (scripts/test-python.sh
installs the pinned Keras on JAX, xgboost-cpu, LightGBM and scikit-learn):
the logged points equal what each framework reports, and they arrive in
batches, one transaction per flush, never one per point."""
import math
import pickle

import numpy as np
import pytest

import mlops
import mlops.track
from conftest import run_python

FRAMEWORKS = ("keras", "jax", "xgboost", "lightgbm", "sklearn")


@pytest.fixture
def commits(monkeypatch):
    """Counts the binding's metric transactions: the point count of each
    batch call (mlops_run_log_metrics) and the single-point calls."""
    batches, singles = [], []
    C = mlops.track.C
    batch, single = C.mlops_run_log_metrics, C.mlops_run_log_metric

    def spy_batch(h, points, n):
        batches.append(n)
        return batch(h, points, n)

    def spy_single(*args):
        singles.append(args)
        return single(*args)

    monkeypatch.setattr(C, "mlops_run_log_metrics", spy_batch)
    monkeypatch.setattr(C, "mlops_run_log_metric", spy_single)
    return batches, singles


def history(store, run_id, key):
    h = store.metric_history(run_id, key)
    return list(h.steps), list(h.values)


def binary_data(n=120, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=n) > 0).astype(np.int32)
    return x, y


# ---- the package ---------------------------------------------------------------------


def test_importing_mlops_imports_no_framework():
    p = run_python(
        "import sys, mlops, mlops.integrations, mlops.integrations.lightgbm\n"
        f"print(sorted(m for m in {FRAMEWORKS!r} if m in sys.modules))")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_log_metric_points_is_one_transaction(run, store, commits):
    batches, singles = commits
    points = [("a", 0.5, 0, 1000), ("b", -0.0, 3, 1001), ("a", math.inf, 1, 1002)]
    assert run.log_metric_points(points) == 3
    assert run.log_metric_points([]) == 0
    assert batches == [3] and singles == []
    assert history(store, run.id, "a") == ([0, 1], [0.5, math.inf])
    b = store.metric_history(run.id, "b")
    assert math.copysign(1, b.values[0]) == -1 and list(b.timestamps_ms) == [1001]
    with pytest.raises(mlops.InvalidArgument):  # all or none: "c" is not logged either
        run.log_metric_points([("c", 1.0, 0, 1000), ("", 2.0, 0, 1000)])
    assert "c" not in store.get_run(run.id).metrics and batches == [3, 2]


def test_a_given_run_is_left_to_the_caller(run, store):
    from mlops.integrations.lightgbm import LightGBMCallback

    with pytest.raises(ValueError, match="for a Store"):
        LightGBMCallback(run, "exp")
    with pytest.raises(TypeError, match="mlops.Run or mlops.Store"):
        LightGBMCallback("run id")
    with pytest.raises(KeyError):
        with LightGBMCallback(run) as cb:
            cb._buffer.add({"x": 1.0}, 0)
            raise KeyError("boom")
    info = store.get_run(run.id)
    assert info.status == "RUNNING" and info.metrics["x"].count == 1 and not run.closed


def test_buffer_flushes_by_steps_time_and_keeps_failed_points(store, commits):
    from mlops.integrations._common import MetricBuffer

    batches, _ = commits
    r = store.start_run("exp", "buffer")
    buf = MetricBuffer(r, flush_every=3, flush_seconds=None)
    for step in range(7):
        buf.add({"x": step, "y": 2 * step, "not a number": "text"}, step)
    assert batches == [6, 6] and len(buf) == 2
    buf.flush()
    assert batches == [6, 6, 2] and buf.flushes == 3
    timed = MetricBuffer(r, flush_every=1000, flush_seconds=0)
    timed.add({"z": 1.0}, 0)
    assert batches[-1] == 1
    r.end()
    buf.add({"x": 99}, 99)
    with pytest.raises(mlops.Conflict):  # the run has ended
        buf.flush()
    assert len(buf) == 1  # kept for a retry
    r.close()
    with pytest.raises(ValueError):
        MetricBuffer(r, flush_every=0, flush_seconds=None)


def test_param_text_flattens_sensibly():
    from mlops.integrations._common import flatten_params, param_text

    assert flatten_params({"opt": {"lr": 0.5, "sched": {}}, "n": None, "f": [1, "a"]}) == {
        "opt.lr": "0.5", "opt.sched": "{}", "n": "None", "f": "[1, 'a']"}
    assert param_text(("x",)) == "('x',)"
    assert param_text(math.sqrt) == "math.sqrt"
    # A numpy array reads as the list of its values (str() of it keeps 8
    # digits and elides past 1,000 items: "[0.33333333 0.66666667]").
    assert param_text(np.array([1 / 3, 2 / 3])) == param_text([1 / 3, 2 / 3])
    assert param_text(np.arange(1001)) == str(list(range(1001)))
    assert flatten_params({"p": np.array([[0.1, 0.2]])}) == {"p": "[[0.1, 0.2]]"}
    long = param_text("é" * 5000)
    assert long.endswith("...") and len(long.encode()) <= 8000


# ---- Keras 3 (JAX) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_model():
    """One compiled model for the Keras tests, which train it further each
    (fed batches of one shape, JAX compiles its steps once)."""
    import keras

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")], name="tiny")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def keras_data():
    x, y = binary_data(128)
    return x[:96], y[:96], x[96:], y[96:]  # 3 batches of 32, and 32 to validate


def test_keras_epochs_equal_history_in_batches(store, commits, keras_model):
    from mlops.integrations.keras import KerasCallback
    from mlops.integrations._common import flatten_params

    batches, singles = commits
    x, y, xv, yv = keras_data()
    model = keras_model
    with store.start_run("keras", "tiny") as run:
        cb = KerasCallback(run, flush_every=2, flush_seconds=None)
        hist = model.fit(x, y, epochs=5, batch_size=32, validation_data=(xv, yv), verbose=0,
                         callbacks=[cb])
    keys = sorted(hist.history)
    assert keys == ["accuracy", "loss", "val_accuracy", "val_loss"]
    # Epochs 0-1, 2-3, then 4 at the end of training: 3 transactions.
    assert batches == [8, 8, 4] and singles == []
    for k in keys:
        assert history(store, run.id, k) == ([0, 1, 2, 3, 4], hist.history[k])
    info = store.get_run(run.id)
    assert info.status == "FINISHED"
    assert info.params["epochs"] == "5" and info.params["steps_per_epoch"] == "3"
    opt = flatten_params(model.optimizer.get_config(), "optimizer.")
    assert {k: info.params[k] for k in opt} == opt and "optimizer.learning_rate" in opt
    assert info.params["model.name"] == "tiny" and info.params["model.layers"] == "2"
    assert info.params["model.total_params"] == str(4 * 8 + 8 + 8 + 1)
    [summary] = info.outputs
    assert summary.name == "model_summary.txt" and summary.role == "summary"
    assert b"Total params" in store.get(summary.digest)


def test_keras_batches_equal_what_keras_reports(store, commits, keras_model):
    import keras
    from mlops.integrations.keras import KerasCallback

    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_train_batch_end(self, batch, logs=None):
            self.seen.append(dict(logs))

    batches, _ = commits
    x, y, _, _ = keras_data()
    rec = Recorder()
    with store.start_run("keras", "batches") as run:
        cb = KerasCallback(run, log_batches=2, flush_every=100, flush_seconds=None,
                           log_summary=False)
        keras_model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[cb, rec])
    assert len(rec.seen) == 9
    assert batches == [3 * 2 + 4 * 2]  # 3 epochs and batches 2, 4, 6, 8: one flush
    steps, values = history(store, run.id, "batch.loss")
    assert steps == [2, 4, 6, 8]
    assert values == [rec.seen[s - 1]["loss"] for s in steps]


def test_keras_batch_steps_count_batches_under_steps_per_execution(store):
    # With steps_per_execution=2 Keras calls on_train_batch_end once per 2
    # batches, with the last one's index: the steps still count batches.
    import keras
    from mlops.integrations.keras import KerasCallback

    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", steps_per_execution=2)
    x, y, _, _ = keras_data()
    with store.start_run("keras", "spe") as run:
        cb = KerasCallback(run, log_batches=2, flush_seconds=None, log_summary=False)
        model.fit(x, y, epochs=2, batch_size=24, verbose=0, callbacks=[cb])  # 4 batches
    assert history(store, run.id, "batch.loss")[0] == [2, 4, 6, 8]


def test_keras_owned_run_ends_failed_with_its_points(store, commits, keras_model):
    import keras
    from mlops.integrations.keras import KerasCallback

    class Boom(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("diverged")

    batches, _ = commits
    x, y, _, _ = keras_data()
    with pytest.raises(RuntimeError, match="diverged"):
        with KerasCallback(store, "keras", run_name="boom", flush_every=10) as cb:
            keras_model.fit(x, y, epochs=5, verbose=0, callbacks=[cb, Boom()])
    info = store.get_run(cb.run.id)
    assert info.status == "FAILED" and info.name == "boom"
    assert info.metrics["loss"].count == 3 and batches == [6]  # flushed at the exit
    # Without a with block, a run of its own ends when training does.
    cb2 = KerasCallback(store, "keras", flush_seconds=None)
    keras_model.fit(x, y, epochs=2, verbose=0, callbacks=[cb2])
    assert store.get_run(cb2.run.id).status == "FINISHED" and cb2.run.closed
    with pytest.raises(ValueError, match="experiment"):
        KerasCallback(store)


# ---- XGBoost ---------------------------------------------------------------------------


def test_xgboost_rounds_equal_evals_result_in_batches(store, commits):
    import xgboost
    from mlops.integrations.xgboost import XGBoostCallback

    batches, singles = commits
    x, y = binary_data(200)
    dtrain = xgboost.DMatrix(x[:150], label=y[:150])
    dvalid = xgboost.DMatrix(x[150:], label=y[150:])
    params = {"objective": "binary:logistic", "eval_metric": ["logloss", "error"],
              "max_depth": 2, "nthread": 1, "seed": 0}
    result = {}
    with store.start_run("xgb", "tiny") as run:
        xgboost.train(params, dtrain, 25, evals=[(dtrain, "train"), (dvalid, "valid")],
                      evals_result=result, verbose_eval=False,
                      callbacks=[XGBoostCallback(run, flush_every=10, flush_seconds=None)])
    assert batches == [40, 40, 20] and singles == []
    for data in ("train", "valid"):
        for metric in ("logloss", "error"):
            assert history(store, run.id, f"{data}-{metric}") == (
                list(range(25)), result[data][metric])
    # xgboost.cv: mean and std per round, as its DataFrame has them.
    with store.start_run("xgb", "cv") as cvrun:
        df = xgboost.cv(params, dtrain, 4, nfold=3, seed=0,
                        callbacks=[XGBoostCallback(cvrun, flush_seconds=None)])
    for col in ("train-logloss-mean", "test-error-std"):
        assert history(store, cvrun.id, col) == ([0, 1, 2, 3], df[col].tolist())


def test_xgboost_continued_training_counts_on(store):
    # xgboost.train(xgb_model=...) numbers its rounds from 0 again (as its
    # EarlyStopping and TrainingCheckPoint know: they add the model's
    # num_boosted_rounds()): the continued rounds are the model's 5-7.
    import xgboost
    from mlops.integrations.xgboost import XGBoostCallback

    x, y = binary_data(150)
    dtrain = xgboost.DMatrix(x, label=y)
    params = {"objective": "binary:logistic", "max_depth": 2, "nthread": 1, "seed": 0}
    first, more = {}, {}
    with store.start_run("xgb", "continued") as run:
        cb = XGBoostCallback(run, flush_seconds=None)
        bst = xgboost.train(params, dtrain, 5, evals=[(dtrain, "train")], evals_result=first,
                            verbose_eval=False, callbacks=[cb])
        bst = xgboost.train(params, dtrain, 3, evals=[(dtrain, "train")], evals_result=more,
                            verbose_eval=False, xgb_model=bst, callbacks=[cb])
    assert bst.num_boosted_rounds() == 8
    assert history(store, run.id, "train-logloss") == (
        list(range(8)), first["train"]["logloss"] + more["train"]["logloss"])


def test_xgboost_sklearn_api_and_owned_run(store):
    import xgboost
    from mlops.integrations.xgboost import XGBoostCallback

    x, y = binary_data(150)
    cb = XGBoostCallback(store, "xgb", run_name="sk", flush_seconds=None)
    clf = xgboost.XGBClassifier(n_estimators=6, max_depth=2, n_jobs=1, callbacks=[cb])
    clf.fit(x, y, eval_set=[(x, y)], verbose=False)
    info = store.get_run(cb.run.id)
    assert info.status == "FINISHED"
    assert history(store, cb.run.id, "validation_0-logloss") == (
        list(range(6)), clf.evals_result()["validation_0"]["logloss"])


# ---- LightGBM --------------------------------------------------------------------------


def test_lightgbm_rounds_equal_record_evaluation_in_batches(store, commits):
    import lightgbm
    from mlops.integrations.lightgbm import LightGBMCallback

    batches, singles = commits
    x, y = binary_data(200)
    train = lightgbm.Dataset(x[:150], label=y[:150])
    valid = lightgbm.Dataset(x[150:], label=y[150:], reference=train)
    params = {"objective": "binary", "metric": ["binary_logloss", "auc"], "num_leaves": 4,
              "min_data_in_leaf": 5, "num_threads": 1, "verbose": -1, "seed": 0}
    recorded = {}
    with store.start_run("lgbm", "tiny") as run:
        lightgbm.train(params, train, 12, valid_sets=[train, valid],
                       valid_names=["train", "valid"],
                       callbacks=[lightgbm.record_evaluation(recorded),
                                  LightGBMCallback(run, flush_every=5, flush_seconds=None)])
    # 4 series: rounds 0-4, 5-9, then 10-11 after the last round.
    assert batches == [20, 20, 8] and singles == []
    for data in ("train", "valid"):
        for metric in ("binary_logloss", "auc"):
            assert history(store, run.id, f"{data}-{metric}") == (
                list(range(12)), recorded[data][metric])


def test_lightgbm_early_stop_needs_the_with_block(store, commits):
    import lightgbm
    from lightgbm.callback import EarlyStopException
    from mlops.integrations.lightgbm import LightGBMCallback

    def stop_at_7(env):  # what lightgbm.early_stopping does, on a known round
        if env.iteration == 7:
            raise EarlyStopException(7, env.evaluation_result_list)

    stop_at_7.order = 30
    batches, _ = commits
    x, y = binary_data(150)
    train = lightgbm.Dataset(x, label=y)
    params = {"objective": "binary", "num_leaves": 4, "min_data_in_leaf": 5,
              "num_threads": 1, "verbose": -1}
    recorded = {}
    with LightGBMCallback(store, "lgbm", run_name="early", flush_seconds=None) as cb:
        lightgbm.train(params, train, 50, valid_sets=[train],
                       callbacks=[cb, stop_at_7, lightgbm.record_evaluation(recorded)])
        assert batches == [] and len(cb._buffer) == 8  # training ended without a last round
    assert batches == [8]
    info = store.get_run(cb.run.id)
    assert info.status == "FINISHED"
    assert history(store, cb.run.id, "training-binary_logloss") == (
        list(range(8)), recorded["training"]["binary_logloss"])


# ---- scikit-learn ----------------------------------------------------------------------


def test_sklearn_params_model_and_binary_evaluation(store):
    from sklearn import metrics as skm
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from mlops.integrations import sklearn as mls

    x, y = binary_data(200)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    with store.start_run("sk", "logreg") as run:
        params = mls.log_params(run, pipe)
        pipe.fit(x[:150], y[:150])
        logged = mls.log_model(run, pipe, register_as="churn")
    info = store.get_run(run.id)
    assert info.params == params
    assert params["logisticregression__C"] == "0.5"
    assert params["logisticregression"] == "LogisticRegression"
    assert params["steps"] == ("[('standardscaler', StandardScaler), "
                               "('logisticregression', LogisticRegression)]")
    assert info.tags["model_format"] == "pickle-5"
    assert info.tags["sklearn_version"] == __import__("sklearn").__version__
    assert [(e.name, e.role, e.digest) for e in info.outputs] == [
        ("model.pkl", "model", logged.digest)]
    assert store.get(logged.digest) == pickle.dumps(pipe, protocol=5)
    assert (logged.model, logged.version) == ("churn", 1)
    assert store.get_model_version("churn", 1).run_id == run.id
    loaded = mls.load_model(store, logged.digest)
    assert np.array_equal(loaded.predict_proba(x), pipe.predict_proba(x))

    xt, yt = x[150:], y[150:]
    data = store.put(xt.tobytes() + yt.tobytes())
    eid = mls.log_evaluation(store, "churn", 1, pipe, xt, yt, dataset=data, reason="holdout")
    rec = store.get_evaluation(eid)
    assert rec.dataset == data and rec.reason == "holdout"
    proba = pipe.predict_proba(xt)[:, 1]
    pred = pipe.predict(xt)
    expected = {"accuracy_score": skm.accuracy_score(yt, pred),
                "f1_score": skm.f1_score(yt, pred),
                "roc_auc_score": skm.roc_auc_score(yt, proba),
                "log_loss": skm.log_loss(yt, proba)}
    assert sorted(rec.metrics) == sorted(expected)
    for name, value in expected.items():
        assert rec.metrics[name].value == pytest.approx(value, rel=1e-12, abs=1e-15), name
        assert rec.metrics[name].reason == 0


def test_sklearn_multiclass_string_labels_and_regression(store):
    from sklearn import metrics as skm
    from sklearn.linear_model import LogisticRegression, Ridge
    from mlops.integrations import sklearn as mls

    rng = np.random.default_rng(3)
    x = rng.normal(size=(150, 3))
    y = np.array(["ant", "bee", "cat"])[np.argmax(x + rng.normal(scale=0.7, size=x.shape), 1)]
    clf = LogisticRegression().fit(x[:100], y[:100])
    with store.start_run("sk", "multi") as run:
        logged = mls.log_model(run, clf, "clf.pkl", register_as="animals")
    xt, yt = x[100:], y[100:]
    data = store.put(xt.tobytes())
    rec = store.get_evaluation(mls.log_evaluation(
        store, "animals", logged.version, clf, xt, yt, dataset=data,
        metrics=["accuracy_score", "f1_score", "roc_auc_score", "log_loss"]))
    proba, pred = clf.predict_proba(xt), clf.predict(xt)
    expected = {"accuracy_score": skm.accuracy_score(yt, pred),
                "f1_score": skm.f1_score(yt, pred, average="macro"),
                "roc_auc_score": skm.roc_auc_score(yt, proba, multi_class="ovr"),
                "log_loss": skm.log_loss(yt, proba)}
    for name, value in expected.items():
        assert rec.metrics[name].value == pytest.approx(value, rel=1e-12), name
    with pytest.raises(ValueError, match="two classes"):
        mls.log_evaluation(store, "animals", 1, clf, xt, yt, dataset=data,
                           metrics=["brier_score_loss"])
    with pytest.raises(ValueError, match="classes_"):
        mls.log_evaluation(store, "animals", 1, clf, xt, np.full(len(yt), "dog"), dataset=data)

    reg = Ridge(alpha=0.1).fit(x[:100], x[:100, 0] * 2)
    with store.start_run("sk", "ridge") as run:
        mls.log_model(run, reg, register_as="ridge")
    target = xt[:, 0] * 2 + 0.1
    rec = store.get_evaluation(mls.log_evaluation(store, "ridge", 1, reg, xt, target,
                                                  dataset=data))
    pred = reg.predict(xt)
    expected = {"mean_absolute_error": skm.mean_absolute_error(target, pred),
                "root_mean_squared_error": skm.root_mean_squared_error(target, pred),
                "r2_score": skm.r2_score(target, pred)}
    for name, value in expected.items():
        assert rec.metrics[name].value == pytest.approx(value, rel=1e-12), name
    with pytest.raises(ValueError, match="regression metric"):
        mls.log_evaluation(store, "ridge", 1, reg, xt, target, dataset=data,
                           metrics=["accuracy_score"])
