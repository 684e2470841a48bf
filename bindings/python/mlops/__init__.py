"""mlops: a thin ctypes binding of libmlops.

libmlops is a C library that keeps ML artifacts (content-addressed,
deduplicated, verified), experiment records (runs, params, metrics,
lineage), a model registry (versions, aliases, signatures, a
tamper-evident audit log) and drift statistics. This package calls it
through ctypes; it holds no storage or statistics logic of its own.

    import mlops
    with mlops.Store("my-store") as store:
        digest = store.put(b"some bytes")
        with store.start_run("training", "trial-1") as run:
            run.log_params({"lr": 0.01})
            run.log_metric("loss", 0.25, step=1)

The library is found through the MLOPS_LIBRARY environment variable, the
copy bundled in this package (the `libmlops` wheel), then the system's
``libmlops.so.1`` and ``ctypes.util.find_library`` (see ``mlops._loader``).
"""
from __future__ import annotations

from . import drift, fairness, metrics, monitors, validate
from ._capi import LIBRARY_FOUND_BY, LIBRARY_PATH, C, set_thread_limit, thread_limit, version_text
from .cas_tree import BlobInfo, FsckIssue, FsckReport, GcReport
from .digest import Digest, DigestLike
from .errors import (
    AlreadyExists,
    Busy,
    Conflict,
    Corrupt,
    FormatError,
    InvalidArgument,
    MlopsError,
    NotFound,
    OutOfMemory,
    PermissionDenied,
    PolicyError,
    ReadOnly,
    SignatureError,
    StorageIOError,
    Unsupported,
)
from .delivery import AliasSplit, RouteSnapshot
from .evaluations import EvaluationRecord, RecordedMetric
from .gates import Gate, GateCheck, GateDecision
from .imports import StoreCopyReport
from .monitors import IngestResult, Monitor, MonitorColumn, MonitorEvent, MonitorSeries, MonitorSpec, MonitorStatus
from .remotes import BundleReport, TransferReport
from .registry import (
    AuditEvent,
    AuditHead,
    AuditReport,
    Model,
    ModelVersion,
    Resolved,
    Signature,
    VersionLineage,
    key_fingerprint,
)
from .store import BlobFile, BlobWriter, Store
from .track import (
    Experiment,
    LineageEdge,
    MetricHistory,
    MetricSummary,
    Run,
    RunInfo,
    RunPage,
)

try:  # written when the package is built (setup.py): the C library's version
    from ._version import __version__
except ImportError:  # the source folder itself on sys.path, never built
    __version__ = "unknown (not built)"

#: Path (or soname) of the loaded libmlops, and how it was found:
#: "MLOPS_LIBRARY", "package", "soname" or "find_library".
library_path: str = LIBRARY_PATH
library_found_by: str = LIBRARY_FOUND_BY


def library_version() -> str:
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return version_text()


def library_version_number() -> int:
    """The loaded library's version as MAJOR*10000 + MINOR*100 + PATCH."""
    return int(C.mlops_version_number())


__all__ = [
    "Store",
    "BlobFile",
    "BlobWriter",
    "Digest",
    "DigestLike",
    "BlobInfo",
    "FsckIssue",
    "FsckReport",
    "GcReport",
    "Experiment",
    "Run",
    "RunInfo",
    "RunPage",
    "MetricSummary",
    "MetricHistory",
    "LineageEdge",
    "Model",
    "ModelVersion",
    "Signature",
    "Resolved",
    "AuditEvent",
    "AuditHead",
    "AuditReport",
    "VersionLineage",
    "EvaluationRecord",
    "RecordedMetric",
    "AliasSplit",
    "RouteSnapshot",
    "Gate",
    "GateCheck",
    "GateDecision",
    "StoreCopyReport",
    "Monitor",
    "MonitorColumn",
    "MonitorSpec",
    "MonitorStatus",
    "MonitorEvent",
    "MonitorSeries",
    "IngestResult",
    "TransferReport",
    "BundleReport",
    "key_fingerprint",
    "drift",
    "fairness",
    "metrics",
    "monitors",
    "validate",
    "library_path",
    "library_found_by",
    "library_version",
    "library_version_number",
    "set_thread_limit",
    "thread_limit",
    "MlopsError",
    "InvalidArgument",
    "NotFound",
    "AlreadyExists",
    "Conflict",
    "Corrupt",
    "StorageIOError",
    "OutOfMemory",
    "Busy",
    "FormatError",
    "Unsupported",
    "ReadOnly",
    "PolicyError",
    "SignatureError",
    "PermissionDenied",
]
