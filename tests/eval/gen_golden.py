#!/usr/bin/env python3
"""Writes the evaluation golden vectors (tests/eval/golden.txt) from
scikit-learn.

Run it in a throwaway virtual environment outside the repository with the
pinned versions (the C and Python tests read golden.txt and never need
scikit-learn):

    python3 -m venv VENV                    (VENV: a folder outside the clone)
    VENV/bin/pip install scikit-learn==1.7.2 numpy==2.1.3 scipy==1.14.1
    VENV/bin/python tests/eval/gen_golden.py

Every number is a C99 hex float (exact). Line formats:

  # comment
  meta sklearn V numpy V scipy V
  data NAME i N V1 .. VN         an int array
  data NAME d N V1 .. VN         a double array
  case ID FAMILY METRIC KEY=VALUE ... -> EXPECT REASON
        FAMILY: reg, lab, sco.  KEYS: yt yp s w labels (data names),
        k, avg, mc, pos, beta, zd, ff, alpha, max_fpr, adj.
        EXPECT: scikit-learn's value, or nan where doc/eval.md documents
        that libmlops differs (the line then says so in `sklearn=`).
        REASON: the mlops_eval_result.reason libmlops must report.
  perclass ID KEYS -> K then per class: LABEL P R F SUPPORT RP RR RF
  confusion ID KEYS -> K LABEL1..LABELK V11 .. VKK
  bootstrap ID FAMILY METRIC KEYS resamples=R confidence=C seed=S -> VALUE LOW HIGH DEFINED
        the percentile interval scikit-learn's metric gives on the resamples
        drawn as eval.h documents (splitmix64 from seed, Lemire's bounded
        integers), numpy.percentile's linear interpolation.
"""
import os
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn import metrics as M

from golden_lines import data, hx, keys, lines, put, write

SKLEARN = "1.7.2"
warnings.simplefilter("ignore")

if sklearn.__version__ != SKLEARN:
    sys.exit(f"scikit-learn {SKLEARN} is required (found {sklearn.__version__}); see the docstring")


AVG = {"binary": "binary", "micro": "micro", "macro": "macro", "weighted": "weighted"}
ZD = {0: 0.0, 1: 1.0, "nan": np.nan}


def W(kw):
    return data[kw["w"]] if "w" in kw else None


# ---- regression ---------------------------------------------------------------

REG = {
    "mae": lambda yt, yp, w, kw: M.mean_absolute_error(yt, yp, sample_weight=w),
    "mse": lambda yt, yp, w, kw: M.mean_squared_error(yt, yp, sample_weight=w),
    "rmse": lambda yt, yp, w, kw: M.root_mean_squared_error(yt, yp, sample_weight=w),
    "mape": lambda yt, yp, w, kw: M.mean_absolute_percentage_error(yt, yp, sample_weight=w),
    "r2": lambda yt, yp, w, kw: M.r2_score(yt, yp, sample_weight=w, force_finite=bool(kw.get("ff", 1))),
    "ev": lambda yt, yp, w, kw: M.explained_variance_score(yt, yp, sample_weight=w, force_finite=bool(kw.get("ff", 1))),
    "medae": lambda yt, yp, w, kw: M.median_absolute_error(yt, yp, sample_weight=w),
    "maxerr": lambda yt, yp, w, kw: M.max_error(yt, yp),
    "pinball": lambda yt, yp, w, kw: M.mean_pinball_loss(yt, yp, sample_weight=w, alpha=kw.get("alpha", 0.5)),
}


def reg_case(cid, metric, reason=0, **kw):
    yt, yp = data[kw["yt"]], data[kw["yp"]]
    v = REG[metric](yt, yp, W(kw), kw)
    lines.append(f"case {cid} reg {metric} {keys(kw)} -> {hx(v)} {reason}")


# ---- labels ---------------------------------------------------------------------


def prf_args(kw):
    a = {"average": None if kw.get("avg") == "none" else kw.get("avg", "binary"),
         "zero_division": ZD[kw.get("zd", 0)], "sample_weight": W(kw)}
    if kw.get("avg", "binary") == "binary":
        a["pos_label"] = kw.get("pos", 1)
    if "labels" in kw:
        a["labels"] = data[kw["labels"]]
    return a


def lab_value(metric, kw):
    yt, yp = data[kw["yt"]], data[kw["yp"]]
    if metric == "accuracy":
        return M.accuracy_score(yt, yp, sample_weight=W(kw))
    if metric == "balanced":
        return M.balanced_accuracy_score(yt, yp, sample_weight=W(kw), adjusted=bool(kw.get("adj", 0)))
    a = prf_args(kw)
    if metric == "precision":
        return M.precision_score(yt, yp, **a)
    if metric == "recall":
        return M.recall_score(yt, yp, **a)
    return M.fbeta_score(yt, yp, beta=kw.get("beta", 1.0), **a)


def lab_reason(metric, kw):
    """libmlops reports zero division when one of the averaged values had a
    zero denominator: the per-class values with zero_division=NaN say it."""
    if metric in ("accuracy", "balanced"):
        return 0
    a = prf_args(kw)
    a["zero_division"] = np.nan
    avg = a["average"]
    if avg == "micro" or avg == "binary":
        vals = M.precision_recall_fscore_support(data[kw["yt"]], data[kw["yp"]], beta=kw.get("beta", 1.0), **a)
    else:
        a["average"] = None
        vals = M.precision_recall_fscore_support(data[kw["yt"]], data[kw["yp"]], beta=kw.get("beta", 1.0), **a)
    which = {"precision": 0, "recall": 1, "fbeta": 2}[metric]
    return 2 if np.any(np.isnan(np.atleast_1d(vals[which]))) else 0


def lab_case(cid, metric, **kw):
    v = lab_value(metric, kw)
    lines.append(f"case {cid} lab {metric} {keys(kw)} -> {hx(v)} {lab_reason(metric, kw)}")


def perclass_case(cid, **kw):
    yt, yp = data[kw["yt"]], data[kw["yp"]]
    a = prf_args(dict(kw, avg="none"))
    beta = kw.get("beta", 1.0)
    p, r, f, s = M.precision_recall_fscore_support(yt, yp, beta=beta, **a)
    a["zero_division"] = np.nan
    pn, rn, fn_, _ = M.precision_recall_fscore_support(yt, yp, beta=beta, **a)
    labels = data[kw["labels"]] if "labels" in kw else np.unique(np.concatenate([yt, yp]))
    if s is None or np.ndim(s) == 0:
        s = np.zeros(len(labels))
    cells = []
    for i, lab in enumerate(labels):
        rs = [2 if np.isnan(x[i]) else 0 for x in (pn, rn, fn_)]
        cells.append(f"{int(lab)} {hx(p[i])} {hx(r[i])} {hx(f[i])} {hx(s[i])} {rs[0]} {rs[1]} {rs[2]}")
    lines.append(f"perclass {cid} {keys(kw)} -> {len(labels)} " + " ".join(cells))


def confusion_case(cid, **kw):
    yt, yp = data[kw["yt"]], data[kw["yp"]]
    norm = kw.get("norm", "none")
    labels = data[kw["labels"]] if "labels" in kw else np.unique(np.concatenate([yt, yp]))
    cm = M.confusion_matrix(yt, yp, labels=labels if "labels" in kw else None, sample_weight=W(kw),
                            normalize=None if norm == "none" else norm)
    lines.append(f"confusion {cid} {keys(kw)} -> {len(labels)} " + " ".join(str(int(x)) for x in labels)
                 + " " + " ".join(hx(x) for x in cm.ravel()))


# ---- scores -------------------------------------------------------------------


def sco_value(metric, kw):
    yt, s = data[kw["yt"]], data[kw["s"]]
    k = kw.get("k", 1)
    if k > 1:
        s = s.reshape(-1, k)
    w = W(kw)
    avg = kw.get("avg", "binary")
    avg = "macro" if avg == "binary" else avg
    labels = data[kw["labels"]] if "labels" in kw else None
    if metric == "roc_auc":
        if k == 1:
            mf = kw.get("max_fpr", 1.0)
            return M.roc_auc_score(yt, s, sample_weight=w, max_fpr=None if mf == 1.0 else mf)
        return M.roc_auc_score(yt, s, sample_weight=w, average=avg, multi_class=kw.get("mc", "ovr"), labels=labels)
    if metric == "ap":
        if k == 1:
            return M.average_precision_score(yt, s, sample_weight=w, pos_label=kw.get("pos", 1))
        return M.average_precision_score(yt, s, sample_weight=w, average=avg)
    if metric == "log_loss":
        return M.log_loss(yt, s, sample_weight=w, labels=labels)
    if k == 1:
        return M.brier_score_loss(yt, s, sample_weight=w, pos_label=kw.get("pos", 1))
    return M.brier_score_loss(yt, s, sample_weight=w, labels=labels)


def sco_case(cid, metric, reason=0, differs=None, **kw):
    v = sco_value(metric, kw)
    if differs is not None:
        lines.append(f"# {cid}: scikit-learn gives {hx(v)} ({differs}); libmlops reports NaN")
        v = np.nan
    lines.append(f"case {cid} sco {metric} {keys(kw)} -> {hx(v)} {reason}")


# ---- bootstrap ------------------------------------------------------------------

MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, seed):
        self.x = seed & MASK

    def next(self):
        self.x = (self.x + 0x9E3779B97F4A7C15) & MASK
        z = self.x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        m = self.next() * n
        low = m & MASK
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                m = self.next() * n
                low = m & MASK
        return m >> 64


def bootstrap_case(cid, family, metric, resamples, confidence, seed, **kw):
    n = len(data[kw["yt"]])
    rng = SplitMix(seed)
    saved = dict(data)

    def value():
        if family == "reg":
            return REG[metric](data[kw["yt"]], data[kw["yp"]], W(kw), kw)
        if family == "lab":
            return lab_value(metric, kw)
        return sco_value(metric, kw)

    full = value()
    vals = []
    arrays = [a for a in ("yt", "yp", "s", "w") if a in kw]
    for _ in range(resamples):
        idx = np.array([rng.below(n) for _ in range(n)])
        for a in arrays:
            src = saved[kw[a]]
            if a == "s" and kw.get("k", 1) > 1:
                data[kw[a]] = src.reshape(-1, kw["k"])[idx].ravel()
            else:
                data[kw[a]] = src[idx]
        try:
            v = value()
        except ValueError as e:
            if os.environ.get("GOLDEN_DEBUG"):
                print(e)
            v = np.nan
        if not np.isnan(v):
            vals.append(v)
        data.update(saved)
    lo, hi = np.percentile(vals, [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2])
    lines.append(f"bootstrap {cid} {family} {metric} {keys(kw)} resamples={resamples} "
                 f"confidence={hx(confidence)} seed={seed} -> {hx(full)} {hx(lo)} {hx(hi)} {len(vals)}")


# ---- the data ---------------------------------------------------------------------


def main():
    rng = np.random.default_rng(20261203)
    lines.append(f"meta sklearn {sklearn.__version__} numpy {np.__version__} scipy {scipy.__version__}")

    # regression
    n = 57
    yt = rng.normal(3.0, 2.0, n)
    yp = yt + rng.normal(0.0, 0.7, n)
    w = rng.uniform(0.0, 2.0, n)
    w[[3, 10, 30]] = 0.0
    put("r_yt", yt)
    put("r_yp", yp)
    put("r_w", w)
    put("r_yt_even", yt[:40])
    put("r_yp_even", yp[:40])
    put("r_w_even", w[:40])
    zt = yt.copy()
    zt[[0, 5, 9]] = 0.0  # MAPE's eps floor
    put("r_zt", zt)
    put("r_const", np.full(8, 4.0))
    put("r_const_pred", np.array([4.0, 4.0, 5.0, 4.0, 3.0, 4.0, 4.0, 6.0]))
    put("r_const_perfect", np.full(8, 4.0))
    put("r_one", np.array([2.5]))
    put("r_one_pred", np.array([3.0]))
    put("r_ties", np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    put("r_ties_pred", np.array([2.0, 3.0, 2.0, 5.0, 4.0, 7.0]))
    put("r_ties_w", np.array([1.0, 3.0, 1.0, 0.5, 0.5, 2.0]))
    cid = 0

    def nid():
        nonlocal cid
        cid += 1
        return cid

    for m in ("mae", "mse", "rmse", "mape", "r2", "ev", "medae", "maxerr", "pinball"):
        reg_case(nid(), m, yt="r_yt", yp="r_yp")
        reg_case(nid(), m, yt="r_yt_even", yp="r_yp_even")
        if m != "maxerr":
            reg_case(nid(), m, yt="r_yt", yp="r_yp", w="r_w")
            reg_case(nid(), m, yt="r_yt_even", yp="r_yp_even", w="r_w_even")
            reg_case(nid(), m, yt="r_ties", yp="r_ties_pred", w="r_ties_w")
    reg_case(nid(), "mape", yt="r_zt", yp="r_yp")
    reg_case(nid(), "mape", yt="r_zt", yp="r_yp", w="r_w")
    for a in (0.1, 0.9, 0.0, 1.0):
        reg_case(nid(), "pinball", yt="r_yt", yp="r_yp", alpha=a)
        reg_case(nid(), "pinball", yt="r_yt", yp="r_yp", w="r_w", alpha=a)
    for m in ("r2", "ev"):
        for ff in (1, 0):
            reg_case(nid(), m, reason=3, yt="r_const", yp="r_const_pred", ff=ff)
            reg_case(nid(), m, reason=3, yt="r_const", yp="r_const_perfect", ff=ff)
            reg_case(nid(), m, yt="r_yt", yp="r_yp", ff=ff)
    reg_case(nid(), "r2", reason=5, yt="r_one", yp="r_one_pred")
    reg_case(nid(), "medae", yt="r_one", yp="r_one_pred")

    # labels: binary, multiclass with a gap in the labels, weights
    nb = 61
    bt = rng.integers(0, 2, nb)
    bp = np.where(rng.uniform(size=nb) < 0.75, bt, 1 - bt)
    put("b_yt", bt)
    put("b_yp", bp)
    put("b_w", rng.uniform(0.0, 3.0, nb))
    put("b_allneg_pred", np.zeros(nb, dtype=np.int64))
    put("b_allneg_true", np.zeros(nb, dtype=np.int64))
    classes = np.array([0, 1, 2, 5])
    nm = 83
    mt = classes[rng.integers(0, 4, nm)]
    mp = np.where(rng.uniform(size=nm) < 0.6, mt, classes[rng.integers(0, 4, nm)])
    mp[mp == 2] = 1  # class 2 is never predicted: its precision divides by 0
    put("m_yt", mt)
    put("m_yp", mp)
    put("m_w", rng.uniform(0.0, 2.0, nm))
    put("m_labels_sub", np.array([5, 0, 2]))
    put("m_labels_extra", np.array([0, 1, 2, 5, 7]))
    for metric in ("accuracy", "balanced"):
        for pair in (("b_yt", "b_yp"), ("m_yt", "m_yp")):
            lab_case(nid(), metric, yt=pair[0], yp=pair[1])
            lab_case(nid(), metric, yt=pair[0], yp=pair[1], w=pair[0].replace("yt", "w"))
        lab_case(nid(), "balanced", yt="m_yt", yp="m_yp", adj=1)
        lab_case(nid(), "balanced", yt="m_yt", yp="m_yp", w="m_w", adj=1)
    for metric in ("precision", "recall", "fbeta"):
        betas = (1.0, 0.5, 2.0, 0.0, float("inf")) if metric == "fbeta" else (1.0,)
        for beta in betas:
            for zd in (0, 1, "nan"):
                extra = {"beta": beta} if metric == "fbeta" else {}
                lab_case(nid(), metric, yt="b_yt", yp="b_yp", zd=zd, **extra)
                lab_case(nid(), metric, yt="b_yt", yp="b_yp", w="b_w", pos=0, zd=zd, **extra)
                lab_case(nid(), metric, yt="b_yt", yp="b_allneg_pred", zd=zd, **extra)
                lab_case(nid(), metric, yt="b_allneg_true", yp="b_allneg_pred", zd=zd, **extra)
                for avg in ("micro", "macro", "weighted"):
                    lab_case(nid(), metric, yt="m_yt", yp="m_yp", avg=avg, zd=zd, **extra)
                    lab_case(nid(), metric, yt="m_yt", yp="m_yp", w="m_w", avg=avg, zd=zd, **extra)
                    lab_case(nid(), metric, yt="m_yt", yp="m_yp", avg=avg, zd=zd, labels="m_labels_sub", **extra)
                    lab_case(nid(), metric, yt="m_yt", yp="m_yp", avg=avg, zd=zd, labels="m_labels_extra", **extra)
                    lab_case(nid(), metric, yt="b_allneg_true", yp="b_allneg_pred", avg=avg, zd=zd, **extra)
    for zd in (0, 1, "nan"):
        perclass_case(nid(), yt="m_yt", yp="m_yp", zd=zd)
        perclass_case(nid(), yt="m_yt", yp="m_yp", w="m_w", zd=zd, beta=2.0)
        perclass_case(nid(), yt="m_yt", yp="m_yp", zd=zd, labels="m_labels_extra")
    for norm in ("none", "true", "pred", "all"):
        confusion_case(nid(), yt="m_yt", yp="m_yp", norm=norm)
        confusion_case(nid(), yt="m_yt", yp="m_yp", w="m_w", norm=norm)
        confusion_case(nid(), yt="m_yt", yp="m_yp", norm=norm, labels="m_labels_extra")
        confusion_case(nid(), yt="b_yt", yp="b_yp", w="b_w", norm=norm)

    # scores: binary with ties, multiclass with ties and exact row sums
    ns = 101
    st = rng.integers(0, 2, ns)
    raw = np.clip(0.35 * st + rng.uniform(0, 0.65, ns), 0, 1)
    put("s_yt", st)
    put("s_ties", np.round(raw, 1))  # heavy ties
    put("s_cont", raw)
    put("s_w", rng.uniform(0.0, 2.0, ns))
    put("s_one", np.ones(ns, dtype=np.int64))
    put("s_zero", np.zeros(ns, dtype=np.int64))
    put("s_pm", np.where(st == 1, 1, -1))
    p01 = np.round(raw, 1)
    p01[:3] = [0.0, 1.0, 1.0]  # log loss clipping
    put("s_p01", p01)
    for sname in ("s_ties", "s_cont"):
        for mf in (1.0, 0.5, 0.25, 0.1, 0.037):
            sco_case(nid(), "roc_auc", yt="s_yt", s=sname, max_fpr=mf)
            sco_case(nid(), "roc_auc", yt="s_yt", s=sname, w="s_w", max_fpr=mf)
        sco_case(nid(), "ap", yt="s_yt", s=sname)
        sco_case(nid(), "ap", yt="s_yt", s=sname, w="s_w")
        sco_case(nid(), "ap", yt="s_yt", s=sname, pos=0)
        sco_case(nid(), "ap", yt="s_pm", s=sname)
    sco_case(nid(), "roc_auc", reason=1, yt="s_one", s="s_ties")
    sco_case(nid(), "ap", yt="s_one", s="s_ties")
    sco_case(nid(), "ap", reason=4, differs="no positive sample", yt="s_zero", s="s_ties")
    for metric in ("log_loss", "brier"):
        sco_case(nid(), metric, yt="s_yt", s="s_p01")
        sco_case(nid(), metric, yt="s_yt", s="s_cont", w="s_w")
    sco_case(nid(), "brier", yt="s_yt", s="s_cont", pos=0)
    sco_case(nid(), "brier", yt="s_one", s="s_cont")
    put("two", np.array([0, 1]))
    sco_case(nid(), "log_loss", yt="s_one", s="s_cont", labels="two")

    nmc, k = 97, 4
    counts = rng.multinomial(20, [0.25] * k, nmc).astype(float)
    y = np.array([rng.choice(k, p=(c + 1) / (c + 1).sum()) for c in counts])
    prob = counts / 20.0
    put("c_yt", y)
    put("c_p", prob.ravel())
    put("c_w", rng.uniform(0.0, 2.0, nmc))
    put("c_yt_gap", np.array([0, 2, 5, 9])[y])
    put("c_labels_gap", np.array([0, 2, 5, 9]))
    for avg in ("macro", "weighted", "micro"):
        sco_case(nid(), "roc_auc", yt="c_yt", s="c_p", k=k, avg=avg, mc="ovr")
        sco_case(nid(), "roc_auc", yt="c_yt", s="c_p", k=k, avg=avg, mc="ovr", w="c_w")
        sco_case(nid(), "roc_auc", yt="c_yt_gap", s="c_p", k=k, avg=avg, mc="ovr", labels="c_labels_gap")
        sco_case(nid(), "ap", yt="c_yt", s="c_p", k=k, avg=avg)
        sco_case(nid(), "ap", yt="c_yt", s="c_p", k=k, avg=avg, w="c_w")
    for avg in ("macro", "weighted"):
        sco_case(nid(), "roc_auc", yt="c_yt", s="c_p", k=k, avg=avg, mc="ovo")
        sco_case(nid(), "roc_auc", yt="c_yt_gap", s="c_p", k=k, avg=avg, mc="ovo")
    sco_case(nid(), "roc_auc", yt="c_yt", s="c_p", k=k)
    for metric in ("log_loss", "brier"):
        sco_case(nid(), metric, yt="c_yt", s="c_p", k=k)
        sco_case(nid(), metric, yt="c_yt", s="c_p", k=k, w="c_w")
        sco_case(nid(), metric, yt="c_yt_gap", s="c_p", k=k, labels="c_labels_gap")
    # three classes only in y_true, four columns named by labels
    y3 = np.where(y == 3, 0, y)
    put("c_yt3", y3)
    put("c_labels4", np.array([0, 1, 2, 3]))
    sco_case(nid(), "log_loss", yt="c_yt3", s="c_p", k=k, labels="c_labels4")
    sco_case(nid(), "brier", yt="c_yt3", s="c_p", k=k, labels="c_labels4")
    # two columns: scale by half
    p2 = np.stack([1 - raw, raw], axis=1)
    put("s_p2", p2.ravel())
    sco_case(nid(), "brier", yt="s_yt", s="s_p2", k=2)
    sco_case(nid(), "log_loss", yt="s_yt", s="s_p2", k=2)

    # edges: every score tied, perfect and reversed separation, negative
    # scores, a false positive rate landing exactly on max_fpr, two samples
    put("e_yt", np.array([0, 0, 1, 0, 1, 1, 0, 1]))
    put("e_tied", np.full(8, 0.25))
    put("e_perfect", np.array([0.1, 0.2, 0.9, 0.3, 0.8, 0.7, 0.4, 0.95]))
    put("e_reversed", 1.0 - data["e_perfect"])
    put("e_negative", np.array([-3.0, -1.5, 2.0, -1.5, 0.0, 2.0, -7.25, 1e-300]))
    put("e_w", np.array([1.0, 2.0, 0.5, 0.0, 3.0, 1.0, 1.0, 2.0]))
    put("e_two_yt", np.array([1, 0]))
    put("e_two_s", np.array([0.4, 0.6]))
    for sname in ("e_tied", "e_perfect", "e_reversed", "e_negative"):
        for mf in (1.0, 0.5, 0.25):
            sco_case(nid(), "roc_auc", yt="e_yt", s=sname, max_fpr=mf)
            sco_case(nid(), "roc_auc", yt="e_yt", s=sname, w="e_w", max_fpr=mf)
        sco_case(nid(), "ap", yt="e_yt", s=sname)
        sco_case(nid(), "ap", yt="e_yt", s=sname, w="e_w")
    sco_case(nid(), "roc_auc", yt="e_two_yt", s="e_two_s")
    sco_case(nid(), "ap", yt="e_two_yt", s="e_two_s")
    sco_case(nid(), "log_loss", yt="e_two_yt", s="e_two_s")
    put("e_zeros", np.zeros(5))
    put("e_zeros_pred", np.array([0.0, 1e-3, -2.0, 0.0, 5.0]))
    for m in ("mape", "mae", "r2", "ev", "medae"):
        reg_case(nid(), m, reason=3 if m in ("r2", "ev") else 0, yt="e_zeros", yp="e_zeros_pred")

    bootstrap_case(nid(), "sco", "roc_auc", 200, 0.95, 7, yt="s_yt", s="s_ties")
    bootstrap_case(nid(), "sco", "roc_auc", 150, 0.9, 12345, yt="c_yt", s="c_p", k=k)
    bootstrap_case(nid(), "lab", "fbeta", 200, 0.95, 1, yt="m_yt", yp="m_yp", avg="macro", w="m_w")
    bootstrap_case(nid(), "reg", "mae", 200, 0.8, 99, yt="r_yt", yp="r_yp")
    bootstrap_case(nid(), "reg", "r2", 100, 0.95, 2**63 + 5, yt="r_yt", yp="r_yp", w="r_w")

    # explained variance has no two-sample minimum (R2 has): one sample is a
    # constant y_true, 1 with force_finite, else NaN
    reg_case(nid(), "ev", reason=3, yt="r_one", yp="r_one_pred")
    reg_case(nid(), "ev", reason=3, yt="r_one", yp="r_one_pred", ff=0)

    path = write("golden.txt", "# Generated by tests/eval/gen_golden.py from scikit-learn; do not edit.")
    print(f"wrote {len(lines)} lines to {path}")


if __name__ == "__main__":
    main()
