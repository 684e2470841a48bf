/* Promotion gate conditions (lib/registry/gate.h): what parses, the
 * canonical text, and each condition's verdict from known values. */
#include "testutil.h"

#include "registry/gate.h"
#include "util/str.h"

#include <math.h>
#include <mlops.h>
#include <stdlib.h>
#include <string.h>

/* text -> canonical text (NULL: refused with MLOPS_EINVAL) */
static const struct {
    const char *text, *canonical;
    int evaluation;
} parse_cases[] = {
    { "metrics.auc >= 0.80", "metrics.auc >= 0.8", 0 },
    { "  metrics.auc>=0.8  ", "metrics.auc >= 0.8", 0 },
    { "metric.auc == 1", "metrics.auc = 1", 0 },
    { "metrics.auc != 1", "metrics.auc <> 1", 0 },
    { "metrics.auc >= baseline.metrics.auc - 0.005", "metrics.auc >= baseline.metrics.auc - 0.005",
      0 },
    { "metrics.p95_latency_ms <= baseline.metrics.p95_latency_ms * 1.1",
      "metrics.p95_latency_ms <= baseline.metrics.p95_latency_ms * 1.1", 0 },
    { "metrics.a < 1 + 2 * 3", "metrics.a < 1 + 2 * 3", 0 },
    { "metrics.a < (1 + 2) * 3", "metrics.a < (1 + 2) * 3", 0 },
    { "metrics.a < 1 - 2 - 3", "metrics.a < 1 - 2 - 3", 0 },
    { "metrics.a < (1 - 2) - 3", "metrics.a < 1 - 2 - 3", 0 },
    { "metrics.a < 1 - (2 - 3)", "metrics.a < 1 - (2 - 3)", 0 },
    { "metrics.a < 1 / (2 * 3)", "metrics.a < 1 / (2 * 3)", 0 },
    { "metrics.a < -(1 + 2)", "metrics.a < -(1 + 2)", 0 },
    { "metrics.a < -baseline.metrics.a", "metrics.a < -baseline.metrics.a", 0 },
    { "metrics.a < - 0.5", "metrics.a < -0.5", 0 },
    { "metrics.a < baseline.metrics.a - -0.5", "metrics.a < baseline.metrics.a - -0.5", 0 },
    { "metrics.loss.min <= 0.2", "metrics.loss.min <= 0.2", 0 },
    { "metrics.loss.last <= 0.2", "metrics.loss.last <= 0.2", 0 },
    { "metrics.`a b` > 0", "metrics.`a b` > 0", 0 },
    { "metrics.`x.min` > 0", "metrics.`x.min` > 0", 0 },
    { "metrics.`a``b` > 0", "metrics.`a``b` > 0", 0 },
    { "metrics.val/auc > 0.5", "metrics.val/auc > 0.5", 0 },
    { "fair(demographic_parity_difference) <= 0.1", "fair(demographic_parity_difference) <= 0.1",
      0 },
    { "fair( eo ) <= baseline.fair(eo) + 0.01", "fair(eo) <= baseline.fair(eo) + 0.01", 0 },
    { "signed", "signed", 0 },
    { " SIGNED ", "signed", 0 },
    { "validated", "validated", 1 },
    { "metrics.auc >= 1e-3", "metrics.auc >= 0.001", 0 },
    { "metrics.a < --0e-3", "metrics.a < --0", 0 }, /* a negative zero keeps its sign */
    { "metrics.a < -0", "metrics.a < -0", 0 },
    { "metrics.auc >= 9007199254740993", "metrics.auc >= 9007199254740992", 0 },
    { "metrics.auc >= 0.1", "metrics.auc >= 0.1", 1 },
    { "metrics.auc.last >= 0.1", "metrics.auc.last >= 0.1", 1 },
    /* refused */
    { "", NULL, 0 },
    { "   ", NULL, 0 },
    { "metrics.auc", NULL, 0 },
    { "metrics.auc >=", NULL, 0 },
    { "metrics.auc >= 'high'", NULL, 0 },
    { "metrics.auc LIKE 'a%'", NULL, 0 },
    { "params.lr = 1", NULL, 0 },
    { "tags.team = 1", NULL, 0 },
    { "attributes.start_time > 1", NULL, 0 },
    { "metrics.auc >= metrics.f1", NULL, 0 },
    { "metrics.auc >= baseline", NULL, 0 },
    { "metrics.auc >= baseline.params.lr", NULL, 0 },
    { "metrics.auc >= (1", NULL, 0 },
    { "metrics.auc >= 1)", NULL, 0 },
    { "metrics.auc >= 1 +", NULL, 0 },
    { "metrics.auc >= 1 2", NULL, 0 },
    { "metrics.auc >= 1e999", NULL, 0 },
    { "signed metrics.auc", NULL, 0 },
    { "signed = 1", NULL, 0 },
    { "fair() <= 1", NULL, 0 },
    { "fair(a b) <= 1", NULL, 0 },
    { "fair <= 1", NULL, 0 },
    { "baseline.metrics.auc >= 1", NULL, 0 },
    { "metrics.auc.min >= 0.1", NULL, 1 },
    { "metrics.auc >= baseline.metrics.auc.max", NULL, 1 },
    { "metrics.auc >= 1 AND metrics.f1 >= 1", NULL, 0 },
};

START_TEST(parse_and_canonical_text)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        mlops__gate_cond c;
        int rc = mlops__gate_cond_parse("test", parse_cases[i].text, parse_cases[i].evaluation, &c);
        if (!parse_cases[i].canonical) {
            ck_assert_msg(rc == MLOPS_EINVAL, "'%s' parsed", parse_cases[i].text);
            ck_assert_msg(strstr(mlops_last_error(), "test: "), "message: %s",
                          mlops_last_error());
            mlops__gate_cond_free(&c);
            continue;
        }
        ck_assert_msg(rc == MLOPS_OK, "'%s': %s", parse_cases[i].text, mlops_last_error());
        char *text = mlops__gate_cond_text(&c);
        ck_assert_ptr_nonnull(text);
        ck_assert_msg(!strcmp(text, parse_cases[i].canonical), "'%s' -> '%s', wanted '%s'",
                      parse_cases[i].text, text, parse_cases[i].canonical);
        /* the canonical text parses back to itself */
        mlops__gate_cond again;
        ck_assert_int_eq(mlops__gate_cond_parse("test", text, parse_cases[i].evaluation, &again),
                         MLOPS_OK);
        char *text2 = mlops__gate_cond_text(&again);
        ck_assert_str_eq(text2, text);
        free(text2);
        free(text);
        mlops__gate_cond_free(&again);
        mlops__gate_cond_free(&c);
    }
}
END_TEST

START_TEST(errors_name_the_position)
{
    mlops__gate_cond c;
    ck_assert_int_eq(mlops__gate_cond_parse("mlops_gate_set", "metrics.auc >= 1 +", 0, &c),
                     MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_gate_set: bad gate condition at position 19"));
    mlops__gate_cond_free(&c);
    ck_assert_int_eq(mlops__gate_cond_parse("f", "params.lr = 1", 0, &c), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not params.lr"));
    mlops__gate_cond_free(&c);
    ck_assert_int_eq(mlops__gate_cond_parse("f", NULL, 0, &c), MLOPS_EINVAL);
    mlops__gate_cond_free(&c);
    char *long_text = malloc(MLOPS__GATE_TEXT_MAX + 20);
    memset(long_text, ' ', MLOPS__GATE_TEXT_MAX + 19);
    memcpy(long_text, "signed", 6);
    long_text[MLOPS__GATE_TEXT_MAX + 19] = '\0';
    ck_assert_int_eq(mlops__gate_cond_parse("f", long_text, 0, &c), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "longer than"));
    mlops__gate_cond_free(&c);
    free(long_text);
    /* nesting is bounded: deep parentheses are refused, not a stack overflow */
    size_t depth = 10000;
    char *deep = malloc(depth * 2 + 32);
    strcpy(deep, "metrics.a < ");
    size_t n = strlen(deep);
    for (size_t i = 0; i < depth; i++) deep[n++] = '(';
    deep[n++] = '1';
    for (size_t i = 0; i < depth; i++) deep[n++] = ')';
    deep[n] = '\0';
    ck_assert_int_eq(mlops__gate_cond_parse("f", deep, 0, &c), MLOPS_EINVAL);
    mlops__gate_cond_free(&c);
    free(deep);
    /* a long chain is not nesting: it parses, and so does its canonical
     * text (which must not add a level per operator) */
    char chain[4000];
    size_t at = (size_t)snprintf(chain, sizeof chain, "metrics.a < 1");
    for (int i = 0; i < 400; i++) at += (size_t)snprintf(chain + at, sizeof chain - at, " / 2");
    ck_assert_int_eq(mlops__gate_cond_parse("f", chain, 0, &c), MLOPS_OK);
    char *text = mlops__gate_cond_text(&c);
    ck_assert_str_eq(text, chain);
    free(text);
    mlops__gate_cond_free(&c);
    /* written tighter than its canonical form (which puts spaces around
     * operators): a condition whose canonical text would pass the limit
     * is refused */
    at = (size_t)snprintf(chain, sizeof chain, "metrics.a<1");
    while (at + 3 < sizeof chain) at += (size_t)snprintf(chain + at, sizeof chain - at, "+1");
    ck_assert_int_eq(mlops__gate_cond_parse("f", chain, 0, &c), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "canonical form"));
    mlops__gate_cond_free(&c);
}
END_TEST

/* ---- evaluation ---- */

struct values {
    int has_baseline;
    const char *const *names; /* "candidate:metrics.auc", "baseline:fair(eo)", ... */
    const double *values;
    size_t n;
    int is_signed, is_validated;
    int fail_with; /* a lookup error to return, 0: none */
};

static int lookup_value(void *ctx, const mlops__gate_ref *ref, double *out)
{
    struct values *v = ctx;
    if (v->fail_with) return v->fail_with;
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__buf_add(&b, ref->baseline ? "baseline:" : "candidate:");
    mlops__gate_ref baseless = *ref;
    baseless.baseline = 0;
    mlops__gate_ref_text(&b, &baseless);
    int rc = MLOPS_ENOTFOUND;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->names[i], mlops__buf_str(&b))) {
            *out = v->values[i];
            rc = MLOPS_OK;
        }
    mlops__buf_free(&b);
    return rc;
}

static int lookup_signed(void *ctx, int *yes, const char **why)
{
    struct values *v = ctx;
    *yes = v->is_signed;
    *why = "no signature";
    return MLOPS_OK;
}

static int lookup_validated(void *ctx, int *yes, const char **why)
{
    struct values *v = ctx;
    *yes = v->is_validated;
    *why = NULL;
    return MLOPS_OK;
}

static enum mlops__gate_outcome decide(struct values *v, const char *text, mlops__gate_verdict *out)
{
    mlops__gate_cond c;
    ck_assert_int_eq(mlops__gate_cond_parse("test", text, 0, &c), MLOPS_OK);
    mlops__gate_lookup l = { v, v->has_baseline, lookup_value, lookup_signed, lookup_validated };
    mlops__gate_verdict verdict;
    ck_assert_int_eq(mlops__gate_cond_eval(&c, &l, &verdict), MLOPS_OK);
    mlops__gate_cond_free(&c);
    if (out) *out = verdict;
    return verdict.outcome;
}

static const char *const names[] = { "candidate:metrics.auc", "baseline:metrics.auc",
                                     "candidate:metrics.p95", "baseline:metrics.p95",
                                     "candidate:metrics.nan", "candidate:fair(eo)",
                                     "baseline:fair(eo)", "candidate:metrics.loss.min" };
static const double better[] = { 0.83, 0.82, 105, 100, NAN, 0.02, 0.03, 0.1 };

START_TEST(verdicts)
{
    struct values v = { 1, names, better, 8, 1, 0, 0 };
    mlops__gate_verdict out;
    ck_assert_int_eq(decide(&v, "metrics.auc >= 0.80", &out), MLOPS__GATE_PASS);
    ck_assert(out.left_known && out.right_known);
    ck_assert(out.left == 0.83 && out.right == 0.80);
    ck_assert_str_eq(out.why, "metrics.auc is 0.83, needs >= 0.8");
    ck_assert_int_eq(decide(&v, "metrics.auc >= 0.9", NULL), MLOPS__GATE_FAIL);
    /* non-inferiority: 0.83 >= 0.82 - 0.005 */
    ck_assert_int_eq(decide(&v, "metrics.auc >= baseline.metrics.auc - 0.005", &out),
                     MLOPS__GATE_PASS);
    ck_assert_str_eq(out.why, "metrics.auc is 0.83, needs >= 0.815 (baseline.metrics.auc - 0.005)");
    ck_assert_int_eq(decide(&v, "metrics.auc >= baseline.metrics.auc + 0.02", NULL),
                     MLOPS__GATE_FAIL);
    /* 105 <= 100 * 1.1 */
    ck_assert_int_eq(decide(&v, "metrics.p95 <= baseline.metrics.p95 * 1.1", NULL),
                     MLOPS__GATE_PASS);
    ck_assert_int_eq(decide(&v, "metrics.p95 <= baseline.metrics.p95 * 1.01", NULL),
                     MLOPS__GATE_FAIL);
    ck_assert_int_eq(decide(&v, "metrics.p95 = 105", NULL), MLOPS__GATE_PASS);
    ck_assert_int_eq(decide(&v, "metrics.p95 <> 105", NULL), MLOPS__GATE_FAIL);
    ck_assert_int_eq(decide(&v, "metrics.p95 < 105", NULL), MLOPS__GATE_FAIL);
    ck_assert_int_eq(decide(&v, "metrics.p95 > 104.5", NULL), MLOPS__GATE_PASS);
    ck_assert_int_eq(decide(&v, "metrics.p95 <= (baseline.metrics.p95 + 10) / 2 + 55", NULL),
                     MLOPS__GATE_PASS);
    ck_assert_int_eq(decide(&v, "fair(eo) <= baseline.fair(eo)", NULL), MLOPS__GATE_PASS);
    ck_assert_int_eq(decide(&v, "fair(eo) <= 0.01", NULL), MLOPS__GATE_FAIL);
    ck_assert_int_eq(decide(&v, "metrics.loss.min <= 0.1", NULL), MLOPS__GATE_PASS);
    /* a missing value fails, on either side, and says which */
    ck_assert_int_eq(decide(&v, "metrics.f1 >= 0", &out), MLOPS__GATE_FAIL);
    ck_assert_str_eq(out.why, "metrics.f1 is missing");
    ck_assert(!out.left_known && isnan(out.left));
    ck_assert_int_eq(decide(&v, "metrics.auc >= baseline.metrics.f1", &out), MLOPS__GATE_FAIL);
    ck_assert_str_eq(out.why, "baseline.metrics.f1 is missing");
    ck_assert(out.left_known && !out.right_known);
    ck_assert_int_eq(decide(&v, "metrics.auc <> 1 - -baseline.metrics.f1", NULL),
                     MLOPS__GATE_FAIL);
    ck_assert_int_eq(decide(&v, "metrics.loss <= 1", NULL), MLOPS__GATE_FAIL);
    /* NaN never passes, whatever the operator */
    const char *const nan_ops[] = { "=", "<>", "<", "<=", ">", ">=" };
    for (size_t i = 0; i < 6; i++) {
        char text[64];
        snprintf(text, sizeof text, "metrics.nan %s 0", nan_ops[i]);
        ck_assert_int_eq(decide(&v, text, NULL), MLOPS__GATE_FAIL);
        snprintf(text, sizeof text, "metrics.auc %s 0 / 0", nan_ops[i]);
        ck_assert_int_eq(decide(&v, text, &out), MLOPS__GATE_FAIL);
        ck_assert_ptr_nonnull(strstr(out.why, "NaN never passes"));
    }
    ck_assert_int_eq(decide(&v, "signed", NULL), MLOPS__GATE_PASS);
    ck_assert_int_eq(decide(&v, "validated", &out), MLOPS__GATE_FAIL);
    ck_assert_str_eq(out.why, "not validated");
    v.is_signed = 0;
    ck_assert_int_eq(decide(&v, "signed", &out), MLOPS__GATE_FAIL);
    ck_assert_str_eq(out.why, "not signed: no signature");
}
END_TEST

START_TEST(no_baseline_skips_what_reads_it)
{
    struct values v = { 0, names, better, 8, 1, 1, 0 };
    mlops__gate_verdict out;
    ck_assert_int_eq(decide(&v, "metrics.auc >= baseline.metrics.auc - 0.005", &out),
                     MLOPS__GATE_SKIP);
    ck_assert_ptr_nonnull(strstr(out.why, "no baseline"));
    ck_assert(out.left_known && !out.right_known);
    ck_assert_int_eq(decide(&v, "metrics.auc >= 0.8", NULL), MLOPS__GATE_PASS);
    /* the candidate's own value is still required */
    ck_assert_int_eq(decide(&v, "metrics.f1 >= baseline.metrics.f1", &out), MLOPS__GATE_FAIL);
    ck_assert_str_eq(out.why, "metrics.f1 is missing");
    /* so is one it could compare: a NaN fails against any baseline */
    ck_assert_int_eq(decide(&v, "metrics.nan >= baseline.metrics.auc", &out), MLOPS__GATE_FAIL);
    ck_assert_ptr_nonnull(strstr(out.why, "NaN never passes"));
    ck_assert(out.left_known && isnan(out.left) && !out.right_known);
}
END_TEST

/* The sentence is cut to its buffer at a character, never inside one: it
 * goes to the audit log, the decision object and the model page as UTF-8. */
START_TEST(why_is_cut_at_a_character)
{
    struct values v = { 1, names, better, 8, 1, 1, 0 };
    char text[400] = "metrics.ab";
    for (int i = 0; i < 124; i++) strcat(text, "\xc3\xa9"); /* a key of 250 bytes */
    strcat(text, " >= 0");
    mlops__gate_verdict out;
    ck_assert_int_eq(decide(&v, text, &out), MLOPS__GATE_FAIL);
    ck_assert_uint_ge(strlen(out.why), sizeof out.why - 2);
    ck_assert_msg(mlops__utf8_valid(out.why, strlen(out.why)), "why is not UTF-8: %s", out.why);
}
END_TEST

START_TEST(lookup_errors_stop_the_evaluation)
{
    struct values v = { 1, names, better, 8, 1, 1, MLOPS_EIO };
    mlops__gate_cond c;
    ck_assert_int_eq(mlops__gate_cond_parse("test", "metrics.auc >= 0.8", 0, &c), MLOPS_OK);
    mlops__gate_lookup l = { &v, 1, lookup_value, lookup_signed, lookup_validated };
    mlops__gate_verdict verdict;
    ck_assert_int_eq(mlops__gate_cond_eval(&c, &l, &verdict), MLOPS_EIO);
    mlops__gate_cond_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gate");
    TCase *tc = tcase_create("gate");
    tcase_add_test(tc, parse_and_canonical_text);
    tcase_add_test(tc, errors_name_the_position);
    tcase_add_test(tc, verdicts);
    tcase_add_test(tc, no_baseline_skips_what_reads_it);
    tcase_add_test(tc, why_is_cut_at_a_character);
    tcase_add_test(tc, lookup_errors_stop_the_evaluation);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
