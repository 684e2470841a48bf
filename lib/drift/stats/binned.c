/* Frozen reference-quantile bins and the distances computed on them (PSI,
 * Jensen-Shannon, KL, Hellinger) and the chi-square homogeneity test on
 * two count vectors. Binning is O(n) once the edges exist. */
#include "drift/drift_internal.h"
#include "util/err.h"
#include "util/opts.h"

#include <math.h>
#include <stddef.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif
#include <stdlib.h>
#include <string.h>

#define PROPORTION_FLOOR 1e-4
#define MAX_BINS ((size_t)1 << 24)

double mlops__quantile_sorted(const double *v, size_t n, double q)
{
    /* numpy's 'linear' method: virtual index (n-1)q, then its _lerp. */
    double vi = (double)(n - 1) * q;
    if (vi >= (double)(n - 1)) return v[n - 1];
    if (vi < 0) return v[0];
    double prev = floor(vi);
    size_t i = (size_t)prev;
    double g = vi - prev;
    double a = v[i], b = v[i + 1];
    double diff = b - a;
    if (g >= 0.5) return b - diff * (1.0 - g);
    return a + diff * g;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

size_t mlops__edges_from_sorted(const double *sorted, size_t n, size_t bins, double *edges)
{
    for (size_t i = 1; i < bins; i++)
        edges[i - 1] = mlops__quantile_sorted(sorted, n, (double)i / (double)bins);
    /* Interpolation keeps them ordered up to an ulp: sort, then unique. */
    qsort(edges, bins - 1, sizeof *edges, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i + 1 < bins; i++)
        if (m == 0 || edges[i] != edges[m - 1]) edges[m++] = edges[i] + 0.0;
    return m;
}

/* The bin of x: the number of edges strictly below x. */
static inline size_t bin_of(double x, const double *e, size_t ne)
{
    if (ne <= 16) {
        size_t c = 0;
        for (size_t i = 0; i < ne; i++) c += e[i] < x;
        return c;
    }
    size_t lo = 0, hi = ne;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#if defined(HAVE_AVX2_PATH)
/* The edges below each of xb[0..m) into idx, sixteen values at a time in
 * four 256-bit registers (the same compares as the SSE2 loop below, twice
 * as wide), *s += each value in order; returns how many it did (a multiple
 * of 16). Only called where the CPU has AVX2. */
__attribute__((target("avx2"))) static size_t edges_below_avx2(const double *xb, size_t m, const double *e, size_t ne,
                                                               uint64_t *idx, double *s, int with_sum)
{
    size_t j0 = 0;
    double sum = *s;
    for (; j0 + 16 <= m; j0 += 16) {
        __m256d x0 = _mm256_loadu_pd(xb + j0), x1 = _mm256_loadu_pd(xb + j0 + 4);
        __m256d x2 = _mm256_loadu_pd(xb + j0 + 8), x3 = _mm256_loadu_pd(xb + j0 + 12);
        __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t k = 0; k < ne; k++) {
            __m256d ek = _mm256_set1_pd(e[k]);
            a0 = _mm256_sub_epi64(a0, _mm256_castpd_si256(_mm256_cmp_pd(x0, ek, _CMP_GT_OQ)));
            a1 = _mm256_sub_epi64(a1, _mm256_castpd_si256(_mm256_cmp_pd(x1, ek, _CMP_GT_OQ)));
            a2 = _mm256_sub_epi64(a2, _mm256_castpd_si256(_mm256_cmp_pd(x2, ek, _CMP_GT_OQ)));
            a3 = _mm256_sub_epi64(a3, _mm256_castpd_si256(_mm256_cmp_pd(x3, ek, _CMP_GT_OQ)));
        }
        _mm256_storeu_si256((__m256i *)(void *)(idx + j0), a0);
        _mm256_storeu_si256((__m256i *)(void *)(idx + j0 + 4), a1);
        _mm256_storeu_si256((__m256i *)(void *)(idx + j0 + 8), a2);
        _mm256_storeu_si256((__m256i *)(void *)(idx + j0 + 12), a3);
        if (with_sum)
            for (size_t j = j0; j < j0 + 16; j++) sum += xb[j];
    }
    *s = sum;
    return j0;
}
#endif

/* The bin counts of x[0..n) and, when sum is not NULL, *sum += x[i] in
 * order (one addition after another, so the bits are those of a plain
 * loop): a profile's block sum then rides along the compares, which keep
 * the vector units busy while the serial additions wait on each other. */
static void bin_add_sum(const double *x, size_t n, const double *e, size_t ne, uint64_t *counts, double *sum)
{
    double s = sum ? *sum : 0.0;
    if (ne > 32) {
        for (size_t i = 0; i < n; i++) {
            double t = x[i];
            if (sum) s += t;
            if (isfinite(t)) counts[bin_of(t, e, ne)]++;
        }
        if (sum) *sum = s;
        return;
    }
    /* Few edges: count the edges below each value edge by edge over a block,
     * a loop the compiler vectorises, then tally. The tally goes to four
     * tables in turn, summed at the end: neighbours often share a bin, and
     * increments of one counter would each wait on the previous one's
     * store. */
    enum { BLOCK = 256, TABLES = 4 };
#if defined(HAVE_AVX2_PATH)
    int avx2 = __builtin_cpu_supports("avx2");
#endif
    uint64_t idx[BLOCK]; /* 64-bit lanes, as the double compares */
    uint64_t tally[TABLES][33];
    memset(tally, 0, sizeof tally);
    for (size_t base = 0; base < n; base += BLOCK) {
        size_t m = n - base < BLOCK ? n - base : BLOCK;
        const double *xb = x + base;
        size_t j0 = 0;
#if defined(HAVE_AVX2_PATH)
        if (avx2) j0 = edges_below_avx2(xb, m, e, ne, idx, &s, sum != NULL);
#endif
#if defined(__SSE2__)
        /* Eight values at a time, in four independent registers, so that
         * each edge's compares overlap instead of waiting on one
         * accumulator; a compare mask is -1 per lane. */
        for (; j0 + 8 <= m; j0 += 8) {
            __m128d x0 = _mm_loadu_pd(xb + j0), x1 = _mm_loadu_pd(xb + j0 + 2);
            __m128d x2 = _mm_loadu_pd(xb + j0 + 4), x3 = _mm_loadu_pd(xb + j0 + 6);
            __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
            for (size_t k = 0; k < ne; k++) {
                __m128d ek = _mm_set1_pd(e[k]);
                a0 = _mm_sub_epi64(a0, _mm_castpd_si128(_mm_cmpgt_pd(x0, ek)));
                a1 = _mm_sub_epi64(a1, _mm_castpd_si128(_mm_cmpgt_pd(x1, ek)));
                a2 = _mm_sub_epi64(a2, _mm_castpd_si128(_mm_cmpgt_pd(x2, ek)));
                a3 = _mm_sub_epi64(a3, _mm_castpd_si128(_mm_cmpgt_pd(x3, ek)));
            }
            _mm_storeu_si128((__m128i *)(void *)(idx + j0), a0);
            _mm_storeu_si128((__m128i *)(void *)(idx + j0 + 2), a1);
            _mm_storeu_si128((__m128i *)(void *)(idx + j0 + 4), a2);
            _mm_storeu_si128((__m128i *)(void *)(idx + j0 + 6), a3);
            if (sum)
                for (size_t j = j0; j < j0 + 8; j++) s += xb[j];
        }
        for (; j0 + 2 <= m; j0 += 2) {
            __m128d xv = _mm_loadu_pd(xb + j0);
            __m128i acc = _mm_setzero_si128();
            for (size_t k = 0; k < ne; k++)
                acc = _mm_sub_epi64(acc, _mm_castpd_si128(_mm_cmpgt_pd(xv, _mm_set1_pd(e[k]))));
            _mm_storeu_si128((__m128i *)(void *)(idx + j0), acc);
            if (sum) {
                s += xb[j0];
                s += xb[j0 + 1];
            }
        }
#endif
        for (size_t j = j0; j < m; j++) {
            idx[j] = bin_of(xb[j], e, ne);
            if (sum) s += xb[j];
        }
        /* t - t == 0 exactly when t is finite (NaN and Inf count nowhere). */
        size_t j = 0;
        for (; j + TABLES <= m; j += TABLES)
            for (size_t u = 0; u < TABLES; u++) tally[u][idx[j + u]] += xb[j + u] - xb[j + u] == 0.0;
        for (; j < m; j++) tally[0][idx[j]] += xb[j] - xb[j] == 0.0;
    }
    for (size_t b = 0; b <= ne; b++) counts[b] += tally[0][b] + tally[1][b] + tally[2][b] + tally[3][b];
    if (sum) *sum = s;
}

void mlops__bin_add(const double *x, size_t n, const double *e, size_t ne, uint64_t *counts)
{
    bin_add_sum(x, n, e, ne, counts, NULL);
}

void mlops__bin_add_sum(const double *x, size_t n, const double *e, size_t ne, uint64_t *counts, double *sum)
{
    bin_add_sum(x, n, e, ne, counts, sum);
}

int mlops__check_counts(const char *func, const double *p, const double *q, size_t k)
{
    if (!p) return mlops__err_null(func, "ref_counts");
    if (!q) return mlops__err_null(func, "cur_counts");
    if (k == 0) return mlops__err(MLOPS_EINVAL, "%s: no categories (k = 0)", func);
    if (mlops__check_array(func, "ref_counts", p, k, sizeof *p)) return MLOPS_EINVAL;
    double sp = 0.0, sq = 0.0;
    for (size_t i = 0; i < k; i++) {
        if (!(p[i] >= 0.0) || !isfinite(p[i]))
            return mlops__err(MLOPS_EINVAL, "%s: ref_counts[%zu] is %g (counts must be finite and >= 0)",
                              func, i, p[i]);
        if (!(q[i] >= 0.0) || !isfinite(q[i]))
            return mlops__err(MLOPS_EINVAL, "%s: cur_counts[%zu] is %g (counts must be finite and >= 0)",
                              func, i, q[i]);
        sp += p[i];
        sq += q[i];
    }
    if (!(sp > 0.0)) return mlops__err(MLOPS_EINVAL, "%s: ref_counts are all zero", func);
    if (!(sq > 0.0)) return mlops__err(MLOPS_EINVAL, "%s: cur_counts are all zero", func);
    return MLOPS_OK;
}

static double rel_entr(double x, double y)
{
    if (x > 0 && y > 0) return x * log(x / y);
    if (x == 0 && y >= 0) return 0.0;
    return INFINITY;
}

static int binned_from_counts_opts(const double *pc, const double *qc, size_t k, double base,
                                   int kl_floor, mlops_binned_result *out);

void mlops__chisq_counts(const double *p, const double *q, size_t k, mlops_test_result *out,
                         double *log_p)
{
    double r0 = 0.0, r1 = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < k; i++) {
        if (p[i] == 0.0 && q[i] == 0.0) continue;
        r0 += p[i];
        r1 += q[i];
        used++;
    }
    double total = r0 + r1;
    if (used <= 1) {
        out->statistic = 0.0;
        out->p_value = 1.0;
        if (log_p) *log_p = 0.0;
        return;
    }
    /* Expected = row sum * column sum / total; cells row-major as scipy. */
    mlops__ksum s = { 0.0, 0.0 };
    for (int row = 0; row < 2; row++) {
        const double *o = row ? q : p;
        double rs = row ? r1 : r0;
        for (size_t i = 0; i < k; i++) {
            if (p[i] == 0.0 && q[i] == 0.0) continue;
            double e = rs * (p[i] + q[i]) / total;
            double d = o[i] - e;
            mlops__ksum_add(&s, d * d / e);
        }
    }
    double stat = mlops__ksum_get(&s);
    double dof = (double)(used - 1);
    out->statistic = stat;
    out->p_value = mlops__chi2_sf(stat, dof);
    if (log_p) *log_p = out->p_value > 1e-290 ? log(out->p_value) : mlops__chi2_logsf(stat, dof);
}

int mlops__binned_from_counts(const double *pc, const double *qc, size_t k, mlops_binned_result *out)
{
    return binned_from_counts_opts(pc, qc, k, 0.0, 1, out);
}

/* base: Jensen-Shannon's logarithm base (0 = e); kl_floor: KL on floored
 * proportions (1) or on the proportions as they are (0, scipy's entropy). */
static int binned_from_counts_opts(const double *pc, const double *qc, size_t k, double base,
                                   int kl_floor, mlops_binned_result *out)
{
    double np_ = 0.0, nq = 0.0;
    for (size_t i = 0; i < k; i++) {
        np_ += pc[i];
        nq += qc[i];
    }
    mlops__ksum psi = { 0, 0 }, jl = { 0, 0 }, jr = { 0, 0 }, bc = { 0, 0 }, kl = { 0, 0 };
    double fp_sum = 0.0, fq_sum = 0.0;
    size_t used = 0;
    int kl_inf = 0;
    for (size_t i = 0; i < k; i++) {
        if (pc[i] == 0.0 && qc[i] == 0.0) continue;
        used++;
        double p = pc[i] / np_, q = qc[i] / nq;
        double fp = p > PROPORTION_FLOOR ? p : PROPORTION_FLOOR;
        double fq = q > PROPORTION_FLOOR ? q : PROPORTION_FLOOR;
        mlops__ksum_add(&psi, (fq - fp) * log(fq / fp));
        double m = (p + q) / 2.0;
        mlops__ksum_add(&jl, rel_entr(p, m));
        mlops__ksum_add(&jr, rel_entr(q, m));
        mlops__ksum_add(&bc, sqrt(p * q));
        fp_sum += fp;
        fq_sum += fq;
    }
    for (size_t i = 0; i < k; i++) {
        if (pc[i] == 0.0 && qc[i] == 0.0) continue;
        double p = pc[i] / np_, q = qc[i] / nq;
        double fp = p > PROPORTION_FLOOR ? p : PROPORTION_FLOOR;
        double fq = q > PROPORTION_FLOOR ? q : PROPORTION_FLOOR;
        double term = kl_floor ? rel_entr(fp / fp_sum, fq / fq_sum) : rel_entr(p, q);
        mlops__ksum_add(&kl, term);
        kl_inf |= term == INFINITY;
    }
    out->psi = mlops__ksum_get(&psi);
    double js = mlops__ksum_get(&jl) + mlops__ksum_get(&jr);
    if (base != 0.0) js /= log(base); /* scipy divides the sum, then halves it */
    out->jensen_shannon = js > 0.0 ? sqrt(js / 2.0) : 0.0;
    out->kl = kl_inf ? INFINITY : mlops__ksum_get(&kl); /* the compensation would make it NaN */
    double h = 1.0 - mlops__ksum_get(&bc);
    out->hellinger = h > 0.0 ? sqrt(h) : 0.0;
    mlops__chisq_counts(pc, qc, k, &out->chisq, NULL);
    out->n_bins = used;
    return MLOPS_OK;
}

/* ---- public ---------------------------------------------------------------- */

MLOPS_API int mlops_binned_result_init(mlops_binned_result *r, unsigned version)
{
    static const mlops_binned_result defaults = MLOPS_BINNED_RESULT_INIT;
    return mlops__opts_init(__func__, r, &defaults, sizeof defaults, version,
                            MLOPS_BINNED_RESULT_VERSION);
}

static int check_bins(const char *fn, size_t bins)
{
    if (bins < 2 || bins > MAX_BINS)
        return mlops__err(MLOPS_EINVAL, "%s: bins is %zu (must be 2..%zu)", fn, bins, MAX_BINS);
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_quantile_edges(const double *ref, size_t nref, size_t bins, double **edges,
                               size_t *n_edges)
{
    if (!edges) return mlops__err_null(__func__, "edges");
    if (!n_edges) return mlops__err_null(__func__, "n_edges");
    int rc = check_bins(__func__, bins);
    if (rc) return rc;
    mlops__sample a;
    rc = mlops__sample_load(__func__, "ref", ref, nref, 1, 1, &a);
    if (rc) return rc;
    double *e = malloc((bins - 1) * sizeof *e);
    if (!e) {
        mlops__sample_free(&a);
        return mlops__err_nomem(__func__);
    }
    size_t m = mlops__edges_from_sorted(a.v, a.n, bins, e);
    mlops__sample_free(&a);
    if (m == 0) {
        free(e);
        e = NULL;
    }
    *edges = e;
    *n_edges = m;
    return MLOPS_OK;
}

int mlops__check_edges(const char *fn, const double *edges, size_t ne)
{
    if (mlops__check_array(fn, "edges", edges, ne, sizeof *edges)) return MLOPS_EINVAL;
    for (size_t i = 0; i < ne; i++) {
        if (!isfinite(edges[i]))
            return mlops__err(MLOPS_EINVAL, "%s: edges[%zu] is not finite", fn, i);
        if (i > 0 && !(edges[i] > edges[i - 1]))
            return mlops__err(MLOPS_EINVAL, "%s: edges are not strictly increasing at [%zu]", fn, i);
    }
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_bin_counts(const double *values, size_t n, const double *edges, size_t n_edges,
                           uint64_t *counts)
{
    if (mlops__check_array(__func__, "values", values, n, sizeof *values)) return MLOPS_EINVAL;
    if (!counts) return mlops__err_null(__func__, "counts");
    int rc = mlops__check_edges(__func__, edges, n_edges);
    if (rc) return rc;
    memset(counts, 0, (n_edges + 1) * sizeof *counts);
    mlops__bin_add(values, n, edges, n_edges, counts);
    return MLOPS_OK;
}

/* Bins both samples on the reference's edges; fills the two count vectors. */
static int binned_counts(const char *fn, const double *ref, size_t nref, const double *cur,
                         size_t ncur, size_t bins, double **pc, double **qc, size_t *k)
{
    int rc = check_bins(fn, bins);
    if (rc) return rc;
    if (mlops__check_array(fn, "cur", cur, ncur, sizeof *cur)) return MLOPS_EINVAL;
    mlops__sample a;
    rc = mlops__sample_load(fn, "ref", ref, nref, 1, 1, &a);
    if (rc) return rc;
    double *e = malloc((bins - 1) * sizeof *e);
    uint64_t *cnt = calloc(2 * bins, sizeof *cnt);
    double *p = malloc(2 * bins * sizeof *p);
    if (!e || !cnt || !p) {
        rc = mlops__err_nomem(fn);
        goto out;
    }
    size_t ne = mlops__edges_from_sorted(a.v, a.n, bins, e);
    mlops__bin_add(a.v, a.n, e, ne, cnt);
    mlops__bin_add(cur, ncur, e, ne, cnt + bins);
    uint64_t ncur_finite = 0;
    for (size_t i = 0; i <= ne; i++) ncur_finite += cnt[bins + i];
    if (ncur_finite == 0) {
        rc = mlops__err(MLOPS_EINVAL, "%s: 'cur' has no finite value (%zu values)", fn, ncur);
        goto out;
    }
    for (size_t i = 0; i <= ne; i++) {
        p[i] = (double)cnt[i];
        p[bins + i] = (double)cnt[bins + i];
    }
    *pc = p;
    *qc = p + bins;
    *k = ne + 1;
    p = NULL;
out:
    free(p);
    free(e);
    free(cnt);
    mlops__sample_free(&a);
    return rc;
}

MLOPS_API int mlops_drift_binned(const double *ref, size_t nref, const double *cur, size_t ncur, size_t bins,
                       mlops_binned_result *out)
{
    if (!out) return mlops__err_null(__func__, "out");
    if (out->version == 0 || out->version > MLOPS_BINNED_RESULT_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: out->version is %u", __func__, out->version);
    double *pc, *qc;
    size_t k;
    int rc = binned_counts(__func__, ref, nref, cur, ncur, bins, &pc, &qc, &k);
    if (rc) return rc;
    mlops__binned_from_counts(pc, qc, k, out);
    free(pc);
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_binned_counts(const double *ref_counts, const double *cur_counts, size_t k,
                              mlops_binned_result *out)
{
    if (!out) return mlops__err_null(__func__, "out");
    if (out->version == 0 || out->version > MLOPS_BINNED_RESULT_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: out->version is %u", __func__, out->version);
    int rc = mlops__check_counts(__func__, ref_counts, cur_counts, k);
    if (rc) return rc;
    return mlops__binned_from_counts(ref_counts, cur_counts, k, out);
}

MLOPS_API int mlops_drift_chisq(const double *ref_counts, const double *cur_counts, size_t k,
                      mlops_test_result *out)
{
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__check_counts(__func__, ref_counts, cur_counts, k);
    if (rc) return rc;
    mlops__chisq_counts(ref_counts, cur_counts, k, out, NULL);
    return MLOPS_OK;
}

/* One binned figure by field offset. */
static int binned_one(const char *fn, const double *ref, size_t nref, const double *cur,
                      size_t ncur, size_t bins, double *out, size_t field)
{
    if (!out) return mlops__err_null(fn, "out");
    double *pc, *qc;
    size_t k;
    int rc = binned_counts(fn, ref, nref, cur, ncur, bins, &pc, &qc, &k);
    if (rc) return rc;
    mlops_binned_result r = MLOPS_BINNED_RESULT_INIT;
    mlops__binned_from_counts(pc, qc, k, &r);
    free(pc);
    memcpy(out, (const char *)&r + field, sizeof *out);
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_psi(const double *ref, size_t nref, const double *cur, size_t ncur, size_t bins,
                    double *out)
{
    return binned_one(__func__, ref, nref, cur, ncur, bins, out,
                      offsetof(mlops_binned_result, psi));
}

MLOPS_API int mlops_drift_jensen_shannon(const double *ref, size_t nref, const double *cur, size_t ncur,
                               size_t bins, double *out)
{
    return binned_one(__func__, ref, nref, cur, ncur, bins, out,
                      offsetof(mlops_binned_result, jensen_shannon));
}

MLOPS_API int mlops_drift_kl(const double *ref, size_t nref, const double *cur, size_t ncur, size_t bins,
                   double *out)
{
    return binned_one(__func__, ref, nref, cur, ncur, bins, out,
                      offsetof(mlops_binned_result, kl));
}

MLOPS_API int mlops_drift_hellinger(const double *ref, size_t nref, const double *cur, size_t ncur,
                          size_t bins, double *out)
{
    return binned_one(__func__, ref, nref, cur, ncur, bins, out,
                      offsetof(mlops_binned_result, hellinger));
}

/* ---- options (since 1.1) --------------------------------------------------- */

MLOPS_API int mlops_binned_opts_init(mlops_binned_opts *opts, unsigned version)
{
    static const mlops_binned_opts defaults = MLOPS_BINNED_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_BINNED_OPTS_VERSION);
}

/* opts (NULL: the defaults) checked; *o is what to use. */
static int binned_opts_check(const char *fn, const mlops_binned_opts *opts, mlops_binned_result *out,
                             mlops_binned_opts *o)
{
    static const mlops_binned_opts defaults = MLOPS_BINNED_OPTS_INIT;
    if (!out) return mlops__err_null(fn, "out");
    if (out->version == 0 || out->version > MLOPS_BINNED_RESULT_VERSION)
        return mlops__err(MLOPS_EINVAL, "%s: out->version is %u", fn, out->version);
    if (!opts) opts = &defaults;
    int rc = mlops__opts_check(fn, opts->version, MLOPS_BINNED_OPTS_VERSION, "mlops_binned_opts_init");
    if (rc) return rc;
    if (opts->base != 0.0 && !(opts->base > 1.0 && isfinite(opts->base)))
        return mlops__err(MLOPS_EINVAL, "%s: opts->base is %g (0 for e, else finite and > 1)", fn,
                          opts->base);
    if (opts->kl_floor != 0 && opts->kl_floor != 1)
        return mlops__err(MLOPS_EINVAL, "%s: opts->kl_floor is %d (0 or 1)", fn, opts->kl_floor);
    *o = *opts;
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_binned_opts(const double *ref, size_t nref, const double *cur,
                                      size_t ncur, size_t bins, const mlops_binned_opts *opts,
                                      mlops_binned_result *out)
{
    mlops_binned_opts o = MLOPS_BINNED_OPTS_INIT;
    int rc = binned_opts_check(__func__, opts, out, &o);
    if (rc) return rc;
    double *pc, *qc;
    size_t k;
    rc = binned_counts(__func__, ref, nref, cur, ncur, bins, &pc, &qc, &k);
    if (rc) return rc;
    binned_from_counts_opts(pc, qc, k, o.base, o.kl_floor, out);
    free(pc);
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_binned_counts_opts(const double *ref_counts, const double *cur_counts,
                                             size_t k, const mlops_binned_opts *opts,
                                             mlops_binned_result *out)
{
    mlops_binned_opts o = MLOPS_BINNED_OPTS_INIT;
    int rc = binned_opts_check(__func__, opts, out, &o);
    if (rc) return rc;
    rc = mlops__check_counts(__func__, ref_counts, cur_counts, k);
    if (rc) return rc;
    return binned_from_counts_opts(ref_counts, cur_counts, k, o.base, o.kl_floor, out);
}
