#!/usr/bin/env python3
"""Writes the fairness golden vectors (tests/eval/golden_fairness.txt) from
fairlearn (metric frames, parity measures) and AIF360 (disparate impact,
statistical parity difference).

Run it in a throwaway virtual environment outside the repository with the
pinned versions (the C, Python and Go tests read the file and never need
these libraries):

    python3 -m venv VENV                    (VENV: a folder outside the clone)
    VENV/bin/pip install fairlearn==0.15.0 scikit-learn==1.7.2 numpy==2.1.3 \\
        scipy==1.14.1 pandas==3.1.1 aif360==0.6.1
    VENV/bin/python tests/eval/gen_golden_fairness.py

Numbers are C99 hex floats (exact). Keys are those of golden.txt (yt yp s w
k avg pos labels) plus g (the group codes). Line formats:

  meta fairlearn V sklearn V numpy V pandas V aif360 V
  data NAME i|d N V1 .. VN
  frame ID FAMILY METRIC KEYS -> OVERALL REASON K
        then K times: CODE VALUE REASON COUNT WEIGHT POSITIVES NEGATIVES
        then DIFF_BETWEEN R DIFF_TO_OVERALL R RATIO_BETWEEN R RATIO_TO_OVERALL R
        fairlearn's MetricFrame(metrics=..., sample_params={"sample_weight": w})
        overall, by_group, difference(method) and ratio(method); counts are
        the group's samples, weight sum and weight of y_true == pos / !=.
  parity ID diff|ratio dp|eo|eop KEYS method=between_groups|to_overall agg=worst_case|mean
        -> VALUE REASON      fairlearn's demographic_parity_*, equalized_odds_*,
                             equal_opportunity_*
  aif ID di|spd KEYS priv=NAME [unpriv=NAME] -> VALUE REASON
        AIF360's ClassificationMetric.disparate_impact() and
        .statistical_parity_difference() (unpriv absent: every other group)

Where libmlops differs on purpose (doc/fairness.md: a rate undefined in a
group is NaN with its reason where fairlearn says 0, and an aggregate over
an undefined group is NaN), the expected value is nan and a comment line
before the case records fairlearn's value.
"""
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
import fairlearn
from fairlearn import metrics as F
from sklearn import metrics as M

from golden_lines import data, hx, keys, lines, put, write

PINS = {"fairlearn": "0.15.0", "sklearn": "1.7.2"}
warnings.simplefilter("ignore")
if fairlearn.__version__ != PINS["fairlearn"] or sklearn.__version__ != PINS["sklearn"]:
    sys.exit(f"fairlearn {PINS['fairlearn']} and scikit-learn {PINS['sklearn']} are required; see the docstring")

import logging  # noqa: E402

logging.disable(logging.WARNING)  # aif360 warns about optional extras on import
import aif360  # noqa: E402
from aif360.datasets import BinaryLabelDataset  # noqa: E402
from aif360.metrics import ClassificationMetric  # noqa: E402

NO_POSITIVES, NO_NEGATIVES, ZERO_DIVISION, NO_WEIGHT = 4, 7, 2, 6


# ---- data -------------------------------------------------------------------------

rng = np.random.RandomState(19)
N = 600
CODES = np.array([-3, 0, 2, 7, 11])
g = CODES[rng.randint(0, 5, N)]
put("g", g)
put("g1", np.zeros(N, dtype=np.int64))
put("g2", np.where(g < 2, 4, 9))
p_pos = 0.25 + 0.1 * (np.searchsorted(CODES, g))  # base rate differs by group
yt = (rng.rand(N) < p_pos).astype(np.int64)
put("yt", yt)
put("yp", np.where(rng.rand(N) < 0.8, yt, 1 - yt))
put("yt3", rng.randint(0, 3, N))
put("yp3", np.where(rng.rand(N) < 0.6, data["yt3"], rng.randint(0, 3, N)))
put("s1", np.clip(np.round(0.35 * yt + 0.65 * rng.rand(N), 2), 0, 1))
p3 = rng.dirichlet([1, 1, 1], N)
put("s3", p3)
put("vt", rng.normal(10, 3, N))
put("vp", data["vt"] + rng.normal(0, 1.5, N))
put("w", np.round(rng.uniform(0.25, 3, N), 2))
# group 7 has no positive sample and group 11 no negative one
yte = yt.copy()
yte[g == 7] = 0
yte[g == 11] = 1
put("yte", yte)
put("ype", np.where(rng.rand(N) < 0.7, yte, 1 - yte))
put("yp0", np.zeros(N, dtype=np.int64))
# labels 2 / 5, positive 5
put("yt25", np.where(yt == 1, 5, 2))
put("yp25", np.where(data["yp"] == 1, 5, 2))
put("priv", np.array([7, 11]))
put("unpriv", np.array([-3, 2]))
put("priv0b", np.array([9]))


def W(kw):
    return data[kw["w"]] if "w" in kw else None


# ---- metric frames -------------------------------------------------------------------

def sk_metric(family, metric, kw):
    """The scikit-learn / fairlearn function fairlearn's MetricFrame calls."""
    pos = kw.get("pos", 1)
    avg = kw.get("avg", "binary")
    if family == "reg":
        return {
            "mae": M.mean_absolute_error, "mse": M.mean_squared_error,
            "rmse": M.root_mean_squared_error, "mape": M.mean_absolute_percentage_error,
            "r2": M.r2_score, "ev": M.explained_variance_score,
            "medae": M.median_absolute_error, "pinball": M.mean_pinball_loss,
            "maxerr": lambda a, b, sample_weight=None: M.max_error(a, b),
        }[metric]
    if family == "lab":
        prf = dict(average=avg, zero_division=0)
        if avg == "binary":
            prf["pos_label"] = pos
        return {
            "accuracy": M.accuracy_score, "balanced": M.balanced_accuracy_score,
            "precision": lambda a, b, sample_weight=None: M.precision_score(a, b, sample_weight=sample_weight, **prf),
            "recall": lambda a, b, sample_weight=None: M.recall_score(a, b, sample_weight=sample_weight, **prf),
            "fbeta": lambda a, b, sample_weight=None: M.f1_score(a, b, sample_weight=sample_weight, **prf),
            "selection_rate": lambda a, b, sample_weight=None: F.selection_rate(a, b, pos_label=pos, sample_weight=sample_weight),
            "tpr": lambda a, b, sample_weight=None: F.true_positive_rate(a, b, sample_weight=sample_weight, pos_label=pos),
            "fpr": lambda a, b, sample_weight=None: F.false_positive_rate(a, b, sample_weight=sample_weight, pos_label=pos),
        }[metric]
    k = kw.get("k", 1)
    labels = list(range(k)) if k > 1 else [0, 1]

    def sco(fn, **extra):
        def f(a, s, sample_weight=None):
            return fn(a, s.reshape(-1, k) if k > 1 else s, sample_weight=sample_weight, **extra)
        return f
    return {
        "roc_auc": sco(M.roc_auc_score, **({"multi_class": "ovr", "labels": labels} if k > 1 else {})),
        "ap": sco(M.average_precision_score),
        "log_loss": sco(M.log_loss, labels=labels),
        "brier": sco(M.brier_score_loss),
    }[metric]


def rate_reason(metric, t, pos):
    """libmlops' reason for a rate on a group (fairlearn reports 0)."""
    if metric == "tpr" and not np.any(t == pos):
        return NO_POSITIVES
    if metric == "fpr" and not np.any(t != pos):
        return NO_NEGATIVES
    return 0


def frame_case(cid, family, metric, **kw):
    t = data[kw["yt"]]
    second = data[kw["s"]] if family == "sco" else data[kw["yp"]]
    k = kw.get("k", 1)
    gr = data[kw["g"]]
    w = W(kw)
    fn = sk_metric(family, metric, kw)
    if family == "sco" and k > 1:
        # MetricFrame splits rows; keep each row's k scores together
        rows = np.arange(len(t))
        mf = F.MetricFrame(metrics=lambda a, r, sample_weight=None: fn(a, second.reshape(-1, k)[r].ravel(), sample_weight=sample_weight),
                           y_true=t, y_pred=rows, sensitive_features=gr,
                           sample_params={"sample_weight": w} if w is not None else None)
    else:
        mf = F.MetricFrame(metrics=fn, y_true=t, y_pred=second, sensitive_features=gr,
                           sample_params={"sample_weight": w} if w is not None else None)
    pos = kw.get("pos", 1)
    ww = w if w is not None else np.ones(len(t))
    cells, reasons = [], []
    for code in sorted(np.unique(gr)):
        m = gr == code
        v = float(mf.by_group[code])
        r = rate_reason(metric, t[m], pos) if family == "lab" else 0
        if r:
            lines.append(f"# {cid}: fairlearn gives group {code} the value {v!r}")
            v = np.nan
        reasons.append(r)
        if family == "reg":
            pw = nw = 0.0
        else:
            pw, nw = ww[m][t[m] == pos].sum(), ww[m][t[m] != pos].sum()
        cells.append(f"{int(code)} {hx(v)} {r} {int(m.sum())} {hx(ww[m].sum())} {hx(pw)} {hx(nw)}")
    aggs = [mf.difference(method="between_groups"), mf.difference(method="to_overall"),
            mf.ratio(method="between_groups"), mf.ratio(method="to_overall")]
    undefined = next((r for r in reasons if r), 0)
    agg_cells = []
    for a in aggs:
        if undefined:
            lines.append(f"# {cid}: fairlearn's aggregate {float(a)!r} counts an undefined group as 0")
            agg_cells.append(f"nan {undefined}")
        else:
            agg_cells.append(f"{hx(a)} {ZERO_DIVISION if np.isnan(float(a)) else 0}")
    lines.append(f"frame {cid} {family} {metric} {keys(kw)} -> {hx(mf.overall)} 0 {len(cells)} "
                 + " ".join(cells) + " " + " ".join(agg_cells))


for m in ("mae", "mse", "rmse", "mape", "r2", "ev", "medae", "pinball"):
    frame_case(f"reg_{m}", "reg", m, yt="vt", yp="vp", g="g")
    frame_case(f"reg_{m}_w", "reg", m, yt="vt", yp="vp", g="g", w="w")
frame_case("reg_maxerr", "reg", "maxerr", yt="vt", yp="vp", g="g")
for m in ("accuracy", "balanced", "precision", "recall", "fbeta", "selection_rate", "tpr", "fpr"):
    frame_case(f"lab_{m}", "lab", m, yt="yt", yp="yp", g="g")
    frame_case(f"lab_{m}_w", "lab", m, yt="yt", yp="yp", g="g", w="w")
for m in ("precision", "recall", "fbeta"):
    frame_case(f"lab3_{m}_macro", "lab", m, yt="yt3", yp="yp3", g="g", avg="macro")
    frame_case(f"lab3_{m}_weighted_w", "lab", m, yt="yt3", yp="yp3", g="g", avg="weighted", w="w")
frame_case("lab3_accuracy", "lab", "accuracy", yt="yt3", yp="yp3", g="g2")
frame_case("lab3_selection_rate_pos2", "lab", "selection_rate", yt="yt3", yp="yp3", g="g", pos=2)
frame_case("lab25_tpr", "lab", "tpr", yt="yt25", yp="yp25", g="g", pos=5)
frame_case("lab_single_group", "lab", "recall", yt="yt", yp="yp", g="g1")
frame_case("lab_tpr_no_positives", "lab", "tpr", yt="yte", yp="ype", g="g")
frame_case("lab_fpr_no_negatives_w", "lab", "fpr", yt="yte", yp="ype", g="g", w="w")
frame_case("lab_selection_zero", "lab", "selection_rate", yt="yt", yp="yp0", g="g")
for m in ("roc_auc", "ap", "log_loss", "brier"):
    frame_case(f"sco_{m}", "sco", m, yt="yt", s="s1", g="g")
    frame_case(f"sco_{m}_w", "sco", m, yt="yt", s="s1", g="g", w="w")
frame_case("sco3_roc_auc", "sco", "roc_auc", yt="yt3", s="s3", k=3, g="g")
frame_case("sco3_log_loss_w", "sco", "log_loss", yt="yt3", s="s3", k=3, g="g", w="w")


# ---- parity measures -----------------------------------------------------------------

PARITY = {
    ("diff", "dp"): F.demographic_parity_difference, ("ratio", "dp"): F.demographic_parity_ratio,
    ("diff", "eo"): F.equalized_odds_difference, ("ratio", "eo"): F.equalized_odds_ratio,
    ("diff", "eop"): F.equal_opportunity_difference, ("ratio", "eop"): F.equal_opportunity_ratio,
}


def parity_case(cid, kind, measure, undefined=0, **kw):
    a = dict(sensitive_features=data[kw["g"]], method=kw["method"], sample_weight=W(kw))
    if measure == "eo":
        a["agg"] = kw["agg"]
    v = PARITY[(kind, measure)](data[kw["yt"]], data[kw["yp"]], **a)
    r = ZERO_DIVISION if np.isnan(v) else 0
    if undefined:
        lines.append(f"# {cid}: fairlearn gives {float(v)!r}, counting an undefined rate as 0")
        v, r = np.nan, undefined
    lines.append(f"parity {cid} {kind} {measure} {keys(kw)} -> {hx(v)} {r}")


for kind in ("diff", "ratio"):
    for method in ("between_groups", "to_overall"):
        for wk in ({}, {"w": "w"}):
            sfx = f"{kind}_{method}" + ("_w" if wk else "")
            parity_case(f"dp_{sfx}", kind, "dp", yt="yt", yp="yp", g="g", method=method, **wk)
            parity_case(f"eop_{sfx}", kind, "eop", yt="yt", yp="yp", g="g", method=method, **wk)
            for agg in ("worst_case", "mean"):
                parity_case(f"eo_{agg}_{sfx}", kind, "eo", yt="yt", yp="yp", g="g", method=method, agg=agg, **wk)
    parity_case(f"dp_{kind}_g2", kind, "dp", yt="yt", yp="yp", g="g2", method="between_groups")
    parity_case(f"dp_{kind}_single", kind, "dp", yt="yt", yp="yp", g="g1", method="between_groups")
    parity_case(f"dp_{kind}_all_zero", kind, "dp", yt="yt", yp="yp0", g="g", method="between_groups")
    parity_case(f"eop_{kind}_no_positives", kind, "eop", NO_POSITIVES, yt="yte", yp="ype", g="g",
                method="between_groups")
    parity_case(f"eo_{kind}_no_positives", kind, "eo", NO_POSITIVES, yt="yte", yp="ype", g="g",
                method="to_overall", agg="worst_case")


# ---- AIF360 ---------------------------------------------------------------------------

def aif_case(cid, kind, **kw):
    gr, yp = data[kw["g"]], data[kw["yp"]]
    w = W(kw)
    priv = [int(c) for c in data[kw["priv"]]]
    unpriv = ([int(c) for c in data[kw["unpriv"]]] if "unpriv" in kw
              else [int(c) for c in np.unique(gr) if c not in priv])
    df = pd.DataFrame({"g": gr.astype(float), "y": yp.astype(float)})

    def ds(labels):
        d = BinaryLabelDataset(df=df.assign(y=labels.astype(float)), label_names=["y"],
                               protected_attribute_names=["g"], favorable_label=1.0,
                               unfavorable_label=0.0)
        if w is not None:
            d.instance_weights = w.astype(float).copy()
        return d
    cm = ClassificationMetric(ds(yp), ds(yp), unprivileged_groups=[{"g": float(c)} for c in unpriv],
                              privileged_groups=[{"g": float(c)} for c in priv])
    v = cm.disparate_impact() if kind == "di" else cm.statistical_parity_difference()
    lines.append(f"aif {cid} {kind} {keys(kw)} -> {hx(v)} {0 if np.isfinite(v) else ZERO_DIVISION}")


for kind in ("di", "spd"):
    aif_case(f"{kind}_complement", kind, yp="yp", g="g", priv="priv")
    aif_case(f"{kind}_lists_w", kind, yp="yp", g="g", w="w", priv="priv", unpriv="unpriv")
    aif_case(f"{kind}_one_priv", kind, yp="yp", g="g2", priv="priv0b")

write("golden_fairness.txt", "# Written by tests/eval/gen_golden_fairness.py; do not edit.",
      f"meta fairlearn {fairlearn.__version__} sklearn {sklearn.__version__} numpy {np.__version__} "
      f"pandas {pd.__version__} aif360 {aif360.__version__}")
print(f"{sum(1 for ln in lines if not ln.startswith(('data', '#')))} cases")
