/* Chi-square test of independence on an R x C contingency table with
 * Yates' correction and the Cressie-Read power-divergence family, as
 * scipy.stats.chi2_contingency(table, correction, lambda_) computes it:
 * expected counts from the margins, the correction when dof = 1, then
 * power_divergence's terms summed over every cell. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stdlib.h>

/* x * log(y), 0 when x is 0 (scipy.special.xlogy). */
static double xlogy(double x, double y)
{
    if (x == 0.0 && !isnan(y)) return 0.0;
    return x * log(y);
}

/* One cell's term of power_divergence for observed o, expected e. */
static double pd_term(double o, double e, double lambda)
{
    if (lambda == 1.0) {
        double d = o - e;
        return d * d / e;
    }
    if (lambda == 0.0) return 2.0 * xlogy(o, o / e);
    if (lambda == -1.0) return 2.0 * xlogy(e, e / o);
    double t = o * (pow(o / e, lambda) - 1.0);
    return t / (0.5 * lambda * (lambda + 1.0));
}

static int check_table(const char *fn, const double *t, size_t rows, size_t cols)
{
    if (rows == 0 || cols == 0)
        return mlops__err(MLOPS_EINVAL, "%s: the table is %zu x %zu (empty)", fn, rows, cols);
    if (cols > SIZE_MAX / rows)
        return mlops__err(MLOPS_EINVAL, "%s: %zu x %zu cells overflow", fn, rows, cols);
    if (mlops__check_array(fn, "table", t, rows * cols, sizeof *t)) return MLOPS_EINVAL;
    for (size_t i = 0; i < rows * cols; i++)
        if (!(t[i] >= 0.0) || !isfinite(t[i]))
            return mlops__err(MLOPS_EINVAL, "%s: table[%zu] is %g (counts must be finite and >= 0)",
                              fn, i, t[i]);
    return MLOPS_OK;
}

static void test_table(const double *t, size_t rows, size_t cols, const double *rs,
                       const double *cs, double total, const mlops_chisq_opts *o,
                       mlops_chisq_result *out)
{
    uint64_t dof = (uint64_t)(rows - 1) * (uint64_t)(cols - 1);
    out->dof = dof;
    if (dof == 0) {
        out->statistic = 0.0;
        out->p_value = 1.0;
        out->log_p_value = 0.0;
        return;
    }
    mlops__ksum sum = { 0.0, 0.0 };
    double plain = 0.0; /* says whether a term was +Inf or NaN */
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double obs = t[i * cols + j];
            double e = rs[i] * cs[j] / total;
            if (dof == 1 && o->correction) {
                /* Yates: move the count towards e by at most 0.5 */
                double diff = e - obs;
                double mag = fabs(diff) < 0.5 ? fabs(diff) : 0.5;
                obs = obs + mag * (double)((diff > 0) - (diff < 0));
            }
            double term = pd_term(obs, e, o->lambda);
            mlops__ksum_add(&sum, term);
            plain += term;
        }
    /* The compensation turns an infinite sum into NaN: keep scipy's +Inf. */
    double stat = isfinite(plain) ? mlops__ksum_get(&sum) : plain;
    out->statistic = stat;
    out->p_value = isnan(stat) ? NAN : mlops__chi2_sf(stat, (double)dof);
    if (isnan(stat))
        out->log_p_value = NAN;
    else
        out->log_p_value = out->p_value > 1e-290 ? log(out->p_value)
                                                 : mlops__chi2_logsf(stat, (double)dof);
}

MLOPS_API int mlops_chisq_opts_init(mlops_chisq_opts *opts, unsigned version)
{
    static const mlops_chisq_opts defaults = MLOPS_CHISQ_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_CHISQ_OPTS_VERSION);
}

MLOPS_API int mlops_chisq_result_init(mlops_chisq_result *r, unsigned version)
{
    static const mlops_chisq_result defaults = MLOPS_CHISQ_RESULT_INIT;
    return mlops__opts_init(__func__, r, &defaults, sizeof defaults, version,
                            MLOPS_CHISQ_RESULT_VERSION);
}

MLOPS_API int mlops_drift_chisq_table(const double *table, size_t rows, size_t cols,
                                      const mlops_chisq_opts *opts, mlops_chisq_result *out)
{
    static const mlops_chisq_opts defaults = MLOPS_CHISQ_OPTS_INIT;
    const char *fn = __func__;
    if (!out) return mlops__err_null(fn, "out");
    if (out->version == 0 || out->version > MLOPS_CHISQ_RESULT_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: out->version is %u (initialise it with "
                                        "mlops_chisq_result_init)", fn, out->version);
    if (!opts) opts = &defaults;
    int rc = mlops__opts_check(fn, opts->version, MLOPS_CHISQ_OPTS_VERSION, "mlops_chisq_opts_init");
    if (rc) return rc;
    if (opts->correction != 0 && opts->correction != 1)
        return mlops__err(MLOPS_EINVAL, "%s: opts->correction is %d (0 or 1)", fn, opts->correction);
    if (!isfinite(opts->lambda))
        return mlops__err(MLOPS_EINVAL, "%s: opts->lambda is %g (must be finite)", fn, opts->lambda);
    rc = check_table(fn, table, rows, cols);
    if (rc) return rc;
    double *rs = calloc(rows + cols, sizeof *rs);
    if (!rs) return mlops__err_nomem(fn);
    double *cs = rs + rows;
    double total = 0.0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            rs[i] += table[i * cols + j];
            cs[j] += table[i * cols + j];
        }
    for (size_t i = 0; i < rows; i++) total += rs[i];
    for (size_t i = 0; i < rows && !rc; i++)
        if (rs[i] == 0.0)
            rc = mlops__err(MLOPS_EINVAL, "%s: row %zu is empty (a zero expected count)", fn, i);
    for (size_t j = 0; j < cols && !rc; j++)
        if (cs[j] == 0.0)
            rc = mlops__err(MLOPS_EINVAL, "%s: column %zu is empty (a zero expected count)", fn, j);
    if (!rc) test_table(table, rows, cols, rs, cs, total, opts, out);
    free(rs);
    return rc;
}
