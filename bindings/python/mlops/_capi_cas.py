"""The artifact store's trees, references, stat and listing, fsck and gc
(cas.h, store.h) as ctypes sees them: structs and declarations, loaded by
_capi."""
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
    c_uint64,
)
from typing import Any, List, Tuple

from ._cbase import CDigest, opaque


BlobIterP = opaque("mlops_blob_iter")
RefIterP = opaque("mlops_ref_iter")


class TreeGetOpts(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("max_entries", c_uint64),
        ("max_bytes", c_uint64),
        ("keep_modes", c_int),
        ("links", c_int),
    ]


class CBlobInfo(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("kind", c_int),
        ("size", c_uint64),
        ("stored", c_uint64),
        ("chunks", c_uint64),
        ("encoding", c_int),
        ("zstd_chunks", c_uint64),
        ("created_ms", c_int64),
    ]


class FsckOpts(Structure):
    VERSION = 1
    _fields_ = [("version", c_uint), ("sample", c_double), ("quarantine", c_int)]


class CFsckIssue(Structure):
    _fields_ = [("digest", CDigest), ("problem", c_int)]


class CFsckReport(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("objects", c_uint64),
        ("checked", c_uint64),
        ("bytes_checked", c_uint64),
        ("corrupt", c_uint64),
        ("missing", c_uint64),
        ("quarantined", c_uint64),
        ("orphans", c_uint64),
        ("issues", POINTER(CFsckIssue)),
        ("nissues", c_size_t),
    ]


class GcOpts(Structure):
    VERSION = 1
    _fields_ = [("version", c_uint), ("grace_ms", c_int64), ("dry_run", c_int)]


class CGcReport(Structure):
    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("contents", c_uint64),
        ("objects", c_uint64),
        ("bytes", c_uint64),
        ("orphans", c_uint64),
        ("kept_contents", c_uint64),
        ("kept_objects", c_uint64),
    ]


def table(digest_p: Any, store_p: Any) -> List[Tuple[str, Any, List[Any]]]:
    """The declarations of the tree, reference, stat, list, fsck and gc
    functions; digest_p and store_p are the shared pointer types."""
    _pd = digest_p
    StoreP = store_p
    return [
        ("mlops_blob_info_init", c_int, [POINTER(CBlobInfo), c_uint]),
        ("mlops_blob_stat", c_int, [StoreP, _pd, POINTER(CBlobInfo)]),
        ("mlops_blob_list_open", c_int, [StoreP, c_int, POINTER(BlobIterP)]),
        ("mlops_blob_list_next", c_int, [BlobIterP, _pd, POINTER(CBlobInfo)]),
        ("mlops_blob_list_close", None, [BlobIterP]),
        ("mlops_tree_put", c_int, [StoreP, c_char_p, c_uint, _pd]),
        ("mlops_tree_get", c_int, [StoreP, _pd, c_char_p, c_uint]),
        ("mlops_tree_get_opts_init", c_int, [POINTER(TreeGetOpts), c_uint]),
        ("mlops_tree_get_ex", c_int, [StoreP, _pd, c_char_p, POINTER(TreeGetOpts)]),
        ("mlops_ref_set", c_int, [StoreP, c_char_p, _pd]),
        ("mlops_ref_get", c_int, [StoreP, c_char_p, _pd]),
        ("mlops_ref_delete", c_int, [StoreP, c_char_p]),
        ("mlops_ref_list_open", c_int, [StoreP, c_char_p, POINTER(RefIterP)]),
        ("mlops_ref_list_next", c_int, [RefIterP, POINTER(c_char_p), _pd]),
        ("mlops_ref_list_close", None, [RefIterP]),
        ("mlops_fsck_opts_init", c_int, [POINTER(FsckOpts), c_uint]),
        ("mlops_fsck_report_init", c_int, [POINTER(CFsckReport), c_uint]),
        ("mlops_store_fsck", c_int, [StoreP, POINTER(FsckOpts), POINTER(CFsckReport)]),
        ("mlops_gc_opts_init", c_int, [POINTER(GcOpts), c_uint]),
        ("mlops_gc_report_init", c_int, [POINTER(CGcReport), c_uint]),
        ("mlops_store_gc", c_int, [StoreP, POINTER(GcOpts), POINTER(CGcReport)]),
    ]

