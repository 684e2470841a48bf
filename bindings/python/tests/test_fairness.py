"""mlops.fairness against the fairlearn and AIF360 golden vectors the C suite
uses (tests/eval/golden_fairness.txt, written by
tests/eval/gen_golden_fairness.py), under fairlearn's names and arguments;
string sensitive features; the documented NaN where fairlearn says 0."""
import functools
import math
import warnings

import pytest

from mlops import fairness, metrics
from mlops.errors import InvalidArgument

from conftest import close12, golden_fields, golden_num, load_eval_golden

DATA, LINES = load_eval_golden("golden_fairness.txt")


def _plain(x):
    """A pandas Series (when pandas is present) or a dict, as a dict."""
    return dict(x.items()) if hasattr(x, "items") else x


def _metric_fn(family, metric, kw):
    pos = int(kw.get("pos", 1))
    avg = kw.get("avg", "binary")
    M = metrics
    if family == "reg":
        return {"mae": M.mean_absolute_error, "mse": M.mean_squared_error,
                "rmse": M.root_mean_squared_error, "mape": M.mean_absolute_percentage_error,
                "r2": M.r2_score, "ev": M.explained_variance_score, "medae": M.median_absolute_error,
                "pinball": M.mean_pinball_loss, "maxerr": M.max_error}[metric]
    if family == "lab":
        prf = dict(average=avg, pos_label=pos)
        return {"accuracy": M.accuracy_score, "balanced": M.balanced_accuracy_score,
                "precision": functools.partial(M.precision_score, **prf),
                "recall": functools.partial(M.recall_score, **prf),
                "fbeta": functools.partial(M.f1_score, **prf),
                "selection_rate": functools.partial(fairness.selection_rate, pos_label=pos),
                "tpr": functools.partial(fairness.true_positive_rate, pos_label=pos),
                "fpr": functools.partial(fairness.false_positive_rate, pos_label=pos)}[metric]
    extra = {"multi_class": "ovr"} if metric == "roc_auc" and int(kw.get("k", 1)) > 1 else {}
    return functools.partial({"roc_auc": M.roc_auc_score, "ap": M.average_precision_score,
                              "log_loss": M.log_loss, "brier": M.brier_score_loss}[metric], **extra)


FRAMES = [p for p in LINES if p[0] == "frame"]
PARITY = [p for p in LINES if p[0] == "parity"]
AIF = [p for p in LINES if p[0] == "aif"]


def test_golden_meta():
    assert LINES[0][:2] == ["meta", "fairlearn"]
    assert len(FRAMES) >= 50 and len(PARITY) >= 40 and len(AIF) >= 6


@pytest.mark.parametrize("parts", FRAMES, ids=[p[1] for p in FRAMES])
def test_golden_frame(parts):
    family, metric = parts[2], parts[3]
    kw, out = golden_fields(parts[4:])
    yt = DATA[kw["yt"]]
    y2 = DATA[kw["s"]] if family == "sco" else DATA[kw["yp"]]
    k = int(kw.get("k", 1))
    if k > 1:
        import numpy
        y2 = numpy.array(y2).reshape(-1, k)
    sp = {"sample_weight": DATA[kw["w"]]} if "w" in kw else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.UndefinedMetricWarning)
        mf = fairness.MetricFrame(metrics=_metric_fn(family, metric, kw), y_true=yt, y_pred=y2,
                                  sensitive_features=DATA[kw["g"]], sample_params=sp)
    assert close12(mf.overall, golden_num(out[0]))
    ngroups = int(out[2])
    by = _plain(mf.by_group)
    groups = mf.groups()
    assert list(by) == [int(out[3 + 7 * j]) for j in range(ngroups)]
    for j in range(ngroups):
        code, value, reason, count = out[3 + 7 * j: 7 + 7 * j]
        assert close12(by[int(code)], golden_num(value)), (code, by[int(code)], value)
        assert groups[j].reason == int(reason) and groups[j].count == int(count)
    aggs = out[3 + 7 * ngroups:]
    got = [mf.difference(method="between_groups"), mf.difference(method="to_overall"),
           mf.ratio(method="between_groups"), mf.ratio(method="to_overall")]
    for a, g in enumerate(got):
        assert close12(g, golden_num(aggs[2 * a])), (a, g, aggs[2 * a])


@pytest.mark.parametrize("parts", PARITY, ids=[p[1] for p in PARITY])
def test_golden_parity(parts):
    kind, measure = parts[2], parts[3]
    kw, out = golden_fields(parts[4:])
    name = {"dp": "demographic_parity", "eo": "equalized_odds", "eop": "equal_opportunity"}[measure]
    fn = getattr(fairness, f"{name}_{'difference' if kind == 'diff' else 'ratio'}")
    args = dict(sensitive_features=DATA[kw["g"]], method=kw["method"],
                sample_weight=DATA[kw["w"]] if "w" in kw else None)
    if measure == "eo":
        args["agg"] = kw["agg"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v = fn(DATA[kw["yt"]], DATA[kw["yp"]], **args)
    assert close12(v, golden_num(out[0])), (v, out[0])
    assert bool(caught) == (int(out[1]) != 0)


@pytest.mark.parametrize("parts", AIF, ids=[p[1] for p in AIF])
def test_golden_aif360(parts):
    kind = parts[2]
    kw, out = golden_fields(parts[3:])
    fn = fairness.disparate_impact if kind == "di" else fairness.statistical_parity_difference
    v = fn(DATA[kw["yp"]], sensitive_features=DATA[kw["g"]], privileged_groups=DATA[kw["priv"]],
           unprivileged_groups=DATA[kw["unpriv"]] if "unpriv" in kw else None,
           sample_weight=DATA[kw["w"]] if "w" in kw else None)
    assert close12(v, golden_num(out[0]))


def test_string_groups_sorted_and_dict_metrics():
    yt = [1, 0, 1, 1, 0, 1, 0, 0]
    yp = [1, 1, 1, 0, 0, 1, 0, 1]
    sf = ["b", "a", "b", "c", "a", "c", "b", "a"]
    mf = fairness.MetricFrame(metrics={"acc": metrics.accuracy_score, "sel": fairness.selection_rate},
                              y_true=yt, y_pred=yp, sensitive_features=sf)
    by = mf.by_group
    acc = dict(by["acc"].items()) if hasattr(by, "columns") else by["acc"]
    assert list(acc) == ["a", "b", "c"]
    assert acc == {"a": 1 / 3, "b": 1.0, "c": 1 / 2}
    assert close12(_plain(mf.difference())["acc"], 1 - 1 / 3)
    assert _plain(mf.group_min())["acc"] == 1 / 3 and _plain(mf.group_max())["acc"] == 1.0
    assert close12(fairness.disparate_impact(yp, sensitive_features=sf, privileged_groups=["a"]),
                  (3 / 5) / (2 / 3))
    with pytest.raises(ValueError):
        fairness.disparate_impact(yp, sensitive_features=sf, privileged_groups=["z"])


def test_undefined_group_is_nan_with_a_warning():
    yt = [0, 0, 1, 1, 0, 1]
    yp = [0, 1, 1, 0, 0, 1]
    g = [1, 1, 2, 2, 3, 3]
    with pytest.warns(metrics.UndefinedMetricWarning, match="no positive sample"):
        mf = fairness.MetricFrame(metrics=fairness.true_positive_rate, y_true=yt, y_pred=yp,
                                  sensitive_features=g)
    assert math.isnan(_plain(mf.by_group)[1]) and mf.groups()[0].negatives == 2
    assert math.isnan(mf.difference()) and math.isnan(mf.group_min())
    with pytest.warns(metrics.UndefinedMetricWarning):
        assert math.isnan(fairness.equal_opportunity_difference(yt, yp, sensitive_features=g))


def test_bad_input():
    with pytest.raises(ValueError):
        fairness.demographic_parity_difference([0, 1], [0, 1, 1], sensitive_features=[1, 2])
    with pytest.raises(ValueError):
        fairness.demographic_parity_difference([0, 1], [0, 1], sensitive_features=[1, 2], method="max")
    with pytest.raises(InvalidArgument):
        fairness.equalized_odds_difference([0, 1, 2], [0, 1, 1], sensitive_features=[1, 2, 2])
    with pytest.raises(InvalidArgument):
        fairness.demographic_parity_ratio([], [], sensitive_features=[])
    with pytest.raises(TypeError):
        fairness.MetricFrame(metrics=lambda a, b: 0.0, y_true=[0, 1], y_pred=[0, 1], sensitive_features=[1, 1])
    with pytest.raises(InvalidArgument):
        fairness.MetricFrame(metrics=metrics.mean_absolute_error, y_true=[0.0, math.nan],
                             y_pred=[0.0, 1.0], sensitive_features=[1, 1])


def test_rates_through_evaluate_and_bootstrap():
    e = metrics.evaluate("true_positive_rate", [0, 0, 0], [0, 1, 0])
    assert math.isnan(e.value) and e.reason_text == "no positive sample"
    ci = metrics.bootstrap("selection_rate", [0, 1, 1, 0], [0, 1, 1, 1], n_resamples=50, random_state=1)
    assert ci.value == 0.75 and ci.low <= ci.high
