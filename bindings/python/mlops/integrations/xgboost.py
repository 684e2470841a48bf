"""An XGBoost callback logging each boosting round's evaluation metrics
into an mlops run (doc/python.md, "Framework callbacks"). Importing this
module imports xgboost.

    with store.start_run("churn", "xgb") as run:
        run.log_params(params)
        xgboost.train(params, dtrain, 100, evals=[(dtrain, "train"), (dvalid, "valid")],
                      callbacks=[XGBoostCallback(run)])
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Union

import xgboost

from ..store import Store
from ..track import Run
from ._common import RunTracker

__all__ = ["XGBoostCallback"]


class XGBoostCallback(xgboost.callback.TrainingCallback, RunTracker):
    """Logs the evaluation results of every boosting round, in batches.

    Each round's last value of each (data set, metric) of the ``evals``
    is logged as ``<data>-<metric>`` (``train-logloss``, the names
    XGBoost prints; the values of ``evals_result``) at step = the round's
    number (0-based, counting on when training continues a model). Under
    ``xgboost.cv`` the mean and standard deviation are logged as
    ``<data>-<metric>-mean`` and ``-std``.

    ``run``: an mlops.Run, or a Store with ``experiment`` (and
    ``run_name``) to start a run there, ended after training, or by a
    ``with`` block (FAILED when training raises). The points are logged
    every ``flush_every`` rounds or ``flush_seconds``, and after training,
    one transaction each.

    The scikit-learn classes take it too (``XGBClassifier(callbacks=[cb])``);
    a clone of such an estimator (``sklearn.base.clone``, grid searches)
    cannot copy the run handle and raises: give a callback to one fit.
    """

    def __init__(self, run: Union[Run, Store], experiment: Any = None, *,
                 run_name: Optional[str] = None, flush_every: int = 100,
                 flush_seconds: Optional[float] = 10.0) -> None:
        xgboost.callback.TrainingCallback.__init__(self)
        RunTracker.__init__(self, run, experiment, run_name, flush_every, flush_seconds)
        self._start = 0

    def before_training(self, model: Any) -> Any:
        # xgboost numbers the rounds of each train() call from 0, also when
        # it continues a model (xgb_model=): the rounds the model had count.
        rounds = getattr(model, "num_boosted_rounds", None)
        self._start = int(rounds()) if rounds is not None else 0
        return model

    def after_iteration(self, model: Any, epoch: int, evals_log: Dict[str, Any]) -> bool:
        metrics: Dict[str, float] = {}
        for data, per_metric in evals_log.items():
            for metric, history in per_metric.items():
                if not history:
                    continue
                last = history[-1]
                if isinstance(last, tuple):  # xgboost.cv: (mean, std)
                    metrics[f"{data}-{metric}-mean"] = last[0]
                    metrics[f"{data}-{metric}-std"] = last[1]
                else:
                    metrics[f"{data}-{metric}"] = last
        if metrics:
            self._buffer.add(metrics, step=self._start + epoch)
        return False  # never asks to stop

    def after_training(self, model: Any) -> Any:
        self._training_ended()
        return model
