#!/usr/bin/env python3
"""Writes the calibration golden vectors (tests/eval/calibration_golden.txt)
from torchmetrics (CalibrationError: ECE, MCE, RMSCE and its bins) and
scikit-learn (calibration_curve).

torch is too heavy for the test command: run this in a throwaway virtual
environment outside the repository with the pinned versions (PyPI's torch
wheel pulls the CUDA libraries; the CPU is enough):
    python3 -m venv VENV                    (VENV: a folder outside the clone)
    VENV/bin/pip install torch==2.15.0 torchmetrics==1.9.0 scikit-learn==1.7.2
    VENV/bin/python tests/eval/gen_calibration_golden.py

Every number is a C99 hex float (exact). Line formats:
  # comment
  meta torch V torchmetrics V sklearn V numpy V
  data NAME i N V1 .. VN         an int array
  data NAME d N V1 .. VN         a double array
  calib ID yt=Y s=S k=K bins=B [pos=P] [labels=L] -> ECE MCE RMSCE NB then
        per bin: COUNT SHARE CONFIDENCE ACCURACY
        torchmetrics' binning. k = 1: binary_calibration_error(s, y == pos)
        in float64 (the public function). k > 1: the top-label reduction
        (max over the row, first column of equal ones, correct when it is
        y's column) in float64, then torchmetrics' own _ce_compute and
        _binning_bucketize on it: torchmetrics' multiclass function casts
        the confidences to float32 first (its value, checked here to agree
        within 1e-6, is not the golden one). The NB = B + 1 bins are
        _binning_bucketize's (the last one holds the confidences equal to
        1); an empty bin has CONFIDENCE and ACCURACY 0 there (NaN in
        libmlops). A comment after each multiclass line gives the public
        function's float32 values: they differ where a float32 confidence
        falls into another bin than its float64 value.
  curve ID yt=Y s=S bins=B pos=P -> M PROB_TRUE1 .. PROB_TRUEM PROB_PRED1 .. PROB_PREDM
        sklearn.calibration.calibration_curve(y, s, pos_label=P, n_bins=B,
        strategy="uniform"): its non-empty bins in order.
"""
import os
import sys
from fractions import Fraction

import numpy as np
import sklearn
import torch
import torchmetrics
from sklearn.calibration import calibration_curve
from torchmetrics.functional.classification import (binary_calibration_error,
                                                    multiclass_calibration_error)
from torchmetrics.functional.classification.calibration_error import _binning_bucketize, _ce_compute

PINS = {"torch": (torch.__version__, "2.15.0"), "torchmetrics": (torchmetrics.__version__, "1.9.0"),
        "sklearn": (sklearn.__version__, "1.7.2")}
HERE = os.path.dirname(os.path.abspath(__file__))
for lib, (got, want) in PINS.items():
    if not got.startswith(want):
        sys.exit(f"{lib} {want} is required (found {got}); see the docstring")

lines = []
data = {}


def hx(x):
    x = float(x)
    if np.isnan(x):
        return "nan"
    return x.hex()


def put(name, arr):
    arr = np.asarray(arr)
    if arr.dtype.kind in "iu":
        lines.append(f"data {name} i {arr.size} " + " ".join(str(int(v)) for v in arr.ravel()))
    else:
        lines.append(f"data {name} d {arr.size} " + " ".join(hx(v) for v in arr.ravel()))
    data[name] = arr


def torch_edges(b):
    """The rule libmlops uses (lib/eval/calibration.c), checked against
    torch.linspace below."""
    steps, step = b + 1, 1.0 / b
    e = [step * i if i < steps // 2 else float(Fraction(1) - Fraction(step) * (steps - i - 1))
         for i in range(steps)]
    e[-1] = 1.0
    return e


for b in range(1, 1001):
    got = torch.linspace(0, 1, b + 1, dtype=torch.float64).tolist()
    if got != torch_edges(b):
        sys.exit(f"torch.linspace(0, 1, {b + 1}) differs from the rule of lib/eval/calibration.c")

rng = np.random.default_rng(20261203)

# Binary: probabilities with values on the edges of the bin counts used
# below (torch's and numpy's edges, which differ), 0 and 1.
BINS = [1, 2, 3, 10, 15, 20, 30, 100]
n = 300
p = rng.uniform(size=n)
p = np.round(p, 3)  # ties inside bins
edge_values = sorted({v for b in BINS for v in torch_edges(b)} | {v for b in BINS for v in np.linspace(0, 1, b + 1)})
p[: len(edge_values)] = edge_values
p[len(edge_values):len(edge_values) + 5] = 1.0
perm = rng.permutation(n)
p = p[perm]
y = (rng.uniform(size=n) < p ** 1.3).astype(np.int64)  # over-confident
put("b_yt", y)
put("b_p", p)
put("b_yt_pm", np.where(y == 1, -1, 7))  # the positive class is -1
put("b_one", np.zeros(n, dtype=np.int64))
small_p = np.array([0.25, 0.25, 0.55, 0.75, 0.75])
put("t_yt", np.array([0, 0, 1, 1, 1]))
put("t_p", small_p)

# Multiclass: rows of 4 probabilities summing to 1, with ties and rows
# whose top probability is an edge or 1.
nm, k = 200, 4
alpha = np.array([2.0, 1.0, 0.7, 0.4])
P = rng.dirichlet(alpha, size=nm)
P = np.round(P, 4)
P[:, 3] = 1.0 - P[:, :3].sum(axis=1)
P = np.clip(P, 0, 1)
P[0] = [0.25, 0.25, 0.25, 0.25]
P[1] = [0.4, 0.4, 0.1, 0.1]
P[2] = [0.0, 1.0, 0.0, 0.0]
P[3] = [0.5, 0.2, 0.2, 0.1]
P[4] = [0.1, 0.1, 0.1, 0.7]
P[5] = [0.2, 0.2, 0.0, 0.6]
ym = np.array([rng.choice(k, p=row / row.sum()) for row in P])
ym[:4] = [0, 1, 1, 3]
put("m_yt", ym)
put("m_p", P)
put("m_yt_gap", np.array([0, 2, 5, 9])[ym])  # classes 0 2 5 9
put("m_labels_gap", np.array([0, 2, 5, 9]))

lines.insert(0, "# Generated by tests/eval/gen_calibration_golden.py from torchmetrics and scikit-learn; do not edit.")
lines.insert(1, "meta torch %s torchmetrics %s sklearn %s numpy %s" % (
    torch.__version__, torchmetrics.__version__, sklearn.__version__, np.__version__))

cid = [0]


def nid():
    cid[0] += 1
    return cid[0]


def record(keys, conf, acc, b):
    c64 = torch.tensor(conf, dtype=torch.float64)
    a64 = torch.tensor(acc, dtype=torch.float64)
    vals = [float(_ce_compute(c64, a64, b, norm)) for norm in ("l1", "max", "l2")]
    bounds = torch.linspace(0, 1, b + 1, dtype=torch.float64)
    acc_bin, conf_bin, prop_bin = _binning_bucketize(c64, a64, bounds)
    idx = torch.bucketize(c64, bounds, right=True) - 1
    count = torch.bincount(idx, minlength=b + 1)
    cells = []
    for j in range(b + 1):
        cells += [str(int(count[j])), hx(prop_bin[j]), hx(conf_bin[j]), hx(acc_bin[j])]
    lines.append(f"calib {nid()} {keys} -> " + " ".join(hx(v) for v in vals) + f" {b + 1} " + " ".join(cells))
    return vals


def binary(yt, s, b, pos=1):
    y, p = data[yt], data[s]
    target = torch.tensor((y == pos).astype(np.int64))
    preds = torch.tensor(p, dtype=torch.float64)
    vals = record(f"yt={yt} s={s} k=1 bins={b}" + (f" pos={pos}" if pos != 1 else ""), p, (y == pos).astype(float), b)
    for norm, v in zip(("l1", "max", "l2"), vals):
        public = float(binary_calibration_error(preds, target, n_bins=b, norm=norm))
        assert public == v or abs(public - v) <= 1e-15, (norm, public, v)


def multiclass(yt, s, b, labels=None):
    y, P = data[yt], data[s].reshape(-1, 4)
    classes = data[labels] if labels else np.unique(y)
    col = np.searchsorted(classes, y)
    preds = torch.tensor(P, dtype=torch.float64)
    conf, pred = preds.max(dim=1)
    assert (pred.numpy() == np.argmax(P, axis=1)).all(), "torch.max's tie rule is not the first column"
    acc = (pred.numpy() == col).astype(float)
    keys = f"yt={yt} s={s} k=4 bins={b}" + (f" labels={labels}" if labels else "")
    record(keys, conf.numpy(), acc, b)
    public = [float(multiclass_calibration_error(preds, torch.tensor(col), num_classes=4, n_bins=b, norm=norm))
              for norm in ("l1", "max", "l2")]
    lines.append(f"# calib {cid[0]}: torchmetrics' multiclass function (float32 confidences) gives " +
                 " ".join(f"{v:.9g}" for v in public))


def curve(yt, s, b, pos=1):
    prob_true, prob_pred = calibration_curve(data[yt], data[s], pos_label=pos, n_bins=b, strategy="uniform")
    lines.append(f"curve {nid()} yt={yt} s={s} bins={b} pos={pos} -> {len(prob_true)} " +
                 " ".join(hx(v) for v in list(prob_true) + list(prob_pred)))


binary("t_yt", "t_p", 2)  # torchmetrics' docstring example: 0.29, 0.3167, 0.2918
for b in BINS:
    binary("b_yt", "b_p", b)
    multiclass("m_yt", "m_p", b)
    curve("b_yt", "b_p", b)
binary("b_yt_pm", "b_p", 15, pos=-1)
binary("b_one", "b_p", 10, pos=1)
multiclass("m_yt_gap", "m_p", 15, labels="m_labels_gap")
curve("b_yt_pm", "b_p", 10, pos=-1)
curve("t_yt", "t_p", 5)

with open(os.path.join(HERE, "calibration_golden.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(f"{len(lines)} lines")
