/* The Birnbaum-Tingey sum of the one-sided Smirnov tail, for large n, from
 * a few of its terms.
 *
 * Past n of a few hundred the terms
 *   f(v) = C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
 * form one smooth bump of width sigma ~ sqrt(n) that decays to nothing long
 * before either end of the range. For such a sequence the plain sum equals
 * h times the sum of every h-th term: by Poisson's summation formula the
 * two differ by the Fourier transform of f at 2 pi / h, of order
 * exp(-2 pi^2 sigma^2 / h^2) for a Gaussian bump; the step actually used
 * is checked (below). So some hundreds of terms replace the tens of
 * thousands that the direct sum walks through at n ~ 10^5.
 *
 * Each term's log is written so that no large quantity cancels: with
 * t = v/n, Stirling's formula for C(n,v) and the identity v (nx/v) =
 * (n-v) (nx/(n-v)),
 *   log f(v) = v L(nx/v) + (n-v) L(-nx/(n-v)) - log(x + t)
 *              + log(n / (2 pi v (n-v))) / 2 + s(n) - s(v) - s(n-v),
 * L(y) = log(1+y) - y and s the Stirling remainder; every part is of the
 * size of the result (~ n x^2), not of n. */
#include "drift/drift_internal.h"

#include <float.h>
#include <math.h>

#define LOG_2PI 1.83787706640934548356
#define MIN_SIGMA 16.0 /* below this the direct sum is cheap enough */
#define NEGLIGIBLE 1e-18 /* a term this far below the peak adds nothing */
#define AGREE 1e-12 /* spread of the four interleaved sums accepted */

/* log(1 + y) - y without cancellation for small |y|: with s = y / (2 + y),
 * log(1 + y) = 2 atanh(s) and 2 s - y = -y^2 / (2 + y). */
static double log1p_minus(double y)
{
    if (fabs(y) > 0.25) return log1p(y) - y;
    double s = y / (2.0 + y), s2 = s * s, term = s * s2, acc = 0.0;
    for (int k = 3; k < 40 && fabs(term) > 1e-20 * fabs(acc + 1e-300); k += 2) {
        acc += term / k;
        term *= s2;
    }
    return -y * y / (2.0 + y) + 2.0 * acc;
}

/* Stirling's remainder: log z! - ((z + 1/2) log z - z + log(2 pi) / 2). */
static double stirling_rest(double z)
{
    if (z < 10.0) return lgamma(z + 1.0) - ((z + 0.5) * log(z) - z + LOG_2PI / 2);
    /* B_2j / (2j (2j - 1)) for j = 7 .. 1 */
    static const double c[7] = { 1.0 / 156, -691.0 / 360360, 1.0 / 1188, -1.0 / 1680,
                                 1.0 / 1260, -1.0 / 360, 1.0 / 12 };
    double r = 1.0 / z, r2 = r * r, poly = 0.0;
    for (int i = 0; i < 7; i++) poly = poly * r2 + c[i];
    return r * poly;
}

typedef struct bt_terms {
    double n, x, nx, rest_n;
} bt_terms;

/* log f(v) for 1 <= v < n (1 - x). */
static double log_term(const bt_terms *b, int64_t v)
{
    double dv = (double)v, rv = b->n - dv;
    double l = dv * log1p_minus(b->nx / dv) + rv * log1p_minus(-b->nx / rv);
    l -= log(b->x + dv / b->n);
    l += 0.5 * (log(b->n / (dv * rv)) - LOG_2PI);
    return l + b->rest_n - stirling_rest(dv) - stirling_rest(rv);
}

int mlops__smirnov_log_sum_sampled(int64_t n, double x, int64_t last, double *log_sum)
{
    if (last < 64) return 0;
    bt_terms b = { (double)n, x, (double)n * x, stirling_rest((double)n) };
    /* The peak: ternary search over the unimodal terms. */
    int64_t lo = 1, hi = last;
    while (hi - lo > 2) {
        int64_t m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;
        if (log_term(&b, m1) < log_term(&b, m2))
            lo = m1 + 1;
        else
            hi = m2;
    }
    int64_t peak = lo;
    double top = log_term(&b, lo);
    for (int64_t v = lo + 1; v <= hi; v++) {
        double l = log_term(&b, v);
        if (l > top) {
            top = l;
            peak = v;
        }
    }
    if (peak - 1 < 1 || peak + 1 > last) return 0;
    double curv = log_term(&b, peak - 1) - 2.0 * top + log_term(&b, peak + 1);
    if (!(curv < 0.0)) return 0;
    double sigma = sqrt(-1.0 / curv);
    if (sigma < MIN_SIGMA) return 0;
    /* The Gaussian estimate of the error above is optimistic where the
     * bump is skewed (small n x^2), so the step is checked: the terms at
     * step q are summed in four interleaved classes (offsets 0, q, 2q, 3q
     * of step h = 4q). Each class alone is off by the transform at 2 pi / h
     * with phases a quarter turn apart, so their spread bounds that error,
     * while their total (step q) is off only by the transform at 2 pi / q,
     * smaller still by orders of magnitude. Halve until they agree. */
    for (int64_t q = (int64_t)(sigma / 16.0); q >= 2; q /= 2) {
        mlops__ksum cls[4] = { { 0.0, 0.0 }, { 0.0, 0.0 }, { 0.0, 0.0 }, { 0.0, 0.0 } };
        mlops__ksum_add(&cls[0], 1.0);
        for (int side = -1; side <= 1; side += 2) {
            for (int64_t k = side;; k += side) {
                int64_t v = peak + k * q;
                if (v < 1 || v > last) return 0; /* the bump reaches an end */
                double t = exp(log_term(&b, v) - top);
                if (t > 1.0) return 0; /* not one bump after all */
                mlops__ksum_add(&cls[((k % 4) + 4) % 4], t);
                if (t < NEGLIGIBLE) break;
            }
        }
        double c[4], lo_c = INFINITY, hi_c = 0.0, total = 0.0;
        for (int i = 0; i < 4; i++) {
            c[i] = mlops__ksum_get(&cls[i]);
            lo_c = fmin(lo_c, c[i]);
            hi_c = fmax(hi_c, c[i]);
            total += c[i];
        }
        if (hi_c - lo_c <= AGREE * total / 4.0) {
            *log_sum = log(x) + top + log((double)q * total);
            return 1;
        }
    }
    return 0;
}
