#!/usr/bin/env python3
"""Writes the drift golden vectors (tests/drift/golden.txt) from scipy.

Run:  python3 tests/drift/gen_golden.py   (installs the pinned scipy/numpy
into a private virtual environment first when they are missing).

The C tests read golden.txt and never need scipy. Large inputs are not
stored: each sample is named by a generator spec that tests/test_drift.c
rebuilds bit for bit with the same arithmetic (no transcendental functions,
so every platform produces the same doubles):

  splitmix64(seed) -> x;  u = (x >> 11) * 2**-53          (exact)
  irwin:SEED:N:SHIFT:SCALE  value = ((u1 + u2) + u3) + u4 - 2.0) * SCALE + SHIFT
  ties:SEED:N:K:SHIFT       value = floor(u * K) + SHIFT   (heavy ties)
  nan:SEED:N:SHIFT:SCALE:M  as irwin, then every M-th value (index % M == 0)
                            is NaN and every (M+1)-th (index % (M+1) == 1) +Inf
  lin:N:START:STOP:OFFSET   numpy.linspace(START, STOP, N) + OFFSET, i.e.
                            i * ((STOP - START) / (N - 1)) + START, the last
                            value STOP, then + OFFSET
  bin:N:ONES                N - ONES zeros, then ONES ones (a 0/1 column)

Numbers are written as C99 hex floats (exact). Line formats:
  # comment
  meta scipy <v> numpy <v>
  ks METHOD REF CUR D P          (METHOD: auto, exact, asymp)
  kstwo N D SF                   (scipy.stats.kstwo.sf)
  smirnov N D SF                 (scipy.special.smirnov)
  chi2sf X DOF SF                (scipy.stats.chi2.sf)
  wasserstein REF CUR W
  energy REF CUR E
  cvm REF CUR T P
  binary N1 ONES1 N2 ONES2 W E   (wasserstein, energy of bin:N1:ONES1, bin:N2:ONES2)
  binned BINS REF CUR PSI JS KL HELLINGER CHI2 CHI2P NBINS
  edges BINS REF N E1 E2 ...
  chisq K R1..RK C1..CK STAT P   (counts)
  bh N P1..PN A1..AN
  missing X1 N1 X2 N2 Z P
Options (issue 26; a weight spec may be "none"):
  ksalt ALT METHOD REF CUR D P   (ALT: two-sided, less, greater)
  wdist REF CUR WREF WCUR W E    (u_weights, v_weights)
  cvmm METHOD REF CUR T P        (METHOD: auto, exact, asymptotic)
  ctab R C CORR LAMBDA X11..XRC STAT P DOF  (chi2_contingency; LAMBDA a
                                 power_divergence name or a number)
  jsbase BINS REF CUR BASE JS KL (jensenshannon with base; entropy of the
                                 unfloored proportions, inf allowed)
  jsbasec K P1..PK Q1..QK BASE JS KL   (the same on count vectors)
  cli TEST OPTIONS N1 X1..XN1 N2 Y1..YN2 W STAT P   (`mlops drift test` on
                                 the values listed; OPTIONS: opt=value,... or
                                 "-"; W = 1: weights follow, N1 then N2)
"""
import os
import subprocess
import sys

SCIPY = "1.14.1"
NUMPY = "2.1.3"
HERE = os.path.dirname(os.path.abspath(__file__))


def ensure_env():
    try:
        import numpy
        import scipy
        if scipy.__version__ == SCIPY and numpy.__version__ == NUMPY:
            return
    except ImportError:
        pass
    venv = os.path.join(HERE, ".venv-golden")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([py, "-m", "pip", "install", "-q",
                               f"scipy=={SCIPY}", f"numpy=={NUMPY}"])
    os.execv(py, [py] + sys.argv)


ensure_env()

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.special as sp  # noqa: E402
import scipy.stats as st  # noqa: E402
from scipy.spatial.distance import jensenshannon  # noqa: E402

M64 = (1 << 64) - 1


def splitmix(seed):
    x = seed & M64
    while True:
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield ((z ^ (z >> 31)) >> 11) * (2.0 ** -53)


def gen(spec):
    f = spec.split(":")
    if f[0] == "lin":
        n, start, stop, off = int(f[1]), float(f[2]), float(f[3]), float(f[4])
        step = (stop - start) / (n - 1)
        out = np.array([i * step + start for i in range(n)])
        out[-1] = stop
        out = out + off
        assert np.array_equal(out, np.linspace(start, stop, n) + off), spec
        return out
    if f[0] == "bin":
        n, ones = int(f[1]), int(f[2])
        return np.concatenate([np.zeros(n - ones), np.ones(ones)])
    kind, seed, n = f[0], int(f[1]), int(f[2])
    g = splitmix(seed)
    if kind in ("irwin", "nan"):
        shift, scale = float(f[3]), float(f[4])
        out = np.empty(n)
        for i in range(n):
            s = next(g) + next(g)
            s = s + next(g)
            s = s + next(g)
            out[i] = (s - 2.0) * scale + shift
        if kind == "nan":
            m = int(f[5])
            out[np.arange(n) % m == 0] = np.nan
            out[np.arange(n) % (m + 1) == 1] = np.inf
        return out
    if kind == "ties":
        k, shift = float(f[3]), float(f[4])
        return np.array([np.floor(next(g) * k) + shift for _ in range(n)])
    raise ValueError(spec)


def hx(v):
    return float(v).hex()


def finite(x):
    return x[np.isfinite(x)]


def edges_of(ref, bins):
    q = np.array([i / bins for i in range(1, bins)])
    return np.unique(np.quantile(ref, q))


def binned(ref, cur, bins):
    ref, cur = finite(ref), finite(cur)
    e = edges_of(ref, bins)
    p = np.bincount(np.searchsorted(e, ref, side="left"), minlength=len(e) + 1).astype(float)
    q = np.bincount(np.searchsorted(e, cur, side="left"), minlength=len(e) + 1).astype(float)
    keep = (p > 0) | (q > 0)
    p, q = p[keep], q[keep]
    pp, qq = p / ref.size, q / cur.size
    fp, fq = np.maximum(pp, 1e-4), np.maximum(qq, 1e-4)
    psi = float(np.sum((fq - fp) * np.log(fq / fp)))
    js = float(jensenshannon(p, q))
    kl = float(st.entropy(fp, fq))
    hel = float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(pp * qq)))))
    if len(p) > 1:
        c = st.chi2_contingency([p, q], correction=False)
        cs, cp = float(c.statistic), float(c.pvalue)
    else:
        cs, cp = 0.0, 1.0
    return psi, js, kl, hel, cs, cp, len(p)


def weights(spec, sample):
    return None if spec == "none" else sample(spec)


def options(w, sample):
    """The scipy options of issue 26."""
    # --- KS alternatives: exact (equal sizes: the product formula; else the
    # path count, which scipy gives up when C(n1 + n2, n1) overflows),
    # asymptotic (Hodges), and scipy's switch between them ---
    ks = []
    for alt in ("less", "greater"):
        for method, a, b in [
                ("auto", "irwin:300:8:0:1", "irwin:301:8:0.5:1"),
                ("auto", "irwin:302:10:0:1", "irwin:303:13:-0.3:1"),
                ("auto", "irwin:304:37:0:1", "irwin:305:100:0.2:1"),
                ("auto", "irwin:306:200:0:1", "irwin:307:300:-0.1:1"),
                ("auto", "irwin:308:500:0:1", "irwin:309:500:0.1:1"),      # equal sizes
                ("auto", "irwin:310:3000:0:1", "irwin:311:3000:0.7:1"),    # equal, tiny p
                ("auto", "irwin:312:510:0:1", "irwin:313:520:0.05:1"),     # C(1030, 510) finite
                ("auto", "irwin:314:520:0:1", "irwin:315:530:0.05:1"),     # C(1050, 520) overflows
                ("auto", "irwin:316:2000:0:1", "irwin:317:1500:0.1:1"),
                ("auto", "irwin:318:10001:0:1", "irwin:319:9000:0.02:1"),  # > 10000: asymptotic
                ("auto", "ties:320:400:6:0", "ties:321:300:6:0"),
                ("auto", "irwin:322:1:0:1", "irwin:323:1:0:1"),
                ("auto", "irwin:324:1:0:1", "irwin:325:5:0:1"),
                ("auto", "irwin:326:50:0:1", "irwin:326:50:0:1"),          # D = 0
                ("auto", "irwin:327:50:0:1", "irwin:328:70:10:1"),         # D = 1 or 0
                ("exact", "irwin:329:60:0:1", "irwin:330:45:0.3:1"),
                ("exact", "irwin:331:700:0:1", "irwin:332:600:0.1:1"),     # exact refused
                ("exact", "irwin:333:12000:0:1", "irwin:334:12000:0.02:1"),
                ("asymp", "irwin:335:500:0:1", "irwin:336:400:0.1:1"),
                ("asymp", "irwin:337:60:0:1", "irwin:338:80:-0.3:1"),
                ("asymp", "irwin:339:1:0:1", "irwin:340:1:0:1"),
                ("asymp", "irwin:341:5000:0:1", "irwin:342:4000:0.6:1"),   # p underflows
                ("auto", "nan:343:800:0:1:17", "nan:344:900:0.1:1:23")]:
            ks.append((alt, method, a, b))
    ks.append(("two-sided", "auto", "irwin:345:300:0:1", "irwin:346:200:0.2:1"))
    for alt, method, a, b in ks:
        r = st.ks_2samp(finite(sample(a)), finite(sample(b)), alternative=alt, method=method)
        w(f"ksalt {alt} {method} {a} {b} {hx(r.statistic)} {hx(r.pvalue)}")

    # --- weighted Wasserstein and energy distance ---
    for a, b, wa, wb in [("irwin:350:5:0:1", "irwin:351:7:0.3:1", "irwin:352:5:2:1", "irwin:353:7:2:1"),
                         ("irwin:354:1000:0:1", "irwin:355:1500:0.3:2", "irwin:356:1000:2:1", "none"),
                         ("irwin:357:800:0:1", "irwin:358:900:0:1", "none", "ties:359:900:4:0"),
                         ("ties:360:3000:20:0", "ties:361:2000:20:1", "ties:362:3000:5:0",
                          "irwin:363:2000:2:1"),
                         ("nan:364:2000:0:1:11", "nan:365:2500:0.2:1:13", "irwin:366:2000:2:1",
                          "irwin:367:2500:2:1"),
                         ("irwin:368:50000:0:1", "irwin:369:40000:0.01:1", "irwin:370:50000:2:1",
                          "irwin:371:40000:2:1"),
                         ("irwin:372:3:0:1", "irwin:373:4:0:1", "none", "none")]:
        A, B, WA, WB = sample(a), sample(b), weights(wa, sample), weights(wb, sample)
        keep_a, keep_b = np.isfinite(A), np.isfinite(B)
        WA = None if WA is None else WA[keep_a]
        WB = None if WB is None else WB[keep_b]
        A, B = A[keep_a], B[keep_b]
        w(f"wdist {a} {b} {wa} {wb} {hx(st.wasserstein_distance(A, B, WA, WB))} "
          f"{hx(st.energy_distance(A, B, WA, WB))}")

    # --- Cramer-von Mises with a chosen method ---
    for method, a, b in [("exact", "irwin:380:5:0:1", "irwin:381:7:0.5:1"),
                         ("asymptotic", "irwin:380:5:0:1", "irwin:381:7:0.5:1"),
                         ("exact", "irwin:382:25:0:1", "irwin:383:30:0.3:1"),
                         ("exact", "ties:384:40:6:0", "ties:385:30:6:0"),
                         ("asymptotic", "irwin:386:15:0:1", "irwin:387:12:0.6:1"),
                         ("auto", "irwin:388:20:0:1", "irwin:389:20:0.4:1"),
                         ("auto", "irwin:390:21:0:1", "irwin:391:20:0.4:1"),
                         ("asymptotic", "irwin:392:3:0:1", "irwin:393:2:0:1")]:
        r = st.cramervonmises_2samp(finite(sample(a)), finite(sample(b)), method=method)
        w(f"cvmm {method} {a} {b} {hx(r.statistic)} {hx(r.pvalue)}")

    # --- chi-square on R x C tables: Yates, the lambda family ---
    tables = [[[10, 20], [30, 25]], [[3, 0], [1, 7]], [[12, 5, 9], [7, 11, 3]],
              [[120, 90, 40, 11], [110, 95, 52, 3], [30, 41, 10, 0]], [[5, 5, 5]], [[4], [6]],
              [[1e5, 2e5], [1.3e5, 1.65e5]], [[0.5, 1.5], [2.25, 0.75]], [[40, 0], [0, 40]],
              [[20, 17], [19, 21]]]
    lambdas = ["pearson", "log-likelihood", "freeman-tukey", "mod-log-likelihood", "neyman",
               "cressie-read", "0.25", "-1.5", "2", "3.5"]
    for ti, t in enumerate(tables):
        T = np.array(t, float)
        for corr in (True, False):
            for li, lam in enumerate(lambdas):
                if (ti + li) % 3 and lam not in ("pearson", "log-likelihood") and corr:
                    continue  # a spread of combinations, every lambda on every table once
                lv = lam if not lam[0].isdigit() and lam[0] != "-" else float(lam)
                with np.errstate(all="ignore"):
                    r = st.chi2_contingency(T, correction=corr, lambda_=lv)
                w(f"ctab {T.shape[0]} {T.shape[1]} {int(corr)} {lam} "
                  + " ".join(hx(v) for v in T.ravel())
                  + f" {hx(r.statistic)} {hx(r.pvalue)} {int(r.dof)}")

    # --- Jensen-Shannon with a base; KL without the floor ---
    for bins, a, b in [(10, "irwin:400:1000:0:1", "irwin:401:1000:0.2:1"),
                       (10, "irwin:402:10:0:1", "irwin:403:500:0.5:1"),    # empty current bins
                       (20, "ties:404:3000:6:0", "ties:405:2000:8:0"),
                       (7, "nan:406:4000:0:1:9", "nan:407:4000:0.1:1:7")]:
        A, B = finite(sample(a)), finite(sample(b))
        e = edges_of(A, bins)
        p = np.bincount(np.searchsorted(e, A, side="left"), minlength=len(e) + 1).astype(float)
        q = np.bincount(np.searchsorted(e, B, side="left"), minlength=len(e) + 1).astype(float)
        keep = (p > 0) | (q > 0)
        for base in (2.0, 10.0, 0.0):
            js = jensenshannon(p[keep], q[keep], base=None if base == 0 else base)
            w(f"jsbase {bins} {a} {b} {hx(base)} {hx(js)} {hx(st.entropy(p[keep], q[keep]))}")
    for p, q in [([10, 20, 30], [15, 25, 5]), ([0, 5, 3, 0], [2, 0, 7, 0]), ([5, 0], [0, 5]),
                 ([0.5, 1.5, 2.25], [1.0, 1.0, 0.125]), ([1, 2, 3], [1, 2, 3])]:
        P, Q = np.array(p, float), np.array(q, float)
        keep = (P > 0) | (Q > 0)
        for base in (2.0, np.e, 0.0):
            js = jensenshannon(P[keep], Q[keep], base=None if base == 0 else base)
            w(f"jsbasec {len(P)} " + " ".join(hx(v) for v in P) + " " + " ".join(hx(v) for v in Q)
              + f" {hx(base)} {hx(js)} {hx(st.entropy(P[keep], Q[keep]))}")

    # --- `mlops drift test` on small inline samples (tests/cli/test_cli.py) ---
    rng = np.random.default_rng(2611)
    x = np.round(rng.normal(0.0, 1.0, 15), 3)
    y = np.round(rng.normal(0.4, 1.2, 12), 3)
    wx = np.round(rng.uniform(0.0, 3.0, 15), 2)
    wy = np.round(rng.uniform(0.0, 3.0, 12), 2)
    vals = " ".join([str(len(x))] + [repr(float(v)) for v in x] + [str(len(y))]
                    + [repr(float(v)) for v in y])
    wts = " ".join([repr(float(v)) for v in wx] + [repr(float(v)) for v in wy])
    cases = []
    for alt in ("less", "greater"):
        for method in ("exact", "asymptotic"):
            r = st.ks_2samp(x, y, alternative=alt, method=method[:5] if method == "asymptotic" else method)
            cases.append(("ks", f"alternative={alt},method={method}", 0, r.statistic, r.pvalue))
    for method in ("exact", "asymptotic"):
        r = st.cramervonmises_2samp(x, y, method=method)
        cases.append(("cvm", f"method={method}", 0, r.statistic, r.pvalue))
    cases.append(("wasserstein", "-", 1, st.wasserstein_distance(x, y, wx, wy), np.nan))
    cases.append(("energy", "-", 1, st.energy_distance(x, y, wx, wy), np.nan))
    e = edges_of(x, 4)
    p = np.bincount(np.searchsorted(e, x, side="left"), minlength=len(e) + 1).astype(float)
    q = np.bincount(np.searchsorted(e, y, side="left"), minlength=len(e) + 1).astype(float)
    keep = (p > 0) | (q > 0)
    cases.append(("js", "base=2,bins=4", 0, jensenshannon(p[keep], q[keep], base=2), np.nan))
    cases.append(("kl", "no-kl-floor,bins=4", 0, st.entropy(p[keep], q[keep]), np.nan))
    for test, opts, weighted, stat, pv in cases:
        w(f"cli {test} {opts} {vals} {weighted}" + (f" {wts}" if weighted else "")
          + f" {hx(stat)} {hx(pv)}")


def main():
    out = []
    w = out.append
    w("# drift golden vectors: generated by tests/drift/gen_golden.py; do not edit")
    w(f"meta scipy {scipy.__version__} numpy {np.__version__}")
    S = {}

    def sample(spec):
        if spec not in S:
            S[spec] = gen(spec)
        return S[spec]

    # --- KS, exact and asymptotic, around the switch, ties, identical ---
    ks_cases = [
        ("auto", "irwin:1:8:0:1", "irwin:2:8:0.5:1"),
        ("auto", "irwin:3:10:0:1", "irwin:4:13:0.3:1"),
        ("auto", "irwin:5:37:0:1", "irwin:6:100:0.2:1"),
        ("auto", "irwin:7:500:0:1", "irwin:8:500:0.1:1"),
        ("auto", "irwin:9:1000:0:1", "irwin:10:999:0.05:1"),
        ("auto", "irwin:11:3000:0:1", "irwin:12:2000:0.1:1"),
        ("auto", "irwin:13:10000:0:1", "irwin:14:10000:0.02:1"),
        ("auto", "irwin:15:10000:0:1", "irwin:16:9999:0.03:1"),
        ("auto", "irwin:17:10001:0:1", "irwin:18:10001:0.03:1"),
        ("auto", "irwin:19:10001:0:1", "irwin:20:9999:0.02:1"),
        ("auto", "irwin:21:10001:0:1", "irwin:22:50:0.2:1"),
        ("auto", "irwin:23:10001:0:1", "irwin:24:130:0.1:1"),
        ("auto", "irwin:25:10001:0:1", "irwin:26:7:0.8:1"),
        ("auto", "irwin:27:20000:0:1", "irwin:28:30000:0.02:1"),
        ("auto", "irwin:29:20000:0:1", "irwin:30:8000:0.4:1"),
        ("auto", "irwin:31:200000:0:1", "irwin:32:300000:0.01:1"),
        ("auto", "irwin:33:1000000:0:1", "irwin:34:1000000:0.004:1"),
        ("auto", "irwin:33:1000000:0:1", "irwin:35:1000000:0.05:1"),
        ("auto", "irwin:36:5000:0:1", "irwin:37:4000:0.6:1"),      # p underflows far
        ("auto", "irwin:38:3000:0:1", "irwin:39:3000:1.5:1"),      # n1 == n2, tiny p
        ("auto", "ties:40:800:10:0", "ties:41:700:10:0"),          # heavy ties
        ("auto", "ties:42:12000:5:0", "ties:43:15000:5:0"),        # ties, asymptotic
        ("auto", "ties:44:300:3:0", "ties:45:300:3:1"),
        ("auto", "irwin:46:1000:0:1", "irwin:46:1000:0:1"),        # identical
        ("auto", "irwin:47:20000:0:1", "irwin:47:20000:0:1"),      # identical, asymptotic
        ("auto", "nan:48:2000:0:1:17", "nan:49:1500:0.1:1:23"),    # NaN/Inf excluded
        ("exact", "irwin:50:12000:0:1", "irwin:51:11000:0.03:1"),
        ("asymp", "irwin:52:500:0:1", "irwin:53:400:0.1:1"),
        ("asymp", "irwin:54:60:0:1", "irwin:55:80:0.3:1"),
        ("auto", "irwin:56:1:0:1", "irwin:57:1:0:1"),
        ("auto", "irwin:58:1:0:1", "irwin:59:5:0:1"),
        # asymptotic, both sizes 1: the effective size rounds to 0, p is NaN
        ("asymp", "irwin:56:1:0:1", "irwin:57:1:0:1"),
        ("asymp", "bin:1:0", "bin:1:1"),
        ("asymp", "bin:1:1", "bin:1:1"),
        # D = 1 on the asymptotic path: kstwo.sf is exactly 0
        ("asymp", "irwin:200:50:0:1", "irwin:201:70:10:1"),
        ("asymp", "bin:1:0", "bin:2:2"),
        ("auto", "irwin:202:10001:0:1", "irwin:203:12000:10:1"),
    ]
    for method, a, b in ks_cases:
        r = st.ks_2samp(finite(sample(a)), finite(sample(b)), method=method)
        w(f"ks {method} {a} {b} {hx(r.statistic)} {hx(r.pvalue)}")

    # --- kstwo.sf across every branch of Simard & L'Ecuyer's choice ---
    kst = []
    for n in (1, 2, 5, 10, 50, 140):
        for d in (0.3 / n, 0.7 / n, 1.0 / n, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.9, 1 - 0.5 / n):
            kst.append((n, d))
    for n in (141, 1000, 5000, 99999, 100000, 100001, 500000, 2000000):
        for nd2 in (0.05, 0.3, 0.7, 1.2, 2.0, 2.3, 5.0, 30.0, 200.0, 369.0, 371.0, 2000.0):
            kst.append((n, (nd2 / n) ** 0.5))
        kst.append((n, 0.8 / n))
        kst.append((n, 0.6))
    for n, d in kst:
        if d >= 1:
            continue
        w(f"kstwo {n} {hx(d)} {hx(st.kstwo.sf(d, n))}")
    for n, d in [(1, 0.3), (2, 0.3), (10, 0.05), (10, 0.5), (100, 0.05), (100, 0.2), (1000, 0.01),
                 (1000, 0.1), (5000, 0.5), (999999, 0.001), (1000001, 0.001), (200, 0.99)]:
        w(f"smirnov {n} {hx(d)} {hx(sp.smirnov(n, d))}")

    # --- chi-square survival function, small to large dof ---
    for dof in (1, 2, 3, 7.5, 10, 30, 99, 1000, 20000, 500000):
        for f in (0.01, 0.3, 0.9, 1.0, 1.1, 2.0, 5.0):
            x = dof * f
            w(f"chi2sf {hx(x)} {hx(dof)} {hx(st.chi2.sf(x, dof))}")

    # --- Wasserstein, energy ---
    for a, b in [("irwin:60:5:0:1", "irwin:61:7:0.3:1"), ("irwin:62:1000:0:1", "irwin:63:1500:0.3:2"),
                 ("ties:64:5000:20:0", "ties:65:4000:20:1"), ("irwin:66:200000:0:1", "irwin:67:200000:0.01:1"),
                 ("nan:68:3000:0:1:11", "nan:69:3000:0.2:1:13"), ("irwin:70:50:0:1", "irwin:70:50:0:1"),
                 ("bin:5000:3333", "bin:4997:3331")]:
        A, B = finite(sample(a)), finite(sample(b))
        w(f"wasserstein {a} {b} {hx(st.wasserstein_distance(A, B))}")
        w(f"energy {a} {b} {hx(st.energy_distance(A, B))}")

    # --- Wasserstein, energy on 0/1 columns with near-equal shares: the CDF
    # steps nearly cancel, so an ulp in i/n shows (the first is the case of
    # the issue that found it) ---
    rng = np.random.default_rng(26)
    cols = [(5000, 3333, 4997, 3331)]
    while len(cols) < 3000:
        n1, n2 = (int(v) for v in rng.integers(20, 10001, 2))
        o1 = int(rng.integers(1, n1))
        o2 = min(n2, max(0, round(o1 * n2 / n1) + int(rng.integers(-2, 3))))
        cols.append((n1, o1, n2, o2))
    for n1, o1, n2, o2 in cols:
        A, B = gen(f"bin:{n1}:{o1}"), gen(f"bin:{n2}:{o2}")
        w(f"binary {n1} {o1} {n2} {o2} {hx(st.wasserstein_distance(A, B))} "
          f"{hx(st.energy_distance(A, B))}")

    # --- Cramer-von Mises, exact (<= 20) and asymptotic ---
    cvm_cases = [("irwin:71:5:0:1", "irwin:72:7:0.5:1"), ("ties:73:10:4:0", "ties:74:20:4:0"),
                 ("irwin:75:20:0:1", "irwin:76:20:0.4:1"), ("irwin:77:15:0:1", "irwin:78:3:1:1"),
                 ("irwin:79:21:0:1", "irwin:80:30:0.2:1"), ("irwin:81:100:0:1", "irwin:82:80:0.3:1"),
                 ("ties:83:1000:7:0", "ties:84:1500:7:0"), ("irwin:85:2000:0:1", "irwin:86:2000:0.05:1"),
                 ("irwin:87:300:0:1", "irwin:88:300:1:1"),
                 # interleaved: T is tiny beside its two terms
                 ("lin:4044:0:4043:0", "lin:4062:0:4043:0.25")]
    # Size pairs where (4k - 1) / (6N) rounded through long double differs
    # from the correctly rounded quotient scipy's int / int gives, and
    # random pairs (a fifth of them on the exact path).
    rng = np.random.default_rng(2026)
    nx = rng.integers(21, 2500, 2_000_000)
    ny = rng.integers(21, 2500, 2_000_000)
    k, N = nx * ny, nx + ny
    ld = ((np.longdouble(4) * k - 1) / (np.longdouble(6) * N)).astype(np.float64)
    exact = (4 * k - 1) / (6 * N)  # both operands below 2^53: rounded once
    assert np.finfo(np.longdouble).nmant > 52
    bad = np.nonzero(ld != exact)[0]
    assert len(bad) >= 150, len(bad)
    pairs = [(int(nx[i]), int(ny[i])) for i in bad[:150]]
    pairs += [(int(a), int(b)) for a, b in rng.integers(2, 21, (40, 2))]
    pairs += [(int(a), int(b)) for a, b in rng.integers(21, 2500, (110, 2))]
    for i, (a, b) in enumerate(pairs):
        shift = (0.0, 0.02, 0.1, 0.5)[i % 4]
        if i % 5 == 4:  # heavy ties
            kk = 12 + i % 40
            cvm_cases.append((f"ties:{1000 + 2 * i}:{a}:{kk}:0",
                              f"ties:{1001 + 2 * i}:{b}:{kk}:{int(shift > 0.05)}"))
        else:
            cvm_cases.append((f"irwin:{1000 + 2 * i}:{a}:0:1", f"irwin:{1001 + 2 * i}:{b}:{shift}:1"))
    for a, b in cvm_cases:
        r = st.cramervonmises_2samp(finite(sample(a)), finite(sample(b)))
        w(f"cvm {a} {b} {hx(r.statistic)} {hx(r.pvalue)}")

    # --- binned distances on frozen reference-quantile bins ---
    for bins, a, b in [(10, "irwin:90:1000:0:1", "irwin:91:1000:0.2:1"),
                       (10, "irwin:92:100000:0:1", "irwin:93:80000:0.05:1.1"),
                       (2, "irwin:94:50:0:1", "irwin:95:60:0:1"),
                       (20, "ties:96:3000:6:0", "ties:97:2000:8:0"),     # duplicate edges collapse
                       (10, "irwin:98:10:0:1", "irwin:99:500:0.5:1"),    # empty bins
                       (10, "irwin:100:800:0:1", "irwin:101:700:3:1"),   # all current beyond
                       (10, "irwin:102:500:0:1", "irwin:102:500:0:1"),   # identical
                       (7, "nan:103:4000:0:1:9", "nan:104:4000:0.1:1:7"),
                       (100, "irwin:105:50000:0:1", "irwin:106:50000:0:1.02")]:
        r = binned(sample(a), sample(b), bins)
        w(f"binned {bins} {a} {b} " + " ".join(hx(v) for v in r[:6]) + f" {r[6]}")
        e = edges_of(finite(sample(a)), bins)
        w(f"edges {bins} {a} {len(e)} " + " ".join(hx(v) for v in e))

    # --- chi-square on count vectors (unseen categories give finite values) ---
    for p, q in [([10, 20, 30], [15, 25, 5]), ([0, 5, 3, 0], [2, 0, 7, 0]), ([100, 200], [130, 170]),
                 ([1e6, 2e6, 3e6, 0], [1.1e6, 1.9e6, 3e6, 5]), ([5, 0], [0, 5]), ([7], [9]),
                 ([0.5, 1.5, 2.25], [1.0, 1.0, 0.125]), ([3, 4, 0, 0, 1], [0, 4, 0, 2, 9])]:
        p, q = np.array(p, float), np.array(q, float)
        keep = (p > 0) | (q > 0)
        if keep.sum() > 1:
            r = st.chi2_contingency([p[keep], q[keep]], correction=False)
            s, pv = float(r.statistic), float(r.pvalue)
        else:
            s, pv = 0.0, 1.0
        w(f"chisq {len(p)} " + " ".join(hx(v) for v in p) + " " + " ".join(hx(v) for v in q)
          + f" {hx(s)} {hx(pv)}")

    # --- Benjamini-Hochberg ---
    for ps in [[0.01, 0.04, 0.03, 0.2], [0.001, 0.0008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205,
                                         0.212, 0.216, 0.222, 0.251, 0.269, 0.275, 0.34],
               [0.5, 0.5, 0.5], [1.0, 0.0, 0.3], [0.9, 0.01]]:
        a = st.false_discovery_control(ps, method="bh")
        w(f"bh {len(ps)} " + " ".join(hx(v) for v in ps) + " " + " ".join(hx(v) for v in a))

    # --- missing-value share: pooled two-proportion z-test ---
    for x1, n1, x2, n2 in [(10, 1000, 30, 1000), (0, 100, 0, 200), (5, 50, 5, 50),
                           (100, 100000, 1000, 100000), (3, 10, 0, 10), (20, 20, 20, 20)]:
        pool = (x1 + x2) / (n1 + n2)
        if pool <= 0 or pool >= 1:
            z, pv = 0.0, 1.0
        else:
            se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
            z = (x2 / n2 - x1 / n1) / se
            pv = 2 * st.norm.sf(abs(z))
        w(f"missing {x1} {n1} {x2} {n2} {hx(z)} {hx(pv)}")

    options(w, sample)

    path = os.path.join(HERE, "golden.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}: {len(out)} lines")


if __name__ == "__main__":
    main()
