/* Comparing a reference profile with current data (a batch or another
 * profile): binned figures exactly from the frozen bins or categories, KS
 * from the sketches with an error-aware verdict in the manner of
 * DataSketches' sketch KS test: the sketches bound |D_est - D| by the sum
 * of their rank errors, and the verdict is given only when the whole
 * interval agrees. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_profile_comparison_init(mlops_profile_comparison *c, unsigned version)
{
    static const mlops_profile_comparison defaults = MLOPS_PROFILE_COMPARISON_INIT;
    return mlops__opts_init(__func__, c, &defaults, sizeof defaults, version,
                            MLOPS_PROFILE_COMPARISON_VERSION);
}

static int check_cmp(const char *fn, mlops_profile *ref, mlops_profile_comparison *c)
{
    if (!ref) return mlops__err_null(fn, "ref");
    if (!c) return mlops__err_null(fn, "c");
    if (c->version == 0 || c->version > MLOPS_PROFILE_COMPARISON_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: c->version is %u", fn, c->version);
    if (!(c->alpha > 0.0 && c->alpha < 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: alpha = %g is not in (0, 1)", fn, c->alpha);
    return MLOPS_OK;
}

static void reset(mlops_profile_comparison *c)
{
    unsigned v = c->version;
    double alpha = c->alpha;
    mlops_profile_comparison z = MLOPS_PROFILE_COMPARISON_INIT;
    *c = z;
    c->version = v;
    c->alpha = alpha;
}

/* The largest gap between two weighted step CDFs (w NULL: weights of 1),
 * taken after each distinct value, both sides' items at that value
 * counted. While both sides have items, the next item is chosen by a
 * comparison that picks the value and which side steps, without a branch
 * on it (on interleaved sketches that branch was mispredicted about every
 * other item); the gap is taken only where the value changes, so at the
 * same points, with the same arithmetic, as a merge value by value. */
static double sketch_ks(const double *v1, const uint64_t *w1, size_t m1, uint64_t n1,
                        const double *v2, const uint64_t *w2, size_t m2, uint64_t n2)
{
    double d = 0.0, dn1 = (double)n1, dn2 = (double)n2;
    uint64_t c1 = 0, c2 = 0;
    size_t i = 0, j = 0;
    while (i < m1 && j < m2) {
        double a = v1[i], b = v2[j];
        size_t take1 = a <= b;
        uint64_t mask = (uint64_t)0 - take1; /* all ones when side 1 steps */
        double v = b < a ? b : a;            /* equal values: either, as a comparand */
        c1 += (w1 ? w1[i] : 1) & mask;
        c2 += (w2 ? w2[j] : 1) & ~mask;
        i += take1;
        j += 1 - take1;
        /* The next item is above v, or there is none: v's last item. */
        double na = i < m1 ? v1[i] : INFINITY, nb = j < m2 ? v2[j] : INFINITY;
        if ((na < nb ? na : nb) > v) {
            double diff = fabs((double)c1 / dn1 - (double)c2 / dn2);
            if (diff > d) d = diff;
        }
    }
    /* One side is done: the other's items one value at a time. */
    while (i < m1) {
        double v = v1[i];
        while (i < m1 && v1[i] <= v) c1 += w1 ? w1[i++] : (i++, 1);
        double diff = fabs((double)c1 / dn1 - (double)c2 / dn2);
        if (diff > d) d = diff;
    }
    while (j < m2) {
        double v = v2[j];
        while (j < m2 && v2[j] <= v) c2 += w2 ? w2[j++] : (j++, 1);
        double diff = fabs((double)c1 / dn1 - (double)c2 / dn2);
        if (diff > d) d = diff;
    }
    return d;
}

/* drift_only: the caller reads neither p_low nor p_high, and of the
 * verdict only whether it is drift, which p_high alone decides: p_low is
 * left NaN (when it would need its own p-value) and a verdict short of
 * drift is given as inconclusive. p_high is also left NaN when the p-value
 * came from the same asymptotic law at a D >= lo and is at least alpha +
 * 0.25: the law falls as D grows, so p_high, at lo, is no smaller (the
 * law's numerical error is orders of magnitude below that margin), and
 * the verdict is not drift without it. */
static void ks_verdict(mlops_profile_comparison *c, double d, double err, uint64_t n1, uint64_t n2,
                       int drift_only)
{
    double dd, lp;
    int used;
    c->ks_statistic = d;
    c->ks_error = err;
    mlops__ks_pvalue(d, n1, n2, MLOPS_KS_AUTO, &dd, &c->ks_p_value, &lp, &used);
    int value_law = used; /* and dd the D it was taken at */
    if (err == 0.0) {
        c->ks_p_low = c->ks_p_high = c->ks_p_value;
    } else {
        /* Bounds on a continuous scale: the asymptotic law at effective n. */
        double hi = d + err > 1.0 ? 1.0 : d + err, lo = d - err < 0.0 ? 0.0 : d - err;
        if (drift_only)
            c->ks_p_low = NAN;
        else
            mlops__ks_pvalue(hi, n1, n2, MLOPS_KS_ASYMPTOTIC, &dd, &c->ks_p_low, &lp, &used);
        if (drift_only && value_law == MLOPS_KS_ASYMPTOTIC && dd >= lo && c->ks_p_value >= c->alpha + 0.25) {
            c->ks_p_high = NAN;
            c->ks_verdict = MLOPS_VERDICT_INCONCLUSIVE;
            return;
        }
        mlops__ks_pvalue(lo, n1, n2, MLOPS_KS_ASYMPTOTIC, &dd, &c->ks_p_high, &lp, &used);
    }
    if (c->ks_p_high < c->alpha)
        c->ks_verdict = MLOPS_VERDICT_DRIFT;
    else if (drift_only)
        c->ks_verdict = MLOPS_VERDICT_INCONCLUSIVE;
    else if (c->ks_p_low >= c->alpha)
        c->ks_verdict = MLOPS_VERDICT_NO_DRIFT;
    else
        c->ks_verdict = MLOPS_VERDICT_INCONCLUSIVE;
}

static int binned_fill(mlops_profile_comparison *c, const uint64_t *rc, const uint64_t *cc, size_t k)
{
    double *p = malloc(2 * k * sizeof *p);
    if (!p) return mlops__err_nomem("comparing profiles");
    for (size_t i = 0; i < k; i++) {
        p[i] = (double)rc[i];
        p[k + i] = (double)cc[i];
    }
    mlops_binned_result b = MLOPS_BINNED_RESULT_INIT;
    mlops__binned_from_counts(p, p + k, k, &b);
    free(p);
    c->psi = b.psi;
    c->jensen_shannon = b.jensen_shannon;
    c->kl = b.kl;
    c->hellinger = b.hellinger;
    c->chisq = b.chisq;
    return MLOPS_OK;
}

static int need_values(const char *fn, const mlops_profile *p, const char *side)
{
    uint64_t n = p->kind == MLOPS_PROFILE_NUMERIC ? p->kll.n : p->total;
    if (n == 0) return mlops__err(MLOPS_EINVAL, "%s: the %s profile has no value", fn, side);
    return MLOPS_OK;
}

/* Categorical: union of categories (sorted by key), plus one "other"
 * category for the mass a non-exact summary no longer lists. */
static int compare_freq(mlops_profile_comparison *c, const mlops__freq *a, uint64_t na,
                        const mlops__freq *b, uint64_t nb)
{
    const mlops__freq_entry **ea = NULL, **eb = NULL;
    int rc = mlops__freq_sorted(a, &ea);
    if (!rc) rc = mlops__freq_sorted(b, &eb);
    size_t cap = a->n + b->n + 1;
    uint64_t *ca = calloc(cap, sizeof *ca), *cb = calloc(cap, sizeof *cb);
    if (!rc && (!ca || !cb)) rc = mlops__err_nomem("comparing categories");
    if (rc) goto out;
    size_t i = 0, j = 0, k = 0;
    uint64_t sa = 0, sb = 0;
    while (i < a->n || j < b->n) {
        int cmp;
        if (i >= a->n)
            cmp = 1;
        else if (j >= b->n)
            cmp = -1;
        else {
            uint32_t l = ea[i]->len < eb[j]->len ? ea[i]->len : eb[j]->len;
            cmp = memcmp(ea[i]->key, eb[j]->key, l);
            if (!cmp) cmp = (ea[i]->len > eb[j]->len) - (ea[i]->len < eb[j]->len);
        }
        if (cmp <= 0) sa += ca[k] = ea[i++]->count;
        if (cmp >= 0) sb += cb[k] = eb[j++]->count;
        k++;
    }
    if (sa < na || sb < nb) {
        ca[k] = na - sa;
        cb[k] = nb - sb;
        k++;
    }
    rc = binned_fill(c, ca, cb, k);
    if (!rc) {
        c->ks_statistic = c->ks_error = c->ks_p_value = c->ks_p_low = c->ks_p_high = NAN;
        c->ks_verdict = c->chisq.p_value < c->alpha ? MLOPS_VERDICT_DRIFT : MLOPS_VERDICT_NO_DRIFT;
        c->n_ref = na;
        c->n_cur = nb;
    }
out:
    free(ea);
    free(eb);
    free(ca);
    free(cb);
    return rc;
}

MLOPS_API int mlops_profile_compare(mlops_profile *ref, mlops_profile *cur, mlops_profile_comparison *c)
{
    return mlops__profile_compare_view(__func__, ref, NULL, cur, 0, c);
}

int mlops__profile_compare_view(const char *fn, mlops_profile *ref, const mlops__kll_view *ref_view,
                                mlops_profile *cur, int drift_only, mlops_profile_comparison *c)
{
    int rc = check_cmp(fn, ref, c);
    if (rc) return rc;
    if (!cur) return mlops__err_null(fn, "cur");
    rc = mlops__profile_check_pair(fn, ref, cur);
    if (!rc) rc = need_values(fn, ref, "reference");
    if (!rc) rc = need_values(fn, cur, "current");
    if (rc) return rc;
    reset(c);
    if (ref->kind == MLOPS_PROFILE_CATEGORICAL)
        return compare_freq(c, &ref->freq, ref->total, &cur->freq, cur->total);
    rc = binned_fill(c, ref->bin_counts, cur->bin_counts, ref->n_edges + 1);
    if (rc) return rc;
    mlops__kll_view own = { NULL, NULL, 0 }, v2;
    if (!ref_view) {
        rc = mlops__kll_sorted_view(&ref->kll, &own.v, &own.w, &own.n);
        if (rc) return rc;
        ref_view = &own;
    }
    rc = mlops__kll_sorted_view(&cur->kll, &v2.v, &v2.w, &v2.n);
    if (rc) {
        mlops__kll_view_free(&own);
        return rc;
    }
    uint64_t n1 = ref->kll.n, n2 = cur->kll.n;
    double d = sketch_ks(ref_view->v, ref_view->w, ref_view->n, n1, v2.v, v2.w, v2.n, n2);
    ks_verdict(c, d, (double)ref->kll.err / (double)n1 + (double)cur->kll.err / (double)n2, n1, n2,
               drift_only);
    c->n_ref = n1;
    c->n_cur = n2;
    mlops__kll_view_free(&own);
    mlops__kll_view_free(&v2);
    return MLOPS_OK;
}

int mlops__kll_view_get(const mlops_profile *p, mlops__kll_view *out)
{
    memset(out, 0, sizeof *out);
    if (p->kind != MLOPS_PROFILE_NUMERIC) return MLOPS_OK;
    return mlops__kll_sorted_view(&p->kll, &out->v, &out->w, &out->n);
}

void mlops__kll_view_free(mlops__kll_view *v)
{
    free(v->v);
    free(v->w);
    memset(v, 0, sizeof *v);
}

MLOPS_API int mlops_profile_compare_values(mlops_profile *ref, const double *cur, size_t ncur,
                                 mlops_profile_comparison *c)
{
    int rc = check_cmp(__func__, ref, c);
    if (rc) return rc;
    if (ref->kind != MLOPS_PROFILE_NUMERIC)
        return mlops__err(MLOPS_EINVAL, "%s: the profile is categorical: use mlops_profile_compare_strings", __func__);
    rc = mlops__profile_freeze(ref);
    if (!rc) rc = need_values(__func__, ref, "reference");
    if (rc) return rc;
    mlops__sample b;
    rc = mlops__sample_load(__func__, "cur", cur, ncur, 1, 1, &b);
    if (rc) return rc;
    reset(c);
    uint64_t *cc = calloc(ref->n_edges + 1, sizeof *cc);
    double *v1 = NULL;
    uint64_t *w1 = NULL;
    size_t m1 = 0;
    if (!cc) rc = mlops__err_nomem(__func__);
    if (!rc) {
        mlops__bin_add(b.v, b.n, ref->edges, ref->n_edges, cc);
        rc = binned_fill(c, ref->bin_counts, cc, ref->n_edges + 1);
    }
    if (!rc) rc = mlops__kll_sorted_view(&ref->kll, &v1, &w1, &m1);
    if (!rc) {
        uint64_t n1 = ref->kll.n;
        double d = sketch_ks(v1, w1, m1, n1, b.v, NULL, b.n, b.n);
        ks_verdict(c, d, (double)ref->kll.err / (double)n1, n1, b.n, 0);
        c->n_ref = n1;
        c->n_cur = b.n;
    }
    free(cc);
    free(v1);
    free(w1);
    mlops__sample_free(&b);
    return rc;
}

MLOPS_API int mlops_profile_compare_strings(mlops_profile *ref, const char *const *cur, size_t ncur,
                                  mlops_profile_comparison *c)
{
    int rc = check_cmp(__func__, ref, c);
    if (rc) return rc;
    if (ref->kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__err(MLOPS_EINVAL, "%s: the profile is numeric: use mlops_profile_compare_values", __func__);
    if (mlops__check_array(__func__, "cur", cur, ncur, sizeof *cur)) return MLOPS_EINVAL;
    rc = need_values(__func__, ref, "reference");
    if (rc) return rc;
    /* The batch is counted exactly: a profile whose cap never binds. */
    mlops_profile_opts o = ref->opts;
    o.max_categories = 1u << 24;
    mlops_profile *b;
    rc = mlops__profile_alloc(MLOPS_PROFILE_CATEGORICAL, &o, &b);
    if (rc) return rc;
    b->freq.cap = UINT32_MAX;
    rc = mlops_profile_add_strings(b, cur, ncur);
    if (!rc && b->total == 0)
        rc = mlops__err(MLOPS_EINVAL, "%s: 'cur' has no value (%zu missing)", __func__, ncur);
    if (!rc) {
        reset(c);
        rc = compare_freq(c, &ref->freq, ref->total, &b->freq, b->total);
    }
    mlops_profile_free(b);
    return rc;
}
