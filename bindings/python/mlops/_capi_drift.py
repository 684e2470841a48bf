"""The drift part of the C API (drift.h) as ctypes sees it: structs and
declarations. Kept apart from _capi.py because drift.h is the largest
header; loaded by _capi."""
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

from ._cbase import opaque


ProfileP = opaque("mlops_profile")


class TestResult(Structure):
    """mlops_test_result (frozen)."""

    _fields_ = [("statistic", c_double), ("p_value", c_double)]


class KsResult(Structure):
    """mlops_ks_result, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("statistic", c_double),
        ("p_value", c_double),
        ("log_p_value", c_double),
        ("method", c_int),
        ("n_ref", c_uint64),
        ("n_cur", c_uint64),
        ("ref_nan", c_uint64),
        ("ref_inf", c_uint64),
        ("cur_nan", c_uint64),
        ("cur_inf", c_uint64),
    ]


class KsOpts(Structure):
    """mlops_ks_opts, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("alternative", c_int), ("method", c_int)]


class DistanceOpts(Structure):
    """mlops_distance_opts, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("ref_weights", c_void_p), ("cur_weights", c_void_p)]


class CvmOpts(Structure):
    """mlops_cvm_opts, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("method", c_int)]


class BinnedOpts(Structure):
    """mlops_binned_opts, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("base", c_double), ("kl_floor", c_int)]


class ChisqOpts(Structure):
    """mlops_chisq_opts, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("correction", c_int), ("lambda_", c_double)]


class ChisqResult(Structure):
    """mlops_chisq_result, version 1 (since 1.1)."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("statistic", c_double),
        ("p_value", c_double),
        ("log_p_value", c_double),
        ("dof", c_uint64),
    ]


class BinnedResult(Structure):
    """mlops_binned_result, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("psi", c_double),
        ("jensen_shannon", c_double),
        ("kl", c_double),
        ("hellinger", c_double),
        ("chisq", TestResult),
        ("n_bins", c_size_t),
    ]


class ProfileOpts(Structure):
    """mlops_profile_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("bins", c_uint32),
        ("sketch_k", c_uint32),
        ("freeze_after", c_uint32),
        ("max_categories", c_uint32),
        ("edges", c_void_p),
        ("n_edges", c_size_t),
    ]


class ProfileSummary(Structure):
    """mlops_profile_summary, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("kind", c_int),
        ("count", c_uint64),
        ("nan_count", c_uint64),
        ("inf_count", c_uint64),
        ("min", c_double),
        ("max", c_double),
        ("mean", c_double),
        ("variance", c_double),
        ("rank_error", c_double),
        ("frozen", c_int),
        ("n_edges", c_size_t),
        ("n_categories", c_size_t),
        ("categories_exact", c_int),
        ("category_error", c_double),
    ]


class ProfileComparison(Structure):
    """mlops_profile_comparison, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("alpha", c_double),
        ("psi", c_double),
        ("jensen_shannon", c_double),
        ("kl", c_double),
        ("hellinger", c_double),
        ("chisq", TestResult),
        ("ks_statistic", c_double),
        ("ks_error", c_double),
        ("ks_p_value", c_double),
        ("ks_p_low", c_double),
        ("ks_p_high", c_double),
        ("ks_verdict", c_int),
        ("n_ref", c_uint64),
        ("n_cur", c_uint64),
    ]


class DriftReportOpts(Structure):
    """mlops_drift_report_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("drift_share", c_double),
        ("correction", c_int),
        ("threads", c_uint32),
        ("bins", c_uint32),
        ("methods", POINTER(c_int)),
        ("thresholds", POINTER(c_double)),
    ]


class DriftColumnResult(Structure):
    """mlops_drift_column_result (allocated by the library; read only)."""

    _fields_ = [
        ("name", c_char_p),
        ("kind", c_int),
        ("method", c_int),
        ("method_name", c_char_p),
        ("statistic", c_double),
        ("p_value", c_double),
        ("log_p_value", c_double),
        ("adjusted_p_value", c_double),
        ("score", c_double),
        ("threshold", c_double),
        ("drifted", c_int),
        ("n_ref", c_uint64),
        ("n_cur", c_uint64),
        ("ref_nan", c_uint64),
        ("ref_inf", c_uint64),
        ("cur_nan", c_uint64),
        ("cur_inf", c_uint64),
        ("missing", TestResult),
        # Appended with mlops_drift_report_html: read only when the library
        # has that function (HAVE_HTML).
        ("hist_n", c_size_t),
        ("hist_edges", POINTER(c_double)),
        ("hist_values", POINTER(c_double)),
        ("hist_ref", POINTER(c_uint64)),
        ("hist_cur", POINTER(c_uint64)),
        ("hist_clipped", c_int),
    ]


class DriftHtmlOpts(Structure):
    """mlops_drift_html_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("title", c_char_p),
        ("reference_name", c_char_p),
        ("current_name", c_char_p),
        ("category_labels", POINTER(POINTER(c_char_p))),
        ("category_label_counts", POINTER(c_size_t)),
        ("generated_ms", c_int64),
    ]


class DriftReport(Structure):
    """mlops_drift_report (allocated by the library; read only)."""

    _fields_ = [
        ("version", c_uint),
        ("n_columns", c_size_t),
        ("columns", POINTER(POINTER(DriftColumnResult))),
        ("n_drifted", c_size_t),
        ("share_drifted", c_double),
        ("drift_share", c_double),
        ("dataset_drift", c_int),
        ("correction", c_int),
    ]


DriftReportP = POINTER(DriftReport)

_vp, _sz, _int = c_void_p, c_size_t, c_int
_pd = c_void_p  # const double *: passed as an address (borrowed buffers)
_tr = POINTER(TestResult)
_pdbl = POINTER(c_double)


def table(digest_p: Any, store_p: Any, run_p: Any) -> List[Tuple[str, Any, List[Any]]]:
    """The declarations of drift.h; digest_p, store_p and run_p are the
    handle types shared with the rest of the API."""
    return [
        ("mlops_drift_ks", _int, [_pd, _sz, _pd, _sz, _tr]),
        ("mlops_ks_result_init", _int, [POINTER(KsResult), c_uint]),
        ("mlops_drift_ks_ex", _int, [_pd, _sz, _pd, _sz, _int, POINTER(KsResult)]),
        ("mlops_ks_opts_init", _int, [POINTER(KsOpts), c_uint]),
        ("mlops_drift_ks_opts", _int, [_pd, _sz, _pd, _sz, POINTER(KsOpts), POINTER(KsResult)]),
        ("mlops_drift_wasserstein", _int, [_pd, _sz, _pd, _sz, _pdbl]),
        ("mlops_distance_opts_init", _int, [POINTER(DistanceOpts), c_uint]),
        ("mlops_drift_wasserstein_opts", _int, [_pd, _sz, _pd, _sz, POINTER(DistanceOpts), _pdbl]),
        ("mlops_drift_energy_opts", _int, [_pd, _sz, _pd, _sz, POINTER(DistanceOpts), _pdbl]),
        ("mlops_cvm_opts_init", _int, [POINTER(CvmOpts), c_uint]),
        ("mlops_drift_cramer_von_mises_opts", _int, [_pd, _sz, _pd, _sz, POINTER(CvmOpts), _tr]),
        ("mlops_binned_opts_init", _int, [POINTER(BinnedOpts), c_uint]),
        ("mlops_drift_binned_opts", _int,
         [_pd, _sz, _pd, _sz, _sz, POINTER(BinnedOpts), POINTER(BinnedResult)]),
        ("mlops_drift_binned_counts_opts", _int,
         [_pd, _pd, _sz, POINTER(BinnedOpts), POINTER(BinnedResult)]),
        ("mlops_chisq_opts_init", _int, [POINTER(ChisqOpts), c_uint]),
        ("mlops_chisq_result_init", _int, [POINTER(ChisqResult), c_uint]),
        ("mlops_drift_chisq_table", _int,
         [_pd, _sz, _sz, POINTER(ChisqOpts), POINTER(ChisqResult)]),
        ("mlops_drift_energy", _int, [_pd, _sz, _pd, _sz, _pdbl]),
        ("mlops_drift_cramer_von_mises", _int, [_pd, _sz, _pd, _sz, _tr]),
        ("mlops_drift_missing", _int, [_pd, _sz, _pd, _sz, _tr]),
        ("mlops_drift_psi", _int, [_pd, _sz, _pd, _sz, _sz, _pdbl]),
        ("mlops_drift_jensen_shannon", _int, [_pd, _sz, _pd, _sz, _sz, _pdbl]),
        ("mlops_drift_kl", _int, [_pd, _sz, _pd, _sz, _sz, _pdbl]),
        ("mlops_drift_hellinger", _int, [_pd, _sz, _pd, _sz, _sz, _pdbl]),
        ("mlops_binned_result_init", _int, [POINTER(BinnedResult), c_uint]),
        ("mlops_drift_binned", _int, [_pd, _sz, _pd, _sz, _sz, POINTER(BinnedResult)]),
        ("mlops_drift_binned_counts", _int, [_pd, _pd, _sz, POINTER(BinnedResult)]),
        ("mlops_drift_chisq", _int, [_pd, _pd, _sz, _tr]),
        ("mlops_drift_quantile_edges", _int, [_pd, _sz, _sz, POINTER(c_void_p), POINTER(_sz)]),
        ("mlops_drift_bin_counts", _int, [_pd, _sz, _pd, _sz, c_void_p]),
        ("mlops_drift_bh_adjust", _int, [_pd, _sz, _pd]),
        ("mlops_profile_opts_init", _int, [POINTER(ProfileOpts), c_uint]),
        ("mlops_profile_new", _int, [_int, POINTER(ProfileOpts), POINTER(ProfileP)]),
        ("mlops_profile_new_like", _int, [ProfileP, POINTER(ProfileP)]),
        ("mlops_profile_free", None, [ProfileP]),
        ("mlops_profile_kind", _int, [ProfileP]),
        ("mlops_profile_add", _int, [ProfileP, _pd, _sz]),
        ("mlops_profile_add_strings", _int, [ProfileP, POINTER(c_char_p), _sz]),
        ("mlops_profile_freeze", _int, [ProfileP]),
        ("mlops_profile_merge", _int, [ProfileP, ProfileP]),
        ("mlops_profile_summary_init", _int, [POINTER(ProfileSummary), c_uint]),
        ("mlops_profile_summary_get", _int, [ProfileP, POINTER(ProfileSummary)]),
        ("mlops_profile_edges", _int, [ProfileP, POINTER(c_void_p), POINTER(_sz)]),
        ("mlops_profile_quantile", _int, [ProfileP, c_double, _pdbl]),
        ("mlops_profile_category_count", _int, [ProfileP, c_char_p, POINTER(c_uint64)]),
        ("mlops_profile_serialize", _int, [ProfileP, POINTER(c_void_p), POINTER(_sz)]),
        ("mlops_profile_deserialize", _int, [_vp, _sz, POINTER(ProfileP)]),
        ("mlops_profile_put", _int, [store_p, ProfileP, digest_p]),
        ("mlops_profile_get", _int, [store_p, digest_p, POINTER(ProfileP)]),
        ("mlops_profile_comparison_init", _int, [POINTER(ProfileComparison), c_uint]),
        ("mlops_profile_compare", _int, [ProfileP, ProfileP, POINTER(ProfileComparison)]),
        ("mlops_profile_compare_values", _int,
         [ProfileP, _pd, _sz, POINTER(ProfileComparison)]),
        ("mlops_profile_compare_strings", _int,
         [ProfileP, POINTER(c_char_p), _sz, POINTER(ProfileComparison)]),
        ("mlops_drift_report_opts_init", _int, [POINTER(DriftReportOpts), c_uint]),
        ("mlops_drift_report_compute", _int,
         [_sz, POINTER(c_char_p), POINTER(c_int), POINTER(c_void_p), POINTER(_sz),
          POINTER(c_void_p), POINTER(_sz), POINTER(DriftReportOpts), POINTER(DriftReportP)]),
        ("mlops_drift_report_free", None, [DriftReportP]),
        ("mlops_drift_report_json", _int, [DriftReportP, POINTER(c_void_p)]),
        ("mlops_drift_report_log", _int, [run_p, DriftReportP, c_int64, c_int64]),
        ("mlops_drift_html_opts_init", _int, [POINTER(DriftHtmlOpts), c_uint]),
        ("mlops_drift_report_html", _int,
         [DriftReportP, POINTER(DriftHtmlOpts), POINTER(c_void_p)]),
    ]
