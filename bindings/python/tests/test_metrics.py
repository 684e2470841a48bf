"""mlops.metrics against the scikit-learn golden vectors the C suite uses
(tests/eval/golden.txt, written by tests/eval/gen_golden.py), under
scikit-learn's names and arguments; zero-copy lending; input forms;
errors and warnings."""
import math
import tracemalloc
import warnings
from array import array

import pytest

from mlops import _arrays, metrics
from mlops.errors import InvalidArgument

from conftest import close12, golden_fields, golden_num, load_eval_golden

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None

DATA, LINES = load_eval_golden("golden.txt")


REG = {"mae": "mean_absolute_error", "mse": "mean_squared_error", "rmse": "root_mean_squared_error",
       "mape": "mean_absolute_percentage_error", "r2": "r2_score", "ev": "explained_variance_score",
       "medae": "median_absolute_error", "maxerr": "max_error", "pinball": "mean_pinball_loss"}
LAB = {"accuracy": "accuracy_score", "balanced": "balanced_accuracy_score", "precision": "precision_score",
       "recall": "recall_score", "fbeta": "fbeta_score"}
SCO = {"roc_auc": "roc_auc_score", "ap": "average_precision_score", "log_loss": "log_loss",
       "brier": "brier_score_loss"}
ZD = {"0": 0, "1": 1, "nan": float("nan")}


def _arr(name, as_numpy):
    v = DATA[name]
    if as_numpy and numpy is not None:
        return numpy.array(v)
    return v


def _call(family, metric, kv, as_numpy=True):
    """(function name, y_true, y, keyword arguments) of a golden line."""
    kw = {}
    if "w" in kv:
        kw["sample_weight"] = _arr(kv["w"], as_numpy)
    yt = _arr(kv["yt"], as_numpy)
    if family == "reg":
        name = REG[metric]
        if metric in ("r2", "ev") and "ff" in kv:
            kw["force_finite"] = bool(int(kv["ff"]))
        if "alpha" in kv:
            kw["alpha"] = golden_num(kv["alpha"])
        return name, yt, _arr(kv["yp"], as_numpy), kw
    if family == "lab":
        name = LAB[metric]
        if metric == "balanced":
            kw["adjusted"] = bool(int(kv.get("adj", "0")))
        elif metric != "accuracy":
            kw["average"] = kv.get("avg", "binary")
            kw["zero_division"] = ZD[kv["zd"]] if "zd" in kv else 0
            if "pos" in kv:
                kw["pos_label"] = int(kv["pos"])
            if "labels" in kv:
                kw["labels"] = DATA[kv["labels"]]
            if metric == "fbeta":
                kw["beta"] = golden_num(kv.get("beta", "0x1.0000000000000p+0"))
        return name, yt, _arr(kv["yp"], as_numpy), kw
    name = SCO[metric]
    k = int(kv.get("k", "1"))
    s = DATA[kv["s"]]
    if k > 1:
        s = numpy.array(s).reshape(-1, k) if (as_numpy and numpy is not None) else [
            s[i:i + k] for i in range(0, len(s), k)]
    elif as_numpy and numpy is not None:
        s = numpy.array(s)
    avg = kv.get("avg", "binary")
    if metric == "roc_auc":
        if k == 1:
            mf = golden_num(kv.get("max_fpr", "0x1.0000000000000p+0"))
            kw["max_fpr"] = None if mf == 1.0 else mf
        else:
            kw["average"] = "macro" if avg == "binary" else avg
            kw["multi_class"] = kv.get("mc", "ovr")
            if "labels" in kv:
                kw["labels"] = DATA[kv["labels"]]
    elif metric == "ap":
        if k == 1 and "pos" in kv:
            kw["pos_label"] = int(kv["pos"])
        if k > 1:
            kw["average"] = "macro" if avg == "binary" else avg
    else:
        if "labels" in kv:
            kw["labels"] = DATA[kv["labels"]]
        if metric == "brier" and "pos" in kv:
            kw["pos_label"] = int(kv["pos"])
    return name, yt, s, kw


CASES = [p for p in LINES if p[0] == "case"]


def test_golden_meta():
    meta = [p for p in LINES if p[0] == "meta"][0]
    assert meta[1] == "sklearn" and meta[2].split(".")[:2] >= ["1", "5"]


@pytest.mark.parametrize("parts", CASES, ids=lambda p: f"{p[1]}-{p[2]}-{p[3]}")
def test_golden_case(parts):
    family, metric = parts[2], parts[3]
    kv, rest = golden_fields(parts[4:])
    want, reason = golden_num(rest[0]), int(rest[1])
    name, yt, y, kw = _call(family, metric, kv)
    e = metrics.evaluate(name, yt, y, **kw)
    assert close12(e.value, want), (name, kw, e.value, want)
    assert e.reason == reason, (name, e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert close12(getattr(metrics, name)(yt, y, **kw), want)


@pytest.mark.parametrize("parts", [p for p in LINES if p[0] == "perclass"], ids=lambda p: p[1])
def test_golden_per_class(parts):
    kv, rest = golden_fields(parts[2:])
    k = int(rest[0])
    kw = {"zero_division": ZD[kv["zd"]] if "zd" in kv else 0,
          "beta": golden_num(kv.get("beta", "0x1.0000000000000p+0"))}
    if "w" in kv:
        kw["sample_weight"] = DATA[kv["w"]]
    if "labels" in kv:
        kw["labels"] = DATA[kv["labels"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, s = metrics.precision_recall_fscore_support(DATA[kv["yt"]], DATA[kv["yp"]], **kw)
    for i in range(k):
        cell = rest[1 + 8 * i: 9 + 8 * i]
        want = [golden_num(x) for x in cell[1:5]]
        assert all(close12(g, w) for g, w in zip((p[i], r[i], f[i], s[i]), want)), (i, cell)


@pytest.mark.parametrize("parts", [p for p in LINES if p[0] == "confusion"], ids=lambda p: p[1])
def test_golden_confusion(parts):
    kv, rest = golden_fields(parts[2:])
    k = int(rest[0])
    kw = {"normalize": None if kv.get("norm", "none") == "none" else kv["norm"]}
    if "w" in kv:
        kw["sample_weight"] = DATA[kv["w"]]
    if "labels" in kv:
        kw["labels"] = DATA[kv["labels"]]
    cm = metrics.confusion_matrix(DATA[kv["yt"]], DATA[kv["yp"]], **kw)
    want = [golden_num(x) for x in rest[1 + k:]]
    got = [float(cm[i][j]) for i in range(k) for j in range(k)]
    assert all(close12(g, w) for g, w in zip(got, want)) and len(got) == len(want)


@pytest.mark.parametrize("parts", [p for p in LINES if p[0] == "bootstrap"], ids=lambda p: p[1])
def test_golden_bootstrap(parts):
    family, metric = parts[2], parts[3]
    kv, rest = golden_fields(parts[4:])
    resamples, conf, seed = int(kv.pop("resamples")), golden_num(kv.pop("confidence")), int(kv.pop("seed"))
    name, yt, y, kw = _call(family, metric, kv)
    b = metrics.bootstrap(name, yt, y, n_resamples=resamples, confidence_level=conf, random_state=seed, **kw)
    v, lo, hi, defined = golden_num(rest[0]), golden_num(rest[1]), golden_num(rest[2]), int(rest[3])
    assert close12(b.value, v) and close12(b.low, lo) and close12(b.high, hi), b
    assert b.defined == defined and b.resamples == resamples


# ---- input forms, copies, errors ---------------------------------------------


def test_plain_sequences_without_numpy(monkeypatch):
    monkeypatch.setattr(_arrays, "np", None)
    assert metrics.accuracy_score([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    assert metrics.roc_auc_score((0, 1, 0, 1), (0.1, 0.4, 0.45, 0.8)) == 0.75
    assert metrics.mean_absolute_error(array("d", [1, 2]), [2.0, 2.0]) == 0.5
    assert metrics.log_loss([0, 1, 2], [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]) == pytest.approx(
        -math.log(0.8))
    cm = metrics.confusion_matrix([0, 1, 1], [0, 1, 0])
    assert cm == [[1, 0], [1, 1]]
    p = metrics.precision_score([0, 1, 1], [0, 1, 0], average=None)
    assert list(p) == [0.5, 1.0]
    assert metrics.f1_score([0.0, 1.0, 1.0], [0, 1, 0]) == pytest.approx(2 / 3)


@pytest.mark.skipif(numpy is None, reason="numpy not installed")
def test_numpy_arrays_are_lent_without_copies():
    n = 2_000_000
    gen = numpy.random.default_rng(5)
    y = gen.integers(0, 2, n).astype(numpy.int32)
    s = gen.uniform(size=n)
    yp = (s > 0.5).astype(numpy.int32)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        metrics.roc_auc_score(y, s)
        metrics.f1_score(y, yp)
        metrics.log_loss(y, s)
        peak = tracemalloc.get_traced_memory()[1] - base
        # Control: int64 labels are converted (one int32 copy).
        y64 = y.astype(numpy.int64)
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        metrics.f1_score(y64, yp)
        peak_converted = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak
    assert peak_converted >= 4 * n


def test_errors_and_warnings():
    with pytest.raises(ValueError):
        metrics.mean_absolute_error([1.0, 2.0], [1.0])  # mismatched lengths
    with pytest.raises(InvalidArgument):
        metrics.mean_absolute_error([], [])  # empty arrays
    with pytest.raises(InvalidArgument):
        metrics.roc_auc_score([0, 1], [0.1, float("nan")])  # NaN score
    with pytest.raises(InvalidArgument):
        metrics.log_loss([0, 1, 2], [[0.5, 0.2, 0.2], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])  # row sums to 0.9
    with pytest.raises(InvalidArgument):
        metrics.log_loss([0, 1, 3], [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]], labels=[0, 1, 2])
    with pytest.raises(ValueError):
        metrics.roc_auc_score([0, 1, 2], [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])  # raise
    with pytest.raises(ValueError):
        metrics.f1_score([0, 1], [0, 1], zero_division=0.5)
    with pytest.raises(OverflowError):
        metrics.accuracy_score([2**40, 1], [0, 1])
    with pytest.raises(ValueError):
        metrics.accuracy_score([0.5, 1], [0, 1])
    with pytest.warns(metrics.UndefinedMetricWarning, match="one class"):
        assert math.isnan(metrics.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4]))
    with pytest.warns(metrics.UndefinedMetricWarning, match="zero division"):
        assert metrics.precision_score([0, 1], [0, 0]) == 0.0
    e = metrics.evaluate("average_precision_score", [0, 0, 0], [0.2, 0.3, 0.4])
    assert math.isnan(e.value) and e.reason_text == "no positive sample"
    assert metrics.evaluate("r2_score", [1.0, 1.0], [1.0, 2.0]).reason_text == "constant y_true"
