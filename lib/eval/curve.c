/* The binary ranking curve: positives and negatives sorted apart, then
 * merged from the highest score down, one point per distinct score (tied
 * scores share a threshold, so a tie counts one half in the AUC, as in
 * scikit-learn's roc_curve and precision_recall_curve). */
#include "eval/eval_internal.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int mlops__side_alloc(mlops__side *s, size_t n, int weighted)
{
    s->n = 0;
    s->w = NULL;
    s->s = malloc((n ? n : 1) * sizeof *s->s);
    if (!s->s) return MLOPS_ENOMEM;
    if (weighted && !(s->w = malloc((n ? n : 1) * sizeof *s->w))) {
        free(s->s);
        s->s = NULL;
        return MLOPS_ENOMEM;
    }
    return MLOPS_OK;
}

void mlops__side_free(mlops__side *s)
{
    free(s->s);
    free(s->w);
    s->s = s->w = NULL;
    s->n = 0;
}

/* Order-preserving map of a double to an unsigned integer. */
static inline uint64_t key_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

static inline double double_of(uint64_t k)
{
    uint64_t b = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

struct kw {
    uint64_t k;
    double w;
};

/* Sorts scores with their weights ascending: LSD radix sort, 8 bits a
 * pass, passes where every key has the same byte skipped. */
static int sort_weighted(mlops__side *s)
{
    size_t n = s->n;
    struct kw *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return MLOPS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        a[i].k = key_of(s->s[i]);
        a[i].w = s->w[i];
    }
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[256] = { 0 };
        for (size_t i = 0; i < n; i++) count[(a[i].k >> shift) & 255]++;
        if (count[(a[0].k >> shift) & 255] == n) continue;
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) b[count[(a[i].k >> shift) & 255]++] = a[i];
        struct kw *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++) {
        s->s[i] = double_of(a[i].k);
        s->w[i] = a[i].w;
    }
    free(a);
    free(b);
    return MLOPS_OK;
}

static int sort_side(mlops__side *s)
{
    if (s->n < 2) return MLOPS_OK;
    if (s->w) return sort_weighted(s);
    return mlops__sort_doubles(s->s, s->n, NULL);
}

static double total(const mlops__side *s)
{
    if (!s->w) return (double)s->n;
    mlops__ksum k = { 0, 0 };
    for (size_t i = 0; i < s->n; i++) mlops__ksum_add(&k, s->w[i]);
    return mlops__ksum_get(&k);
}

int mlops__curve(mlops__side *pos, mlops__side *neg, double max_fpr, double *auc, int *auc_reason,
                 double *ap, int *ap_reason)
{
    if (auc) {
        *auc = NAN;
        *auc_reason = MLOPS_EVAL_DEFINED;
    }
    if (ap) {
        *ap = NAN;
        *ap_reason = MLOPS_EVAL_DEFINED;
    }
    if (sort_side(pos) || sort_side(neg)) return MLOPS_ENOMEM;
    double P = total(pos), N = total(neg);
    int auc_ok = 1, ap_ok = 1;
    if (auc && (pos->n == 0 || neg->n == 0)) {
        *auc_reason = MLOPS_EVAL_ONE_CLASS;
        auc_ok = 0;
    } else if (auc && (P == 0 || N == 0)) {
        *auc_reason = MLOPS_EVAL_NO_WEIGHT;
        auc_ok = 0;
    }
    if (ap && pos->n == 0) {
        *ap_reason = MLOPS_EVAL_NO_POSITIVES;
        ap_ok = 0;
    } else if (ap && P == 0) {
        *ap_reason = MLOPS_EVAL_NO_WEIGHT;
        ap_ok = 0;
    }
    if (!auc) auc_ok = 0;
    if (!ap) ap_ok = 0;
    if (!auc_ok && !ap_ok) return MLOPS_OK;

    const int partial = max_fpr < 1.0;
    size_t i = pos->n, j = neg->n;
    double tp = 0, fp = 0, tp_prev = 0, fp_prev = 0;
    double fpr_prev = 0, tpr_prev = 0, recall_prev = 0;
    mlops__ksum area = { 0, 0 }, apsum = { 0, 0 };
    int stopped = 0; /* partial AUC: max_fpr reached */
    while (i > 0 || j > 0) {
        double t = i > 0 ? pos->s[i - 1] : -INFINITY;
        if (j > 0 && (i == 0 || neg->s[j - 1] > t)) t = neg->s[j - 1];
        while (i > 0 && pos->s[i - 1] == t) tp += pos->w ? pos->w[--i] : (--i, 1.0);
        while (j > 0 && neg->s[j - 1] == t) fp += neg->w ? neg->w[--j] : (--j, 1.0);
        if (auc_ok && !partial) {
            mlops__ksum_add(&area, (fp - fp_prev) * (tp + tp_prev));
        } else if (auc_ok && !stopped) {
            double fpr = fp / N, tpr = tp / P;
            if (fpr <= max_fpr) {
                mlops__ksum_add(&area, (fpr - fpr_prev) * (tpr + tpr_prev) / 2);
                fpr_prev = fpr;
                tpr_prev = tpr;
            } else {
                double y = (tpr - tpr_prev) / (fpr - fpr_prev) * (max_fpr - fpr_prev) + tpr_prev;
                mlops__ksum_add(&area, (max_fpr - fpr_prev) * (y + tpr_prev) / 2);
                stopped = 1;
            }
        }
        if (ap_ok) {
            double recall = tp / P, precision = tp + fp > 0 ? tp / (tp + fp) : 0.0;
            mlops__ksum_add(&apsum, (recall - recall_prev) * precision);
            recall_prev = recall;
        }
        tp_prev = tp;
        fp_prev = fp;
    }
    if (auc_ok && !partial) *auc = mlops__ksum_get(&area) / 2.0 / (P * N);
    if (auc_ok && partial) {
        double min_area = 0.5 * max_fpr * max_fpr, max_area = max_fpr;
        *auc = 0.5 * (1.0 + (mlops__ksum_get(&area) - min_area) / (max_area - min_area));
    }
    if (ap_ok) *ap = mlops__ksum_get(&apsum);
    return MLOPS_OK;
}
