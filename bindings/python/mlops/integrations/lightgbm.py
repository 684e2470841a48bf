"""A LightGBM callback logging each boosting round's evaluation results
into an mlops run (doc/python.md, "Framework callbacks"). LightGBM calls
callbacks as plain functions: this module needs no import of lightgbm.

    with store.start_run("churn", "lgbm") as run, LightGBMCallback(run) as cb:
        lightgbm.train(params, train_set, 100, valid_sets=[valid_set], callbacks=[cb])
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Union

from ..store import Store
from ..track import Run
from ._common import RunTracker

__all__ = ["LightGBMCallback"]


class LightGBMCallback(RunTracker):
    """Logs the evaluation results of every boosting round, in batches.

    Each (data set, metric) of the round's evaluation is logged as
    ``<data>-<metric>`` (``valid_0-binary_logloss``: the values of
    ``lightgbm.record_evaluation``) at step = the round's number (0-based,
    counting on when training continues a model); under ``lightgbm.cv``,
    ``<data>-<metric>-mean`` and ``-stdv``.

    LightGBM has no end-of-training call for callbacks: the callback
    flushes after the last round it knows of, which early stopping skips.
    Use it as a context manager (or call ``close()`` after training) so
    that the last points are logged, and a run it started ends FAILED if
    training raises. ``run``: an mlops.Run, or a Store with
    ``experiment`` (and ``run_name``) to start a run there. The points are
    logged every ``flush_every`` rounds or ``flush_seconds``, one
    transaction each."""

    #: LightGBM runs callbacks by ``order``: as record_evaluation (20),
    #: before early stopping (30) ends training on its round.
    order = 20
    before_iteration = False

    def __init__(self, run: Union[Run, Store], experiment: Any = None, *,
                 run_name: Optional[str] = None, flush_every: int = 100,
                 flush_seconds: Optional[float] = 10.0) -> None:
        RunTracker.__init__(self, run, experiment, run_name, flush_every, flush_seconds)

    def __call__(self, env: Any) -> None:
        metrics: Dict[str, float] = {}
        for item in env.evaluation_result_list or ():
            if isinstance(item, tuple):  # LightGBM < 4.7: (data, metric, value, higher_better[, std])
                data, metric, value = item[0], item[1], item[2]
                std = item[4] if len(item) == 5 else None
            else:
                data, metric, value = item.dataset_name, item.metric_name, item.metric_value
                std = item.metric_std_dev if item.is_cv_result() else None
            if std is None:
                metrics[f"{data}-{metric}"] = value
            else:
                metrics[f"{data}-{metric}-mean"] = value
                metrics[f"{data}-{metric}-stdv"] = std
        if metrics:
            self._buffer.add(metrics, step=env.iteration)
        if env.iteration + 1 >= env.end_iteration:
            self._training_ended()
