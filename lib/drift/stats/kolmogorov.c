/* The one-sample two-sided Kolmogorov-Smirnov distribution at sample size
 * n, P(D_n >= d), as scipy.stats.kstwo.sf evaluates it (Simard and
 * L'Ecuyer 2011 choose the method by n and n*d^2):
 *   - Ruben-Gambino closed forms at both ends of the support;
 *   - Durbin's matrix formula in Marsaglia-Tsang-Wang form (small n*d);
 *   - Pomeranz's recursion (n <= 140, moderate d);
 *   - the Pelz-Good asymptotic series (large n, small d);
 *   - twice the one-sided Smirnov tail (large d), exact by the
 *     Birnbaum-Tingey sum, or Miller's approximation beyond n = 10^6.
 * Each also yields the log of the tail where it underflows. Kolmogorov's
 * limiting law is here too, as a log tail only: the two-sample asymptotic
 * method needs it where kstwo.sf is exactly 0 (D = 1). */
#include "drift/drift_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define LN2 0.69314718055994530942
#define MIN_LOG (-708.39641853226410622) /* log(DBL_MIN) */
#define SCALE_EXP 128
#define SMIRNOV_MAX_EXACT_N 1000000

static double clip01(double p)
{
    return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

/* floor(n*x) and its fractional part, without the rounding of n*x. */
static int64_t floor_nx(int64_t n, double x, double *frac)
{
    double dn = (double)n;
    double p = dn * x;
    double e = fma(dn, x, -p); /* n*x = p + e exactly */
    double fl = floor(p);
    double f = (p - fl) + e;
    if (f < 0.0) {
        fl -= 1.0;
        f += 1.0;
    }
    if (f >= 1.0) {
        fl += 1.0;
        f -= 1.0;
    }
    *frac = f;
    return (int64_t)fl;
}

/* a + b with its rounding error: s + err == a + b exactly. */
static inline double two_sum(double a, double b, double *err)
{
    double s = a + b;
    double bb = s - a;
    *err = (a - (s - bb)) + (b - bb);
    return s;
}

/* log of the Birnbaum-Tingey sum:
 *   P(D+_n > x) = x * sum_{v=0}^{n-ceil(nx)..} C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v),
 * over v with 1 - x - v/n > 0, accumulated in log space so that neither the
 * binomials nor the tail overflow or underflow. */
static double smirnov_log_sum(int64_t n, double x, int64_t nxfl)
{
    double dn = (double)n;
    int64_t last = n - nxfl - 1;
    mlops__ksum logc = { 0.0, 0.0 };
    double m = -INFINITY; /* running max of the log terms */
    mlops__ksum s = { 0.0, 0.0 };
    for (int64_t v = 0; v <= last; v++) {
        /* u = x + v/n and w = (n-v)/n - x, each with a correction term. */
        double q = (double)v / dn;
        double qe = fma(-q, dn, (double)v) / dn;
        double ue;
        double u = two_sum(x, q, &ue);
        ue += qe;
        double r = (double)(n - v) / dn;
        double re = fma(-r, dn, (double)(n - v)) / dn;
        double we;
        double w = two_sum(r, -x, &we);
        we += re;
        /* Renormalise (hi, lo) so that a cancelled hi (w = 0) keeps lo. */
        double W = w + we, Werr = we - (W - w);
        double U = u + ue, Uerr = ue - (U - u);
        if (!(W > 0.0)) break; /* 1 - x - v/n <= 0: no further terms */
        double lc = mlops__ksum_get(&logc);
        double la = lc + (double)(n - v) * (log(W) + Werr / W);
        if (v != 1) la += (double)(v - 1) * (log(U) + Uerr / U);
        if (la > m) {
            if (m != -INFINITY) {
                double f = exp(m - la);
                s.s *= f;
                s.c *= f;
            }
            m = la;
        }
        double t = exp(la - m);
        mlops__ksum_add(&s, t);
        /* Stop once the remaining terms cannot matter (they decrease past
         * the peak): as scipy, 4 * remaining * term < eps * sum. */
        if (t < 1.0 && 4.0 * (double)(last - v) * t < DBL_EPSILON * mlops__ksum_get(&s) &&
            v != last)
            break;
        mlops__ksum_add(&logc, log((double)(n - v) / (double)(v + 1)));
    }
    return log(x) + m + log(mlops__ksum_get(&s));
}

static double smirnov_sf(int64_t n, double x, double *log_sf, int direct)
{
    double sf, lsf;
    if (n == 1) {
        sf = 1.0 - x;
        lsf = log1p(-x);
        goto done;
    }
    if (x <= 0.0) {
        sf = 1.0;
        lsf = 0.0;
        goto done;
    }
    if (x >= 1.0) {
        sf = 0.0;
        lsf = -INFINITY;
        goto done;
    }
    double alpha;
    int64_t nxfl = floor_nx(n, x, &alpha);
    if (nxfl == 0 || (nxfl == 1 && alpha == 0.0)) {
        /* x <= 1/n: cdf = x (1 + x)^(n-1) */
        double cdf = x * exp((double)(n - 1) * log1p(x));
        sf = clip01(1.0 - cdf);
        lsf = log1p(-cdf);
        goto done;
    }
    if (nxfl >= n - 1) {
        lsf = (double)n * log1p(-x);
        sf = exp(lsf);
        goto done;
    }
    if (n > SMIRNOV_MAX_EXACT_N) {
        /* Miller: p ~ exp(-(6nx + 1)^2 / (18n)) */
        double t = 6.0 * (double)n * x + 1.0;
        lsf = -t * t / 18.0 / (double)n;
        sf = lsf < -LN2 ? exp(lsf) : 1.0 - (-expm1(lsf));
        goto done;
    }
    if (direct || !mlops__smirnov_log_sum_sampled(n, x, n - nxfl - 1, &lsf))
        lsf = smirnov_log_sum(n, x, nxfl);
    /* scipy reports 0 where -2 n x^2 is below log(DBL_MIN). */
    sf = (-2.0 * (double)n * x * x < MIN_LOG) ? 0.0 : clip01(exp(lsf));
done:
    if (log_sf) *log_sf = lsf;
    return sf;
}

double mlops__smirnov_sf(int64_t n, double x, double *log_sf)
{
    return smirnov_sf(n, x, log_sf, 0);
}

double mlops__smirnov_sf_direct(int64_t n, double x, double *log_sf)
{
    return smirnov_sf(n, x, log_sf, 1);
}

/* ---- Durbin's matrix method (Marsaglia, Tsang, Wang 2003) ----------------- */

/* c = r b, r a row of m. */
static void vecmat(const double *restrict r, const double *restrict b, double *restrict c, int m)
{
    memset(c, 0, (size_t)m * sizeof *c);
    for (int k = 0; k < m; k++) {
        double rk = r[k];
        if (rk == 0.0) continue;
        const double *bk = b + k * m;
        for (int j = 0; j < m; j++) c[j] += rk * bk[j];
    }
}

/* c = a a for a persymmetric a (a[i][j] = a[m-1-j][m-1-i], as Durbin's H
 * and so all its powers are): only the entries with i + j <= m - 1 are
 * computed, the rest mirrored, half the work of a full product. */
static void square_persymmetric(const double *restrict a, double *restrict c, int m)
{
    memset(c, 0, (size_t)m * (size_t)m * sizeof *c);
    for (int i = 0; i < m; i++) {
        double *ci = c + i * m;
        int jn = m - i; /* j < m - i */
        for (int k = 0; k < m; k++) {
            double aik = a[i * m + k];
            if (aik == 0.0) continue;
            const double *ak = a + k * m;
            for (int j = 0; j < jn; j++) ci[j] += aik * ak[j];
        }
    }
    for (int i = 0; i < m; i++)
        for (int j = m - i; j < m; j++) c[i * m + j] = c[(m - 1 - j) * m + (m - 1 - i)];
}

/* P(D_n <= d). Returns NaN when memory is short. */
static double kolmogn_durbin_cdf(int64_t n, double d)
{
    if (d >= 1.0) return 1.0;
    double nd = (double)n * d;
    if (nd <= 0.5) return 0.0;
    int k = (int)ceil(nd);
    double h = (double)k - nd;
    int m = 2 * k - 1;
    size_t mm = (size_t)m * (size_t)m;
    double *mem = malloc(4 * mm * sizeof *mem + 2 * (size_t)m * sizeof *mem);
    if (!mem) return NAN;
    double *H = mem, *P = mem + mm, *T = mem + 2 * mm, *T2 = mem + 3 * mm;
    double *v = mem + 4 * mm, *w = v + m;
    /* v[j] = (1 - h^(j+1)) / (j+1)!, w[j] = 1/j! */
    double fac = 1.0;
    for (int j = 1; j <= m; j++) {
        w[j - 1] = fac;
        fac /= j;
        v[j - 1] = (1.0 - pow(h, j)) * fac;
    }
    double tt = pow(fmax(2.0 * h - 1.0, 0.0), m) - 2.0 * pow(h, m);
    v[m - 1] = (1.0 + tt) * fac;
    memset(H, 0, mm * sizeof *H);
    for (int i = 1; i < m; i++)
        for (int r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)];
    for (int r = 0; r < m; r++) H[r * m] = v[r];
    for (int c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];
    /* Only row k-1 of H^n is wanted: carry that row, times H^(2^i) for each
     * set bit i of n (a vector-matrix product, not a matrix product), and
     * square H only while bits remain; power-of-two rescaling of H. */
    double *row = P, *row2 = T;
    memset(row, 0, (size_t)m * sizeof *row);
    row[k - 1] = 1.0;
    int64_t nn = n;
    long expnt = 0, hexpnt = 0;
    const double big = ldexp(1.0, SCALE_EXP);
    while (nn > 0) {
        if (nn % 2) {
            vecmat(row, H, row2, m);
            double *t = row;
            row = row2;
            row2 = t;
            expnt += hexpnt;
        }
        nn /= 2;
        if (nn == 0) break;
        square_persymmetric(H, T2, m);
        memcpy(H, T2, mm * sizeof *H);
        hexpnt *= 2;
        if (fabs(H[(k - 1) * m + (k - 1)]) > big) {
            for (size_t i = 0; i < mm; i++) H[i] /= big;
            hexpnt += SCALE_EXP;
        }
    }
    double p = row[k - 1];
    free(mem);
    /* times n!/n^n */
    const double small = ldexp(1.0, -SCALE_EXP);
    for (int64_t i = 1; i <= n; i++) {
        p = (double)i * p / (double)n;
        if (fabs(p) < small) {
            p *= big;
            expnt -= SCALE_EXP;
        }
    }
    if (expnt != 0) p = ldexp(p, (int)expnt);
    return clip01(p);
}

/* ---- Pomeranz's recursion (1974) ------------------------------------------ */

static void pomeranz_bounds(int64_t i, int64_t n, int64_t ll, int ceilf, int roundf, int64_t *lo,
                            int64_t *hi)
{
    int64_t j1, j2;
    if (i == 0) {
        j1 = -ll - ceilf - 1;
        j2 = ll + ceilf - 1;
    } else {
        int64_t half = (i + 1) / 2;
        if ((i + 1) % 2 == 0) { /* i odd */
            if (half == n + 1) {
                j1 = n - ll - ceilf - 1;
                j2 = n + ll + ceilf - 1;
            } else {
                j1 = half - 1 - ll - roundf - 1;
                j2 = half + ll - 1 + ceilf - 1;
            }
        } else {
            j1 = half - 1 - ll - 1;
            j2 = half + ll + roundf - 1;
        }
    }
    *lo = j1 + 2 > 0 ? j1 + 2 : 0;
    *hi = j2 < n ? j2 : n;
}

/* P(D_n <= x). Returns NaN when memory is short. */
static double kolmogn_pomeranz_cdf(int64_t n, double x)
{
    double t = (double)n * x;
    int64_t ll = (int64_t)floor(t);
    double f = t - (double)ll;
    double g = f < 1.0 - f ? f : 1.0 - f;
    int ceilf = f > 0 ? 1 : 0;
    int roundf = f > 0.5 ? 1 : 0;
    int64_t npw = 2 * (ll + 1);
    double *mem = calloc((size_t)npw * 5 + 4 * (size_t)npw, sizeof *mem);
    if (!mem) return NAN;
    double *gp = mem, *g2p = gp + npw, *g12p = g2p + npw, *V0 = g12p + npw, *V1 = V0 + npw;
    double *conv = V1 + npw; /* up to 2*npw - 1 */
    gp[0] = g2p[0] = g12p[0] = 1.0;
    double gn = g / (double)n, g2n = 2 * g / (double)n, g12n = (1 - 2 * g) / (double)n;
    for (int64_t m = 1; m < npw; m++) {
        gp[m] = gp[m - 1] * gn / (double)m;
        g2p[m] = g2p[m - 1] * g2n / (double)m;
        g12p[m] = g12p[m - 1] * g12n / (double)m;
    }
    V1[0] = 1.0;
    int64_t v0s = 0, v1s = 0;
    long expnt = 0;
    const double big = ldexp(1.0, SCALE_EXP), small = ldexp(1.0, -SCALE_EXP);
    int64_t j1, j2;
    pomeranz_bounds(0, n, ll, ceilf, roundf, &j1, &j2);
    for (int64_t i = 1; i < 2 * n + 2; i++) {
        int64_t k1 = j1;
        double *tmp = V0;
        V0 = V1;
        V1 = tmp;
        int64_t ts = v0s;
        v0s = v1s;
        v1s = ts;
        memset(V1, 0, (size_t)npw * sizeof *V1);
        pomeranz_bounds(i, n, ll, ceilf, roundf, &j1, &j2);
        const double *pw = (i == 1 || i == 2 * n + 1) ? gp : (i % 2 ? g2p : g12p);
        int64_t len = j2 - k1 + 1;
        if (len <= 0) continue;
        /* Full convolution of V0[k1-v0s ..] (as long as it lasts) with pw[0..len). */
        int64_t start = k1 - v0s;
        int64_t alen = len;
        if (start + alen > npw) alen = npw - start;
        if (alen < 0) alen = 0;
        int64_t clen = alen + len - 1;
        for (int64_t c = 0; c < clen; c++) {
            double acc = 0.0;
            int64_t lo = c - (len - 1) > 0 ? c - (len - 1) : 0;
            int64_t hi = c < alen - 1 ? c : alen - 1;
            for (int64_t a = lo; a <= hi; a++) acc += V0[start + a] * pw[c - a];
            conv[c] = acc;
        }
        int64_t cstart = j1 - k1, cl = j2 - j1 + 1;
        double vmax = 0.0;
        for (int64_t c = 0; c < cl; c++) {
            double val = (cstart + c < clen && cstart + c >= 0) ? conv[cstart + c] : 0.0;
            V1[c] = val;
            if (val > vmax) vmax = val;
        }
        if (vmax > 0 && vmax < small) {
            for (int64_t c = 0; c < npw; c++) V1[c] *= big;
            expnt -= SCALE_EXP;
        }
        v1s = v0s + j1 - k1;
    }
    double ans = V1[n - v1s];
    free(mem);
    for (int64_t m = 1; m <= n; m++) {
        if (fabs(ans) > big) {
            ans *= small;
            expnt += SCALE_EXP;
        }
        ans *= (double)m;
    }
    if (expnt != 0) ans = ldexp(ans, (int)expnt);
    return clip01(ans);
}

/* ---- Pelz-Good (1976) ------------------------------------------------------ */

static double kolmogn_pelz_good_cdf(int64_t n, double x)
{
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double pi2 = PI * PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
    const double sqrt2pi = sqrt(2 * PI);
    double z = sqrt((double)n) * x;
    double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
    double qlog = -pi2 / 8 / z2;
    if (qlog < -708) return 0.0;
    double q = exp(qlog);
    double k1a = -z2, k1b = pi2 / 4;
    double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
    double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
    double k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8);
    double K[4] = { 0, 0, 0, 0 };
    /* Horner over odd m = 2k - 1 of c_i q^(m^2) */
    int maxk = (int)ceil(16 * z / PI);
    for (int k = maxk; k >= 1; k--) {
        double m = 2.0 * k - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
        double qp = pow(q, 8.0 * k);
        double c[4] = { 1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                        k3a + k3b * m2 + k3c * m4 + k3d * m6 };
        for (int i = 0; i < 4; i++) K[i] = K[i] * qp + c[i];
    }
    double div[4] = { z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10) };
    for (int i = 0; i < 4; i++) K[i] = K[i] * q * sqrt2pi / div[i];
    /* The sums over all integers k for K2 and K3. */
    double q2 = exp(-pi2 / 2 / z2);
    double s2 = 0.0, s3 = 0.0, sqrt3z = sqrt(3.0) * z;
    for (int k = maxk; k >= 1; k--) {
        double k2 = (double)k * k, kpi = PI * k;
        double qk = pow(q2, k2);
        s2 += k2 * qk;
        s3 += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
    }
    K[2] += s2 * pi2 * sqrt2pi / (-36 * z3);
    K[3] += s3 * pi2 * sqrt2pi / (216 * z6);
    double sum = 0.0;
    for (int i = 0; i < 4; i++) sum += K[i] / pow((double)n, i / 2.0);
    return sum;
}

/* log(n! / n^n) by Stirling's series. */
static double log_nfact_over_npown(int64_t n)
{
    /* B_2j / (2j (2j - 1)) for j = 8 .. 1 */
    static const double c[8] = { -3617.0 / 122400, 1.0 / 156, -691.0 / 360360, 1.0 / 1188,
                                 -1.0 / 1680, 1.0 / 1260, -1.0 / 360, 1.0 / 12 };
    double rn = 1.0 / (double)n, r2 = rn / (double)n, poly = 0.0;
    for (int i = 0; i < 8; i++) poly = poly * r2 + c[i];
    return log((double)n) / 2 - (double)n + log(2 * PI) / 2 + rn * poly;
}

double mlops__kolmogorov_log_sf(double z)
{
    /* log 2 - 2z^2 + log(1 + sum_{k>=2} (-1)^(k-1) exp(-2 (k^2 - 1) z^2)):
     * the leading term factored out, so that no term underflows first. */
    double z2 = z * z, tail = 0.0;
    for (int k = 2; k < 100; k++) {
        double t = exp(-2.0 * ((double)k * k - 1.0) * z2);
        tail += k % 2 ? t : -t;
        if (t < 1e-17) break;
    }
    return LN2 - 2.0 * z2 + log1p(tail);
}

double mlops__kstwo_sf(int64_t n, double x, double *log_sf)
{
    double sf, lsf = NAN, cdf;
    if (x >= 1.0) {
        sf = 0.0;
        lsf = -INFINITY;
        goto done;
    }
    if (x <= 0.0) {
        sf = 1.0;
        goto done;
    }
    double t = (double)n * x;
    if (t <= 1.0) { /* Ruben-Gambino */
        if (t <= 0.5) {
            sf = 1.0;
            goto done;
        }
        if (n <= 140) {
            cdf = 1.0;
            for (int64_t i = 1; i <= n; i++) cdf *= (double)i * (1.0 / (double)n) * (2 * t - 1);
        } else {
            cdf = exp(log_nfact_over_npown(n) + (double)n * log(2 * t - 1));
        }
        sf = clip01(1.0 - clip01(cdf));
        goto done;
    }
    if (t >= (double)(n - 1)) { /* Ruben-Gambino */
        lsf = LN2 + (double)n * log1p(-x);
        sf = clip01(2 * pow(1.0 - x, (double)n));
        goto done;
    }
    double ls;
    if (x >= 0.5) {
        sf = clip01(2 * mlops__smirnov_sf(n, x, &ls));
        lsf = LN2 + ls;
        goto done;
    }
    double nx2 = t * x;
    if (n <= 140) {
        if (nx2 <= 0.754693) {
            cdf = kolmogn_durbin_cdf(n, x);
        } else if (nx2 <= 4) {
            cdf = kolmogn_pomeranz_cdf(n, x);
        } else {
            sf = clip01(2 * mlops__smirnov_sf(n, x, &ls));
            lsf = LN2 + ls;
            goto done;
        }
        sf = clip01(1.0 - cdf);
        goto done;
    }
    if (nx2 >= 370.0) {
        /* scipy returns 0 here; the log stays finite. */
        mlops__smirnov_sf(n, x, &ls);
        sf = 0.0;
        lsf = LN2 + ls;
        goto done;
    }
    if (nx2 >= 2.2) {
        sf = clip01(2 * mlops__smirnov_sf(n, x, &ls));
        lsf = LN2 + ls;
        goto done;
    }
    if (n <= 100000 && (double)n * pow(x, 1.5) <= 1.4)
        cdf = kolmogn_durbin_cdf(n, x);
    else
        cdf = kolmogn_pelz_good_cdf(n, x);
    sf = clip01(1.0 - clip01(cdf));
done:
    if (log_sf) {
        if (isnan(lsf) || (sf > 0.0 && sf > 1e-290)) lsf = log(sf);
        if (lsf > 0.0) lsf = 0.0;
        *log_sf = lsf;
    }
    return sf;
}
