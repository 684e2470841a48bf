"""Drift statistics (libmlops drift.h): two-sample tests and distances
between a reference and a current sample, mergeable reference profiles,
and dataset drift reports.

Every function taking samples accepts any float64 buffer without copying
it (numpy float64 arrays, array('d'), memoryview of 'd': the library reads
the memory in place) and, with one conversion, any other sequence of
numbers (lists, tuples, other numpy dtypes, strided views). pandas Series
and pyarrow arrays are columns too, and ``report`` and ``profiles`` take
whole DataFrames and Arrow tables (see mlops._frames: a float64 column
without missing values is read in place; categoricals and strings are
categories; datetimes are milliseconds since the Unix epoch; missing values
are NaN). NaN and +-Inf are excluded from the statistics and counted. The
statistics are computed by the library; results come back as dataclasses,
arrays (numpy when installed, else array.array) or dicts (reports and
comparisons; a report's ``to_pandas()`` is its per-column table).
"""
from __future__ import annotations

import contextlib
import ctypes
import math
from array import array
from ctypes import POINTER, byref, c_char_p, c_double, c_int, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

from . import _arrays, _buffer, _frames
from ._cbase import CDigest
from ._capi import MISSING, C, check, dec, enc, take_buffer
from ._handle import Guard, Owned
from ._capi_drift import (
    BinnedOpts as CBinnedOpts,
    BinnedResult as CBinned,
    ChisqOpts as CChisqOpts,
    ChisqResult as CChisqResult,
    CvmOpts as CCvmOpts,
    DistanceOpts as CDistanceOpts,
    KsOpts as CKsOpts,
    DriftHtmlOpts,
    DriftReportOpts,
    DriftReportP,
    KsResult as CKs,
    ProfileComparison,
    ProfileOpts,
    ProfileP,
    ProfileSummary as CProfileSummary,
    TestResult as CTestResult,
)
from .digest import Digest, DigestLike, c_digest

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store
    from .track import Run

__all__ = [
    "TestResult",
    "KSResult",
    "BinnedResult",
    "ProfileSummary",
    "Profile",
    "DriftReport",
    "ks",
    "ks_ex",
    "wasserstein",
    "energy",
    "cramer_von_mises",
    "missing",
    "psi",
    "jensen_shannon",
    "kl",
    "hellinger",
    "binned",
    "binned_counts",
    "chisq",
    "chi2_contingency",
    "ChisqResult",
    "quantile_edges",
    "bin_counts",
    "bh_adjust",
    "report",
    "put_profile",
    "get_profile",
    "profiles",
    "METHODS",
]

#: KS methods by name (MLOPS_KS_*).
KS_METHODS = {"auto": 0, "exact": 1, "asymptotic": 2}
_KS_METHOD_NAME = {v: k for k, v in KS_METHODS.items()}
#: KS alternatives by scipy's name (MLOPS_KS_TWO_SIDED, _LESS, _GREATER).
KS_ALTERNATIVES = {"two-sided": 0, "less": 1, "greater": 2}
#: Cramer-von Mises methods by scipy's name (MLOPS_CVM_*).
CVM_METHODS = {"auto": 0, "exact": 1, "asymptotic": 2}
#: scipy.stats.power_divergence's named lambdas (MLOPS_LAMBDA_*).
LAMBDAS = {"pearson": 1.0, "log-likelihood": 0.0, "freeman-tukey": -0.5,
           "mod-log-likelihood": -1.0, "neyman": -2.0, "cressie-read": 2.0 / 3.0}
#: Report methods by name (MLOPS_DRIFT_METHOD_*); the names are the
#: library's method names.
METHODS = {
    "auto": 0, "ks": 1, "wasserstein": 2, "jensenshannon": 3, "chisquare": 4, "z": 5,
    "psi": 6, "kl_div": 7, "hellinger": 8, "cramer_von_mises": 9, "energy_distance": 10,
}
#: Column kinds by name (MLOPS_COLUMN_*).
KINDS = {"numeric": 1, "categorical": 2}
_KIND_NAME = {v: k for k, v in KINDS.items()}
#: Multiple-testing corrections by name (MLOPS_DRIFT_CORRECTION_*).
CORRECTIONS = {"none": 0, "bh": 1}
_CORRECTION_NAME = {v: k for k, v in CORRECTIONS.items()}
_PROFILE_KINDS = {"numeric": 1, "categorical": 2}
_VERDICTS = {0: "no_drift", 1: "drift", 2: "inconclusive"}


@dataclass(frozen=True)
class TestResult:
    """A statistic and its p-value (NaN for a statistic that has none)."""

    __test__ = False  # not a pytest test class

    statistic: float
    p_value: float


@dataclass(frozen=True)
class KSResult:
    """The detailed Kolmogorov-Smirnov result (ks_ex)."""

    statistic: float
    p_value: float
    #: Natural log of the p-value, finite where the p-value underflows to 0.
    log_p_value: float
    #: "exact" or "asymptotic": the method that ran.
    method: str
    n_ref: int
    n_cur: int
    ref_nan: int
    ref_inf: int
    cur_nan: int
    cur_inf: int


@dataclass(frozen=True)
class BinnedResult:
    """Every binned figure at once, on the reference's frozen bins."""

    psi: float
    jensen_shannon: float
    kl: float
    hellinger: float
    chisq: TestResult
    #: Bins used (after duplicate edges collapsed).
    n_bins: int


@dataclass(frozen=True)
class ChisqResult:
    """A contingency-table test (chi2_contingency)."""

    statistic: float
    p_value: float
    #: Natural log of the p-value, finite where the p-value underflows to 0.
    log_p_value: float
    #: Degrees of freedom, (rows - 1) * (columns - 1).
    dof: int


def _choice(what: str, value: str, names: Mapping[str, int]) -> int:
    if value not in names:
        raise ValueError(f"{what} must be one of {sorted(names)}, not {value!r}")
    return names[value]


def _tr(c: CTestResult) -> TestResult:
    return TestResult(c.statistic, c.p_value)


def _two(fn: Any, ref: Any, cur: Any, *extra: Any) -> None:
    with _buffer.float64(ref) as (ra, rn), _buffer.float64(cur) as (ca, cn):
        check(fn(ra, rn, ca, cn, *extra))


# ---- two-sample tests and distances --------------------------------------------


def _ks_run(ref: Any, cur: Any, method: str, alternative: str) -> CKs:
    opts = CKsOpts()
    check(C.mlops_ks_opts_init(byref(opts), CKsOpts.VERSION))
    opts.method = _choice("method", method, KS_METHODS)
    opts.alternative = _choice("alternative", alternative, KS_ALTERNATIVES)
    out = CKs()
    check(C.mlops_ks_result_init(byref(out), CKs.VERSION))
    _two(C.mlops_drift_ks_opts, ref, cur, byref(opts), byref(out))
    return out


def ks(ref: Any, cur: Any, alternative: str = "two-sided") -> TestResult:
    """Two-sample Kolmogorov-Smirnov test, equal to
    scipy.stats.ks_2samp(ref, cur, alternative, method='auto');
    ``alternative`` is "two-sided", "less" or "greater"."""
    out = _ks_run(ref, cur, "auto", alternative)
    return TestResult(out.statistic, out.p_value)


def ks_ex(ref: Any, cur: Any, method: str = "auto", alternative: str = "two-sided") -> KSResult:
    """The KS test with a chosen method ("auto", "exact", "asymptotic") and
    alternative ("two-sided", "less", "greater"), as scipy's ks_2samp, with
    the log p-value, the method that ran and the counts of excluded values."""
    out = _ks_run(ref, cur, method, alternative)
    return KSResult(out.statistic, out.p_value, out.log_p_value,
                    _KS_METHOD_NAME.get(out.method, str(out.method)), out.n_ref, out.n_cur,
                    out.ref_nan, out.ref_inf, out.cur_nan, out.cur_inf)


def _distance(fn: Any, ref: Any, cur: Any, *extra: Any) -> float:
    out = c_double()
    _two(fn, ref, cur, *extra, byref(out))
    return out.value


def _weighted(fn: Any, ref: Any, cur: Any, u_weights: Any, v_weights: Any) -> float:
    opts = CDistanceOpts()
    check(C.mlops_distance_opts_init(byref(opts), CDistanceOpts.VERSION))
    out = c_double()
    with contextlib.ExitStack() as stack:
        ra, rn = stack.enter_context(_buffer.float64(ref))
        ca, cn = stack.enter_context(_buffer.float64(cur))
        for name, weights, n, field in (("u_weights", u_weights, rn, "ref_weights"),
                                        ("v_weights", v_weights, cn, "cur_weights")):
            if weights is None:
                continue
            wa, wn = stack.enter_context(_buffer.float64(weights))
            if wn != n:
                raise ValueError(f"{name} has {wn} values for {n}")
            setattr(opts, field, wa)
        check(fn(ra, rn, ca, cn, byref(opts), byref(out)))
    return out.value


def wasserstein(ref: Any, cur: Any, u_weights: Any = None, v_weights: Any = None) -> float:
    """Wasserstein-1 distance, equal to scipy.stats.wasserstein_distance(ref,
    cur, u_weights, v_weights): weights (one per value, finite, >= 0) go
    with the values, and out with the NaN and +-Inf ones."""
    return _weighted(C.mlops_drift_wasserstein_opts, ref, cur, u_weights, v_weights)


def energy(ref: Any, cur: Any, u_weights: Any = None, v_weights: Any = None) -> float:
    """Energy distance, equal to scipy.stats.energy_distance(ref, cur,
    u_weights, v_weights)."""
    return _weighted(C.mlops_drift_energy_opts, ref, cur, u_weights, v_weights)


def cramer_von_mises(ref: Any, cur: Any, method: str = "auto") -> TestResult:
    """Two-sample Cramer-von Mises test, equal to
    scipy.stats.cramervonmises_2samp(ref, cur, method): "auto" (exact when
    both sizes are at most 20), "exact" or "asymptotic"."""
    opts = CCvmOpts()
    check(C.mlops_cvm_opts_init(byref(opts), CCvmOpts.VERSION))
    opts.method = _choice("method", method, CVM_METHODS)
    out = CTestResult()
    _two(C.mlops_drift_cramer_von_mises_opts, ref, cur, byref(opts), byref(out))
    return _tr(out)


def missing(ref: Any, cur: Any) -> TestResult:
    """Two-proportion z-test of the share of NaN (missing) values."""
    out = CTestResult()
    _two(C.mlops_drift_missing, ref, cur, byref(out))
    return _tr(out)


def psi(ref: Any, cur: Any, bins: int = 10) -> float:
    """Population stability index on ``bins`` frozen reference-quantile
    bins (proportions floored at 1e-4)."""
    return _distance(C.mlops_drift_psi, ref, cur, bins)


def _binned_opts(base: Optional[float], kl_floor: bool) -> CBinnedOpts:
    opts = CBinnedOpts()
    check(C.mlops_binned_opts_init(byref(opts), CBinnedOpts.VERSION))
    opts.base = 0.0 if base is None else float(base)
    opts.kl_floor = 1 if kl_floor else 0
    return opts


def jensen_shannon(ref: Any, cur: Any, bins: int = 10, base: Optional[float] = None) -> float:
    """Jensen-Shannon distance on the reference bins, equal to
    scipy.spatial.distance.jensenshannon of the bin proportions with
    ``base`` (None: natural log; else > 1, e.g. 2 for a distance in [0, 1])."""
    return binned(ref, cur, bins, base=base).jensen_shannon


def kl(ref: Any, cur: Any, bins: int = 10, floor: bool = True) -> float:
    """Kullback-Leibler divergence KL(ref || cur) on the reference bins:
    with ``floor`` the proportions are floored at 1e-4 (finite); without,
    scipy.stats.entropy of the proportions (inf where a bin holds reference
    values and no current ones)."""
    return binned(ref, cur, bins, kl_floor=floor).kl


def hellinger(ref: Any, cur: Any, bins: int = 10) -> float:
    """Hellinger distance on the reference bins, in [0, 1]."""
    return _distance(C.mlops_drift_hellinger, ref, cur, bins)


def _binned(c: CBinned) -> BinnedResult:
    return BinnedResult(c.psi, c.jensen_shannon, c.kl, c.hellinger, _tr(c.chisq), c.n_bins)


def binned(ref: Any, cur: Any, bins: int = 10, base: Optional[float] = None,
           kl_floor: bool = True) -> BinnedResult:
    """PSI, Jensen-Shannon, KL, Hellinger and chi-square at once, on the
    reference's frozen quantile bins; ``base`` and ``kl_floor`` as in
    jensen_shannon and kl."""
    out = CBinned()
    check(C.mlops_binned_result_init(byref(out), CBinned.VERSION))
    opts = _binned_opts(base, kl_floor)
    _two(C.mlops_drift_binned_opts, ref, cur, bins, byref(opts), byref(out))
    return _binned(out)


def _counts(fn: Any, ref_counts: Any, cur_counts: Any, *rest: Any) -> None:
    with _buffer.float64(ref_counts) as (ra, rn), _buffer.float64(cur_counts) as (ca, cn):
        if rn != cn:
            raise ValueError(f"count vectors differ in length ({rn} and {cn})")
        check(fn(ra, ca, rn, *rest))


def binned_counts(ref_counts: Any, cur_counts: Any, base: Optional[float] = None,
                  kl_floor: bool = True) -> BinnedResult:
    """The binned figures from two count (or weight) vectors of the same
    length, e.g. category counts; ``base`` and ``kl_floor`` as in binned."""
    out = CBinned()
    check(C.mlops_binned_result_init(byref(out), CBinned.VERSION))
    opts = _binned_opts(base, kl_floor)
    _counts(C.mlops_drift_binned_counts_opts, ref_counts, cur_counts, byref(opts), byref(out))
    return _binned(out)


def chisq(ref_counts: Any, cur_counts: Any) -> TestResult:
    """Chi-square test of homogeneity of two count vectors, equal to
    scipy.stats.chi2_contingency([ref, cur], correction=False) after the
    categories empty on both sides are dropped."""
    out = CTestResult()
    _counts(C.mlops_drift_chisq, ref_counts, cur_counts, byref(out))
    return _tr(out)


def chi2_contingency(observed: Any, correction: bool = True,
                     lambda_: Any = None) -> ChisqResult:
    """Chi-square test of independence on an R x C table of counts (a 2-D
    numpy array or a sequence of equal-length rows), equal to
    scipy.stats.chi2_contingency(observed, correction, lambda_): Yates'
    correction when dof is 1 and ``correction``; ``lambda_`` a number or a
    name of power_divergence ("pearson", "log-likelihood", "freeman-tukey",
    "mod-log-likelihood", "neyman", "cressie-read"), None for Pearson. An
    empty row or column is refused (ValueError), as scipy refuses it."""
    np = _arrays.np
    if np is not None and isinstance(observed, np.ndarray):
        if observed.ndim != 2:
            raise ValueError(f"observed must be 2-D, not {observed.ndim}-D")
        rows, cols = observed.shape
        flat: Any = observed.astype(np.float64).ravel()
    else:
        table = [list(r) for r in observed]
        rows, cols = len(table), (len(table[0]) if table else 0)
        if any(len(r) != cols for r in table):
            raise ValueError("observed rows differ in length")
        flat = array("d", [float(v) for r in table for v in r])
    opts = CChisqOpts()
    check(C.mlops_chisq_opts_init(byref(opts), CChisqOpts.VERSION))
    opts.correction = 1 if correction else 0
    if lambda_ is None:
        opts.lambda_ = 1.0
    elif isinstance(lambda_, str):
        if lambda_ not in LAMBDAS:
            raise ValueError(f"lambda_ must be a number or one of {sorted(LAMBDAS)}, "
                             f"not {lambda_!r}")
        opts.lambda_ = LAMBDAS[lambda_]
    else:
        opts.lambda_ = float(lambda_)
    out = CChisqResult()
    check(C.mlops_chisq_result_init(byref(out), CChisqResult.VERSION))
    with _buffer.float64(flat) as (ta, _n):
        check(C.mlops_drift_chisq_table(ta, rows, cols, byref(opts), byref(out)))
    return ChisqResult(out.statistic, out.p_value, out.log_p_value, int(out.dof))


def _doubles_result(ptr: c_void_p, n: int) -> Any:
    out = array("d")
    try:
        if n:
            out.frombytes((ctypes.c_char * (8 * n)).from_address(ptr.value or 0))
    finally:
        C.mlops_free(ptr)
    return _arrays.wrap(out)


def quantile_edges(ref: Any, bins: int = 10) -> Any:
    """The interior bin edges of ref for ``bins`` quantile bins (at most
    bins - 1 strictly increasing values) as a float64 array."""
    ptr = c_void_p()
    n = c_size_t()
    with _buffer.float64(ref) as (ra, rn):
        check(C.mlops_drift_quantile_edges(ra, rn, bins, byref(ptr), byref(n)))
    return _doubles_result(ptr, n.value)


def bin_counts(values: Any, edges: Any) -> Any:
    """Counts the finite values into the len(edges) + 1 bins the strictly
    increasing edges define; a uint64 array (numpy or array('Q'))."""
    with _buffer.float64(values) as (va, vn), _buffer.float64(edges) as (ea, en):
        counts = array("Q", [0]) * (en + 1)
        check(C.mlops_drift_bin_counts(va, vn, ea, en, counts.buffer_info()[0]))
    np = _arrays.np
    return counts if np is None else np.frombuffer(counts, dtype=np.uint64)


def bh_adjust(p: Any, out: Any = None) -> Any:
    """Benjamini-Hochberg adjusted p-values, equal to
    scipy.stats.false_discovery_control(p, method='bh'). With ``out`` (a
    writable float64 buffer of the same length, which may be ``p`` itself)
    the library writes the result there, in place; else a new array is
    returned."""
    with _buffer.float64(p) as (pa, pn):
        if out is None:
            result = array("d", [0.0]) * pn
            check(C.mlops_drift_bh_adjust(pa, pn, result.buffer_info()[0] if pn else None))
            return _arrays.wrap(result)
        with _buffer.float64(out, writable=True) as (oa, on):
            if on != pn:
                raise ValueError(f"out has {on} values but p has {pn}")
            check(C.mlops_drift_bh_adjust(pa, pn, oa))
        return out


# ---- profiles -------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileSummary:
    """What a profile knows (see drift.h: numeric fields are NaN or 0 for
    categorical profiles and the reverse)."""

    kind: str
    count: int
    nan_count: int
    inf_count: int
    min: float
    max: float
    mean: float
    variance: float
    rank_error: float
    frozen: bool
    n_edges: int
    n_categories: int
    categories_exact: bool
    category_error: float


def _comparison_dict(c: ProfileComparison) -> Dict[str, Any]:
    return {
        "alpha": c.alpha, "psi": c.psi, "jensen_shannon": c.jensen_shannon, "kl": c.kl,
        "hellinger": c.hellinger,
        "chisq": {"statistic": c.chisq.statistic, "p_value": c.chisq.p_value},
        "ks_statistic": c.ks_statistic, "ks_error": c.ks_error, "ks_p_value": c.ks_p_value,
        "ks_p_low": c.ks_p_low, "ks_p_high": c.ks_p_high,
        "ks_verdict": _VERDICTS.get(c.ks_verdict, str(c.ks_verdict)),
        "n_ref": c.n_ref, "n_cur": c.n_cur,
    }


def _strings(values: Any) -> Any:
    if _frames.is_column(values):  # categories of a pandas or Arrow column
        encoded, n = _frames.strings(values)
        return (c_char_p * n)(*encoded)
    values = list(values)
    return (c_char_p * len(values))(*[enc(v) for v in values])


class Profile(Owned):
    """A reference profile: summarises a column (numeric or categorical)
    without keeping it; built from batches, mergeable, serialisable and
    storable by digest. Not to be changed by one thread while another uses
    it. Release with close() or ``with``.

    Args:
        kind: "numeric" or "categorical".
        bins, sketch_k, freeze_after, max_categories: as mlops_profile_opts
            (None keeps the library's default).
        edges: fixed interior bin edges (numeric), instead of quantiles.
    """

    def __init__(self, kind: str = "numeric", *, bins: Optional[int] = None,
                 sketch_k: Optional[int] = None, freeze_after: Optional[int] = None,
                 max_categories: Optional[int] = None, edges: Any = None) -> None:
        if kind not in _PROFILE_KINDS:
            raise ValueError(f"kind must be 'numeric' or 'categorical', not {kind!r}")
        opts = ProfileOpts()
        check(C.mlops_profile_opts_init(byref(opts), ProfileOpts.VERSION))
        for name, value in (("bins", bins), ("sketch_k", sketch_k),
                            ("freeze_after", freeze_after), ("max_categories", max_categories)):
            if value is not None:
                setattr(opts, name, value)
        h = ProfileP()
        with contextlib.ExitStack() as stack:
            if edges is not None:
                ea, en = stack.enter_context(_buffer.float64(edges))
                opts.edges, opts.n_edges = ea, en
            check(C.mlops_profile_new(_PROFILE_KINDS[kind], byref(opts), byref(h)))
        self._guard = Guard(h, C.mlops_profile_free, "profile")

    @classmethod
    def _wrap(cls, h: Any) -> "Profile":
        p = cls.__new__(cls)
        p._guard = Guard(h, C.mlops_profile_free, "profile")
        return p

    def _handle(self) -> Guard:
        # The profile's guard: C functions given it hold it for their call.
        g = self._guard
        if g is None:
            raise ValueError("the profile is closed")
        return g

    def __enter__(self) -> "Profile":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def kind(self) -> str:
        """"numeric" or "categorical"."""
        k = C.mlops_profile_kind(self._handle())
        return "numeric" if k == 1 else "categorical"

    def new_like(self) -> "Profile":
        """A new empty profile with this one's kind, options and frozen
        edges (it freezes this one first), for current data."""
        h = ProfileP()
        check(C.mlops_profile_new_like(self._handle(), byref(h)))
        return Profile._wrap(h)

    def add(self, values: Any) -> "Profile":
        """Adds a batch: float64 values (any buffer or sequence of numbers,
        a pandas Series or an Arrow array: datetimes as milliseconds since
        the Unix epoch, missing values NaN) to a numeric profile, or strings
        (None: missing; a Series or Arrow array of categories, strings or
        other labels written with str()) to a categorical one. Returns the
        profile."""
        h = self._handle()
        if C.mlops_profile_kind(h) == 2:
            arr = _strings(values)
            check(C.mlops_profile_add_strings(h, arr, len(arr)))
        else:
            with _buffer.float64(values) as (a, n):
                check(C.mlops_profile_add(h, a, n))
        return self

    def freeze(self) -> None:
        """Freezes a numeric profile's bin edges now."""
        check(C.mlops_profile_freeze(self._handle()))

    def merge(self, other: "Profile") -> None:
        """Merges ``other`` into this profile (as if this one had seen its
        values too). Raises Conflict for different bin edges."""
        check(C.mlops_profile_merge(self._handle(), other._handle()))

    def summary(self) -> ProfileSummary:
        """What the profile knows: counts, min, max, mean, variance..."""
        s = CProfileSummary()
        check(C.mlops_profile_summary_init(byref(s), CProfileSummary.VERSION))
        check(C.mlops_profile_summary_get(self._handle(), byref(s)))
        return ProfileSummary(
            kind="numeric" if s.kind == 1 else "categorical", count=s.count,
            nan_count=s.nan_count, inf_count=s.inf_count, min=s.min, max=s.max, mean=s.mean,
            variance=s.variance, rank_error=s.rank_error, frozen=bool(s.frozen),
            n_edges=s.n_edges, n_categories=s.n_categories,
            categories_exact=bool(s.categories_exact), category_error=s.category_error)

    def edges(self) -> Any:
        """The frozen interior bin edges (a float64 array, copied)."""
        ptr = c_void_p()
        n = c_size_t()
        out = array("d")
        with self._handle() as h:  # the edges are the profile's: copied before letting go
            check(C.mlops_profile_edges(h, byref(ptr), byref(n)))
            if n.value:
                out.frombytes((ctypes.c_char * (8 * n.value)).from_address(ptr.value or 0))
        return _arrays.wrap(out)

    def quantile(self, q: float) -> float:
        """The q-quantile (0 <= q <= 1) estimated from the sketch."""
        out = c_double()
        check(C.mlops_profile_quantile(self._handle(), q, byref(out)))
        return out.value

    def category_count(self, value: str) -> int:
        """The count of one category of a categorical profile."""
        out = c_uint64()
        check(C.mlops_profile_category_count(self._handle(), enc(value), byref(out)))
        return out.value

    def serialize(self) -> bytes:
        """The profile's versioned msgpack form (freezes it first)."""
        ptr = c_void_p()
        n = c_size_t()
        check(C.mlops_profile_serialize(self._handle(), byref(ptr), byref(n)))
        return take_buffer(ptr, n.value)

    @classmethod
    def deserialize(cls, data: Any) -> "Profile":
        """A profile read from its serialised form (bytes-like)."""
        h = ProfileP()
        with _buffer.raw(data) as (a, n):
            check(C.mlops_profile_deserialize(a, n, byref(h)))
        return cls._wrap(h)

    def _compare(self, fn: Any, arg: Any, n: Any, alpha: float) -> Dict[str, Any]:
        c = ProfileComparison()
        check(C.mlops_profile_comparison_init(byref(c), ProfileComparison.VERSION))
        c.alpha = alpha
        if n is None:
            check(fn(self._handle(), arg, byref(c)))
        else:
            check(fn(self._handle(), arg, n, byref(c)))
        return _comparison_dict(c)

    def compare(self, current: Any, alpha: float = 0.05) -> Dict[str, Any]:
        """Compares this reference profile with current data: another
        Profile (built with new_like), float64 values (numeric) or strings
        (categorical). Returns a dict: psi, jensen_shannon, kl, hellinger,
        chisq {statistic, p_value}, ks_statistic, ks_error, ks_p_value,
        ks_p_low, ks_p_high, ks_verdict ("drift", "no_drift",
        "inconclusive"), n_ref, n_cur."""
        if isinstance(current, Profile):
            return self._compare(C.mlops_profile_compare, current._handle(), None, alpha)
        if C.mlops_profile_kind(self._handle()) == 2:
            arr = _strings(current)
            return self._compare(C.mlops_profile_compare_strings, arr, len(arr), alpha)
        with _buffer.float64(current) as (a, n):
            return self._compare(C.mlops_profile_compare_values, a, n, alpha)


def put_profile(store: "Store", profile: Profile) -> Digest:
    """Serialises the profile and stores it as a blob; returns its digest."""
    out = CDigest()
    check(C.mlops_profile_put(store._handle, profile._handle(), byref(out)))
    return Digest._from_c(out)


def get_profile(store: "Store", digest: DigestLike) -> Profile:
    """Loads the profile stored as blob ``digest``."""
    d = c_digest(digest)
    h = ProfileP()
    check(C.mlops_profile_get(store._handle, byref(d), byref(h)))
    return Profile._wrap(h)


def profiles(data: Any, *, kinds: Optional[Mapping[str, str]] = None, bins: Optional[int] = None,
             sketch_k: Optional[int] = None, freeze_after: Optional[int] = None,
             max_categories: Optional[int] = None) -> Dict[str, Profile]:
    """One profile per column of ``data`` (a pandas DataFrame, a pyarrow
    Table or a mapping of columns), by name, e.g. for validate.Schema.infer:
    categorical for columns of categories (strings, pandas categoricals,
    objects; Arrow strings and dictionaries) and for those ``kinds`` names
    "categorical", numeric for the others (datetimes as milliseconds since
    the Unix epoch). The options are Profile's. The caller closes them."""
    out: Dict[str, Profile] = {}
    try:
        for name, values in _frames.columns(data).items():
            kind = (kinds or {}).get(name) or (
                "categorical" if _frames.looks_categorical(values) else "numeric")
            p = Profile(kind, bins=bins, sketch_k=sketch_k, freeze_after=freeze_after,
                        max_categories=max_categories)
            out[name] = p
            p.add(values)
    except BaseException:
        for p in out.values():
            p.close()
        raise
    return out


# ---- dataset reports ----------------------------------------------------------------


def _nan_to_none(x: float) -> Optional[float]:
    return None if math.isnan(x) else x


class DriftReport(Dict[str, Any], Owned):
    """A dataset drift report, as a dict:

    ``{"dataset_drift": bool, "n_columns", "n_drifted", "share_drifted",
    "drift_share", "correction": "none"|"bh", "columns": {name: {"kind",
    "method", "statistic", "p_value", "log_p_value", "adjusted_p_value",
    "score", "threshold", "drifted": bool, "n_ref", "n_cur", "ref_nan",
    "ref_inf", "cur_nan", "cur_inf", "missing": {"statistic",
    "p_value"}, "histogram": {"edges", "values", "reference", "current",
    "clipped"}}}}`` (p-values are None for distance methods; "histogram",
    the chart data of both sides, comes with libraries that draw HTML
    reports: bars over "edges" for numeric columns, else one bar per
    value of "values").

    It also keeps the library's report for ``to_json()``, ``to_html()`` and
    ``log_to(run)`` until ``close()`` (or garbage collection).
    ``to_pandas()`` gives the per-column table as a DataFrame;
    ``input_types`` says what each column was given as (a pandas or Arrow
    type, e.g. "datetime64[us] as milliseconds since the Unix epoch
    (UTC)", or a numpy dtype) and ``category_labels`` names the codes of
    the categorical columns the report made from categories (strings,
    pandas categoricals...), for ``to_html``."""

    #: Column name -> the type its data came in (see the class docstring).
    input_types: Dict[str, str]
    #: Column name -> the labels of codes 0, 1, 2... of categorical columns
    #: made from categories by ``report``.
    category_labels: Dict[str, List[str]]

    def _set_handle(self, h: Any) -> None:
        self._guard = Guard(h, C.mlops_drift_report_free, "report")

    def _handle(self) -> Guard:
        # The report's guard: C functions given it hold it for their call.
        g = self._guard
        if g is None:
            raise ValueError("the report is closed")
        return g

    def to_json(self) -> str:
        """The library's JSON form of the report."""
        ptr = c_void_p()
        check(C.mlops_drift_report_json(self._handle(), byref(ptr)))
        try:
            return ctypes.string_at(ptr.value or 0).decode("utf-8")
        finally:
            C.mlops_free(ptr)

    def to_html(self, *, title: Optional[str] = None, reference_name: Optional[str] = None,
                current_name: Optional[str] = None,
                category_labels: Optional[Mapping[str, Sequence[str]]] = None,
                generated_ms: int = 0) -> str:
        """The report as one self-contained HTML page (inline CSS and SVG,
        no script): verdict, summary table and, per column, a table and a
        chart of both sides. ``category_labels`` maps a categorical
        column's name to the names of its codes 0, 1, 2...;
        ``generated_ms`` is the time shown (0: now, -1: none). Columns
        made from categories are labelled by default (``category_labels``
        of the report; the argument wins)."""
        h = self._handle()
        category_labels = {**getattr(self, "category_labels", {}), **(category_labels or {})}
        opts = DriftHtmlOpts()
        check(C.mlops_drift_html_opts_init(byref(opts), DriftHtmlOpts.VERSION))
        opts.title = enc(title)
        opts.reference_name = enc(reference_name)
        opts.current_name = enc(current_name)
        opts.generated_ms = generated_ms
        keep: List[Any] = []
        if category_labels:
            cols = list(self["columns"])
            unknown = [c for c in category_labels if c not in self["columns"]]
            if unknown:
                raise KeyError(f"category labels for unknown columns {unknown}")
            per_col = (POINTER(c_char_p) * len(cols))()
            counts = (c_size_t * len(cols))()
            for i, col in enumerate(cols):
                labels = category_labels.get(col)
                if labels:
                    arr = _strings(list(labels))
                    keep.append(arr)
                    per_col[i] = ctypes.cast(arr, POINTER(c_char_p))
                    counts[i] = len(arr)
            keep += [per_col, counts]
            opts.category_labels = ctypes.cast(per_col, POINTER(POINTER(c_char_p)))
            opts.category_label_counts = ctypes.cast(counts, POINTER(c_size_t))
        ptr = c_void_p()
        check(C.mlops_drift_report_html(h, byref(opts), byref(ptr)))
        del keep
        try:
            return ctypes.string_at(ptr.value or 0).decode("utf-8")
        finally:
            C.mlops_free(ptr)

    def to_pandas(self) -> Any:
        """The per-column table as a pandas DataFrame, one row per column
        (index "column"): the columns' fields without "histogram",
        "missing" split into missing_statistic and missing_p_value, and
        input_type; None p-values are NaN. The dataset's figures
        (dataset_drift, n_drifted, share_drifted, drift_share,
        correction) are in the frame's ``attrs``. Imports pandas."""
        pd = _frames.pandas()
        rows = []
        for name, c in self["columns"].items():
            row = {k: v for k, v in c.items() if k not in ("missing", "histogram")}
            for k in ("p_value", "log_p_value", "adjusted_p_value"):
                if row[k] is None:
                    row[k] = math.nan
            row["missing_statistic"] = c["missing"]["statistic"]
            row["missing_p_value"] = c["missing"]["p_value"]
            row["input_type"] = getattr(self, "input_types", {}).get(name)
            rows.append(row)
        df = pd.DataFrame(rows, index=pd.Index(list(self["columns"]), name="column"))
        df.attrs.update({k: self[k] for k in ("dataset_drift", "n_columns", "n_drifted",
                                              "share_drifted", "drift_share", "correction")})
        return df

    def log_to(self, run: "Run", step: int = 0, timestamp_ms: int = 0) -> None:
        """Logs the report's figures as metrics of a running run
        (drift.<column>.<statistic>, drift.share_drifted...), in one
        transaction; timestamp_ms 0 means now."""
        check(C.mlops_drift_report_log(run._handle(), self._handle(), step, timestamp_ms))

    def close(self) -> None:
        """Releases the library's report (the dict stays), after the calls
        other threads have in flight on it return."""
        super().close()


# The column struct carries chart data (hist_*) since mlops_drift_report_html.
_HAVE_HTML = "mlops_drift_report_html" not in MISSING


def _histogram(c: Any) -> Dict[str, Any]:
    n = c.hist_n
    return {
        "edges": [c.hist_edges[i] for i in range(n + 1)] if c.hist_edges else None,
        "values": [c.hist_values[i] for i in range(n)] if c.hist_values else None,
        "reference": [c.hist_ref[i] for i in range(n)] if n else [],
        "current": [c.hist_cur[i] for i in range(n)] if n else [],
        "clipped": bool(c.hist_clipped),
    }


def _report_dict(r: Any) -> DriftReport:
    rep = r.contents
    columns: Dict[str, Any] = {}
    for i in range(rep.n_columns):
        c = rep.columns[i].contents
        columns[dec(c.name) or ""] = {
            "kind": _KIND_NAME.get(c.kind, str(c.kind)),
            "method": dec(c.method_name),
            "statistic": c.statistic,
            "p_value": _nan_to_none(c.p_value),
            "log_p_value": _nan_to_none(c.log_p_value),
            "adjusted_p_value": _nan_to_none(c.adjusted_p_value),
            "score": c.score,
            "threshold": c.threshold,
            "drifted": bool(c.drifted),
            "n_ref": c.n_ref, "n_cur": c.n_cur,
            "ref_nan": c.ref_nan, "ref_inf": c.ref_inf,
            "cur_nan": c.cur_nan, "cur_inf": c.cur_inf,
            "missing": {"statistic": c.missing.statistic, "p_value": c.missing.p_value},
        }
        if _HAVE_HTML:
            columns[dec(c.name) or ""]["histogram"] = _histogram(c)
    out = DriftReport(
        dataset_drift=bool(rep.dataset_drift),
        n_columns=rep.n_columns,
        n_drifted=rep.n_drifted,
        share_drifted=rep.share_drifted,
        drift_share=rep.drift_share,
        correction=_CORRECTION_NAME.get(rep.correction, str(rep.correction)),
        columns=columns,
    )
    return out


def _columns_for_report(names: List[str], reference: Mapping[str, Any],
                        current: Mapping[str, Any], kinds: Dict[str, str]) -> Any:
    """The report's inputs per column: (ref, cur) values (columns of
    categories recoded into shared float64 codes, their kind made
    categorical in ``kinds``), the input types and category labels."""
    values: Dict[str, Any] = {}
    input_types: Dict[str, str] = {}
    category_labels: Dict[str, List[str]] = {}
    for n in names:
        r, c = reference[n], current[n]
        input_types[n] = _frames.describe(r)
        if _frames.looks_categorical(r) or _frames.looks_categorical(c):
            if kinds.get(n, "categorical") != "categorical":
                raise TypeError(f"column {n!r} holds categories, not {kinds[n]} values")
            kinds[n] = "categorical"
            cr, cc = _frames.any_categories(r), _frames.any_categories(c)
            labels = _frames.sorted_labels([cr, cc])
            values[n] = (_frames.recode(cr, labels), _frames.recode(cc, labels))
            category_labels[n] = [v if isinstance(v, str) else str(v) for v in labels]
        else:
            values[n] = (r, c)
    return values, input_types, category_labels


def report(
    reference: Any,
    current: Any,
    *,
    kinds: Optional[Mapping[str, str]] = None,
    methods: Optional[Mapping[str, str]] = None,
    thresholds: Optional[Mapping[str, float]] = None,
    drift_share: float = 0.5,
    correction: str = "none",
    threads: int = 0,
    bins: int = 10,
) -> DriftReport:
    """A dataset drift report over the columns of ``reference`` (a pandas
    DataFrame, a pyarrow Table or RecordBatch, or a mapping of column name
    to float64 buffer, sequence, pandas Series or Arrow array; categorical
    columns hold category codes) against the same columns of ``current``.
    Columns run in parallel in the library, reading float64 arrays and
    columns without missing values in place. A column of categories
    (strings, pandas categoricals, objects; Arrow strings and dictionaries)
    is categorical, its values coded into the sorted labels of both sides
    (a pandas categorical or Arrow dictionary keeps its order; see
    ``category_labels``);
    datetimes are milliseconds since the Unix epoch; missing values are
    NaN (counted in ref_nan/cur_nan).

    kinds: name -> "numeric" (default) or "categorical". methods: name ->
    "auto" (default; Evidently's rules) or a method name ("ks",
    "wasserstein", "jensenshannon", "chisquare", "z", "psi", "kl_div",
    "hellinger", "cramer_von_mises", "energy_distance"). thresholds: name
    -> threshold (default: the method's). drift_share: dataset drift when
    at least this share of columns drifted. correction: "none" or "bh"
    (Benjamini-Hochberg over the p-value columns). threads: 0 = all CPUs.
    """
    reference, current = _frames.columns(reference), _frames.columns(current)
    names = list(reference)
    missing_cols = [n for n in names if n not in current]
    if missing_cols:
        raise KeyError(f"current data lacks columns {missing_cols}")
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be 'none' or 'bh', not {correction!r}")
    for label, table, allowed in (("kind", kinds, KINDS), ("method", methods, METHODS),
                                  ("threshold", thresholds, None)):
        for col, v in (table or {}).items():
            if col not in reference:
                raise KeyError(f"{label} given for unknown column {col!r}")
            if allowed is not None and v not in allowed:
                raise ValueError(f"unknown {label} {v!r} for column {col!r}; "
                                 f"one of {sorted(allowed)}")
    kinds = dict(kinds or {})
    values, input_types, category_labels = _columns_for_report(names, reference, current, kinds)
    k = len(names)
    c_names = (c_char_p * k)(*[enc(n) for n in names])
    c_kinds = (c_int * k)(*[KINDS[(kinds or {}).get(n, "numeric")] for n in names])
    opts = DriftReportOpts()
    check(C.mlops_drift_report_opts_init(byref(opts), DriftReportOpts.VERSION))
    opts.drift_share = drift_share
    opts.correction = CORRECTIONS[correction]
    opts.threads = threads
    opts.bins = bins
    keep: List[Any] = []
    if methods:
        m = (c_int * k)(*[METHODS[methods.get(n, "auto")] for n in names])
        keep.append(m)
        opts.methods = ctypes.cast(m, POINTER(c_int))
    if thresholds:
        t = (c_double * k)(*[float(thresholds.get(n, math.nan)) for n in names])
        keep.append(t)
        opts.thresholds = ctypes.cast(t, POINTER(c_double))
    ref_p, cur_p = (c_void_p * k)(), (c_void_p * k)()
    ref_n, cur_n = (c_size_t * k)(), (c_size_t * k)()
    h = DriftReportP()
    with contextlib.ExitStack() as stack:
        for i, n in enumerate(names):
            r, c = values[n]
            ref_p[i], ref_n[i] = stack.enter_context(_buffer.float64(r))
            cur_p[i], cur_n[i] = stack.enter_context(_buffer.float64(c))
        check(C.mlops_drift_report_compute(k, c_names, c_kinds, ref_p, ref_n, cur_p, cur_n,
                                           byref(opts), byref(h)))
    del keep
    try:
        out = _report_dict(h)
    except BaseException:
        C.mlops_drift_report_free(h)
        raise
    out._set_handle(h)
    out.input_types, out.category_labels = input_types, category_labels
    return out
