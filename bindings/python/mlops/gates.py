"""Promotion gates (registry.h, "Promotion gates"; doc/gates.md; since
1.1): Store.set_gate, Store.gate, Store.clear_gate and Store.promote."""
from __future__ import annotations

import math
from ctypes import POINTER, Structure, byref, c_char_p, c_double, c_int, c_int64, c_size_t, c_uint
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence

from ._cbase import CDigest, opaque
from ._capi import ChangeOpts, C, StoreP, _declare, check, dec, enc
from .digest import Digest, DigestLike, c_digest
from .errors import PolicyError
from .registry import _change

__all__ = ["Gate", "GateCheck", "GateDecision"]

GateP = opaque("mlops_gate")
DecisionP = opaque("mlops_gate_decision")

#: mlops_gate_check.outcome
_OUTCOMES = {0: "pass", 1: "fail", 2: "skip"}


class _CPromoteOpts(Structure):
    """mlops_promote_opts, version 1."""

    VERSION = 1
    _fields_ = [("version", c_uint), ("force", c_int)]


class _CCheck(Structure):
    """mlops_gate_check, version 1."""

    VERSION = 1
    _fields_ = [
        ("version", c_uint),
        ("candidate", c_int64),
        ("condition", c_char_p),
        ("outcome", c_int),
        ("left_known", c_int),
        ("right_known", c_int),
        ("left", c_double),
        ("right", c_double),
        ("why", c_char_p),
    ]


# MLOPS_1.1: with a 1.0 library these raise Unsupported.
_declare([
    ("mlops_model_gate_set", c_int,
     [StoreP, c_char_p, c_char_p, POINTER(c_char_p), c_size_t, POINTER(CDigest),
      POINTER(ChangeOpts)]),
    ("mlops_model_gate_clear", c_int, [StoreP, c_char_p, c_char_p, POINTER(ChangeOpts)]),
    ("mlops_model_gate_get", c_int, [StoreP, c_char_p, c_char_p, POINTER(GateP)]),
    ("mlops_gate_count", c_size_t, [GateP]),
    ("mlops_gate_condition", c_char_p, [GateP, c_size_t]),
    ("mlops_gate_dataset", POINTER(CDigest), [GateP]),
    ("mlops_gate_free", None, [GateP]),
    ("mlops_promote_opts_init", c_int, [POINTER(_CPromoteOpts), c_uint]),
    ("mlops_model_promote", c_int,
     [StoreP, c_char_p, c_int64, c_char_p, POINTER(_CPromoteOpts), POINTER(ChangeOpts),
      POINTER(DecisionP)]),
    ("mlops_gate_decision_free", None, [DecisionP]),
    ("mlops_gate_decision_gated", c_int, [DecisionP]),
    ("mlops_gate_decision_passed", c_int, [DecisionP]),
    ("mlops_gate_decision_forced", c_int, [DecisionP]),
    ("mlops_gate_decision_baseline", c_int64, [DecisionP]),
    ("mlops_gate_decision_event", c_int64, [DecisionP]),
    ("mlops_gate_decision_count", c_size_t, [DecisionP]),
    ("mlops_gate_check_init", c_int, [POINTER(_CCheck), c_uint]),
    ("mlops_gate_decision_at", c_int, [DecisionP, c_size_t, POINTER(_CCheck)]),
])


@dataclass(frozen=True)
class Gate:
    """An alias's gate: its conditions in canonical text, and the dataset
    whose latest evaluation ``metrics.X`` reads (None: the producing run's
    metrics)."""

    conditions: List[str]
    dataset: Optional[Digest]


@dataclass(frozen=True)
class GateCheck:
    """One condition decided for one candidate version: ``outcome`` is
    "pass", "fail" or "skip" (it reads the baseline and there is none);
    ``left``/``right`` are None when not known (a missing value)."""

    candidate: int
    condition: str
    outcome: str
    left: Optional[float]
    right: Optional[float]
    why: str


@dataclass(frozen=True)
class GateDecision:
    """What a promotion decided. ``promoted``: the alias points at the
    version now. ``gated``: the alias has a gate (the decision is audit
    event ``event``); ``passed``: every condition passed or was skipped;
    ``forced``: refused, and moved by force. ``baseline``: the version the
    alias pointed at (None when unset). ``message``: why it was refused."""

    promoted: bool
    gated: bool
    passed: bool
    forced: bool
    baseline: Optional[int]
    event: Optional[int]
    checks: List[GateCheck] = field(default_factory=list)
    message: Optional[str] = None


def _decision(d: Any, promoted: bool, message: Optional[str]) -> GateDecision:
    checks = []
    c = _CCheck()
    for i in range(C.mlops_gate_decision_count(d)):
        check(C.mlops_gate_check_init(byref(c), _CCheck.VERSION))
        check(C.mlops_gate_decision_at(d, i, byref(c)))
        checks.append(GateCheck(
            candidate=c.candidate, condition=dec(c.condition) or "",
            outcome=_OUTCOMES.get(c.outcome, "fail"),
            left=c.left if c.left_known and not math.isnan(c.left) else None,
            right=c.right if c.right_known and not math.isnan(c.right) else None,
            why=dec(c.why) or ""))
    base = C.mlops_gate_decision_baseline(d)
    event = C.mlops_gate_decision_event(d)
    return GateDecision(promoted=promoted, gated=bool(C.mlops_gate_decision_gated(d)),
                        passed=bool(C.mlops_gate_decision_passed(d)),
                        forced=bool(C.mlops_gate_decision_forced(d)),
                        baseline=base or None, event=event or None, checks=checks,
                        message=message)


class GatesMixin:
    """Store methods of promotion gates."""

    _handle: Any

    def set_gate(self, model: str, alias: str, conditions: Sequence[str], *,
                 dataset: Optional[DigestLike] = None, actor: Optional[str] = None,
                 reason: Optional[str] = None) -> None:
        """Sets the gate of ``alias`` of ``model`` (replacing its gate) to
        ``conditions`` (doc/gates.md: "metrics.auc >= 0.8", "signed", ...);
        ``dataset``: the digest whose latest evaluation ``metrics.X`` reads.
        Raises InvalidArgument (a condition that does not parse, none, more
        than 64, a reserved alias), NotFound (no model)."""
        if isinstance(conditions, str):
            raise TypeError("conditions is a sequence of strings, not one string")
        items = [enc(str(c)) for c in conditions]
        arr = (c_char_p * max(len(items), 1))(*items)
        d = c_digest(dataset) if dataset is not None else None
        check(C.mlops_model_gate_set(self._handle, enc(model), enc(alias), arr, len(items),
                                     byref(d) if d is not None else None,
                                     _change(actor, reason)))

    def gate(self, model: str, alias: str) -> Gate:
        """The gate of the alias. Raises NotFound (no model, or no gate)."""
        h = GateP()
        check(C.mlops_model_gate_get(self._handle, enc(model), enc(alias), byref(h)))
        try:
            ds = C.mlops_gate_dataset(h)
            return Gate([dec(C.mlops_gate_condition(h, i)) or ""
                         for i in range(C.mlops_gate_count(h))],
                        Digest._from_c(ds.contents) if ds else None)
        finally:
            C.mlops_gate_free(h)

    def clear_gate(self, model: str, alias: str, *, actor: Optional[str] = None,
                   reason: Optional[str] = None) -> None:
        """Removes the alias's gate. Raises NotFound (no model, or no gate)."""
        check(C.mlops_model_gate_clear(self._handle, enc(model), enc(alias),
                                       _change(actor, reason)))

    def promote(self, model: str, version: int, alias: str, *, force: bool = False,
                actor: Optional[str] = None, reason: Optional[str] = None) -> GateDecision:
        """Moves ``alias`` to ``version`` if the alias's gate passes it,
        and returns the decision (recorded in the audit log either way).
        A refusal by the gate is not raised: ``promoted`` is False and
        ``message`` says why. ``force`` moves it anyway and needs
        ``reason``. Raises InvalidArgument (force without a reason),
        NotFound (no model or version), PolicyError (the alias's signing
        policy refuses the version)."""
        opts = _CPromoteOpts()
        check(C.mlops_promote_opts_init(byref(opts), _CPromoteOpts.VERSION))
        opts.force = 1 if force else 0
        d = DecisionP()
        rc = C.mlops_model_promote(self._handle, enc(model), version, enc(alias), byref(opts),
                                   _change(actor, reason), byref(d))
        try:
            if rc != 0:
                gated = bool(d) and C.mlops_gate_decision_gated(d)
                try:
                    check(rc)
                except PolicyError as e:
                    if not gated:
                        raise
                    return _decision(d, False, str(e))
            return _decision(d, True, None)
        finally:
            if d:
                C.mlops_gate_decision_free(d)
