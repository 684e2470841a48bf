/* The Benjamini-Hochberg adjustment of p-values (false discovery rate). */
#include "drift/drift_internal.h"
#include "util/err.h"

#include <stdlib.h>

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

MLOPS_API int mlops_drift_bh_adjust(const double *p, size_t n, double *adjusted)
{
    if (n == 0) return MLOPS_OK;
    if (mlops__check_array(__func__, "p", p, n, sizeof *p)) return MLOPS_EINVAL;
    if (!adjusted) return mlops__err_null(__func__, "adjusted");
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return mlops__err(MLOPS_EINVAL, "%s: p[%zu] = %g is not in [0, 1]", __func__, i, p[i]);
    if (n == 1) {
        adjusted[0] = p[0];
        return MLOPS_OK;
    }
    pidx *s = malloc(n * sizeof *s);
    if (!s) return mlops__err_nomem(__func__);
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
