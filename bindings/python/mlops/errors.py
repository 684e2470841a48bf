"""Exceptions raised by the binding.

Every failing C call becomes one exception whose class follows the
library's error code. Each carries ``code`` (the ``MLOPS_E*`` number),
``code_name`` (``mlops_strerror(code)``) and ``message``: the library's
description of the failure (what, which object, why), read on the thread
that made the call, right after it.
"""
from __future__ import annotations

from typing import Dict, Type

__all__ = [
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


class MlopsError(Exception):
    """Base class of every error the library reports.

    Attributes:
        code: the library's error code (``MLOPS_E*`` value).
        code_name: the code's name from ``mlops_strerror`` ("not found"...).
        message: the library's message for this failure.
    """

    code: int = 0

    def __init__(self, message: str, code: int = 0, code_name: str = "") -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.code_name = code_name

    def __str__(self) -> str:
        if self.code_name:
            return f"{self.message} [{self.code_name}]"
        return self.message


class InvalidArgument(MlopsError, ValueError):
    """MLOPS_EINVAL: an argument is NULL, malformed or out of range."""

    code = 1


class NotFound(MlopsError, LookupError):
    """MLOPS_ENOTFOUND: the named object, file, run, model... does not exist."""

    code = 2


class AlreadyExists(MlopsError):
    """MLOPS_EEXIST: the object already exists."""

    code = 3


class Conflict(MlopsError):
    """MLOPS_ECONFLICT: the call conflicts with recorded state (a param's
    value, an ended run...)."""

    code = 4


class Corrupt(MlopsError):
    """MLOPS_ECORRUPT: stored data failed verification."""

    code = 5


class StorageIOError(MlopsError):
    """MLOPS_EIO: an operating-system I/O call failed (disk full, EACCES...)."""

    code = 6


class OutOfMemory(MlopsError):
    """MLOPS_ENOMEM: the library ran out of memory."""

    code = 7


class Busy(MlopsError):
    """MLOPS_EBUSY: a lock could not be taken within the busy timeout."""

    code = 8


class FormatError(MlopsError):
    """MLOPS_EFORMAT: not a libmlops store, or bytes not in the expected
    format."""

    code = 9


class Unsupported(MlopsError):
    """MLOPS_EUNSUPPORTED: written by a newer format version, or not
    supported by this library."""

    code = 10


class ReadOnly(MlopsError):
    """MLOPS_EREADONLY: a write through a store opened read-only."""

    code = 11


class PolicyError(MlopsError):
    """MLOPS_EPOLICY: refused by a policy recorded in the store (e.g. an
    alias that requires a trusted signature)."""

    code = 12


class SignatureError(MlopsError):
    """MLOPS_ESIGNATURE: a signature is missing or does not verify."""

    code = 13


class PermissionDenied(MlopsError):
    """MLOPS_EPERM (since 1.1): the database refused the action to the
    role the store's connection logs in as (a shared store on PostgreSQL
    whose roles are set up as doc/shared-stores.md shows). The message
    names the role and what it may not do."""

    code = 15


#: Error code -> exception class.
BY_CODE: Dict[int, Type[MlopsError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        NotFound,
        AlreadyExists,
        Conflict,
        Corrupt,
        StorageIOError,
        OutOfMemory,
        Busy,
        FormatError,
        Unsupported,
        ReadOnly,
        PolicyError,
        SignatureError,
        PermissionDenied,
    )
}
