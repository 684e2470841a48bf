"""scikit-learn helpers (doc/python.md, "Framework callbacks"): an
estimator's params into a run, its fitted model as an output of the run
(optionally a registered model version), and an evaluation record of a
model version computed with mlops.metrics. Importing this module imports
scikit-learn.

The model is stored as a pickle (protocol 5, the standard library's;
scikit-learn documents pickle and joblib, which is pickle with its own
file layout). Unpickling runs code named by the data: ``load_model`` is
as safe as the store it reads. The digest proves the bytes are the ones
logged, not who logged them; load only from stores whose writers you
trust (a model version's signature, doc/registry.md, says who approved
it). A pickle loads with the scikit-learn version that wrote it (the run
records it as the tag ``sklearn_version``); other versions warn or fail.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

import numpy as np
import sklearn
from sklearn.base import is_classifier, is_regressor

from .. import metrics as _metrics
from ..digest import Digest, DigestLike
from ..errors import AlreadyExists
from ..store import Store
from ..track import Run
from ._common import param_text

__all__ = ["LoggedModel", "estimator_params", "log_params", "log_model", "load_model",
           "log_evaluation", "MODEL_FORMAT"]

#: The value of the run tag ``model_format`` set by log_model.
MODEL_FORMAT = "pickle-5"

# The classification metrics of mlops.metrics and what each is computed
# on: "pred" (predicted labels) or "proba" (class probabilities); and the
# regression metrics.
_CLASSIFICATION = {
    "accuracy_score": "pred", "balanced_accuracy_score": "pred", "precision_score": "pred",
    "recall_score": "pred", "f1_score": "pred", "roc_auc_score": "proba",
    "average_precision_score": "proba", "log_loss": "proba", "brier_score_loss": "proba",
}
_REGRESSION = ("mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
               "mean_absolute_percentage_error", "r2_score", "explained_variance_score",
               "median_absolute_error", "max_error")
_BINARY_ONLY = ("average_precision_score", "brier_score_loss")
CLASSIFIER_METRICS = ("accuracy_score", "f1_score", "roc_auc_score", "log_loss")
REGRESSOR_METRICS = ("mean_absolute_error", "root_mean_squared_error", "r2_score")


@dataclass(frozen=True)
class LoggedModel:
    """A model logged by log_model: its stored pickle's digest, the
    output's name in the run, and the registered model version (model
    name and number) when one was made."""

    digest: Digest
    name: str
    model: Optional[str] = None
    version: Optional[int] = None


def estimator_params(estimator: Any, *, deep: bool = True) -> Dict[str, str]:
    """``estimator.get_params(deep)`` as param texts: a nested estimator's
    params keep scikit-learn's ``step__param`` keys, and the estimator
    itself is logged by its class name (mlops.integrations._common's
    param_text: numbers and None by str(), functions by name, other
    values by str(), cut at 8,000 bytes)."""
    return {k: param_text(v) for k, v in sorted(estimator.get_params(deep=deep).items())}


def log_params(run: Run, estimator: Any, *, deep: bool = True) -> Dict[str, str]:
    """Logs estimator_params(estimator) into ``run`` in one transaction
    and returns them (Conflict if a key was logged with another value)."""
    params = estimator_params(estimator, deep=deep)
    if params:
        run.log_params(params)
    return params


def log_model(run: Run, estimator: Any, name: str = "model.pkl", *,
              register_as: Optional[str] = None,
              description: Optional[str] = None) -> LoggedModel:
    """Stores the fitted ``estimator`` pickled (protocol 5) and records it
    as an output of ``run`` named ``name`` (role "model"); sets the run
    tags ``model_format`` (MODEL_FORMAT) and ``sklearn_version``. With
    ``register_as``, also creates the next version of that model (the
    model is created when missing) from this run."""
    data = pickle.dumps(estimator, protocol=5)
    store: Store = run._store
    digest = store.put(data)
    run.log_output(digest, name, role="model")
    run.set_tag("model_format", MODEL_FORMAT)
    run.set_tag("sklearn_version", sklearn.__version__)
    if register_as is None:
        return LoggedModel(digest, name)
    try:
        store.create_model(register_as)
    except AlreadyExists:
        pass
    version = store.create_model_version(register_as, digest, run, description)
    return LoggedModel(digest, name, register_as, version)


def load_model(store: Store, digest: DigestLike) -> Any:
    """The estimator log_model stored under ``digest``, unpickled: only
    for stores whose writers you trust (see the module's text)."""
    return pickle.loads(store.get(digest))


def log_evaluation(store: Store, model: str, version: int, estimator: Any, X: Any, y: Any, *,
                   dataset: DigestLike, metrics: Optional[Sequence[str]] = None,
                   actor: Optional[str] = None, reason: Optional[str] = None) -> int:
    """Scores the fitted ``estimator`` on (X, y) with mlops.metrics and
    records it as an evaluation of ``model`` version ``version`` on
    ``dataset`` (the digest of the evaluation data as stored); returns the
    evaluation's id.

    ``metrics``: names of mlops.metrics; by default accuracy_score,
    f1_score, roc_auc_score and log_loss for a classifier (the last two
    when it has predict_proba) and mean_absolute_error,
    root_mean_squared_error and r2_score for a regressor. A classifier's
    labels are taken as their index in ``estimator.classes_`` (so string
    labels work); with more than two classes, precision, recall and F1 are
    macro averages and ROC AUC is one-vs-rest; probabilities are
    ``predict_proba``'s (the positive class's column for two classes).
    Each value keeps its reason (mlops.metrics.evaluate)."""
    if is_classifier(estimator):
        names = list(CLASSIFIER_METRICS if metrics is None else metrics)
        if metrics is None and not hasattr(estimator, "predict_proba"):
            names = [n for n in names if _CLASSIFICATION[n] != "proba"]
        results = _classifier_metrics(estimator, X, y, names)
    elif is_regressor(estimator):
        names = list(REGRESSOR_METRICS if metrics is None else metrics)
        for n in names:
            if n not in _REGRESSION:
                raise ValueError(f"{n!r} is not a regression metric of mlops.metrics")
        pred = np.asarray(estimator.predict(X), dtype=np.float64)
        truth = np.asarray(y, dtype=np.float64)
        results = {n: _metrics.evaluate(n, truth, pred) for n in names}
    else:
        raise TypeError(f"{type(estimator).__name__} is neither a classifier nor a regressor")
    return store.record_evaluation(model, version, dataset, results, actor=actor, reason=reason)


def _classifier_metrics(estimator: Any, X: Any, y: Any, names: Sequence[str]) -> Dict[str, Any]:
    classes = np.asarray(estimator.classes_)
    truth = _label_index(classes, y, "y")
    pred = _label_index(classes, estimator.predict(X), "the predictions")
    k = len(classes)
    proba = None
    out: Dict[str, Any] = {}
    for n in names:
        kind = _CLASSIFICATION.get(n)
        if kind is None:
            raise ValueError(f"{n!r} is not a classification metric of mlops.metrics")
        if kind == "pred":
            kw: Dict[str, Any] = {}
            if n in ("precision_score", "recall_score", "f1_score"):
                kw = {"average": "binary", "pos_label": 1} if k == 2 else {"average": "macro"}
            out[n] = _metrics.evaluate(n, truth, pred, **kw)
            continue
        if proba is None:
            proba = np.ascontiguousarray(estimator.predict_proba(X), dtype=np.float64)
        if k == 2:
            out[n] = _metrics.evaluate(n, truth, np.ascontiguousarray(proba[:, 1]))
        elif n in _BINARY_ONLY:
            raise ValueError(f"{n!r} is for two classes; this classifier has {k}")
        elif n == "roc_auc_score":
            out[n] = _metrics.evaluate(n, truth, proba, multi_class="ovr")
        else:
            out[n] = _metrics.evaluate(n, truth, proba)
    return out


def _label_index(classes: Any, labels: Any, what: str) -> Any:
    # Each label's index in the sorted classes_, as int32 (mlops.metrics'
    # labels are C ints).
    labels = np.asarray(labels)
    idx = np.searchsorted(classes, labels)
    idx = np.clip(idx, 0, len(classes) - 1)
    if not np.array_equal(classes[idx], labels):
        raise ValueError(f"{what} hold labels that are not in the estimator's classes_")
    return idx.astype(np.int32)
