"""The data-validation part of the C API (validate.h) as ctypes sees it:
structs and declarations. Loaded by _capi."""
from __future__ import annotations

from ctypes import POINTER, Structure, c_char_p, c_double, c_int, c_size_t, c_uint, c_uint32, c_uint64, c_void_p
from typing import Any, List, Tuple

from ._cbase import opaque

SchemaP = opaque("mlops_schema")
AnomaliesP = opaque("mlops_anomalies")


class SchemaColumn(Structure):
    """mlops_schema_column, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("name", c_char_p),
        ("kind", c_int),
        ("checks", c_uint),
        ("min", c_double),
        ("max", c_double),
        ("out_of_range_max", c_double),
        ("categories", POINTER(c_char_p)),
        ("n_categories", c_size_t),
        ("unseen_max", c_double),
        ("missing_max", c_double),
    ]


class SchemaInferOpts(Structure):
    """mlops_schema_infer_opts, version 1."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("missing_slack", c_double), ("range_slack", c_double),
                ("max_categories", c_uint32)]


class ValidateOpts(Structure):
    """mlops_validate_opts, version 1."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("max_examples", c_uint32)]


class Anomaly(Structure):
    """mlops_anomaly (owned by its list; its layout never changes)."""

    _fields_ = [
        ("version", c_uint),
        ("kind", c_int),
        ("column", c_char_p),
        ("expected_kind", c_int),
        ("actual_kind", c_int),
        ("count", c_uint64),
        ("total", c_uint64),
        ("share", c_double),
        ("limit", c_double),
        ("n_examples", c_size_t),
        ("example_rows", POINTER(c_uint64)),
        ("example_values", POINTER(c_char_p)),
    ]


def table(StoreP: Any, digest_p: Any, ProfileP: Any) -> List[Tuple[str, Any, List[Any]]]:
    """The declarations of validate.h."""
    _int, _sz, _vp = c_int, c_size_t, c_void_p
    return [
        ("mlops_schema_column_init", _int, [POINTER(SchemaColumn), c_uint]),
        ("mlops_schema_new", _int, [POINTER(SchemaP)]),
        ("mlops_schema_free", None, [SchemaP]),
        ("mlops_schema_infer_opts_init", _int, [POINTER(SchemaInferOpts), c_uint]),
        ("mlops_schema_infer", _int, [_sz, POINTER(c_char_p), POINTER(ProfileP),
                                      POINTER(SchemaInferOpts), POINTER(SchemaP)]),
        ("mlops_schema_column_count", _sz, [SchemaP]),
        ("mlops_schema_column_get", _int, [SchemaP, _sz, POINTER(SchemaColumn)]),
        ("mlops_schema_column_find", _int, [SchemaP, c_char_p, POINTER(_sz)]),
        ("mlops_schema_column_set", _int, [SchemaP, POINTER(SchemaColumn)]),
        ("mlops_schema_column_delete", _int, [SchemaP, c_char_p]),
        ("mlops_schema_serialize", _int, [SchemaP, POINTER(_vp), POINTER(_sz)]),
        ("mlops_schema_deserialize", _int, [_vp, _sz, POINTER(SchemaP)]),
        ("mlops_schema_put", _int, [StoreP, SchemaP, digest_p]),
        ("mlops_schema_get", _int, [StoreP, digest_p, POINTER(SchemaP)]),
        ("mlops_schema_to_json", _int, [SchemaP, POINTER(_vp)]),
        ("mlops_schema_from_json", _int, [c_char_p, _sz, POINTER(SchemaP)]),
        ("mlops_validate_opts_init", _int, [POINTER(ValidateOpts), c_uint]),
        ("mlops_schema_validate", _int, [SchemaP, _sz, POINTER(c_char_p), POINTER(c_int),
                                         POINTER(_vp), POINTER(_vp), _sz, POINTER(ValidateOpts),
                                         POINTER(AnomaliesP)]),
        ("mlops_anomalies_count", _sz, [AnomaliesP]),
        ("mlops_anomalies_at", POINTER(Anomaly), [AnomaliesP, _sz]),
        ("mlops_anomalies_free", None, [AnomaliesP]),
    ]
