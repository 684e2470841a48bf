"""A Keras 3 callback logging a model's training into an mlops run
(doc/python.md, "Framework callbacks"). Importing this module imports
keras (set KERAS_BACKEND first, as for keras itself).

    with store.start_run("digits", "mlp") as run:
        model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[KerasCallback(run)])

or, letting the callback start and end the run (FAILED if fit raises):

    with KerasCallback(store, "digits", run_name="mlp") as cb:
        model.fit(x, y, epochs=5, callbacks=[cb])
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Union

import keras

from ..store import Store
from ..track import Run
from ._common import RunTracker, flatten_params, param_text

__all__ = ["KerasCallback"]


class KerasCallback(keras.callbacks.Callback, RunTracker):
    """Logs what ``fit`` reports into a run, in batches.

    Per epoch: every value of the epoch's logs (``loss``, the compiled
    metrics, ``val_*``: the keys and values of ``History.history``) at step
    = the epoch number (0-based, counting on from ``initial_epoch``).
    With ``log_batches=N``: every N-th training batch's logs too, as
    ``batch.<key>`` at step = the batch's number counted over the whole
    training (Keras reports a batch's running mean over its epoch; with
    ``steps_per_execution`` > 1 Keras reports once per execution: the
    executions that reach an N-th batch are logged, at the number of
    their last batch).

    At the first ``fit``: params ``epochs``, ``steps_per_epoch``,
    ``optimizer.*`` (the optimizer's get_config(), flattened; a schedule's
    config too), ``model.name``, ``model.layers``, ``model.total_params``,
    ``model.trainable_params``; and the text of ``model.summary()`` stored
    as an output of the run named ``model_summary.txt`` (role "summary").

    ``run``: an mlops.Run, or a Store with ``experiment`` (and
    ``run_name``) to start a run there, ended as mlops.integrations
    explains (``with`` ends it FAILED when fit raises). The points are
    logged every ``flush_every`` logged steps (epochs, and batches when
    logged) or ``flush_seconds``, and when training ends, one transaction
    each."""

    def __init__(self, run: Union[Run, Store], experiment: Any = None, *,
                 run_name: Optional[str] = None, log_batches: int = 0,
                 flush_every: int = 10, flush_seconds: Optional[float] = 10.0,
                 log_summary: bool = True) -> None:
        if log_batches < 0:
            raise ValueError(f"log_batches must be >= 0, not {log_batches!r}")
        keras.callbacks.Callback.__init__(self)
        RunTracker.__init__(self, run, experiment, run_name, flush_every, flush_seconds)
        self._log_batches = log_batches
        self._log_summary = log_summary
        self._batches = 0  # batches trained, over every epoch
        self._epoch_start = 0  # batches trained before this epoch
        self._params_logged = False

    # ---- Keras hooks ----

    def on_train_begin(self, logs: Optional[Dict[str, Any]] = None) -> None:
        # Params never change once logged: only the first fit logs them.
        if not self._params_logged:
            self._params_logged = True
            self.run.log_params(self._fit_params())
            if self._log_summary:
                self._store_summary()

    def on_epoch_begin(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        self._epoch_start = self._batches

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        if logs:
            self._buffer.add(logs, step=epoch)

    def on_train_batch_end(self, batch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        # ``batch`` is the index in the epoch of the last batch trained:
        # with steps_per_execution > 1 Keras calls this once per execution
        # (and the last execution's index may pass the epoch's end).
        done = batch + 1
        steps = (self.params or {}).get("steps")
        if steps:
            done = min(done, steps)
        before, self._batches = self._batches, self._epoch_start + done
        n = self._log_batches
        if n and logs and self._batches // n > before // n:
            self._buffer.add({f"batch.{k}": v for k, v in logs.items()}, step=self._batches)

    def on_train_end(self, logs: Optional[Dict[str, Any]] = None) -> None:
        self._training_ended()

    # ---- what is logged ----

    def _fit_params(self) -> Dict[str, str]:
        out: Dict[str, str] = {}
        fit = self.params or {}
        for key, name in (("epochs", "epochs"), ("steps", "steps_per_epoch")):
            if fit.get(key) is not None:
                out[name] = param_text(fit[key])
        model = self.model
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            out.update(flatten_params(optimizer.get_config(), "optimizer."))
        out["model.name"] = param_text(model.name)
        out["model.layers"] = str(len(model.layers))
        if model.built:
            out["model.total_params"] = str(model.count_params())
            out["model.trainable_params"] = str(
                sum(math.prod(w.shape) for w in model.trainable_weights))
        return out

    def _store_summary(self) -> None:
        parts: List[str] = []
        try:
            self.model.summary(print_fn=parts.append)
        except ValueError:  # a model not built yet has no summary
            return
        digest = self.store.put("".join(parts).encode("utf-8"))
        self.run.log_output(digest, "model_summary.txt", role="summary")
