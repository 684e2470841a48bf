"""The evaluation part of the C API (eval.h) as ctypes sees it: structs
and declarations. Loaded by _capi."""
from __future__ import annotations

from ctypes import POINTER, Structure, c_char_p, c_double, c_int, c_size_t, c_uint, c_uint32, c_uint64, c_void_p
from typing import Any, List, Tuple

from ._cbase import opaque

EvalClassesP = opaque("mlops_eval_classes")
CalibrationBinsP = opaque("mlops_calibration_bins")


class EvalOpts(Structure):
    """mlops_eval_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("average", c_int),
        ("pos_label", c_int),
        ("beta", c_double),
        ("zero_division", c_double),
        ("labels", c_void_p),
        ("n_labels", c_size_t),
        ("multi_class", c_int),
        ("max_fpr", c_double),
        ("force_finite", c_int),
        ("alpha", c_double),
        ("adjusted", c_int),
        ("normalize", c_int),
    ]


class EvalResult(Structure):
    """mlops_eval_result, version 1."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("value", c_double), ("reason", c_int), ("n", c_uint64)]


class EvalClass(Structure):
    """mlops_eval_class, version 1 (owned by the list)."""

    _fields_ = [
        ("version", c_uint),
        ("label", c_int),
        ("precision", c_double),
        ("recall", c_double),
        ("fbeta", c_double),
        ("support", c_double),
        ("precision_reason", c_int),
        ("recall_reason", c_int),
        ("fbeta_reason", c_int),
    ]


class EvalData(Structure):
    """mlops_eval_data, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("n", c_size_t),
        ("values_true", c_void_p),
        ("values_pred", c_void_p),
        ("labels_true", c_void_p),
        ("labels_pred", c_void_p),
        ("scores", c_void_p),
        ("k", c_size_t),
        ("weights", c_void_p),
    ]


class BootstrapOpts(Structure):
    """mlops_bootstrap_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("resamples", c_uint32),
        ("confidence", c_double),
        ("seed", c_uint64),
    ]


class BootstrapResult(Structure):
    """mlops_bootstrap_result, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("value", c_double),
        ("reason", c_int),
        ("low", c_double),
        ("high", c_double),
        ("resamples", c_uint32),
        ("defined", c_uint32),
    ]


class CalibrationOpts(Structure):
    """mlops_calibration_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("n_bins", c_size_t),
        ("binning", c_int),
        ("pos_label", c_int),
        ("labels", c_void_p),
        ("n_labels", c_size_t),
    ]


class CalibrationResult(Structure):
    """mlops_calibration_result, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("ece", c_double),
        ("mce", c_double),
        ("rmsce", c_double),
        ("reason", c_int),
        ("n", c_uint64),
    ]


class CalibrationBin(Structure):
    """mlops_calibration_bin, version 1 (owned by the list)."""

    _fields_ = [
        ("version", c_uint),
        ("lower", c_double),
        ("upper", c_double),
        ("count", c_uint64),
        ("weight", c_double),
        ("confidence", c_double),
        ("accuracy", c_double),
    ]


_p, _sz, _int = c_void_p, c_size_t, c_int
_opts = POINTER(EvalOpts)
_res = POINTER(EvalResult)


def table() -> List[Tuple[str, Any, List[Any]]]:
    """The declarations of eval.h."""
    return [
        ("mlops_eval_opts_init", _int, [_opts, c_uint]),
        ("mlops_eval_result_init", _int, [_res, c_uint]),
        ("mlops_eval_reason_name", c_char_p, [_int]),
        ("mlops_eval_regression", _int, [_int, _p, _p, _sz, _p, _opts, _res]),
        ("mlops_eval_labels", _int, [_int, _p, _p, _sz, _p, _opts, _res]),
        ("mlops_eval_scores", _int, [_int, _p, _p, _sz, _sz, _p, _opts, _res]),
        ("mlops_eval_per_class", _int, [_p, _p, _sz, _p, _opts, POINTER(EvalClassesP)]),
        ("mlops_eval_classes_count", _sz, [EvalClassesP]),
        ("mlops_eval_classes_at", POINTER(EvalClass), [EvalClassesP, _sz]),
        ("mlops_eval_classes_free", None, [EvalClassesP]),
        ("mlops_eval_confusion", _int, [_p, _p, _sz, _p, _opts, POINTER(c_void_p), POINTER(c_void_p), POINTER(_sz)]),
        ("mlops_eval_data_init", _int, [POINTER(EvalData), c_uint]),
        ("mlops_bootstrap_opts_init", _int, [POINTER(BootstrapOpts), c_uint]),
        ("mlops_bootstrap_result_init", _int, [POINTER(BootstrapResult), c_uint]),
        ("mlops_calibration_opts_init", _int, [POINTER(CalibrationOpts), c_uint]),
        ("mlops_calibration_result_init", _int, [POINTER(CalibrationResult), c_uint]),
        ("mlops_eval_calibration", _int, [_p, _p, _sz, _sz, _p, POINTER(CalibrationOpts), POINTER(CalibrationResult),
                                          POINTER(CalibrationBinsP)]),
        ("mlops_calibration_bins_count", _sz, [CalibrationBinsP]),
        ("mlops_calibration_bins_at", POINTER(CalibrationBin), [CalibrationBinsP, _sz]),
        ("mlops_calibration_bins_free", None, [CalibrationBinsP]),
        ("mlops_eval_bootstrap", _int, [_int, POINTER(EvalData), _opts, POINTER(BootstrapOpts), POINTER(BootstrapResult)]),
    ]
