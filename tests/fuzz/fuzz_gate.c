/* libFuzzer target: promotion gate conditions (lib/registry/gate.h).
 * Input: one condition's text; its first byte's low bit says whether the
 * gate names a dataset (evaluation metrics, no aggregates), the rest is
 * the text. Oracle: the parser returns MLOPS_OK or MLOPS_EINVAL with a
 * message, never anything else; an accepted condition has a canonical
 * text that parses back, in the same mode, to the same canonical text;
 * and it evaluates to MLOPS_OK with a verdict from any values, with and
 * without a baseline. */
#include <mlops.h>

#include "registry/gate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Values from the key's length: some missing, some NaN, some numbers. */
static int value(void *ctx, const mlops__gate_ref *ref, double *out)
{
    (void)ctx;
    size_t n = strlen(ref->key) + (size_t)ref->baseline;
    if (n % 5 == 0) return MLOPS_ENOTFOUND;
    *out = n % 7 == 0 ? NAN : (double)n / 3;
    return MLOPS_OK;
}

static int yes(void *ctx, int *ok, const char **why)
{
    (void)ctx;
    *ok = 1;
    *why = NULL;
    return MLOPS_OK;
}

static void check_eval(const mlops__gate_cond *c, int has_baseline)
{
    mlops__gate_lookup l = { NULL, has_baseline, value, yes, yes };
    mlops__gate_verdict v;
    if (mlops__gate_cond_eval(c, &l, &v) != MLOPS_OK) abort();
    if (v.outcome != MLOPS__GATE_PASS && v.outcome != MLOPS__GATE_FAIL &&
        v.outcome != MLOPS__GATE_SKIP)
        abort();
    if (v.outcome == MLOPS__GATE_SKIP && (has_baseline || !c->uses_baseline)) abort();
    if (!memchr(v.why, '\0', sizeof v.why)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    int evaluation = data[0] & 1;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    mlops__gate_cond c;
    int rc = mlops__gate_cond_parse("fuzz", text, evaluation, &c);
    if (rc != MLOPS_OK) {
        if (rc != MLOPS_EINVAL && rc != MLOPS_ENOMEM) abort();
        if (mlops_last_error()[0] == '\0') abort();
    } else {
        char *canonical = mlops__gate_cond_text(&c);
        if (canonical) {
            mlops__gate_cond again;
            if (mlops__gate_cond_parse("fuzz", canonical, evaluation, &again) != MLOPS_OK) abort();
            char *twice = mlops__gate_cond_text(&again);
            if (twice && strcmp(twice, canonical) != 0) abort();
            free(twice);
            mlops__gate_cond_free(&again);
            free(canonical);
        }
        check_eval(&c, 1);
        check_eval(&c, 0);
    }
    mlops__gate_cond_free(&c);
    free(text);
    return 0;
}
