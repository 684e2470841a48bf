/* Internal interface of the drift subsystem: sorting, special functions,
 * the KS distributions, binning, sketches and profiles. */
#ifndef MLOPS_DRIFT_INTERNAL_H
#define MLOPS_DRIFT_INTERNAL_H

#include "mlops/drift.h"

#include <stddef.h>
#include <stdint.h>

/* ---- sort.c: cleaning and sorting ---------------------------------------- */

/* A finite, sorted copy of a sample and what was left out. */
typedef struct mlops__sample {
    double *v;   /* malloc'd, ascending, -0.0 stored as +0.0 */
    size_t n;
    uint64_t nan, inf;
} mlops__sample;

/* Copies the finite values of x[0..n) into s->v (sorted when sort != 0)
 * and counts NaN and +-Inf. `func` and `side` name the caller and the
 * argument in messages. MLOPS_EINVAL when x is NULL with n > 0, or when
 * require_values and no finite value remains; MLOPS_ENOMEM. */
int mlops__sample_load(const char *func, const char *side, const double *x, size_t n, int sort,
                       int require_values, mlops__sample *s);
void mlops__sample_free(mlops__sample *s);
/* Loads and sorts both samples ("ref" and "cur"), the two sorts on two
 * threads when both are large. Nothing to free on failure. */
int mlops__sample_load_pair(const char *func, const double *ref, size_t nref, const double *cur,
                            size_t ncur, mlops__sample *a, mlops__sample *b);

/* Sorts n doubles (no NaN) ascending, stably: an interpolation bucket sort
 * for values spread evenly, else an LSD radix sort on their IEEE-754 bit
 * patterns. tmp holds n doubles of scratch (NULL: allocated).
 * MLOPS_ENOMEM only when tmp is NULL and allocation fails. */
int mlops__sort_doubles(double *v, size_t n, double *tmp);
/* The same with the caller's scratch: tmp of n doubles and
 * MLOPS__SORT_SCRATCH uint32_t. Never fails. */
#define MLOPS__SORT_SCRATCH (6u * 2048u)
void mlops__sort_doubles_scratch(double *v, size_t n, double *tmp, uint32_t *scratch);
/* The same, leaving the sorted values in v or in tmp, whichever saves a
 * copy: returns which. */
double *mlops__sort_doubles_either(double *v, size_t n, double *tmp, uint32_t *scratch);
/* The second pass of a block's two-pass moments: the deviations from
 * mean, d = v[i] - mean, added in order from 0.0: d2 = sum of d * d, d1
 * = sum of d (mlops__moments_of_sum's loop). */
typedef struct mlops__deviations {
    double mean, d2, d1;
} mlops__deviations;
/* mlops__sort_doubles_either that also fills dev's d2 and d1 from v as it
 * came (dev->mean given; dev NULL: none), along the sort's first pass when
 * it has one that reads v in order. */
double *mlops__sort_doubles_dev(double *v, size_t n, double *tmp, uint32_t *scratch, mlops__deviations *dev);

/* Compensated (Neumaier) running sum. */
typedef struct mlops__ksum {
    double s, c;
} mlops__ksum;
static inline void mlops__ksum_add(mlops__ksum *k, double x)
{
    double t = k->s + x;
    if ((k->s >= 0 ? k->s : -k->s) >= (x >= 0 ? x : -x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}
static inline double mlops__ksum_get(const mlops__ksum *k) { return k->s + k->c; }

static inline uint64_t mlops__gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* ---- special.c: special functions ----------------------------------------- */

/* Regularised upper incomplete gamma Q(a, x) and its natural log. */
double mlops__gamma_q(double a, double x);
double mlops__log_gamma_q(double a, double x);
/* Chi-square survival function (scipy.stats.chi2.sf) and its log. */
double mlops__chi2_sf(double x, double dof);
double mlops__chi2_logsf(double x, double dof);
/* Standard normal two-sided tail 2*(1 - Phi(|z|)) and its log. */
double mlops__norm_2sf(double z);
double mlops__norm_log_2sf(double z);
/* Modified Bessel function of the second kind K_nu(x) * exp(x), x > 0. */
double mlops__bessel_k_scaled(double nu, double x);
/* log(1 + x) - x, accurate near 0. */
double mlops__log1pmx(double x);
/* log(exp(a) + exp(b)). */
double mlops__logaddexp(double a, double b);

/* ---- kolmogorov.c: one-sample KS distributions ----------------------------- */

/* scipy.stats.kstwo.sf(d, n) (Simard & L'Ecuyer's choice of method), and
 * its natural log, finite where the survival function underflows. */
double mlops__kstwo_sf(int64_t n, double d, double *log_sf);
/* scipy.special.smirnov(n, d): the one-sided survival function, and its log. */
double mlops__smirnov_sf(int64_t n, double d, double *log_sf);
/* The same with the Birnbaum-Tingey sum always taken term by term (the
 * reference the sampled sum is tested against). */
double mlops__smirnov_sf_direct(int64_t n, double d, double *log_sf);
/* log(x sum_{v<=last} f(v)) of the Birnbaum-Tingey terms f from every h-th
 * term (smirnov_sampled.c); 0 when the terms are too few or not one smooth
 * bump clear of both ends, and the sum must be taken term by term. */
int mlops__smirnov_log_sum_sampled(int64_t n, double x, int64_t last, double *log_sum);
/* log P(K > z) for Kolmogorov's limiting law, P(K > z) =
 * 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 z^2); meant for z >= 1, where the
 * series converges in a few terms. Finite for every finite z > 0. */
double mlops__kolmogorov_log_sf(double z);

/* ---- ks.c ------------------------------------------------------------------ */

/* D of two sorted samples, exactly as scipy computes it. */
double mlops__ks_statistic(const double *a, size_t na, const double *b, size_t nb);
/* The one-sided statistics D+ = max(F_a - F_b) and D- = max(F_b - F_a)
 * clipped to [0, 1], as scipy computes them; D = max(D+, D-). */
void mlops__ks_one_sided(const double *a, size_t na, const double *b, size_t nb, double *dplus,
                         double *dminus);
/* The KS p-value of D for an alternative (MLOPS_KS_TWO_SIDED, _LESS,
 * _GREATER), as mlops__ks_pvalue below. */
void mlops__ks_pvalue_alt(double d, uint64_t n1, uint64_t n2, int alternative, int method,
                          double *d_out, double *p, double *log_p, int *method_used);
/* The KS p-value for D between samples of sizes n1, n2 (method auto, exact
 * or asymptotic): fills statistic (snapped on the exact path), p, log p and
 * the method used. */
void mlops__ks_pvalue(double d, uint64_t n1, uint64_t n2, int method, double *d_out,
                      double *p, double *log_p, int *method_used);

/* ---- cdf_distance.c, cvm.c (sorted, finite, non-empty samples) ----------- */

double mlops__wasserstein_sorted(const double *a, size_t na, const double *b, size_t nb);
double mlops__energy_sorted(const double *a, size_t na, const double *b, size_t nb);
/* Cramer-von Mises; MLOPS_ENOMEM possible on the exact path. */
int mlops__cvm_sorted(const double *a, size_t na, const double *b, size_t nb,
                      mlops_test_result *out);
/* The same with a chosen method (MLOPS_CVM_*). */
int mlops__cvm_sorted_method(const double *a, size_t na, const double *b, size_t nb, int method,
                             mlops_test_result *out);
/* (4 nx ny - 1) / (6 (nx + ny)), the offset in T, rounded once from the
 * integers (as Python's int / int rounds it for scipy). */
double mlops__cvm_offset(uint64_t nx, uint64_t ny);

/* ---- binned.c --------------------------------------------------------------- */

/* numpy.quantile(sorted, q) with linear interpolation, sorted ascending, n > 0. */
double mlops__quantile_sorted(const double *sorted, size_t n, double q);
/* Interior edges of a sorted sample for `bins` quantile bins, duplicates
 * removed: writes at most bins-1 values to edges, returns how many. */
size_t mlops__edges_from_sorted(const double *sorted, size_t n, size_t bins, double *edges);
/* Adds the bin counts of finite values of x[0..n) to counts[0..ne]. */
void mlops__bin_add(const double *x, size_t n, const double *edges, size_t ne, uint64_t *counts);
/* The same, and *sum += x[i] for every value, one after another in order
 * (the bits of a plain summing loop). */
void mlops__bin_add_sum(const double *x, size_t n, const double *edges, size_t ne, uint64_t *counts,
                        double *sum);
/* Every binned figure from two count vectors that have already been
 * validated (non-negative, finite, both sums > 0); categories empty on
 * both sides are ignored. */
int mlops__binned_from_counts(const double *p, const double *q, size_t k, mlops_binned_result *out);
/* Chi-square homogeneity test of two validated count vectors. */
void mlops__chisq_counts(const double *p, const double *q, size_t k, mlops_test_result *out,
                         double *log_p);
/* Checks edges: finite and strictly increasing. */
int mlops__check_edges(const char *fn, const double *edges, size_t ne);
/* Two-proportion pooled z-test of x1/n1 against x2/n2. */
void mlops__ztest_counts(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, mlops_test_result *out);
/* Checks count vectors: MLOPS_EINVAL naming func when one is bad. */
int mlops__check_counts(const char *func, const double *p, const double *q, size_t k);

/* ---- kll.c: deterministic quantile sketch ------------------------------------
 * Levels 0..L-1 of compactors of capacity k. Level 0 holds raw values in
 * arrival order; a level h >= 1 holds sorted values of weight 2^h. A level
 * reaching k items is compacted: sorted, one item held back when the count
 * is odd (the largest), and every other item kept (offset alternating with
 * the level's compaction count, no randomness) and merged into level h+1.
 * One compaction moves any rank by at most its weight 2^h; err sums those
 * weights, so |estimated rank - true rank| <= err for every query. */

typedef struct mlops__kll_level {
    double *v;
    uint32_t n, cap;
} mlops__kll_level;

/* A full level-0 block, in arrival order: the mean of its values (from
 * the profile's running sum), then, once the sort has added their
 * deviations from it, the block's moments. */
typedef double (*mlops__kll_block_mean_fn)(void *ctx, const double *block, size_t n);
typedef void (*mlops__kll_block_fn)(void *ctx, size_t n, const mlops__deviations *dev);

typedef struct mlops__kll {
    uint32_t k;               /* compactor capacity (even) */
    uint32_t nlevels;
    mlops__kll_level *levels;
    uint64_t *parity;         /* per level: compactions done */
    uint64_t n;               /* values seen */
    uint64_t err;             /* sum of the weights of compactions */
    double *tmp;              /* scratch: k doubles (NULL until level 0 first fills) */
    uint32_t *hist;           /* scratch for the radix sort (likewise) */
    double *wide;             /* scratch: 2k doubles, for merges past k items
                                 (NULL until one) */
    mlops__kll_block_mean_fn block_mean; /* both or neither: see above */
    mlops__kll_block_fn on_block;
    void *block_ctx;
} mlops__kll;

int mlops__kll_init(mlops__kll *s, uint32_t k);
void mlops__kll_free(mlops__kll *s);
/* Adds finite values; the profile's block callback sees each full block. */
int mlops__kll_add(mlops__kll *s, const double *x, size_t n);
/* Merges from (whose level-0 values are added as new arrivals). */
int mlops__kll_merge(mlops__kll *into, const mlops__kll *from);
/* Sorted retained items with weights (malloc'd); *n_out items. */
int mlops__kll_sorted_view(const mlops__kll *s, double **vals, uint64_t **weights, size_t *n_out);

/* Sets level h's items (copied); used by the decoder. */
int mlops__kll_set_level(mlops__kll *s, uint32_t h, const double *v, uint32_t n, uint64_t parity);
/* Checks the decoder's result: levels >= 1 sorted and below k, weights sum to n. */
int mlops__kll_check(const mlops__kll *s);

/* ---- freq.c: categorical counts ------------------------------------------- */

typedef struct mlops__freq_entry {
    char *key;
    uint32_t len;
    uint64_t count;
} mlops__freq_entry;

typedef struct mlops__freq {
    uint32_t cap;          /* max categories */
    int exact;             /* 0 once counts were ever reduced */
    uint64_t err;          /* bound on any count's undercount */
    size_t n;              /* entries in use */
    size_t slots;          /* hash table size (power of two) */
    mlops__freq_entry *tab;
} mlops__freq;

int mlops__freq_init(mlops__freq *f, uint32_t cap);
void mlops__freq_free(mlops__freq *f);
int mlops__freq_add(mlops__freq *f, const char *key, uint32_t len, uint64_t count);
uint64_t mlops__freq_get(const mlops__freq *f, const char *key, uint32_t len);
/* Entries sorted by key bytes (malloc'd array of pointers into f; NULL
 * on failure). */
int mlops__freq_sorted(const mlops__freq *f, const mlops__freq_entry ***out);
int mlops__freq_merge(mlops__freq *into, const mlops__freq *from);

/* ---- profile.c -------------------------------------------------------------- */

#define MLOPS__PROFILE_FORMAT_VERSION 1
#define MLOPS__PROFILE_CHUNK 4096

/* Moments of a set of values: count, mean, sum of squared deviations. */
typedef struct mlops__moments {
    uint64_t n;
    double mean, m2;
} mlops__moments;

/* Chan et al.'s pairwise update: a then b. */
void mlops__moments_merge(mlops__moments *a, const mlops__moments *b);
/* Two-pass moments of x[0..n). */
void mlops__moments_of(const double *x, size_t n, mlops__moments *out);
/* The same given sum, x[0] + x[1] + ... added in order from 0.0 (the
 * first pass of mlops__moments_of, done elsewhere). */
void mlops__moments_of_sum(const double *x, size_t n, double sum, mlops__moments *out);
/* The moments of n values from their deviations (dev->mean = sum / n). */
void mlops__moments_of_dev(size_t n, const mlops__deviations *dev, mlops__moments *out);

struct mlops_profile {
    int kind;
    mlops_profile_opts opts;  /* opts.edges is NULL here: see edges below */
    /* numeric */
    uint64_t nan, inf;
    double min, max;          /* of finite values; +Inf/-Inf while none */
    mlops__moments blocks;    /* moments of the completed sketch blocks */
    int frozen;
    int fixed_edges;          /* edges given by the caller */
    double *edges;            /* frozen interior edges */
    size_t n_edges;
    uint64_t *bin_counts;     /* n_edges + 1 once frozen */
    double *pending;          /* finite values kept until the edges freeze */
    size_t n_pending;
    double *chunk;            /* scratch: up to MLOPS__PROFILE_CHUNK finite values,
                                 sized by the largest add so far */
    size_t chunk_cap;
    mlops__kll kll;           /* kll.n counts the finite values */
    double block_sum;         /* kll.levels[0].v[0 .. block_sum_n) added in order,
                                 the first pass of on_block's moments, summed
                                 while binning (stale when block_sum_n is not
                                 level 0's count: the sketch took values from
                                 elsewhere, a merge or the decoder) */
    uint32_t block_sum_n;
    /* categorical */
    uint64_t missing;
    uint64_t total;           /* non-missing values */
    mlops__freq freq;
};

int mlops__profile_alloc(int kind, const mlops_profile_opts *opts, mlops_profile **out);

/* Scratch lent to profiles built one after another on one thread (a
 * monitor's windows x columns): the value chunk and the sketch's sort
 * buffers (about 100 KB at the default k) then exist once per thread
 * instead of staying in every profile. Lend before adding, take back
 * after; a profile keeps working without it (it allocates its own). */
typedef struct mlops__profile_scratch {
    double *chunk;
    size_t chunk_cap;
    double *tmp;      /* k doubles, of the sketch it last served */
    uint32_t tmp_k;
    uint32_t *hist;   /* MLOPS__SORT_SCRATCH */
    double *wide;     /* 2 tmp_k doubles, likewise */
    uint32_t wide_k;
} mlops__profile_scratch;
void mlops__profile_lend_scratch(mlops_profile *p, mlops__profile_scratch *sc);
/* Moves p's scratch (lent or its own) into sc; p keeps none. */
void mlops__profile_take_scratch(mlops_profile *p, mlops__profile_scratch *sc);
void mlops__profile_scratch_free(mlops__profile_scratch *sc);
/* Moments of every finite value so far (blocks plus the sketch's level 0). */
void mlops__profile_moments(const mlops_profile *p, mlops__moments *out);
/* Freezes a numeric profile's edges from its pending values (no-op when frozen). */
int mlops__profile_freeze(mlops_profile *p);
/* Same kind and options, both frozen, same edges (else MLOPS_ECONFLICT). */
int mlops__profile_check_pair(const char *fn, mlops_profile *a, mlops_profile *b);

/* A numeric profile's sorted view, kept to compare one reference with
 * many profiles (a monitor check judges every window against the same
 * references): mlops__kll_view_get fills it (left empty for a
 * categorical profile), mlops__kll_view_free empties it. */
typedef struct mlops__kll_view {
    double *v;
    uint64_t *w;
    size_t n;
} mlops__kll_view;
int mlops__kll_view_get(const mlops_profile *p, mlops__kll_view *out);
void mlops__kll_view_free(mlops__kll_view *v);
/* mlops_profile_compare (errors named for fn) with ref_view, the sorted
 * view of ref's sketch as it is now (NULL: computed here); the result is
 * the same either way. drift_only, for a caller that reads neither
 * ks_p_low nor more of the KS verdict than whether it is drift: ks_p_low
 * is NaN when the sketches' error would give it its own p-value, and a KS
 * verdict short of drift is MLOPS_VERDICT_INCONCLUSIVE; every other
 * figure is as without it. */
int mlops__profile_compare_view(const char *fn, mlops_profile *ref, const mlops__kll_view *ref_view,
                                mlops_profile *cur, int drift_only, mlops_profile_comparison *c);
/* Sets a numeric profile's frozen edges (copied) and zero counts. */
int mlops__profile_set_edges(mlops_profile *p, const double *edges, size_t n_edges);


/* ---- report_hist.c: chart data of a report's columns -------------------- */

#include "util/arena.h"

/* Bars or bins of one column, in one malloc'd block. */
typedef struct mlops__drift_hist {
    size_t n;
    double *edges;     /* n + 1, or NULL */
    double *values;    /* n, or NULL */
    uint64_t *ref, *cur;
    int clipped;
    void *block;
} mlops__drift_hist;

/* From the sorted finite samples of a column (any thread); fn names the
 * public function in messages. */
int mlops__drift_hist_compute(const char *fn, int kind, const mlops__sample *a,
                              const mlops__sample *b, mlops__drift_hist *h);
/* How a method's verdict is reached (report.c): on a p-value (drift when
 * below the threshold) or a distance (drift when above), and whether
 * equality counts as drift. MLOPS_EINVAL for an unknown method. */
int mlops__drift_method_rule(int method, int *is_p_value, int *inclusive);
/* Copies h into the report's arena and the column's hist_* fields. */
int mlops__drift_hist_attach(const char *fn, mlops__arena *ar, mlops__drift_hist *h,
                            mlops_drift_column_result *r);
void mlops__drift_hist_free(mlops__drift_hist *h);

#endif
