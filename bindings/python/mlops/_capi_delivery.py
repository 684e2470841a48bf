"""The weighted-alias and routing part of the C API (registry.h, "Weighted
aliases and routing", since 1.1) as ctypes sees it. Loaded by _capi."""
from __future__ import annotations

from ctypes import POINTER, c_char_p, c_int, c_int64, c_size_t, c_void_p
from typing import Any, List, Tuple

from ._cbase import opaque

AliasSplitP = opaque("mlops_alias_split")
AliasSplitsP = opaque("mlops_alias_splits")
#: Kept by RouteSnapshot beyond one call: in a Guard (GUARDED).
RouteSnapshotP = opaque("mlops_route_snapshot")


def table(store_p: Any, change_p: Any) -> List[Tuple[str, Any, Any]]:
    _str, _int, _i64, _sz = c_char_p, c_int, c_int64, c_size_t
    return [
        ("mlops_model_alias_split_set", _int, [store_p, _str, _str, _str, change_p]),
        ("mlops_model_alias_ramp", _int, [store_p, _str, _str, _i64, _int, change_p]),
        ("mlops_model_alias_rollback", _int, [store_p, _str, _str, _i64, change_p]),
        ("mlops_model_alias_split_get", _int, [store_p, _str, _str, POINTER(AliasSplitP)]),
        ("mlops_audit_alias_split_at", _int, [store_p, _str, _str, _i64, POINTER(AliasSplitP)]),
        ("mlops_model_alias_splits", _int, [store_p, _str, POINTER(AliasSplitsP)]),
        ("mlops_alias_splits_count", _sz, [AliasSplitsP]),
        ("mlops_alias_splits_at", AliasSplitP, [AliasSplitsP, _sz]),
        ("mlops_alias_splits_free", None, [AliasSplitsP]),
        ("mlops_alias_split_alias", _str, [AliasSplitP]),
        ("mlops_alias_split_text", _str, [AliasSplitP]),
        ("mlops_alias_split_count", _sz, [AliasSplitP]),
        ("mlops_alias_split_at", _int, [AliasSplitP, _sz, POINTER(_i64), POINTER(_int)]),
        ("mlops_alias_split_primary", _i64, [AliasSplitP]),
        ("mlops_alias_split_shadow", _i64, [AliasSplitP]),
        ("mlops_alias_split_salt", _str, [AliasSplitP]),
        ("mlops_alias_split_free", None, [AliasSplitP]),
        ("mlops_model_route", _int, [store_p, _str, _str, c_void_p, _sz, POINTER(_i64)]),
        ("mlops_model_route_snapshot", _int, [store_p, _str, _str, POINTER(RouteSnapshotP)]),
        ("mlops_route_snapshot_route", _int, [RouteSnapshotP, c_void_p, _sz, POINTER(_i64)]),
        ("mlops_route_snapshot_split", AliasSplitP, [RouteSnapshotP]),
        ("mlops_route_snapshot_free", None, [RouteSnapshotP]),
    ]
