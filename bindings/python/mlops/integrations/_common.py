"""What the framework callbacks share: the run they log into (one the caller
gives and ends, or one they start and end themselves), the buffer that logs
their points in batches, and the text form of params."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from .. import _arrays
from ..errors import Conflict
from ..store import Store
from ..track import Run, now_ms

__all__ = ["MetricBuffer", "RunTracker", "param_text", "flatten_params"]

# MLOPS_PARAM_VALUE_MAX: longer param texts are cut (see param_text).
PARAM_VALUE_MAX = 8000


class MetricBuffer:
    """Points waiting to be logged into a run. ``add`` buffers the points of
    one step; the buffer is logged in one transaction
    (Run.log_metric_points) when ``flush_every`` steps are waiting or
    ``flush_seconds`` (None: no time limit) have passed since the last
    flush, and on ``flush()``. A flush that fails keeps its points, so the
    next one retries them."""

    def __init__(self, run: Run, flush_every: int, flush_seconds: Optional[float]) -> None:
        if flush_every < 1:
            raise ValueError(f"flush_every must be at least 1, not {flush_every!r}")
        if flush_seconds is not None and flush_seconds < 0:
            raise ValueError(f"flush_seconds must be >= 0 or None, not {flush_seconds!r}")
        self._run = run
        self._flush_every = flush_every
        self._flush_seconds = flush_seconds
        self._points: List[Tuple[str, float, int, int]] = []
        self._steps = 0
        self._last_flush = time.monotonic()
        #: How many flushes logged points (one transaction each).
        self.flushes = 0

    def __len__(self) -> int:
        return len(self._points)

    def add(self, metrics: Mapping[str, Any], step: int,
            timestamp_ms: Optional[int] = None) -> None:
        """Buffers one point per key at ``step``; values that are not
        numbers (a framework may log strings or arrays) are left out."""
        ts = now_ms() if timestamp_ms is None else timestamp_ms
        step = int(step)
        for key, value in metrics.items():
            try:
                v = float(value)
            except (TypeError, ValueError):
                continue
            self._points.append((key, v, step, ts))
        self._steps += 1
        if self._steps >= self._flush_every or (
                self._flush_seconds is not None
                and time.monotonic() - self._last_flush >= self._flush_seconds):
            self.flush()

    def flush(self) -> None:
        """Logs the waiting points, if any, in one transaction."""
        if self._points:
            self._run.log_metric_points(self._points)
            self.flushes += 1
            self._points = []
        self._steps = 0
        self._last_flush = time.monotonic()


class RunTracker:
    """The run a callback logs into, and its end.

    Given a Run, the callback logs into it and leaves its end to the caller
    (``with store.start_run(...) as run``). Given a Store (and an
    experiment), it starts a run there and ends it: when training ends
    (FINISHED), or, used as a context manager, when the block exits:
    FINISHED, FAILED when an exception escapes, KILLED for
    KeyboardInterrupt. The frameworks do not tell a callback that training
    failed, so only the ``with`` block can end a failed run FAILED.
    Either way the buffered points are flushed at the end of training and
    at the block's exit, even when it raises."""

    def __init__(self, run: Union[Run, Store], experiment: Any, run_name: Optional[str],
                 flush_every: int, flush_seconds: Optional[float]) -> None:
        if isinstance(run, Run):
            if experiment is not None or run_name is not None:
                raise ValueError("experiment and run_name are for a Store, not a Run")
            self.run = run
            self._owns_run = False
        elif isinstance(run, Store):
            if experiment is None:
                raise ValueError("a Store needs experiment= (a name, id or Experiment)")
            self._owns_run = True
            self.run = run.start_run(experiment, run_name)
        else:
            raise TypeError(f"expected an mlops.Run or mlops.Store, not {type(run).__name__}")
        self._buffer = MetricBuffer(self.run, flush_every, flush_seconds)
        self._in_block = False

    @property
    def store(self) -> Store:
        """The store of the run."""
        return self.run._store

    def __enter__(self) -> Any:
        self._in_block = True
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._in_block = False
        status = "FINISHED"
        if exc_type is not None:
            status = "FAILED" if issubclass(exc_type, Exception) else "KILLED"
        self.close(status)

    def flush(self) -> None:
        """Logs the buffered points now (one transaction)."""
        self._buffer.flush()

    def close(self, status: str = "FINISHED") -> None:
        """Flushes the buffered points, then ends the run with ``status``
        when the callback started it (not when it was given one)."""
        try:
            self._buffer.flush()
        finally:
            if self._owns_run and not self.run.closed:
                try:
                    self.run.end(status)
                except Conflict:  # ended meanwhile (by the caller)
                    pass
                finally:
                    self.run.close()

    def _training_ended(self) -> None:
        # The framework's end of training: flush; a run of our own ends
        # here unless a with block will end it.
        if self._owns_run and not self._in_block:
            self.close("FINISHED")
        else:
            self._buffer.flush()


def param_text(value: Any) -> str:
    """The text logged for a param value: strings as they are; numbers,
    bools and None by str(); a numpy array as the list of its values; a
    scikit-learn estimator (anything with get_params) by its class name,
    since its own params are logged beside it; lists and tuples item by
    item (a Pipeline's steps read "[('scale', StandardScaler), ('lr',
    LogisticRegression)]"); a function or class by its qualified name;
    anything else by str().
    Texts longer than 8,000 bytes (the library's limit) are cut there,
    ending with "..."."""
    if isinstance(value, str):
        text = value
    elif value is None or isinstance(value, (bool, int, float)):
        text = str(value)
    elif _arrays.np is not None and isinstance(value, _arrays.np.ndarray) and value.ndim:
        # as the list of its values: str() keeps 8 digits, elides past 1,000
        text = param_text(value.tolist())
    elif hasattr(value, "get_params") and not isinstance(value, type):
        text = type(value).__name__
    elif isinstance(value, (list, tuple)):
        # Pipeline steps and the like: [('scale', StandardScaler), ...].
        items = ", ".join(repr(v) if isinstance(v, str) else param_text(v) for v in value)
        text = f"[{items}]" if isinstance(value, list) else \
            f"({items}{',' if len(value) == 1 else ''})"
    elif callable(value) and hasattr(value, "__qualname__"):
        module = getattr(value, "__module__", None)
        text = f"{module}.{value.__qualname__}" if module else value.__qualname__
    else:
        text = str(value)
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > PARAM_VALUE_MAX:
        text = data[:PARAM_VALUE_MAX - 3].decode("utf-8", "ignore") + "..."
    return text


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> Dict[str, str]:
    """Nested mappings flattened to dotted keys ({"optimizer": {"lr": 0.1}}
    -> {"optimizer.lr": "0.1"}), each value through param_text; an empty
    mapping is kept as "{}"."""
    out: Dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if value:
                out.update(flatten_params(value, name + "."))
            else:
                out[name] = "{}"
        else:
            out[name] = param_text(value)
    return out
