"""The C API as ctypes sees it: the loaded library, its structs and
handle types, one declaration (argtypes and restype) per function the
binding calls, and the mapping of return codes to exceptions.

Conventions: handles are typed opaque pointers (passing the wrong kind
raises ctypes.ArgumentError). The handles the binding keeps (stores, runs,
readers, writers, iterators, profiles, reports: GUARDED) are passed as
their Guard: each function taking one holds the guard for the length of
the call (see _handle). Every string goes to C through ``enc`` (text) or
``enc_path`` (paths), which refuse NUL bytes. Buffers the library allocates for the caller
come back through ``POINTER(c_void_p)`` (or a typed pointer) out-arguments
and are released with ``mlops_free`` or the matching ``_free`` function.
Strings returned by getters are borrowed and declared ``c_char_p`` (ctypes
copies them into bytes at once).
"""
from __future__ import annotations

import ctypes
from ctypes import (
    POINTER,
    Structure,
    byref,
    c_char_p,
    c_double,
    c_int,
    c_int64,
    c_size_t,
    c_ubyte,
    c_uint,
    c_uint32,
    c_void_p,
)
import os
from typing import Any, Callable, Dict, NoReturn, Optional, Sequence, Set, Tuple, Union

from . import _loader
from ._cbase import CDigest, opaque
from ._handle import Guard
from .errors import BY_CODE, InvalidArgument, MlopsError, Unsupported

lib, LIBRARY_PATH, LIBRARY_FOUND_BY = _loader.load()


# ---- handles -----------------------------------------------------------------


StoreP = opaque("mlops_store")
BlobWriterP = opaque("mlops_blob_writer")
BlobReaderP = opaque("mlops_blob_reader")
ExperimentP = opaque("mlops_experiment")
ExperimentsP = opaque("mlops_experiments")
RunP = opaque("mlops_run")
RunInfoP = opaque("mlops_run_info")
RunInfosP = opaque("mlops_run_infos")
ModelP = opaque("mlops_model")
ModelsP = opaque("mlops_models")
ModelVersionP = opaque("mlops_model_version")
ModelVersionsP = opaque("mlops_model_versions")
AuditEventsP = opaque("mlops_audit_events")
VersionLineageP = opaque("mlops_version_lineage")

from ._capi_cas import BlobIterP, RefIterP  # noqa: E402
from ._capi_drift import DriftReportP, ProfileP  # noqa: E402
from ._capi_validate import SchemaP  # noqa: E402
from ._capi_delivery import RouteSnapshotP  # noqa: E402

#: The handle types the binding keeps beyond one call, in a Guard each.
GUARDED = {StoreP, BlobWriterP, BlobReaderP, RunP, BlobIterP, RefIterP, ProfileP, DriftReportP, SchemaP,
           RouteSnapshotP}


# ---- structs -----------------------------------------------------------------


class StoreOpts(Structure):
    """mlops_store_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("create_if_missing", c_int),
        ("read_only", c_int),
        ("durability", c_int),
        ("busy_timeout_ms", c_uint32),
        ("compression_level", c_int),
        ("chunk_min_size", c_uint32),
        ("chunk_avg_size", c_uint32),
        ("chunk_max_size", c_uint32),
        ("threads", c_uint32),
        ("actor", c_char_p),
    ]


class StoreLocation(Structure):
    """mlops_store_location, version 1 (shared stores, 1.1)."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("metadata", c_char_p),
        ("schema", c_char_p),
        ("objects", c_char_p),
    ]


class KV(Structure):
    """mlops_kv (frozen)."""

    _fields_ = [("key", c_char_p), ("value", c_char_p)]


class RunStartOpts(Structure):
    """mlops_run_start_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("name", c_char_p),
        ("parent_run_id", c_char_p),
        ("user", c_char_p),
        ("source", c_char_p),
        ("git_commit", c_char_p),
        ("start_ms", c_int64),
    ]


class Metric(Structure):
    """mlops_metric (frozen): 32 bytes, key pointer first."""

    _fields_ = [("key", c_char_p), ("value", c_double), ("step", c_int64), ("ts_ms", c_int64)]


class MetricPoint(Structure):
    """mlops_metric_point (frozen): 24 bytes."""

    _fields_ = [("value", c_double), ("step", c_int64), ("ts_ms", c_int64)]


class MetricSummary(Structure):
    """mlops_metric_summary (frozen)."""

    _fields_ = [
        ("key", c_char_p),
        ("last", c_double),
        ("last_step", c_int64),
        ("last_ts_ms", c_int64),
        ("min", c_double),
        ("max", c_double),
        ("count", c_int64),
    ]


class HistoryOpts(Structure):
    """mlops_history_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("step_min", c_int64),
        ("step_max", c_int64),
        ("buckets", c_size_t),
    ]


class RunCompareOpts(Structure):
    """mlops_run_compare_opts, version 1."""

    VERSION = 1
    X_STEP, X_TIME = 0, 1
    _fields_ = [
        ("version", c_uint),
        ("title", c_char_p),
        ("max_points", c_size_t),
        ("x_axis", c_int),
        ("generated_ms", c_int64),
    ]


class LineageEdge(Structure):
    """mlops_lineage_edge (frozen)."""

    _fields_ = [
        ("run_id", c_char_p),
        ("direction", c_int),
        ("digest", CDigest),
        ("name", c_char_p),
        ("role", c_char_p),
        ("created_ms", c_int64),
    ]


class SearchOpts(Structure):
    """mlops_search_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("experiment_ids", POINTER(c_int64)),
        ("experiment_count", c_size_t),
        ("filter", c_char_p),
        ("order_by", c_char_p),
        ("max_results", c_size_t),
        ("page_token", c_char_p),
        ("lifecycle", c_int),
    ]


class ChangeOpts(Structure):
    """mlops_change_opts, version 1."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("actor", c_char_p), ("reason", c_char_p)]


class ModelSearchExOpts(Structure):
    """mlops_model_search_ex_opts, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("name_glob", c_char_p),
        ("tag_keys", POINTER(c_char_p)),
        ("tag_values", POINTER(c_char_p)),
        ("ntags", c_size_t),
        ("lifecycle", c_int),
    ]


class AuditEvent(Structure):
    """mlops_audit_event, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("seq", c_int64),
        ("time_ms", c_int64),
        ("actor", c_char_p),
        ("action", c_char_p),
        ("model", c_char_p),
        ("model_version", c_int64),
        ("key", c_char_p),
        ("old_value", c_char_p),
        ("new_value", c_char_p),
        ("reason", c_char_p),
        ("hash", CDigest),
    ]


# ---- errors ------------------------------------------------------------------

lib.mlops_last_error.restype = c_char_p
lib.mlops_last_error.argtypes = []
lib.mlops_strerror.restype = c_char_p
lib.mlops_strerror.argtypes = [c_int]


def error(rc: int) -> MlopsError:
    """The exception for return code rc, with the calling thread's last
    error message. Call it on the thread of the failing call, before any
    other library call."""
    msg = (lib.mlops_last_error() or b"").decode("utf-8", "replace")
    name = (lib.mlops_strerror(rc) or b"").decode("utf-8", "replace")
    cls = BY_CODE.get(rc, MlopsError)
    return cls(msg or name, rc, name)


def check(rc: int) -> None:
    """Raises the exception for a non-zero return code."""
    if rc:
        raise error(rc)


# ---- declarations ------------------------------------------------------------

#: Functions of this binding's table that the loaded library lacks.
MISSING: Set[str] = set()

_int, _str, _vp, _sz, _i64 = c_int, c_char_p, c_void_p, c_size_t, c_int64
_pint, _pi64, _psz, _pvp = POINTER(c_int), POINTER(c_int64), POINTER(c_size_t), POINTER(c_void_p)
_pd = POINTER(CDigest)
_chg = POINTER(ChangeOpts)


def _missing(name: str) -> Callable[..., NoReturn]:
    def call(*_args: Any) -> NoReturn:
        raise Unsupported(
            f"{name}: not in the loaded libmlops ({LIBRARY_PATH}, version {version_text()})",
            10,
            "not supported",
        )

    return call


class _Namespace:
    """Attribute access to the declared functions (C.mlops_x(...))."""


C: Any = _Namespace()


def _guarded(fn: Any, at: Tuple[int, ...]) -> Callable[..., Any]:
    # fn, holding for the call each Guard passed at the positions `at`
    # (whose argument types are GUARDED) and passing its raw handle; a
    # raw handle passes through.
    if at == (0,):
        def call1(h: Any, *args: Any) -> Any:
            if h.__class__ is Guard:
                raw = h._enter()
                try:
                    return fn(raw, *args)
                finally:
                    h._leave()
            return fn(h, *args)

        return call1

    def call(*args: Any) -> Any:
        held = []
        try:
            if any(args[i].__class__ is Guard for i in at):
                args_l = list(args)
                for i in at:
                    g = args_l[i]
                    if g.__class__ is Guard:
                        args_l[i] = g._enter()
                        held.append(g)
                args = tuple(args_l)
            return fn(*args)
        finally:
            for g in reversed(held):
                g._leave()

    return call


def _int_range(t: Any) -> Optional[Tuple[int, int]]:
    # The values of the C integer type t, None when t is no integer type.
    if not (isinstance(t, type) and issubclass(t, ctypes._SimpleCData)) or t._type_ not in "bBhHiIlLqQ":
        return None
    bits = 8 * ctypes.sizeof(t)
    if t._type_.islower():  # signed
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _int_checked(fn: Any, name: str, argtypes: Sequence[Any]) -> Any:
    # fn, refusing with OverflowError an integer argument outside its C
    # type's range: ctypes would keep its low bits (version 2**64 + 1
    # would name version 1, a step -1 given for a size_t would be
    # SIZE_MAX). Integers and objects with __index__ are checked; ctypes
    # values pass as they are.
    checks = []
    for i, t in enumerate(argtypes):
        r = _int_range(t)
        if r is not None:
            checks.append((i, r[0], r[1], t.__name__))
    if not checks:
        return fn

    def call(*args: Any) -> Any:
        for i, lo, hi, what in checks:
            if i < len(args):
                v = args[i]
                if v.__class__ is not int:
                    if isinstance(v, ctypes._SimpleCData) or not hasattr(v, "__index__"):
                        continue  # ctypes' own conversion (or refusal)
                    v = v.__index__()
                if v < lo or v > hi:
                    raise OverflowError(f"{name}: argument {i + 1} ({v}) does not fit a C "
                                        f"{what} ({lo} to {hi})")
        return fn(*args)

    return call


def _declare(table: Sequence[Tuple[str, Any, Any]]) -> None:
    # (name, restype, argtypes) each, as attributes of C; a function the
    # library lacks becomes a stub raising Unsupported, listed in MISSING.
    # A function taking a GUARDED handle holds its guard for the call,
    # except the functions that release one (called by the guard itself,
    # with the raw handle: given a Guard, ctypes refuses it). Integer
    # arguments are checked against their C type's range (_int_checked).
    for name, restype, argtypes in table:
        try:
            fn = getattr(lib, name)
        except AttributeError:
            MISSING.add(name)
            setattr(C, name, _missing(name))
            continue
        fn.restype = restype
        fn.argtypes = list(argtypes)
        fn = _int_checked(fn, name, argtypes)
        at = tuple(i for i, t in enumerate(argtypes) if t in GUARDED)
        if at and not name.endswith(("_close", "_free", "_abort")):
            wrapped = _guarded(fn, at)
            wrapped.__name__ = name
            setattr(C, name, wrapped)
        else:
            setattr(C, name, fn)


_declare([
    # common.h
    ("mlops_version", _str, []),
    ("mlops_version_number", _int, []),
    ("mlops_strerror", _str, [_int]),
    ("mlops_last_error", _str, []),
    ("mlops_free", None, [_vp]),
    ("mlops_digest_format", _int, [_pd, ctypes.c_char * 72]),
    ("mlops_digest_parse", _int, [_str, _pd]),
    ("mlops_digest_compute", _int, [_vp, _sz, _pd]),
    ("mlops_set_thread_limit", _int, [c_uint]),
    ("mlops_thread_limit", c_uint, []),
    # store.h
    ("mlops_store_opts_init", _int, [POINTER(StoreOpts), c_uint]),
    ("mlops_store_open", _int, [_str, POINTER(StoreOpts), POINTER(StoreP)]),
    ("mlops_store_close", None, [StoreP]),
    ("mlops_store_location_init", _int, [POINTER(StoreLocation), c_uint]),
    ("mlops_store_create", _int,
     [_str, POINTER(StoreLocation), POINTER(StoreOpts), POINTER(StoreP)]),
    ("mlops_store_open_location", _int,
     [POINTER(StoreLocation), POINTER(StoreOpts), POINTER(StoreP)]),
    ("mlops_store_path", _str, [StoreP]),
    ("mlops_store_format_version", _int, [StoreP, _pint]),
    # cas.h
    ("mlops_blob_put", _int, [StoreP, _vp, _sz, _pd]),
    ("mlops_blob_get", _int, [StoreP, _pd, _pvp, _psz]),
    ("mlops_blob_put_file", _int, [StoreP, _str, _pd]),
    ("mlops_blob_get_file_ex", _int, [StoreP, _pd, _str, c_uint]),
    ("mlops_blob_read_at", _int, [StoreP, _pd, ctypes.c_uint64, _vp, _sz, _psz]),
    ("mlops_blob_writer_open", _int, [StoreP, POINTER(BlobWriterP)]),
    ("mlops_blob_writer_write", _int, [BlobWriterP, _vp, _sz]),
    ("mlops_blob_writer_commit", _int, [BlobWriterP, _pd]),
    ("mlops_blob_writer_abort", None, [BlobWriterP]),
    ("mlops_blob_reader_open", _int, [StoreP, _pd, POINTER(BlobReaderP)]),
    ("mlops_blob_reader_read", _int, [BlobReaderP, _vp, _sz, _psz]),
    ("mlops_blob_reader_size", _int, [BlobReaderP, POINTER(ctypes.c_uint64)]),
    ("mlops_blob_reader_close", None, [BlobReaderP]),
    ("mlops_blob_exists", _int, [StoreP, _pd, _pint]),
    # track.h: experiments
    ("mlops_experiment_create", _int, [StoreP, _str, _pi64]),
    ("mlops_experiment_get", _int, [StoreP, _i64, POINTER(ExperimentP)]),
    ("mlops_experiment_get_by_name", _int, [StoreP, _str, POINTER(ExperimentP)]),
    ("mlops_experiment_list_ex", _int, [StoreP, _int, POINTER(ExperimentsP)]),
    ("mlops_experiments_count", _sz, [ExperimentsP]),
    ("mlops_experiments_at", ExperimentP, [ExperimentsP, _sz]),
    ("mlops_experiments_free", None, [ExperimentsP]),
    ("mlops_experiment_free", None, [ExperimentP]),
    ("mlops_experiment_id", _i64, [ExperimentP]),
    ("mlops_experiment_name", _str, [ExperimentP]),
    ("mlops_experiment_created_ms", _i64, [ExperimentP]),
    ("mlops_experiment_updated_ms", _i64, [ExperimentP]),
    ("mlops_experiment_deleted_ms", _i64, [ExperimentP]),
    ("mlops_experiment_tag_count", _sz, [ExperimentP]),
    ("mlops_experiment_tag_at", _int, [ExperimentP, _sz, POINTER(_str), POINTER(_str)]),
    ("mlops_experiment_rename", _int, [StoreP, _i64, _str]),
    ("mlops_experiment_tag_set", _int, [StoreP, _i64, _str, _str]),
    ("mlops_experiment_tag_delete", _int, [StoreP, _i64, _str]),
    ("mlops_experiment_delete", _int, [StoreP, _i64]),
    ("mlops_experiment_restore", _int, [StoreP, _i64]),
    # track.h: runs
    ("mlops_run_start_opts_init", _int, [POINTER(RunStartOpts), c_uint]),
    ("mlops_run_start_ex", _int, [StoreP, _i64, POINTER(RunStartOpts), POINTER(RunP)]),
    ("mlops_run_open", _int, [StoreP, _str, POINTER(RunP)]),
    ("mlops_run_id", _str, [RunP]),
    ("mlops_run_experiment_id", _i64, [RunP]),
    ("mlops_run_end", _int, [RunP, _int]),
    ("mlops_run_free", None, [RunP]),
    ("mlops_run_tag_set", _int, [RunP, _str, _str]),
    ("mlops_run_tag_delete", _int, [RunP, _str]),
    ("mlops_run_delete", _int, [StoreP, _str]),
    ("mlops_run_restore", _int, [StoreP, _str]),
    ("mlops_run_status_name", _str, [_int]),
    ("mlops_run_log_param", _int, [RunP, _str, _str]),
    ("mlops_run_log_params", _int, [RunP, POINTER(KV), _sz]),
    ("mlops_run_log_metric", _int, [RunP, _str, c_double, _i64, _i64]),
    # The array is passed as an address: the binding fills it in bulk.
    ("mlops_run_log_metrics", _int, [RunP, _vp, _sz]),
    ("mlops_history_opts_init", _int, [POINTER(HistoryOpts), c_uint]),
    ("mlops_metric_history", _int,
     [StoreP, _str, _str, POINTER(HistoryOpts), _pvp, _psz]),
    ("mlops_run_compare_opts_init", _int, [POINTER(RunCompareOpts), c_uint]),
    ("mlops_run_compare_html", _int,
     [StoreP, POINTER(c_char_p), _sz, POINTER(RunCompareOpts), _pvp]),
    ("mlops_run_get", _int, [StoreP, _str, POINTER(RunInfoP)]),
    ("mlops_run_list_ex", _int, [StoreP, _i64, _int, POINTER(RunInfosP)]),
    ("mlops_run_infos_count", _sz, [RunInfosP]),
    ("mlops_run_infos_at", RunInfoP, [RunInfosP, _sz]),
    ("mlops_run_infos_free", None, [RunInfosP]),
    ("mlops_run_info_free", None, [RunInfoP]),
    ("mlops_run_info_id", _str, [RunInfoP]),
    ("mlops_run_info_experiment_id", _i64, [RunInfoP]),
    ("mlops_run_info_name", _str, [RunInfoP]),
    ("mlops_run_info_parent_id", _str, [RunInfoP]),
    ("mlops_run_info_status", _int, [RunInfoP]),
    ("mlops_run_info_start_ms", _i64, [RunInfoP]),
    ("mlops_run_info_end_ms", _i64, [RunInfoP]),
    ("mlops_run_info_deleted_ms", _i64, [RunInfoP]),
    ("mlops_run_info_param_count", _sz, [RunInfoP]),
    ("mlops_run_info_param_at", _int, [RunInfoP, _sz, POINTER(_str), POINTER(_str)]),
    ("mlops_run_info_tag_count", _sz, [RunInfoP]),
    ("mlops_run_info_tag_at", _int, [RunInfoP, _sz, POINTER(_str), POINTER(_str)]),
    ("mlops_run_info_metric_count", _sz, [RunInfoP]),
    ("mlops_run_info_metric_at", _int, [RunInfoP, _sz, POINTER(POINTER(MetricSummary))]),
    ("mlops_run_info_lineage", POINTER(LineageEdge), [RunInfoP, _psz]),
    # track.h: lineage and search
    ("mlops_run_log_input", _int, [RunP, _pd, _str, _str]),
    ("mlops_run_log_output", _int, [RunP, _pd, _str, _str]),
    ("mlops_lineage_for_run", _int, [StoreP, _str, POINTER(POINTER(LineageEdge)), _psz]),
    ("mlops_lineage_for_digest", _int, [StoreP, _pd, POINTER(POINTER(LineageEdge)), _psz]),
    ("mlops_search_opts_init", _int, [POINTER(SearchOpts), c_uint]),
    ("mlops_run_search_ex", _int, [StoreP, POINTER(SearchOpts), POINTER(RunInfosP), _pvp]),
    # registry.h: models
    ("mlops_change_opts_init", _int, [_chg, c_uint]),
    ("mlops_model_create_ex", _int, [StoreP, _str, _str, _chg]),
    ("mlops_model_rename", _int, [StoreP, _str, _str, _chg]),
    ("mlops_model_delete", _int, [StoreP, _str, _int, _chg]),
    ("mlops_model_set_description", _int, [StoreP, _str, _str, _chg]),
    ("mlops_model_tag_set", _int, [StoreP, _str, _str, _str, _chg]),
    ("mlops_model_tag_delete", _int, [StoreP, _str, _str, _chg]),
    ("mlops_model_get", _int, [StoreP, _str, POINTER(ModelP)]),
    ("mlops_model_free", None, [ModelP]),
    ("mlops_model_name", _str, [ModelP]),
    ("mlops_model_description", _str, [ModelP]),
    ("mlops_model_created_ms", _i64, [ModelP]),
    ("mlops_model_updated_ms", _i64, [ModelP]),
    ("mlops_model_deleted_ms", _i64, [ModelP]),
    ("mlops_model_max_version", _i64, [ModelP]),
    ("mlops_model_tag_count", _sz, [ModelP]),
    ("mlops_model_tag_at", _int, [ModelP, _sz, POINTER(_str), POINTER(_str)]),
    ("mlops_model_alias_count", _sz, [ModelP]),
    ("mlops_model_alias_at", _int, [ModelP, _sz, POINTER(_str), _pi64]),
    ("mlops_model_search_ex_opts_init", _int, [POINTER(ModelSearchExOpts), c_uint]),
    ("mlops_model_search_ex", _int, [StoreP, POINTER(ModelSearchExOpts), POINTER(ModelsP)]),
    ("mlops_models_count", _sz, [ModelsP]),
    ("mlops_models_at", ModelP, [ModelsP, _sz]),
    ("mlops_models_free", None, [ModelsP]),
    # registry.h: versions
    ("mlops_model_version_create_ex", _int, [StoreP, _str, _pd, _str, _str, _chg, _pi64]),
    ("mlops_model_version_get", _int, [StoreP, _str, _i64, POINTER(ModelVersionP)]),
    ("mlops_model_version_free", None, [ModelVersionP]),
    ("mlops_model_version_model", _str, [ModelVersionP]),
    ("mlops_model_version_number", _i64, [ModelVersionP]),
    ("mlops_model_version_artifact", _pd, [ModelVersionP]),
    ("mlops_model_version_run_id", _str, [ModelVersionP]),
    ("mlops_model_version_description", _str, [ModelVersionP]),
    ("mlops_model_version_creator", _str, [ModelVersionP]),
    ("mlops_model_version_status", _int, [ModelVersionP]),
    ("mlops_model_version_created_ms", _i64, [ModelVersionP]),
    ("mlops_model_version_updated_ms", _i64, [ModelVersionP]),
    ("mlops_model_version_deleted_ms", _i64, [ModelVersionP]),
    ("mlops_model_version_tag_count", _sz, [ModelVersionP]),
    ("mlops_model_version_tag_at", _int, [ModelVersionP, _sz, POINTER(_str), POINTER(_str)]),
    ("mlops_model_version_signature_count", _sz, [ModelVersionP]),
    ("mlops_model_version_signature_at", _int,
     [ModelVersionP, _sz, _pd, POINTER(c_ubyte * 64), _pi64]),
    ("mlops_model_version_list_ex", _int, [StoreP, _str, _int, POINTER(ModelVersionsP)]),
    ("mlops_model_versions_count", _sz, [ModelVersionsP]),
    ("mlops_model_versions_at", ModelVersionP, [ModelVersionsP, _sz]),
    ("mlops_model_versions_free", None, [ModelVersionsP]),
    ("mlops_model_version_set_description", _int, [StoreP, _str, _i64, _str, _chg]),
    ("mlops_model_version_set_status", _int, [StoreP, _str, _i64, _int, _chg]),
    ("mlops_model_version_tag_set", _int, [StoreP, _str, _i64, _str, _str, _chg]),
    ("mlops_model_version_tag_delete", _int, [StoreP, _str, _i64, _str, _chg]),
    ("mlops_model_version_delete", _int, [StoreP, _str, _i64, _chg]),
    # registry.h: aliases, policies, signing
    ("mlops_model_alias_set_ex", _int, [StoreP, _str, _str, _i64, _chg]),
    ("mlops_model_alias_get", _int, [StoreP, _str, _str, _pi64]),
    ("mlops_model_alias_delete", _int, [StoreP, _str, _str, _chg]),
    ("mlops_model_resolve", _int, [StoreP, _str, _pi64, _pd]),
    ("mlops_model_alias_policy_set", _int, [StoreP, _str, _str, POINTER(_str), _sz, _chg]),
    ("mlops_model_alias_policy_delete", _int, [StoreP, _str, _str, _chg]),
    ("mlops_model_alias_policy_get", _int, [StoreP, _str, _str, POINTER(_pd), _psz]),
    ("mlops_key_fingerprint", _int, [_str, _pd]),
    ("mlops_model_version_manifest", _int, [StoreP, _str, _i64, _pvp, _psz]),
    ("mlops_model_version_sign", _int, [StoreP, _str, _i64, _str, _chg]),
    ("mlops_model_version_verify", _int, [StoreP, _str, _i64, _str]),
    ("mlops_model_version_verify_deep", _int, [StoreP, _str, _i64, _str]),
    # registry.h: audit and lineage
    ("mlops_audit_verify_head", _int, [StoreP, _i64, _pd, _pi64]),
    ("mlops_audit_head", _int, [StoreP, _pi64, _pd]),
    ("mlops_audit_event_init", _int, [POINTER(AuditEvent), c_uint]),
    ("mlops_audit_model_events", _int, [StoreP, _str, POINTER(AuditEventsP)]),
    ("mlops_audit_list", _int, [StoreP, _i64, _sz, POINTER(AuditEventsP)]),
    ("mlops_audit_events_count", _sz, [AuditEventsP]),
    ("mlops_audit_events_get", _int, [AuditEventsP, _sz, POINTER(AuditEvent)]),
    ("mlops_audit_events_free", None, [AuditEventsP]),
    ("mlops_audit_alias_at", _int, [StoreP, _str, _str, _i64, _pi64]),
    ("mlops_model_version_lineage", _int, [StoreP, _str, _i64, POINTER(VersionLineageP)]),
    ("mlops_version_lineage_free", None, [VersionLineageP]),
    ("mlops_version_lineage_version", _i64, [VersionLineageP]),
    ("mlops_version_lineage_artifact", _pd, [VersionLineageP]),
    ("mlops_version_lineage_run", RunInfoP, [VersionLineageP]),
    ("mlops_version_lineage_inputs", POINTER(LineageEdge), [VersionLineageP, _psz]),
])


from . import _capi_cas, _capi_drift, _capi_eval, _capi_fairness, _capi_validate  # noqa: E402  (in files of their own)
from . import _capi_delivery, _capi_monitor  # noqa: E402

_declare(_capi_cas.table(_pd, StoreP))
_declare(_capi_drift.table(_pd, StoreP, RunP))
_declare(_capi_eval.table())
_declare(_capi_validate.table(StoreP, _pd, ProfileP))
_declare(_capi_fairness.table())
_declare(_capi_delivery.table(StoreP, _chg))
_declare(_capi_monitor.table(StoreP))


def version_text() -> str:
    """The loaded library's version string."""
    return (lib.mlops_version() or b"?").decode()


_loader.check_version(C.mlops_version_number(), version_text(), LIBRARY_PATH)


def set_thread_limit(n: int) -> None:
    """Sets the process-wide thread limit (mlops_set_thread_limit): how many
    threads, the calling one included, one library call may keep working
    at once. 0 means the number of online CPUs; 1 starts no thread at all.
    Raises InvalidArgument for a value outside 0..256."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"thread limit must be an int, not {type(n).__name__}")
    if n < 0 or n > 256:
        raise InvalidArgument(f"set_thread_limit: {n} is not 0 to 256", 1, "invalid argument")
    check(C.mlops_set_thread_limit(n))


def thread_limit() -> int:
    """The process-wide thread limit (0 = online CPUs)."""
    return int(C.mlops_thread_limit())


def _limit_from_environment() -> None:
    # MLOPS_THREADS, read once at import, as the CLI reads it.
    text = os.environ.get("MLOPS_THREADS", "").strip()
    if not text:
        return
    try:
        set_thread_limit(int(text, 10))
    except (ValueError, MlopsError) as e:
        raise ImportError(f"mlops: MLOPS_THREADS={text!r} is not a thread limit from 0 to 256 ({e})") from None


_limit_from_environment()


# ---- small conversions used everywhere -----------------------------------------


def _no_nul(b: bytes, shown: Any) -> bytes:
    i = b.find(b"\0")
    if i >= 0:
        text = repr(shown) if len(shown) <= 60 else repr(shown[:60]) + "..."
        raise ValueError(f"a string given to libmlops holds a NUL byte (at {i}): {text}; "
                         "C would end the string there")
    return b


def enc(s: Union[str, bytes, None]) -> Optional[bytes]:
    """The C string of s: UTF-8 bytes of a str, bytes as they are (None
    stays None). The one conversion of every string argument the binding
    passes to C (names, refs, keys, values, filters, PEM texts...): raises
    ValueError when s holds a NUL byte, which C would take for the end of
    the string (``set_ref("prod\\0x", d)`` would move ``prod``)."""
    if s is None:
        return None
    return _no_nul(s if isinstance(s, bytes) else s.encode("utf-8"), s)


def enc_path(p: Union[str, bytes, "os.PathLike[Any]"]) -> bytes:
    """The C string of a file system path (os.fsencode); ValueError when it
    holds a NUL byte, as enc."""
    return _no_nul(os.fsencode(p), os.fspath(p))


def dec(b: bytes | None) -> str | None:
    """str of UTF-8 bytes b (None stays None)."""
    return None if b is None else b.decode("utf-8", "replace")


def take_buffer(ptr: c_void_p, size: int) -> bytes:
    """Copies a library-allocated buffer into bytes and frees it."""
    try:
        return ctypes.string_at(ptr, size) if size else b""
    finally:
        C.mlops_free(ptr)


def kv_items(h: Any, count_fn: Any, at_fn: Any) -> Dict[str, str]:
    """dict of the (key, value) items of a snapshot read with its
    ``_count`` and ``_at`` functions (tags, params)."""
    out: Dict[str, str] = {}
    k, v = c_char_p(), c_char_p()
    for i in range(count_fn(h)):
        check(at_fn(h, i, byref(k), byref(v)))
        out[dec(k.value) or ""] = dec(v.value) or ""
    return out

