"""mlops.metrics calibration (calibration_error, reliability_table,
calibration_curve) against tests/eval/calibration_golden.txt (torchmetrics
and scikit-learn, written by tests/eval/gen_calibration_golden.py)."""
import math

import pytest

from mlops import metrics
from mlops.errors import InvalidArgument

from conftest import close12, golden_fields, golden_num, load_eval_golden

try:
    import numpy
except ImportError:  # pragma: no cover
    numpy = None

DATA, LINES = load_eval_golden("calibration_golden.txt")


def _args(kv):
    k = int(kv["k"]) if "k" in kv else 1
    s = DATA[kv["s"]]
    if k > 1:
        s = numpy.array(s).reshape(-1, k) if numpy is not None else [s[i:i + k] for i in range(0, len(s), k)]
    kw = {"n_bins": int(kv["bins"]), "pos_label": int(kv.get("pos", "1"))}
    if "labels" in kv:
        kw["labels"] = DATA[kv["labels"]]
    return DATA[kv["yt"]], s, kw


@pytest.mark.parametrize("parts", [p for p in LINES if p[0] == "calib"], ids=lambda p: p[1])
def test_torchmetrics_golden(parts):
    kv, rest = golden_fields(parts[2:])
    yt, s, kw = _args(kv)
    want = [golden_num(x) for x in rest[:3]]
    for norm, w in zip(("l1", "max", "l2"), want):
        assert close12(metrics.calibration_error(yt, s, norm=norm, **kw), w), norm
    t = metrics.reliability_table(yt, s, **kw)
    assert close12(t.ece, want[0]) and close12(t.mce, want[1]) and close12(t.rmsce, want[2])
    nb = int(rest[3])
    assert len(t.bins) == nb
    total = sum(b.weight for b in t.bins)
    for j, b in enumerate(t.bins):
        count, share, conf, acc = rest[4 + 4 * j: 8 + 4 * j]
        assert b.count == int(count) and close12(b.weight / total, golden_num(share))
        if b.count:
            assert close12(b.confidence, golden_num(conf)) and close12(b.accuracy, golden_num(acc))
        else:
            assert math.isnan(b.confidence) and math.isnan(b.accuracy)
    if kw["n_bins"] == 15:
        e = metrics.evaluate("calibration_error", yt, s, **kw)
        assert close12(e.value, want[0]) and e.reason == 0


@pytest.mark.parametrize("parts", [p for p in LINES if p[0] == "curve"], ids=lambda p: p[1])
def test_sklearn_calibration_curve(parts):
    kv, rest = golden_fields(parts[2:])
    m = int(rest[0])
    prob_true, prob_pred = metrics.calibration_curve(DATA[kv["yt"]], DATA[kv["s"]], pos_label=int(kv["pos"]),
                                                     n_bins=int(kv["bins"]))
    want = [golden_num(x) for x in rest[1:]]
    assert len(prob_true) == m and len(prob_pred) == m
    assert all(close12(g, w) for g, w in zip(list(prob_true) + list(prob_pred), want))


def test_bootstrap_and_errors():
    yt, s = DATA["b_yt"], DATA["b_p"]
    b = metrics.bootstrap("calibration_error", yt, s, norm="max", n_resamples=30, random_state=3)
    assert b.value == metrics.calibration_error(yt, s, norm="max") and b.defined == 30
    with pytest.raises(ValueError):
        metrics.calibration_error(yt, s, norm="l3")
    with pytest.raises(ValueError):
        metrics.calibration_curve(yt, s, strategy="quantile")
    with pytest.raises(ValueError):
        metrics.reliability_table(yt, s, binning="other")
    with pytest.raises(InvalidArgument, match="mlops_eval_calibration"):
        metrics.calibration_error(yt, [1.5] * len(yt))
    with pytest.raises(ValueError):
        metrics.calibration_error(yt, s[:-1])
    with pytest.warns(metrics.UndefinedMetricWarning, match="weight"):
        assert math.isnan(metrics.calibration_error([0, 1], [0.2, 0.9], sample_weight=[0.0, 0.0]))
