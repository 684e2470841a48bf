"""The fairness part of the C API (fairness.h) as ctypes sees it: structs
and declarations. Loaded by _capi."""
from __future__ import annotations

from ctypes import POINTER, Structure, c_double, c_int, c_size_t, c_uint, c_uint64, c_void_p
from typing import Any, List, Tuple

from ._capi_eval import EvalData, EvalOpts, EvalResult
from ._cbase import opaque

FairnessFrameP = opaque("mlops_fairness_frame")


class FairnessOpts(Structure):
    """mlops_fairness_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("method", c_int),
        ("agg", c_int),
        ("pos_label", c_int),
        ("privileged", c_void_p),
        ("n_privileged", c_size_t),
        ("unprivileged", c_void_p),
        ("n_unprivileged", c_size_t),
    ]


class FairnessGroup(Structure):
    """mlops_fairness_group, version 1 (owned by the frame)."""

    _fields_ = [
        ("version", c_uint),
        ("group", c_int),
        ("value", c_double),
        ("reason", c_int),
        ("count", c_uint64),
        ("weight", c_double),
        ("positives", c_double),
        ("negatives", c_double),
    ]


_p, _sz, _int = c_void_p, c_size_t, c_int
_fo = POINTER(FairnessOpts)
_res = POINTER(EvalResult)


def table() -> List[Tuple[str, Any, List[Any]]]:
    """The declarations of fairness.h."""
    return [
        ("mlops_fairness_opts_init", _int, [_fo, c_uint]),
        ("mlops_fairness_frame_build", _int, [_int, POINTER(EvalData), _p, POINTER(EvalOpts), POINTER(FairnessFrameP)]),
        ("mlops_fairness_frame_count", _sz, [FairnessFrameP]),
        ("mlops_fairness_frame_at", POINTER(FairnessGroup), [FairnessFrameP, _sz]),
        ("mlops_fairness_frame_overall", POINTER(FairnessGroup), [FairnessFrameP]),
        ("mlops_fairness_frame_difference", _int, [FairnessFrameP, _int, _res]),
        ("mlops_fairness_frame_ratio", _int, [FairnessFrameP, _int, _res]),
        ("mlops_fairness_frame_free", None, [FairnessFrameP]),
        ("mlops_fairness_difference", _int, [_int, _p, _p, _p, _sz, _p, _fo, _res]),
        ("mlops_fairness_ratio", _int, [_int, _p, _p, _p, _sz, _p, _fo, _res]),
        ("mlops_fairness_disparate_impact", _int, [_p, _p, _sz, _p, _fo, _res]),
        ("mlops_fairness_statistical_parity_difference", _int, [_p, _p, _sz, _p, _fo, _res]),
    ]
