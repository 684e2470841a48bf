/* One window's verdict on a column, and one step of the alert rule. */
#include "monitor/monitor_internal.h"
#include "drift/drift_internal.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>

int mlops__window_start(int64_t t, int64_t w, int64_t *start)
{
    int64_t q = t / w, r = t % w;
    if (r < 0) q--;
    int64_t s = q * w;
    if (s > INT64_MAX - w) return MLOPS_EINVAL;
    *start = s;
    return MLOPS_OK;
}

int mlops__monitor_judge_column(const char *fn, mlops_profile *ref, const mlops__kll_view *ref_view,
                                mlops_profile *cur, int kind, int method, double threshold, double alpha,
                                double *statistic, double *p_value, int *drifted)
{
    *statistic = NAN;
    *p_value = NAN;
    *drifted = 0;
    mlops_profile_summary sum = MLOPS_PROFILE_SUMMARY_INIT;
    int rc = mlops_profile_summary_get(cur, &sum);
    if (rc) return rc;
    if (sum.count == 0) return MLOPS_OK; /* nothing to compare: no drift */
    mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
    if (method == MLOPS_DRIFT_METHOD_AUTO)
        method = kind == MLOPS_PROFILE_NUMERIC ? MLOPS_DRIFT_METHOD_KS : MLOPS_DRIFT_METHOD_CHISQ;
    int p_method = method == MLOPS_DRIFT_METHOD_KS || method == MLOPS_DRIFT_METHOD_CHISQ;
    c.alpha = p_method && !isnan(threshold) && threshold < 1.0 ? threshold : alpha;
    /* Named as mlops_profile_compare's own errors are; a window's KS
     * drift is the verdict "drift" (below), so drift_only. */
    rc = mlops__profile_compare_view("mlops_profile_compare", ref, ref_view, cur, 1, &c);
    if (rc) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", mlops_last_error());
        return mlops__err(rc, "%s: comparing a window's profile with its reference: %s", fn, msg);
    }
    double t = isnan(threshold) ? 0.1 : threshold;
    switch (method) {
    case MLOPS_DRIFT_METHOD_KS:
        *statistic = c.ks_statistic;
        *p_value = c.ks_p_value;
        *drifted = c.ks_verdict == MLOPS_VERDICT_DRIFT;
        break;
    case MLOPS_DRIFT_METHOD_CHISQ:
        *statistic = c.chisq.statistic;
        *p_value = c.chisq.p_value;
        *drifted = c.chisq.p_value < c.alpha;
        break;
    case MLOPS_DRIFT_METHOD_PSI:
        *statistic = c.psi;
        *drifted = c.psi >= t;
        break;
    case MLOPS_DRIFT_METHOD_JENSEN_SHANNON:
        *statistic = c.jensen_shannon;
        *drifted = c.jensen_shannon >= t;
        break;
    case MLOPS_DRIFT_METHOD_KL:
        *statistic = c.kl;
        *drifted = c.kl >= t;
        break;
    default: /* MLOPS_DRIFT_METHOD_HELLINGER */
        *statistic = c.hellinger;
        *drifted = c.hellinger >= t;
        break;
    }
    return MLOPS_OK;
}

static uint32_t popcount64(uint64_t v)
{
    uint32_t n = 0;
    for (; v; v &= v - 1) n++;
    return n;
}

int mlops__alert_step(mlops__alert *a, const mlops_monitor_spec *spec, int breach,
                      uint32_t *breaches)
{
    uint32_t n = spec->alert_n;
    uint64_t mask = n >= 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
    a->history = ((a->history << 1) | (breach ? 1u : 0u)) & mask;
    if (a->count < n) a->count++;
    uint32_t b = popcount64(a->history);
    *breaches = b;
    int holds = b >= spec->alert_m;
    if (a->state == MLOPS_MONITOR_FIRING) {
        if (holds) {
            a->streak = 0;
            return 0;
        }
        if (++a->streak > spec->keep_firing) {
            a->state = MLOPS_MONITOR_INACTIVE;
            a->streak = 0;
            return MLOPS_MONITOR_EVENT_RESOLVED;
        }
        return 0;
    }
    if (!holds) {
        a->state = MLOPS_MONITOR_INACTIVE;
        a->streak = 0;
        return 0;
    }
    if (++a->streak > spec->pending) {
        a->state = MLOPS_MONITOR_FIRING;
        a->streak = 0;
        return MLOPS_MONITOR_EVENT_FIRING;
    }
    a->state = MLOPS_MONITOR_PENDING;
    return 0;
}
