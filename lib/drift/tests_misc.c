/* The missing-value z-test and the Benjamini-Hochberg adjustment. */
#include "drift/drift_internal.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>

int mlops_drift_missing(const double *ref, size_t nref, const double *cur, size_t ncur,
                        mlops_test_result *out)
{
    static const char fn[] = "mlops_drift_missing";
    if (!out) return mlops__err_null(fn, "out");
    if (!ref) return mlops__err_null(fn, "ref");
    if (!cur) return mlops__err_null(fn, "cur");
    if (nref == 0 || ncur == 0)
        return mlops__err(MLOPS_EINVAL, "%s: empty sample (ref %zu, cur %zu values)", fn, nref, ncur);
    uint64_t a = 0, b = 0;
    for (size_t i = 0; i < nref; i++) a += isnan(ref[i]) != 0;
    for (size_t i = 0; i < ncur; i++) b += isnan(cur[i]) != 0;
    mlops__ztest_counts(a, nref, b, ncur, out);
    return MLOPS_OK;
}

void mlops__ztest_counts(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, mlops_test_result *out)
{
    double d1 = (double)n1, d2 = (double)n2;
    double pooled = ((double)x1 + (double)x2) / (d1 + d2);
    if (pooled <= 0.0 || pooled >= 1.0) {
        out->statistic = 0.0;
        out->p_value = 1.0;
        return;
    }
    double se = sqrt(pooled * (1.0 - pooled) * (1.0 / d1 + 1.0 / d2));
    double z = ((double)x2 / d2 - (double)x1 / d1) / se;
    out->statistic = z;
    out->p_value = mlops__norm_2sf(z);
}

typedef struct pidx {
    double p;
    size_t i;
} pidx;

static int cmp_pidx(const void *x, const void *y)
{
    const pidx *a = x, *b = y;
    if (a->p != b->p) return a->p < b->p ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

int mlops_drift_bh_adjust(const double *p, size_t n, double *adjusted)
{
    static const char fn[] = "mlops_drift_bh_adjust";
    if (n == 0) return MLOPS_OK;
    if (!p) return mlops__err_null(fn, "p");
    if (!adjusted) return mlops__err_null(fn, "adjusted");
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return mlops__err(MLOPS_EINVAL, "%s: p[%zu] = %g is not in [0, 1]", fn, i, p[i]);
    if (n == 1) {
        adjusted[0] = p[0];
        return MLOPS_OK;
    }
    pidx *s = malloc(n * sizeof *s);
    if (!s) return mlops__err_nomem(fn);
    for (size_t i = 0; i < n; i++) {
        s[i].p = p[i];
        s[i].i = i;
    }
    qsort(s, n, sizeof *s, cmp_pidx);
    double m = (double)n;
    for (size_t j = 0; j < n; j++) s[j].p *= m / (double)(j + 1);
    for (size_t j = n - 1; j-- > 0;)
        if (s[j + 1].p < s[j].p) s[j].p = s[j + 1].p;
    for (size_t j = 0; j < n; j++) adjusted[s[j].i] = s[j].p > 1.0 ? 1.0 : s[j].p;
    free(s);
    return MLOPS_OK;
}
