"""Evaluation metrics (libmlops eval.h) under scikit-learn's names and
arguments: ``roc_auc_score(y_true, y_score, average=..., multi_class=...)``,
``f1_score``, ``mean_absolute_error``... Each equals the scikit-learn
function of the same name (the version in tests/eval/golden.txt) within
1e-12 relative; doc/eval.md lists the deliberate differences.

Arrays are lent to the library without a copy when their type allows:
C-contiguous float64 numpy arrays (and array('d')) for values, scores and
weights, C-contiguous int32 arrays (array('i')) for labels. Anything else
(int64 labels, lists, float32, strided views) is converted once. Labels
are whole numbers that fit a C int. pandas Series and pyarrow arrays are
arrays too (float64 ones without missing values read in place; a missing
value is NaN, which the library refuses, or, in labels, a ValueError), and
a score matrix may be a DataFrame or an Arrow table of its columns.

A value the formula leaves undefined is NaN (or the ``zero_division``
substitute) and comes with an :class:`UndefinedMetricWarning` saying why;
:func:`evaluate` returns the value with its reason instead.
"""
from __future__ import annotations

import math
import warnings
from contextlib import ExitStack
from contextvars import ContextVar
from ctypes import POINTER, byref, c_double, c_size_t, c_void_p, cast
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _arrays, _buffer
from ._capi import C, check, dec
from ._capi_eval import (
    BootstrapOpts,
    CalibrationBinsP,
    CalibrationOpts,
    CalibrationResult,
    BootstrapResult,
    EvalClassesP,
    EvalData,
    EvalOpts,
    EvalResult,
)

__all__ = [
    "UndefinedMetricWarning",
    "Evaluation",
    "BootstrapInterval",
    "evaluate",
    "bootstrap",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_percentage_error",
    "r2_score",
    "explained_variance_score",
    "median_absolute_error",
    "max_error",
    "mean_pinball_loss",
    "accuracy_score",
    "balanced_accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "precision_recall_fscore_support",
    "confusion_matrix",
    "roc_auc_score",
    "average_precision_score",
    "log_loss",
    "brier_score_loss",
    "calibration_error",
    "calibration_curve",
    "reliability_table",
    "Calibration",
    "CalibrationBin",
]


class UndefinedMetricWarning(UserWarning):
    """A metric was undefined (NaN) or replaced by zero_division or
    force_finite; the message says why."""


# The metric ids of eval.h, by scikit-learn name, and their family
# (1 regression, 2 predicted labels, 3 scores).
_METRICS: Dict[str, Tuple[int, int]] = {
    "mean_absolute_error": (1, 1),
    "mean_squared_error": (2, 1),
    "root_mean_squared_error": (3, 1),
    "mean_absolute_percentage_error": (4, 1),
    "r2_score": (5, 1),
    "explained_variance_score": (6, 1),
    "median_absolute_error": (7, 1),
    "max_error": (8, 1),
    "mean_pinball_loss": (9, 1),
    "accuracy_score": (20, 2),
    "balanced_accuracy_score": (21, 2),
    "precision_score": (22, 2),
    "recall_score": (23, 2),
    "fbeta_score": (24, 2),
    "f1_score": (24, 2),
    "roc_auc_score": (40, 3),
    "average_precision_score": (41, 3),
    "log_loss": (42, 3),
    "brier_score_loss": (43, 3),
    "calibration_error": (44, 3),  # norm="l1"; "max" is 45, "l2" 46
    # fairlearn's base rates (mlops.fairness)
    "selection_rate": (25, 2),
    "true_positive_rate": (26, 2),
    "false_positive_rate": (27, 2),
}
_NORM = {"l1": 44, "max": 45, "l2": 46}
_BINNING = {"torchmetrics": 0, "sklearn": 1}
_AVERAGE = {"binary": 0, "micro": 1, "macro": 2, "weighted": 3, None: 4}
_NORMALIZE = {None: 0, "true": 1, "pred": 2, "all": 3}


@dataclass(frozen=True)
class Evaluation:
    """A metric value with the library's reason code (0: the formula's
    own value) and its text."""

    value: float
    reason: int
    reason_text: str
    n: int


@dataclass(frozen=True)
class BootstrapInterval:
    """A percentile bootstrap interval (see :func:`bootstrap`)."""

    value: float
    reason: int
    low: float
    high: float
    resamples: int
    defined: int


def _zero_division(z: Any) -> float:
    if isinstance(z, str):
        if z != "warn":
            raise ValueError(f'zero_division must be "warn", 0, 1 or nan, not {z!r}')
        return 0.0
    z = float(z)
    if not (z in (0.0, 1.0) or math.isnan(z)):
        raise ValueError(f'zero_division must be "warn", 0, 1 or nan, not {z!r}')
    return z


def _average(a: Any) -> int:
    if a not in _AVERAGE:
        raise ValueError(f"average must be one of {sorted(k for k in _AVERAGE if k)} or None, not {a!r}")
    return _AVERAGE[a]


class _Call:
    """The borrowed buffers and options of one C call."""

    def __init__(self, stack: ExitStack):
        self.stack = stack
        self.opts = EvalOpts()
        check(C.mlops_eval_opts_init(byref(self.opts), EvalOpts.VERSION))
        self.n: Optional[int] = None

    def _len(self, what: str, n: int) -> None:
        if self.n is None:
            self.n = n
        elif n != self.n:
            raise ValueError(f"{what} has {n} samples, the others {self.n}")

    def values(self, what: str, obj: Any) -> int:
        addr, n = self.stack.enter_context(_buffer.float64(obj))
        self._len(what, n)
        return addr

    def labels(self, what: str, obj: Any) -> int:
        addr, n = self.stack.enter_context(_buffer.int32(obj))
        self._len(what, n)
        return addr

    def scores(self, obj: Any) -> Tuple[int, int]:
        addr, n, k = self.stack.enter_context(_buffer.float64_rows(obj))
        self._len("y_score", n)
        return addr, k

    def weights(self, obj: Any) -> Optional[int]:
        return None if obj is None else self.values("sample_weight", obj)

    def class_labels(self, labels: Any) -> None:
        if labels is None:
            return
        addr, n = self.stack.enter_context(_buffer.int32(labels))
        self.opts.labels = addr
        self.opts.n_labels = n


# evaluate() collects the results of the call it makes here instead of
# warning (a context variable: safe across threads and tasks).
_collect: ContextVar[Optional[List[EvalResult]]] = ContextVar("mlops_metrics_collect", default=None)


def _result(name: str, r: EvalResult, warn: bool = True) -> float:
    collected = _collect.get()
    if collected is not None:
        collected.append(EvalResult(r.version, r.value, r.reason, r.n))
        return float(r.value)
    if r.reason and warn:
        text = dec(C.mlops_eval_reason_name(r.reason))
        warnings.warn(f"{name}: {text}", UndefinedMetricWarning, stacklevel=4)
    return float(r.value)


# mlops.fairness.MetricFrame sets this to run a metric function by groups:
# the function prepares its C call as usual (arguments, options, borrowed
# arrays), and the hook makes the frame from them instead of the one value.
_frame_hook: ContextVar[Optional[Callable[[int, int, "_Call", Tuple[Any, ...]], Any]]] = ContextVar(
    "mlops_metrics_frame", default=None)


def _run(name: str, setup: Callable[[_Call], Tuple[Any, ...]], warn: bool = True) -> Tuple[Any, Any]:
    metric, family = _METRICS[name]
    with ExitStack() as stack:
        call = _Call(stack)
        args = setup(call)
        hook = _frame_hook.get()
        if hook is not None:
            return hook(metric, family, call, args), None
        r = EvalResult()
        check(C.mlops_eval_result_init(byref(r), EvalResult.VERSION))
        n = call.n or 0
        if family == 1:
            yt, yp, w = args
            check(C.mlops_eval_regression(metric, yt, yp, n, w, byref(call.opts), byref(r)))
        elif family == 2:
            yt, yp, w = args
            check(C.mlops_eval_labels(metric, yt, yp, n, w, byref(call.opts), byref(r)))
        else:
            yt, s, k, w = args
            check(C.mlops_eval_scores(metric, yt, s, n, k, w, byref(call.opts), byref(r)))
    return _result(name, r, warn), r


# ---- regression ---------------------------------------------------------------


def _regression(name: str, y_true: Any, y_pred: Any, sample_weight: Any, **opts: Any) -> float:
    def setup(c: _Call) -> Tuple[Any, ...]:
        for k, v in opts.items():
            setattr(c.opts, k, v)
        return c.values("y_true", y_true), c.values("y_pred", y_pred), c.weights(sample_weight)

    return _run(name, setup)[0]


def mean_absolute_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Mean absolute error."""
    return _regression("mean_absolute_error", y_true, y_pred, sample_weight)


def mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Mean squared error."""
    return _regression("mean_squared_error", y_true, y_pred, sample_weight)


def root_mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Square root of the mean squared error."""
    return _regression("root_mean_squared_error", y_true, y_pred, sample_weight)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Mean of |y - y_pred| / max(|y|, eps): a fraction, not a percentage."""
    return _regression("mean_absolute_percentage_error", y_true, y_pred, sample_weight)


def r2_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None, force_finite: bool = True) -> float:
    """Coefficient of determination."""
    return _regression("r2_score", y_true, y_pred, sample_weight, force_finite=int(bool(force_finite)))


def explained_variance_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None,
                             force_finite: bool = True) -> float:
    """Explained variance."""
    return _regression("explained_variance_score", y_true, y_pred, sample_weight,
                       force_finite=int(bool(force_finite)))


def median_absolute_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Median absolute error (weighted: scikit-learn's weighted percentile)."""
    return _regression("median_absolute_error", y_true, y_pred, sample_weight)


def max_error(y_true: Any, y_pred: Any) -> float:
    """The largest absolute error."""
    return _regression("max_error", y_true, y_pred, None)


def mean_pinball_loss(y_true: Any, y_pred: Any, *, sample_weight: Any = None, alpha: float = 0.5) -> float:
    """Pinball (quantile) loss at alpha."""
    return _regression("mean_pinball_loss", y_true, y_pred, sample_weight, alpha=float(alpha))


# ---- predicted labels -------------------------------------------------------------


def accuracy_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Share (weighted) of correct predictions."""
    return _run("accuracy_score", lambda c: (c.labels("y_true", y_true), c.labels("y_pred", y_pred),
                                             c.weights(sample_weight)))[0]


def balanced_accuracy_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None,
                            adjusted: bool = False) -> float:
    """Mean recall over the classes of y_true; adjusted for chance when asked."""
    def setup(c: _Call) -> Tuple[Any, ...]:
        c.opts.adjusted = int(bool(adjusted))
        return c.labels("y_true", y_true), c.labels("y_pred", y_pred), c.weights(sample_weight)

    return _run("balanced_accuracy_score", setup)[0]


def _per_class(y_true: Any, y_pred: Any, beta: float, labels: Any, sample_weight: Any,
               zero_division: Any) -> Tuple[Any, Any, Any, Any, Any, list]:
    with ExitStack() as stack:
        c = _Call(stack)
        c.opts.beta = float(beta)
        c.opts.zero_division = _zero_division(zero_division)
        c.class_labels(labels)
        yt, yp, w = c.labels("y_true", y_true), c.labels("y_pred", y_pred), c.weights(sample_weight)
        lst = EvalClassesP()
        check(C.mlops_eval_per_class(yt, yp, c.n or 0, w, byref(c.opts), byref(lst)))
    try:
        k = C.mlops_eval_classes_count(lst)
        rows = [C.mlops_eval_classes_at(lst, i).contents for i in range(k)]
        cols = [[getattr(r, f) for r in rows] for f in ("precision", "recall", "fbeta", "support")]
        labs = [r.label for r in rows]
        undefined = [r.precision_reason or r.recall_reason or r.fbeta_reason for r in rows]
    finally:
        C.mlops_eval_classes_free(lst)
    if any(undefined):
        warnings.warn("precision_recall_fscore_support: zero division in a class",
                      UndefinedMetricWarning, stacklevel=4)
    np = _arrays.np
    conv = (lambda v: np.array(v, dtype=np.float64)) if np is not None else (lambda v: _arrays.array("d", v))
    return conv(cols[0]), conv(cols[1]), conv(cols[2]), conv(cols[3]), labs, undefined


def _prf(name: str, which: int, y_true: Any, y_pred: Any, beta: float, labels: Any, pos_label: int,
         average: Any, sample_weight: Any, zero_division: Any) -> Any:
    avg = _average(average)
    if avg == 4:
        return _per_class(y_true, y_pred, beta, labels, sample_weight, zero_division)[which]

    def setup(c: _Call) -> Tuple[Any, ...]:
        c.opts.average = avg
        c.opts.pos_label = int(pos_label)
        c.opts.beta = float(beta)
        c.opts.zero_division = _zero_division(zero_division)
        c.class_labels(labels)
        return c.labels("y_true", y_true), c.labels("y_pred", y_pred), c.weights(sample_weight)

    return _run(name, setup)[0]


def precision_score(y_true: Any, y_pred: Any, *, labels: Any = None, pos_label: int = 1,
                    average: Any = "binary", sample_weight: Any = None, zero_division: Any = "warn") -> Any:
    """Precision; an array per class when average is None."""
    return _prf("precision_score", 0, y_true, y_pred, 1.0, labels, pos_label, average, sample_weight,
                zero_division)


def recall_score(y_true: Any, y_pred: Any, *, labels: Any = None, pos_label: int = 1,
                 average: Any = "binary", sample_weight: Any = None, zero_division: Any = "warn") -> Any:
    """Recall; an array per class when average is None."""
    return _prf("recall_score", 1, y_true, y_pred, 1.0, labels, pos_label, average, sample_weight,
                zero_division)


def fbeta_score(y_true: Any, y_pred: Any, *, beta: float, labels: Any = None, pos_label: int = 1,
                average: Any = "binary", sample_weight: Any = None, zero_division: Any = "warn") -> Any:
    """F-beta; an array per class when average is None."""
    return _prf("fbeta_score", 2, y_true, y_pred, beta, labels, pos_label, average, sample_weight,
                zero_division)


def f1_score(y_true: Any, y_pred: Any, *, labels: Any = None, pos_label: int = 1,
             average: Any = "binary", sample_weight: Any = None, zero_division: Any = "warn") -> Any:
    """F1; an array per class when average is None."""
    return _prf("f1_score", 2, y_true, y_pred, 1.0, labels, pos_label, average, sample_weight,
                zero_division)


def precision_recall_fscore_support(y_true: Any, y_pred: Any, *, beta: float = 1.0, labels: Any = None,
                                    pos_label: int = 1, average: Any = None, sample_weight: Any = None,
                                    zero_division: Any = "warn") -> Tuple[Any, Any, Any, Any]:
    """(precision, recall, fbeta, support): arrays per class when average
    is None, else three floats and None."""
    if _average(average) == 4:
        return _per_class(y_true, y_pred, beta, labels, sample_weight, zero_division)[:4]
    kw = dict(labels=labels, pos_label=pos_label, average=average, sample_weight=sample_weight,
              zero_division=zero_division)
    return (precision_score(y_true, y_pred, **kw), recall_score(y_true, y_pred, **kw),
            fbeta_score(y_true, y_pred, beta=beta, **kw), None)


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Any = None, sample_weight: Any = None,
                     normalize: Optional[str] = None) -> Any:
    """The confusion matrix, rows the true class, columns the predicted one:
    a numpy array (integers when unweighted and not normalised, as
    scikit-learn's) or, without numpy, a list of lists."""
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of 'true', 'pred', 'all' or None, not {normalize!r}")
    with ExitStack() as stack:
        c = _Call(stack)
        c.opts.normalize = _NORMALIZE[normalize]
        c.class_labels(labels)
        yt, yp, w = c.labels("y_true", y_true), c.labels("y_pred", y_pred), c.weights(sample_weight)
        lp, mp, k = c_void_p(), c_void_p(), c_size_t()
        check(C.mlops_eval_confusion(yt, yp, c.n or 0, w, byref(c.opts), byref(lp), byref(mp), byref(k)))
    try:
        kk = k.value
        cells = cast(mp, POINTER(c_double))[: kk * kk] if kk else []
    finally:
        C.mlops_free(lp)
        C.mlops_free(mp)
    np = _arrays.np
    integral = sample_weight is None and normalize is None
    if np is not None:
        m = np.array(cells, dtype=np.float64).reshape(kk, kk)
        return m.astype(np.int64) if integral else m
    conv = int if integral else float
    return [[conv(cells[i * kk + j]) for j in range(kk)] for i in range(kk)]


# ---- scores ---------------------------------------------------------------------


def _binary_positive(y_true: Any) -> int:
    """scikit-learn's binary ROC AUC counts the greater label as positive."""
    np = _arrays.np
    if np is not None:
        a = np.asarray(y_true)
        return int(a.max()) if a.size else 1
    vals = list(y_true)
    return int(max(vals)) if vals else 1


def roc_auc_score(y_true: Any, y_score: Any, *, average: Any = "macro", sample_weight: Any = None,
                  max_fpr: Optional[float] = None, multi_class: str = "raise", labels: Any = None) -> float:
    """Area under the ROC curve: binary (y_score one value per sample, the
    greater label positive; ties share a threshold; max_fpr gives the
    McClish-standardised partial AUC) or multiclass (rows of
    probabilities; multi_class "ovr" with macro, weighted or micro, "ovo"
    with macro or weighted)."""
    if multi_class not in ("raise", "ovr", "ovo"):
        raise ValueError(f"multi_class must be 'raise', 'ovr' or 'ovo', not {multi_class!r}")

    def setup(c: _Call) -> Tuple[Any, ...]:
        s, k = c.scores(y_score)
        if k > 1 and multi_class == "raise":
            raise ValueError("multi_class must be 'ovr' or 'ovo' for multiclass scores")
        if average is None:
            raise ValueError("average=None is not supported; choose macro, weighted or micro")
        c.opts.average = _average(average)
        c.opts.multi_class = 1 if multi_class == "ovo" else 0
        c.opts.max_fpr = 1.0 if max_fpr is None else float(max_fpr)
        if k == 1:
            c.opts.pos_label = _binary_positive(y_true)
        c.class_labels(labels)
        return c.labels("y_true", y_true), s, k, c.weights(sample_weight)

    return _run("roc_auc_score", setup)[0]


def average_precision_score(y_true: Any, y_score: Any, *, average: Any = "macro", pos_label: int = 1,
                            sample_weight: Any = None) -> float:
    """Average precision, sum over thresholds of (R_n - R_n-1) P_n (no
    interpolation); multiclass one-vs-rest with macro, weighted or micro."""
    def setup(c: _Call) -> Tuple[Any, ...]:
        s, k = c.scores(y_score)
        if average is None:
            raise ValueError("average=None is not supported; choose macro, weighted or micro")
        c.opts.average = _average(average)
        c.opts.pos_label = int(pos_label)
        return c.labels("y_true", y_true), s, k, c.weights(sample_weight)

    return _run("average_precision_score", setup)[0]


def log_loss(y_true: Any, y_pred: Any, *, sample_weight: Any = None, labels: Any = None) -> float:
    """Cross-entropy loss, probabilities clipped to [eps, 1 - eps]. Rows
    must sum to 1 (scikit-learn only warns)."""
    def setup(c: _Call) -> Tuple[Any, ...]:
        s, k = c.scores(y_pred)
        c.class_labels(labels)
        return c.labels("y_true", y_true), s, k, c.weights(sample_weight)

    return _run("log_loss", setup)[0]


def brier_score_loss(y_true: Any, y_proba: Any, *, sample_weight: Any = None, pos_label: Any = None,
                     labels: Any = None) -> float:
    """Brier score: mean squared difference of probabilities and outcomes;
    one probability per sample (of pos_label, default 1) or rows of class
    probabilities (halved for two columns, as scikit-learn's
    scale_by_half="auto")."""
    def setup(c: _Call) -> Tuple[Any, ...]:
        s, k = c.scores(y_proba)
        c.opts.pos_label = 1 if pos_label is None else int(pos_label)
        c.class_labels(labels)
        return c.labels("y_true", y_true), s, k, c.weights(sample_weight)

    return _run("brier_score_loss", setup)[0]


# ---- calibration ------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationBin:
    """One row of the reliability table: the bin's edges, its samples (and
    their weight), their mean confidence and the share correct (NaN for an
    empty bin)."""

    lower: float
    upper: float
    count: int
    weight: float
    confidence: float
    accuracy: float


@dataclass(frozen=True)
class Calibration:
    """The three calibration errors (torchmetrics' norms l1, max, l2), the
    reason code (6 when the weights sum to 0, all NaN) and every bin."""

    ece: float
    mce: float
    rmsce: float
    reason: int
    n: int
    bins: List[CalibrationBin]


def _calibrate(y_true: Any, y_prob: Any, n_bins: int, binning: str, pos_label: int, labels: Any,
               sample_weight: Any, table: bool) -> Calibration:
    if binning not in _BINNING:
        raise ValueError(f"binning must be one of {sorted(_BINNING)}, not {binning!r}")
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1, not {n_bins!r}")
    with ExitStack() as stack:
        c = _Call(stack)
        s, k = c.scores(y_prob)
        yt = c.labels("y_true", y_true)
        w = c.weights(sample_weight)
        o = CalibrationOpts()
        check(C.mlops_calibration_opts_init(byref(o), CalibrationOpts.VERSION))
        o.n_bins, o.binning, o.pos_label = n_bins, _BINNING[binning], int(pos_label)
        c.class_labels(labels)
        o.labels, o.n_labels = c.opts.labels, c.opts.n_labels
        r = CalibrationResult()
        check(C.mlops_calibration_result_init(byref(r), CalibrationResult.VERSION))
        lst = CalibrationBinsP()
        check(C.mlops_eval_calibration(yt, s, c.n or 0, k, w, byref(o), byref(r), byref(lst) if table else None))
    bins = []
    try:
        for i in range(C.mlops_calibration_bins_count(lst) if table else 0):
            b = C.mlops_calibration_bins_at(lst, i).contents
            bins.append(CalibrationBin(b.lower, b.upper, int(b.count), b.weight, b.confidence, b.accuracy))
    finally:
        if table:
            C.mlops_calibration_bins_free(lst)
    return Calibration(ece=r.ece, mce=r.mce, rmsce=r.rmsce, reason=r.reason, n=int(r.n), bins=bins)


def calibration_error(y_true: Any, y_prob: Any, *, n_bins: int = 15, norm: str = "l1", pos_label: int = 1,
                      labels: Any = None, sample_weight: Any = None) -> float:
    """Top-label calibration error as torchmetrics' CalibrationError (its
    functional ``calibration_error``): norm "l1" is the expected calibration
    error (ECE), "max" the maximum (MCE), "l2" the root mean square one.
    One probability per sample (of pos_label: the binary task) or rows of
    class probabilities (the multiclass task: the top probability and its
    class). scikit-learn has no such function."""
    if norm not in _NORM:
        raise ValueError(f"norm must be one of {sorted(_NORM)}, not {norm!r}")
    cal = _calibrate(y_true, y_prob, n_bins, "torchmetrics", pos_label, labels, sample_weight, False)
    value = {"l1": cal.ece, "max": cal.mce, "l2": cal.rmsce}[norm]
    return _result("calibration_error", EvalResult(EvalResult.VERSION, value, cal.reason, cal.n))


def reliability_table(y_true: Any, y_prob: Any, *, n_bins: int = 15, binning: str = "torchmetrics",
                      pos_label: int = 1, labels: Any = None, sample_weight: Any = None) -> Calibration:
    """The calibration errors and the reliability table: per bin its edges,
    count, mean confidence and accuracy. binning "torchmetrics" (n_bins + 1
    rows: confidences equal to 1 have a bin of their own) or "sklearn"
    (calibration_curve's bins)."""
    return _calibrate(y_true, y_prob, n_bins, binning, pos_label, labels, sample_weight, True)


def calibration_curve(y_true: Any, y_prob: Any, *, pos_label: Any = None, n_bins: int = 5,
                      strategy: str = "uniform") -> Tuple[Any, Any]:
    """scikit-learn's calibration_curve: (prob_true, prob_pred) of the
    non-empty bins, numpy arrays (lists without numpy). Only the "uniform"
    strategy; pos_label None means 1."""
    if strategy != "uniform":
        raise ValueError(f'strategy {strategy!r} is not supported (only "uniform")')
    cal = _calibrate(y_true, y_prob, n_bins, "sklearn", 1 if pos_label is None else pos_label, None, None, True)
    full = [b for b in cal.bins if b.count]
    prob_true, prob_pred = [b.accuracy for b in full], [b.confidence for b in full]
    np = _arrays.np
    if np is not None:
        return np.array(prob_true, dtype=np.float64), np.array(prob_pred, dtype=np.float64)
    return prob_true, prob_pred


# ---- with reasons, bootstrap ------------------------------------------------------

def _function(name: str) -> Callable[..., Any]:
    if name not in _METRICS:
        raise ValueError(f"unknown metric {name!r}; one of {sorted(_METRICS)}")
    if name in globals():
        return globals()[name]
    from . import fairness  # the base rates of fairlearn live there

    return getattr(fairness, name)


def evaluate(metric: str, y_true: Any, y: Any, **kwargs: Any) -> Evaluation:
    """metric (a scikit-learn name of this module, e.g. "roc_auc_score")
    with its keyword arguments, returned with the reason code the library
    gave instead of a warning."""
    fn = _function(metric)
    collected: List[EvalResult] = []
    token = _collect.set(collected)
    try:
        value = fn(y_true, y, **kwargs)
    finally:
        _collect.reset(token)
    if len(collected) != 1:
        raise ValueError("evaluate() needs a metric that returns one value (not average=None)")
    r = collected[0]
    return Evaluation(value=float(value), reason=r.reason,
                      reason_text=dec(C.mlops_eval_reason_name(r.reason)) or "", n=r.n)


def bootstrap(metric: str, y_true: Any, y: Any, *, n_resamples: int = 1000, confidence_level: float = 0.95,
              random_state: int = 0, **kwargs: Any) -> BootstrapInterval:
    """A percentile bootstrap confidence interval for metric (a name of this
    module) on (y_true, y) with the metric's keyword arguments; seeded and
    identical on every machine for the same random_state (eval.h)."""
    metric_id, family = _METRICS[metric] if metric in _METRICS else (None, None)
    if metric_id is None:
        raise ValueError(f"unknown metric {metric!r}; one of {sorted(_METRICS)}")
    sample_weight = kwargs.pop("sample_weight", None)
    with ExitStack() as stack:
        c = _Call(stack)
        d = EvalData()
        check(C.mlops_eval_data_init(byref(d), EvalData.VERSION))
        _bootstrap_opts(c, metric, y_true, y, kwargs)
        if family == 1:
            d.values_true, d.values_pred = c.values("y_true", y_true), c.values("y_pred", y)
        elif family == 2:
            d.labels_true, d.labels_pred = c.labels("y_true", y_true), c.labels("y_pred", y)
        else:
            d.scores, d.k = c.scores(y)
            d.labels_true = c.labels("y_true", y_true)
        d.weights = c.weights(sample_weight)
        d.n = c.n or 0
        bo = BootstrapOpts()
        check(C.mlops_bootstrap_opts_init(byref(bo), BootstrapOpts.VERSION))
        bo.resamples = int(n_resamples)
        bo.confidence = float(confidence_level)
        bo.seed = int(random_state) & ((1 << 64) - 1)
        r = BootstrapResult()
        check(C.mlops_bootstrap_result_init(byref(r), BootstrapResult.VERSION))
        if metric == "calibration_error":
            norm = kwargs.get("norm", "l1")
            if norm not in _NORM:
                raise ValueError(f"norm must be one of {sorted(_NORM)}, not {norm!r}")
            metric_id = _NORM[norm]
        check(C.mlops_eval_bootstrap(metric_id, byref(d), byref(c.opts), byref(bo), byref(r)))
    return BootstrapInterval(value=r.value, reason=r.reason, low=r.low, high=r.high,
                             resamples=r.resamples, defined=r.defined)


def _bootstrap_opts(c: _Call, metric: str, y_true: Any, y: Any, kw: Dict[str, Any]) -> None:
    """The options of metric's keyword arguments, as its function sets them."""
    o = c.opts
    kw = dict(kw)
    if "average" in kw:
        if kw["average"] is None:
            raise ValueError("average=None gives one value per class: bootstrap needs one value")
        o.average = _average(kw.pop("average"))
    elif metric in ("precision_score", "recall_score", "f1_score", "fbeta_score"):
        o.average = 0
    if metric == "f1_score":
        o.beta = 1.0
    for key, field, conv in (("beta", "beta", float), ("pos_label", "pos_label", int),
                             ("alpha", "alpha", float), ("force_finite", "force_finite", int),
                             ("adjusted", "adjusted", int)):
        if key in kw:
            v = kw.pop(key)
            if v is not None:
                setattr(o, field, conv(v))
    if "zero_division" in kw:
        o.zero_division = _zero_division(kw.pop("zero_division"))
    if "max_fpr" in kw:
        v = kw.pop("max_fpr")
        o.max_fpr = 1.0 if v is None else float(v)
    if "multi_class" in kw:
        o.multi_class = 1 if kw.pop("multi_class") == "ovo" else 0
    if "labels" in kw:
        c.class_labels(kw.pop("labels"))
    if metric == "calibration_error":
        if kw.pop("n_bins", 15) != 15:
            raise ValueError("bootstrap of calibration_error uses 15 bins (call reliability_table per resample "
                             "for others)")
        kw.pop("norm", None)
    if metric == "roc_auc_score" and "pos_label" not in kw:
        o.pos_label = _binary_positive(y_true)
    if kw:
        raise TypeError(f"{metric}: unexpected arguments {sorted(kw)}")
