/* The JSON text form of a schema (doc/validate.md): what a person reads
 * and edits. One object per column; an absent member is an absent check.
 *
 *   {"format": "mlops.schema", "version": 1, "columns": [
 *     {"name": "age", "kind": "numeric", "required": true,
 *      "range": {"min": 0, "max": 120, "max_share": 0},
 *      "missing": {"max_share": 0.05}},
 *     {"name": "city", "kind": "categorical", "required": true,
 *      "categories": {"values": ["Oslo", "Rome"], "max_unseen_share": 0}}]}
 *
 * Infinite range ends are written as null (JSON has no infinity). */
#include "validate/validate_internal.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/jsonread.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_end(mlops__buf *b, double v)
{
    if (isinf(v))
        mlops__buf_add(b, "null");
    else
        mlops__buf_add_json_double(b, v);
}

static void add_column(mlops__buf *b, const mlops__schema_col *c)
{
    mlops__buf_add(b, "    {\"name\": ");
    mlops__buf_add_json_string(b, c->name);
    mlops__buf_addf(b, ", \"kind\": \"%s\", \"required\": %s",
                    c->kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical",
                    (c->checks & MLOPS_SCHEMA_CHECK_PRESENCE) ? "true" : "false");
    if (c->checks & MLOPS_SCHEMA_CHECK_RANGE) {
        mlops__buf_add(b, ",\n     \"range\": {\"min\": ");
        add_end(b, c->min);
        mlops__buf_add(b, ", \"max\": ");
        add_end(b, c->max);
        mlops__buf_add(b, ", \"max_share\": ");
        mlops__buf_add_json_double(b, c->out_of_range_max);
        mlops__buf_add(b, "}");
    }
    if (c->checks & MLOPS_SCHEMA_CHECK_CATEGORIES) {
        mlops__buf_add(b, ",\n     \"categories\": {\"values\": [");
        for (size_t i = 0; i < c->n_categories; i++) {
            if (i) mlops__buf_add(b, i % 8 ? ", " : ",\n       ");
            mlops__buf_add_json_string(b, c->categories[i]);
        }
        mlops__buf_add(b, "], \"max_unseen_share\": ");
        mlops__buf_add_json_double(b, c->unseen_max);
        mlops__buf_add(b, "}");
    }
    if (c->checks & MLOPS_SCHEMA_CHECK_MISSING) {
        mlops__buf_add(b, ",\n     \"missing\": {\"max_share\": ");
        mlops__buf_add_json_double(b, c->missing_max);
        mlops__buf_add(b, "}");
    }
    mlops__buf_add(b, "}");
}

MLOPS_API int mlops_schema_to_json(const mlops_schema *s, char **json)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!json) return mlops__err_null(__func__, "json");
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__buf_addf(&b, "{\"format\": \"%s\", \"version\": %d, \"columns\": [", MLOPS__SCHEMA_FORMAT_NAME,
                    MLOPS__SCHEMA_FORMAT_VERSION);
    for (size_t i = 0; i < s->n; i++) {
        mlops__buf_add(&b, i ? ",\n" : "\n");
        add_column(&b, &s->cols[i]);
    }
    mlops__buf_add(&b, s->n ? "\n]}\n" : "]}\n");
    return mlops__buf_take(&b, json, __func__);
}

/* ---- reading ---------------------------------------------------------------- */

static int bad(const char *fn, const mlops__json *at, const char *what)
{
    return mlops__err(MLOPS_EFORMAT, "%s: not a schema: line %zu: %s", fn, at->line, what);
}

/* A member that must be a number (or null for an infinite range end,
 * inf_if_null being the infinity to use; 0 when null is not allowed). */
static int number(const char *fn, const mlops__json *o, const char *key, double inf_if_null, double *out)
{
    const mlops__json *v = mlops__json_get(o, key);
    if (v && v->type == MLOPS__JSON_NULL && inf_if_null != 0.0) {
        *out = inf_if_null;
        return MLOPS_OK;
    }
    if (!v || v->type != MLOPS__JSON_NUMBER) {
        char what[80];
        snprintf(what, sizeof what, "\"%s\" must be a number", key);
        return bad(fn, o, what);
    }
    *out = v->number;
    return MLOPS_OK;
}

static int is_object(const mlops__json *v)
{
    return v && v->type == MLOPS__JSON_OBJECT;
}

static int read_column(const char *fn, const mlops__json *o, mlops_schema *s, mlops__arena *a)
{
    if (!is_object(o)) return bad(fn, o, "a column must be an object");
    mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
    c.checks = 0;
    const mlops__json *name = mlops__json_get(o, "name"), *kind = mlops__json_get(o, "kind");
    const mlops__json *req = mlops__json_get(o, "required");
    if (!name || name->type != MLOPS__JSON_STRING) return bad(fn, o, "a column needs a \"name\" string");
    c.name = name->str;
    if (mlops__schema_index(s, c.name, strlen(c.name)) >= 0) return bad(fn, o, "a column is named twice");
    if (kind && kind->type == MLOPS__JSON_STRING && strcmp(kind->str, "numeric") == 0)
        c.kind = MLOPS_PROFILE_NUMERIC;
    else if (kind && kind->type == MLOPS__JSON_STRING && strcmp(kind->str, "categorical") == 0)
        c.kind = MLOPS_PROFILE_CATEGORICAL;
    else
        return bad(fn, o, "\"kind\" must be \"numeric\" or \"categorical\"");
    if (req && req->type != MLOPS__JSON_BOOL) return bad(fn, o, "\"required\" must be true or false");
    if (!req || req->boolean) c.checks |= MLOPS_SCHEMA_CHECK_PRESENCE;
    int rc;
    const mlops__json *r = mlops__json_get(o, "range");
    if (r) {
        if (!is_object(r)) return bad(fn, r, "\"range\" must be an object");
        if ((rc = number(fn, r, "min", -INFINITY, &c.min)) || (rc = number(fn, r, "max", INFINITY, &c.max)))
            return rc;
        c.out_of_range_max = 0.0;
        if (mlops__json_get(r, "max_share") && (rc = number(fn, r, "max_share", 0.0, &c.out_of_range_max)))
            return rc;
        c.checks |= MLOPS_SCHEMA_CHECK_RANGE;
    }
    const mlops__json *cs = mlops__json_get(o, "categories");
    if (cs) {
        const mlops__json *v = mlops__json_get(cs, "values");
        if (!is_object(cs) || !v || v->type != MLOPS__JSON_ARRAY)
            return bad(fn, cs, "\"categories\" must be an object with a \"values\" array");
        const char **cats = mlops__arena_alloc(a, (v->len ? v->len : 1) * sizeof *cats);
        if (!cats) return mlops__err_nomem(fn);
        for (size_t i = 0; i < v->len; i++) {
            if (v->items[i].type != MLOPS__JSON_STRING) return bad(fn, &v->items[i], "a category must be a string");
            cats[i] = v->items[i].str;
        }
        c.categories = cats;
        c.n_categories = v->len;
        c.unseen_max = 0.0;
        if (mlops__json_get(cs, "max_unseen_share") && (rc = number(fn, cs, "max_unseen_share", 0.0, &c.unseen_max)))
            return rc;
        c.checks |= MLOPS_SCHEMA_CHECK_CATEGORIES;
    }
    const mlops__json *mi = mlops__json_get(o, "missing");
    if (mi) {
        if (!is_object(mi)) return bad(fn, mi, "\"missing\" must be an object");
        if ((rc = number(fn, mi, "max_share", 0.0, &c.missing_max))) return rc;
        c.checks |= MLOPS_SCHEMA_CHECK_MISSING;
    }
    rc = mlops__schema_set(fn, s, &c);
    if (rc == MLOPS_EINVAL) {
        /* The message names fn already: keep what follows it. */
        char why[600];
        const char *msg = mlops_last_error();
        size_t skip = strncmp(msg, fn, strlen(fn)) == 0 ? strlen(fn) + 2 : 0;
        snprintf(why, sizeof why, "%s", strlen(msg) >= skip ? msg + skip : msg);
        return bad(fn, o, why);
    }
    return rc;
}

MLOPS_API int mlops_schema_from_json(const char *json, size_t len, mlops_schema **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!json && len > 0) return mlops__err_null(__func__, "json");
    int rc = mlops__check_array(__func__, "json", json ? json : "", len, 1);
    if (rc) return rc;
    mlops__arena a = MLOPS__ARENA_INIT;
    mlops__json *root;
    mlops_schema *s = NULL;
    char why[300];
    if (mlops__json_parse(&a, json ? json : "", len, &root, why, sizeof why) != 0) {
        rc = strstr(why, "out of memory") ? mlops__err_nomem(__func__)
                                          : mlops__err(MLOPS_EFORMAT, "%s: not JSON: %s", __func__, why);
        goto out;
    }
    const mlops__json *f = mlops__json_get(root, "format"), *v = mlops__json_get(root, "version");
    const mlops__json *cols = mlops__json_get(root, "columns");
    if (!is_object(root)) {
        rc = bad(__func__, root, "the text is not a JSON object");
        goto out;
    }
    if (!f || f->type != MLOPS__JSON_STRING || strcmp(f->str, MLOPS__SCHEMA_FORMAT_NAME) != 0) {
        rc = bad(__func__, root, "no \"format\": \"" MLOPS__SCHEMA_FORMAT_NAME "\"");
        goto out;
    }
    if (!v || v->type != MLOPS__JSON_NUMBER || v->number < 1 || v->number != floor(v->number)) {
        rc = bad(__func__, root, "\"version\" must be a positive integer");
        goto out;
    }
    if (v->number > MLOPS__SCHEMA_FORMAT_VERSION) {
        rc = mlops__err(MLOPS_EUNSUPPORTED, "%s: schema version %g is newer than this library's (%d)", __func__,
                        v->number, MLOPS__SCHEMA_FORMAT_VERSION);
        goto out;
    }
    if (!cols || cols->type != MLOPS__JSON_ARRAY) {
        rc = bad(__func__, root, "\"columns\" must be an array");
        goto out;
    }
    if ((rc = mlops_schema_new(&s))) goto out;
    for (size_t i = 0; i < cols->len && !rc; i++) rc = read_column(__func__, &cols->items[i], s, &a);
out:
    mlops__arena_free(&a);
    if (rc) {
        mlops_schema_free(s);
        return rc;
    }
    *out = s;
    return MLOPS_OK;
}
