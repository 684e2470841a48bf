/* libFuzzer target: the stored schema decoder (mlops_schema_deserialize).
 * Oracle: a schema it accepts serialises to bytes that decode again to the
 * same bytes (one canonical form), goes through its JSON text form and
 * back unchanged, and validates a small batch of every kind without
 * failing; anything else is refused with MLOPS_EFORMAT or
 * MLOPS_EUNSUPPORTED, and nothing is returned. */
#include <mlops.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_bytes(const mlops_schema *a, const mlops_schema *b)
{
    void *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    if (mlops_schema_serialize(a, &x, &nx) != MLOPS_OK) abort();
    if (mlops_schema_serialize(b, &y, &ny) != MLOPS_OK) abort();
    if (nx != ny || memcmp(x, y, nx) != 0) abort();
    mlops_free(x);
    mlops_free(y);
}

/* Every schema column given as numeric and as categorical (one of them a
 * kind change), plus a column the schema may not know. */
static void validate(const mlops_schema *s)
{
    size_t n = mlops_schema_column_count(s);
    if (n > 64) n = 64;
    const char *names[129];
    int kinds[129];
    static const double nums[4] = { 0.0, NAN, 1e308, -INFINITY };
    static const char *const cats[4] = { "a", NULL, "", "\xc3\xa9" };
    const double *np[129];
    const char *const *sp[129];
    for (size_t i = 0; i < n; i++) {
        mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
        if (mlops_schema_column_get(s, i, &c) != MLOPS_OK) abort();
        names[i] = c.name;
        kinds[i] = c.kind;
        np[i] = nums;
        sp[i] = cats;
    }
    names[n] = "\x01 not a name a schema can hold";
    kinds[n] = MLOPS_PROFILE_NUMERIC;
    np[n] = nums;
    sp[n] = cats;
    mlops_anomalies *l = NULL;
    /* The extra name has a control character: refused. */
    if (mlops_schema_validate(s, n + 1, names, kinds, np, sp, 4, NULL, &l) != MLOPS_EINVAL || l) abort();
    names[n] = "zz-unknown";
    size_t at, m = n + (mlops_schema_column_find(s, names[n], &at) != MLOPS_OK);
    if (mlops_schema_validate(s, m, names, kinds, np, sp, 4, NULL, &l) != MLOPS_OK) abort();
    for (size_t i = 0; i < mlops_anomalies_count(l); i++) {
        const mlops_anomaly *a = mlops_anomalies_at(l, i);
        if (!a || !a->column || a->count > a->total || a->n_examples > 5) abort();
    }
    mlops_anomalies_free(l);
    for (size_t i = 0; i < n; i++) kinds[i] = 3 - kinds[i];
    if (mlops_schema_validate(s, n, names, kinds, np, sp, 4, NULL, &l) != MLOPS_OK) abort();
    size_t changes = 0;
    for (size_t i = 0; i < mlops_anomalies_count(l); i++)
        changes += mlops_anomalies_at(l, i)->kind == MLOPS_ANOMALY_KIND_CHANGE;
    if (changes != n) abort(); /* one per column given */
    mlops_anomalies_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_schema *s = NULL;
    int rc = mlops_schema_deserialize(data, size, &s);
    if (rc != MLOPS_OK) {
        if (s != NULL) abort();
        if (rc != MLOPS_EFORMAT && rc != MLOPS_EUNSUPPORTED) abort();
        return 0;
    }
    void *a = NULL;
    size_t alen = 0;
    if (mlops_schema_serialize(s, &a, &alen) != MLOPS_OK) abort();
    mlops_schema *t = NULL;
    if (mlops_schema_deserialize(a, alen, &t) != MLOPS_OK) abort();
    same_bytes(s, t);
    char *json = NULL;
    if (mlops_schema_to_json(s, &json) != MLOPS_OK) abort();
    mlops_schema *u = NULL;
    if (mlops_schema_from_json(json, strlen(json), &u) != MLOPS_OK) abort();
    same_bytes(s, u);
    validate(s);
    mlops_free(json);
    mlops_free(a);
    mlops_schema_free(s);
    mlops_schema_free(t);
    mlops_schema_free(u);
    return 0;
}
