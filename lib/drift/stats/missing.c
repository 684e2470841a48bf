/* The missing-value test: a two-proportion z-test on the NaN counts. */
#include "drift/drift_internal.h"
#include "util/err.h"

#include <math.h>

MLOPS_API int mlops_drift_missing(const double *ref, size_t nref, const double *cur, size_t ncur,
                        mlops_test_result *out)
{
    if (!out) return mlops__err_null(__func__, "out");
    if (!ref) return mlops__err_null(__func__, "ref");
    if (!cur) return mlops__err_null(__func__, "cur");
    if (mlops__check_array(__func__, "ref", ref, nref, sizeof *ref) ||
        mlops__check_array(__func__, "cur", cur, ncur, sizeof *cur))
        return MLOPS_EINVAL;
    if (nref == 0 || ncur == 0)
        return mlops__err(MLOPS_EINVAL, "%s: empty sample (ref %zu, cur %zu values)", __func__, nref, ncur);
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
