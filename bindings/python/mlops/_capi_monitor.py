"""The monitor part of the C API (monitor.h, since 1.1; doc/monitoring.md)
as ctypes sees it. Loaded by _capi."""
from __future__ import annotations

from ctypes import (
    POINTER,
    Structure,
    c_char_p,
    c_double,
    c_int,
    c_int64,
    c_size_t,
    c_uint,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, List, Tuple

from ._cbase import CDigest, opaque

MonitorP = opaque("mlops_monitor")
MonitorsP = opaque("mlops_monitors")
MonitorSeriesP = opaque("mlops_monitor_series")


class MonitorColumn(Structure):
    """mlops_monitor_column."""

    _fields_ = [
        ("name", c_char_p),
        ("reference", CDigest),
        ("method", c_int),
        ("threshold", c_double),
    ]


class PageOpts(Structure):
    """mlops_monitor_page_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("title", c_char_p),
        ("from_ms", c_int64),
        ("to_ms", c_int64),
        ("max_points", c_size_t),
        ("generated_ms", c_int64),
    ]


class MonitorSpec(Structure):
    """mlops_monitor_spec, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("n_columns", c_size_t),
        ("columns", POINTER(MonitorColumn)),
        ("window_kind", c_int),
        ("window_ms", c_int64),
        ("lateness_ms", c_int64),
        ("min_rows", c_uint64),
        ("alert_m", c_uint32),
        ("alert_n", c_uint32),
        ("pending", c_uint32),
        ("keep_firing", c_uint32),
        ("breach_column", c_char_p),
        ("drift_share", c_double),
        ("alpha", c_double),
        ("model", c_char_p),
    ]


class MonitorStatus(Structure):
    """mlops_monitor_status, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("state", c_int),
        ("judged_to_ms", c_int64),
        ("windows_judged", c_uint64),
        ("breaches", c_uint32),
        ("considered", c_uint32),
        ("last_event_seq", c_int64),
    ]


class IngestOpts(Structure):
    """mlops_monitor_ingest_opts, version 1."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("threads", c_uint32)]


class IngestResult(Structure):
    """mlops_monitor_ingest_result, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("rows", c_uint64),
        ("windows", c_uint64),
        ("late_rows", c_uint64),
    ]


class CheckOpts(Structure):
    """mlops_monitor_check_opts, version 1."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("now_ms", c_int64)]


class MonitorEvent(Structure):
    """mlops_monitor_event (frozen)."""

    _fields_ = [
        ("seq", c_int64),
        ("kind", c_int),
        ("window_start_ms", c_int64),
        ("window_end_ms", c_int64),
        ("checked_ms", c_int64),
        ("breaches", c_uint32),
        ("considered", c_uint32),
    ]


class EventsOpts(Structure):
    """mlops_monitor_events_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("after_seq", c_int64),
        ("from_ms", c_int64),
        ("to_ms", c_int64),
        ("limit", c_uint32),
    ]


class MonitorWindow(Structure):
    """mlops_monitor_window (frozen)."""

    _fields_ = [
        ("start_ms", c_int64),
        ("end_ms", c_int64),
        ("rows", c_uint64),
        ("judged_rows", c_uint64),
        ("state", c_int),
        ("n_drifted", c_uint32),
        ("share_drifted", c_double),
    ]


class MonitorWindowColumn(Structure):
    """mlops_monitor_window_column (frozen)."""

    _fields_ = [("statistic", c_double), ("p_value", c_double), ("drifted", c_int)]


class MonitorExt(Structure):
    """mlops_monitor_ext, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("window_rows", c_uint64),
        ("task", c_int),
        ("prediction_column", c_char_p),
        ("label_column", c_char_p),
        ("id_column", c_char_p),
        ("performance", c_char_p),
        ("min_labels", c_uint64),
    ]


class LabelsResult(Structure):
    """mlops_monitor_labels_result, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("matched", c_uint64),
        ("unknown_ids", c_uint64),
        ("duplicates", c_uint64),
        ("windows", c_uint64),
        ("late_labels", c_uint64),
    ]


class Performance(Structure):
    """mlops_monitor_performance, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("task", c_int),
        ("labels", c_uint64),
        ("accuracy", c_double),
        ("balanced_accuracy", c_double),
        ("f1_macro", c_double),
        ("mae", c_double),
        ("mse", c_double),
        ("rmse", c_double),
        ("r2", c_double),
        ("mean_error", c_double),
        ("judged_labels", c_uint64),
        ("judged_value", c_double),
    ]


def table(store_p: Any) -> List[Tuple[str, Any, Any]]:
    """The declarations of monitor.h; store_p is the store handle type.
    The series getters take their output as an address (c_void_p): the
    binding fills arrays of windows and cells in place."""
    _str, _int, _sz, _i64, _vp = c_char_p, c_int, c_size_t, c_int64, c_void_p
    return [
        ("mlops_monitor_spec_init", _int, [POINTER(MonitorSpec), c_uint]),
        ("mlops_monitor_create", _int, [store_p, _str, POINTER(MonitorSpec)]),
        ("mlops_monitor_delete", _int, [store_p, _str]),
        ("mlops_monitor_get", _int, [store_p, _str, POINTER(MonitorP)]),
        ("mlops_monitor_free", None, [MonitorP]),
        ("mlops_monitor_name", _str, [MonitorP]),
        ("mlops_monitor_spec_get", _int, [MonitorP, POINTER(MonitorSpec)]),
        ("mlops_monitor_status_init", _int, [POINTER(MonitorStatus), c_uint]),
        ("mlops_monitor_status_get", _int, [MonitorP, POINTER(MonitorStatus)]),
        ("mlops_monitor_list", _int, [store_p, POINTER(MonitorsP)]),
        ("mlops_monitors_count", _sz, [MonitorsP]),
        ("mlops_monitors_at", MonitorP, [MonitorsP, _sz]),
        ("mlops_monitors_free", None, [MonitorsP]),
        ("mlops_monitor_ingest_opts_init", _int, [POINTER(IngestOpts), c_uint]),
        ("mlops_monitor_ingest_result_init", _int, [POINTER(IngestResult), c_uint]),
        # time_ms, and the numeric and strings column arrays, as addresses
        ("mlops_monitor_ingest", _int,
         [store_p, _str, _sz, _vp, _sz, POINTER(c_char_p), _vp, _vp, POINTER(IngestOpts),
          POINTER(IngestResult)]),
        ("mlops_monitor_check_opts_init", _int, [POINTER(CheckOpts), c_uint]),
        ("mlops_monitor_check", _int,
         [store_p, _str, POINTER(CheckOpts), POINTER(MonitorStatus)]),
        ("mlops_monitor_events_opts_init", _int, [POINTER(EventsOpts), c_uint]),
        ("mlops_monitor_events", _int,
         [store_p, _str, POINTER(EventsOpts), POINTER(POINTER(MonitorEvent)), POINTER(_sz)]),
        ("mlops_monitor_series_get", _int,
         [store_p, _str, _i64, _i64, POINTER(MonitorSeriesP)]),
        ("mlops_monitor_series_free", None, [MonitorSeriesP]),
        ("mlops_monitor_series_count", _sz, [MonitorSeriesP]),
        ("mlops_monitor_series_columns", _sz, [MonitorSeriesP]),
        ("mlops_monitor_series_column_name", _str, [MonitorSeriesP, _sz]),
        ("mlops_monitor_series_window", _int, [MonitorSeriesP, _sz, _vp]),
        ("mlops_monitor_series_cell", _int, [MonitorSeriesP, _sz, _sz, _vp]),
        ("mlops_monitor_page_opts_init", _int, [POINTER(PageOpts), c_uint]),
        ("mlops_monitor_page_html", _int, [store_p, _str, POINTER(PageOpts), POINTER(c_void_p)]),
        ("mlops_monitor_ext_init", _int, [POINTER(MonitorExt), c_uint]),
        ("mlops_monitor_create_ex", _int,
         [store_p, _str, POINTER(MonitorSpec), POINTER(MonitorExt)]),
        ("mlops_monitor_ext_get", _int, [MonitorP, POINTER(MonitorExt)]),
        ("mlops_monitor_labels_result_init", _int, [POINTER(LabelsResult), c_uint]),
        # ids, and the numeric or the strings labels, as addresses
        ("mlops_monitor_labels_ingest", _int,
         [store_p, _str, _sz, _vp, _vp, _vp, POINTER(LabelsResult)]),
        ("mlops_monitor_performance_init", _int, [POINTER(Performance), c_uint]),
        ("mlops_monitor_series_performance", _int, [MonitorSeriesP, _sz, POINTER(Performance)]),
    ]
