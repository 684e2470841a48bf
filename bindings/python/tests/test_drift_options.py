"""The scipy options of the drift statistics (since 1.1), checked against
the golden values scipy 1.14.1 wrote to tests/drift/golden.txt
(tests/drift/gen_golden.py): KS alternatives, weighted distances,
Cramer-von Mises methods, chi2_contingency, Jensen-Shannon base, KL
without the floor. The samples are rebuilt from their generator specs."""
import math
import os

import pytest

from mlops import drift
from mlops.errors import InvalidArgument

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GOLDEN = os.path.join(ROOT, "tests", "drift", "golden.txt")
M64 = (1 << 64) - 1


def _uniforms(seed):
    x = seed
    while True:
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield ((z ^ (z >> 31)) >> 11) * 2.0 ** -53


def sample(spec):
    """The generator specs of gen_golden.py that these lines use."""
    f = spec.split(":")
    kind, seed, n = f[0], int(f[1]), int(f[2])
    g = _uniforms(seed)
    if kind == "ties":
        return [math.floor(next(g) * float(f[3])) + float(f[4]) for _ in range(n)]
    shift, scale = float(f[3]), float(f[4])
    out = []
    for _ in range(n):
        s = next(g) + next(g)
        s = s + next(g)
        s = s + next(g)
        out.append((s - 2.0) * scale + shift)
    if kind == "nan":
        m = int(f[5])
        out = [math.nan if i % m == 0 else v for i, v in enumerate(out)]
        out = [math.inf if i % (m + 1) == 1 else v for i, v in enumerate(out)]
    return out


def golden(kind):
    with open(GOLDEN) as f:
        lines = [ln.split() for ln in f if ln.startswith(kind + " ")]
    assert lines, kind
    return lines


def num(tok):
    return float.fromhex(tok) if "0x" in tok or tok in ("nan", "inf", "-inf") else float(tok)


def close(got, want, rel):
    if math.isnan(want) or math.isinf(want):
        return (math.isnan(got) and math.isnan(want)) or got == want
    return got == want or abs(got - want) <= rel * abs(want)


SMALL_KS = [ln for ln in golden("ksalt")
            if int(ln[3].split(":")[2]) + int(ln[4].split(":")[2]) <= 2000]


@pytest.mark.parametrize("line", SMALL_KS, ids=[f"{ln[1]}-{ln[2]}-{ln[3]}" for ln in SMALL_KS])
def test_ks_alternative(line):
    _, alt, method, a, b, d, p = line
    method = {"asymp": "asymptotic"}.get(method, method)
    r = drift.ks_ex(sample(a), sample(b), method=method, alternative=alt)
    assert close(r.statistic, num(d), 1e-12)
    assert close(r.p_value, num(p), 1e-9)
    if method == "auto":
        assert drift.ks(sample(a), sample(b), alternative=alt) == drift.TestResult(
            r.statistic, r.p_value)


def test_weighted_distances():
    for _, a, b, wa, wb, w, e in golden("wdist"):
        if int(a.split(":")[2]) > 5000:
            continue  # the large case runs in C
        u = None if wa == "none" else sample(wa)
        v = None if wb == "none" else sample(wb)
        assert close(drift.wasserstein(sample(a), sample(b), u, v), num(w), 1e-12)
        assert close(drift.energy(sample(a), sample(b), u_weights=u, v_weights=v), num(e), 1e-12)


def test_cvm_methods():
    for _, method, a, b, t, p in golden("cvmm"):
        r = drift.cramer_von_mises(sample(a), sample(b), method=method)
        assert close(r.statistic, num(t), 1e-12) and close(r.p_value, num(p), 1e-9)


def test_chi2_contingency():
    for ln in golden("ctab"):
        rows, cols, corr, lam = int(ln[1]), int(ln[2]), ln[3] == "1", ln[4]
        cells = [num(t) for t in ln[5:5 + rows * cols]]
        table = [cells[i * cols:(i + 1) * cols] for i in range(rows)]
        stat, p, dof = num(ln[5 + rows * cols]), num(ln[6 + rows * cols]), int(ln[7 + rows * cols])
        lambda_ = lam if lam[0].isalpha() else float(lam)
        r = drift.chi2_contingency(table, correction=corr, lambda_=lambda_)
        assert r.dof == dof
        assert close(r.statistic, stat, 1e-12), ln
        assert close(r.p_value, p, 1e-9), ln


def test_js_base_and_kl_without_floor():
    for ln in golden("jsbasec"):
        k = int(ln[1])
        p, q = [num(t) for t in ln[2:2 + k]], [num(t) for t in ln[2 + k:2 + 2 * k]]
        base, js, kl = num(ln[2 + 2 * k]), num(ln[3 + 2 * k]), num(ln[4 + 2 * k])
        r = drift.binned_counts(p, q, base=base or None, kl_floor=False)
        assert close(r.jensen_shannon, js, 1e-12) and close(r.kl, kl, 1e-12)
    for _, bins, a, b, base, js, kl in golden("jsbase"):
        base = num(base) or None
        assert close(drift.jensen_shannon(sample(a), sample(b), int(bins), base=base), num(js), 1e-12)
        assert close(drift.kl(sample(a), sample(b), int(bins), floor=False), num(kl), 1e-12)


def test_defaults_and_bad_options():
    ref, cur = sample("irwin:1:50:0:1"), sample("irwin:2:60:0.3:1")
    assert drift.kl(ref, cur) == drift.binned(ref, cur).kl  # floored by default
    assert drift.wasserstein(ref, cur, None, None) == drift.wasserstein(ref, cur)
    t = drift.chi2_contingency([[10, 20], [30, 25]])
    assert t.dof == 1 and t.statistic < drift.chi2_contingency([[10, 20], [30, 25]], False).statistic
    with pytest.raises(ValueError):
        drift.ks(ref, cur, alternative="bigger")
    with pytest.raises(ValueError):
        drift.cramer_von_mises(ref, cur, method="magic")
    with pytest.raises(ValueError):
        drift.chi2_contingency([[1, 2], [3]])
    with pytest.raises(ValueError):
        drift.chi2_contingency([[1, 2], [3, 4]], lambda_="pearsons")
    with pytest.raises(ValueError):
        drift.wasserstein(ref, cur, u_weights=[1.0])
    with pytest.raises(InvalidArgument, match="row 0 is empty"):
        drift.chi2_contingency([[0, 0], [1, 2]])
    with pytest.raises(InvalidArgument, match="ref_weights"):
        drift.wasserstein(ref, cur, u_weights=[-1.0] * len(ref))
    with pytest.raises(InvalidArgument, match="base"):
        drift.jensen_shannon(ref, cur, base=1.0)
