/* Schemas to and from their stored form: a msgpack map with a fixed key
 * order (doc/format.md, "Schemas"). Doubles are always float64, so equal
 * schemas give equal bytes. The decoder goes through mlops__mp_unpack (no
 * count in the input can make it allocate more than the input's size
 * allows) and builds the schema with mlops__schema_set, so a stored schema
 * satisfies exactly what an edited one does. */
#include "validate/validate_internal.h"
#include "cas/blob_codec.h"
#include "util/err.h"
#include "util/mpack.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(int kind)
{
    return kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical";
}

static void pack_column(msgpack_packer *pk, const mlops__schema_col *c)
{
    unsigned ck = c->checks;
    size_t nkeys = 3 + !!(ck & MLOPS_SCHEMA_CHECK_RANGE) + !!(ck & MLOPS_SCHEMA_CHECK_CATEGORIES) +
                   !!(ck & MLOPS_SCHEMA_CHECK_MISSING);
    msgpack_pack_map(pk, nkeys);
    mlops__mp_str(pk, "name");
    mlops__mp_str(pk, c->name);
    mlops__mp_str(pk, "kind");
    mlops__mp_str(pk, kind_name(c->kind));
    mlops__mp_str(pk, "required");
    if (ck & MLOPS_SCHEMA_CHECK_PRESENCE)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    if (ck & MLOPS_SCHEMA_CHECK_RANGE) {
        mlops__mp_str(pk, "range");
        msgpack_pack_array(pk, 3);
        msgpack_pack_double(pk, c->min);
        msgpack_pack_double(pk, c->max);
        msgpack_pack_double(pk, c->out_of_range_max);
    }
    if (ck & MLOPS_SCHEMA_CHECK_CATEGORIES) {
        mlops__mp_str(pk, "categories");
        msgpack_pack_array(pk, 2);
        msgpack_pack_array(pk, c->n_categories);
        for (size_t i = 0; i < c->n_categories; i++) mlops__mp_str(pk, c->categories[i]);
        msgpack_pack_double(pk, c->unseen_max);
    }
    if (ck & MLOPS_SCHEMA_CHECK_MISSING) {
        mlops__mp_str(pk, "missing");
        msgpack_pack_double(pk, c->missing_max);
    }
}

MLOPS_API int mlops_schema_serialize(const mlops_schema *s, void **buf, size_t *len)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!buf) return mlops__err_null(__func__, "buf");
    if (!len) return mlops__err_null(__func__, "len");
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 3);
    mlops__mp_str(&pk, "format");
    mlops__mp_str(&pk, MLOPS__SCHEMA_FORMAT_NAME);
    mlops__mp_str(&pk, "version");
    msgpack_pack_uint32(&pk, MLOPS__SCHEMA_FORMAT_VERSION);
    mlops__mp_str(&pk, "columns");
    msgpack_pack_array(&pk, s->n);
    for (size_t i = 0; i < s->n; i++) pack_column(&pk, &s->cols[i]);
    /* msgpack's sbuffer grows with realloc; a failed growth leaves it short. */
    if (!sb.data) {
        msgpack_sbuffer_destroy(&sb);
        return mlops__err_nomem(__func__);
    }
    *buf = sb.data;
    *len = sb.size;
    return MLOPS_OK;
}

/* ---- decoding --------------------------------------------------------------- */

static int bad(const char *fn, const char *why, size_t col)
{
    if (col == (size_t)-1) return mlops__err(MLOPS_EFORMAT, "%s: not a valid schema: %s", fn, why);
    return mlops__err(MLOPS_EFORMAT, "%s: not a valid schema: column %zu: %s", fn, col, why);
}

/* A NUL-terminated copy of a string object without NUL bytes, or NULL
 * (*nomem set when the allocation failed). */
static char *dup_str(const msgpack_object *o, int *nomem)
{
    if (o->type != MSGPACK_OBJECT_STR || memchr(o->via.str.ptr ? o->via.str.ptr : "", 0, o->via.str.size))
        return NULL;
    char *s = malloc((size_t)o->via.str.size + 1);
    if (!s) {
        *nomem = 1;
        return NULL;
    }
    return mlops__mp_str_copy(s, o);
}

static int decode_column(const char *fn, const msgpack_object *m, size_t i, mlops_schema *s,
                         const char **prev)
{
    if (m->type != MSGPACK_OBJECT_MAP) return bad(fn, "not a map", i);
    mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
    c.checks = 0;
    const msgpack_object *name = mlops__mp_get(m, "name"), *kind = mlops__mp_get(m, "kind"),
                         *req = mlops__mp_get(m, "required");
    if (!name || name->type != MSGPACK_OBJECT_STR) return bad(fn, "name", i);
    c.kind = mlops__mp_str_eq(kind, "numeric") ? MLOPS_PROFILE_NUMERIC
             : mlops__mp_str_eq(kind, "categorical") ? MLOPS_PROFILE_CATEGORICAL
                                           : 0;
    if (!c.kind) return bad(fn, "kind", i);
    if (!req || req->type != MSGPACK_OBJECT_BOOLEAN) return bad(fn, "required", i);
    if (req->via.boolean) c.checks |= MLOPS_SCHEMA_CHECK_PRESENCE;
    const msgpack_object *r = mlops__mp_get(m, "range"), *cs = mlops__mp_get(m, "categories"),
                         *mi = mlops__mp_get(m, "missing");
    if (r) {
        if (r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 3 ||
            mlops__mp_double(&r->via.array.ptr[0], &c.min) || mlops__mp_double(&r->via.array.ptr[1], &c.max) ||
            mlops__mp_double(&r->via.array.ptr[2], &c.out_of_range_max))
            return bad(fn, "range", i);
        c.checks |= MLOPS_SCHEMA_CHECK_RANGE;
    }
    if (mi) {
        if (mlops__mp_double(mi, &c.missing_max)) return bad(fn, "missing", i);
        c.checks |= MLOPS_SCHEMA_CHECK_MISSING;
    }
    char **cats = NULL;
    size_t ncats = 0;
    int rc = MLOPS_OK, nomem = 0;
    if (cs) {
        const msgpack_object *v;
        if (cs->type != MSGPACK_OBJECT_ARRAY || cs->via.array.size != 2 ||
            (v = &cs->via.array.ptr[0])->type != MSGPACK_OBJECT_ARRAY ||
            mlops__mp_double(&cs->via.array.ptr[1], &c.unseen_max))
            return bad(fn, "categories", i);
        c.checks |= MLOPS_SCHEMA_CHECK_CATEGORIES;
        cats = malloc((v->via.array.size ? v->via.array.size : 1) * sizeof *cats);
        if (!cats) return mlops__err_nomem(fn);
        for (; ncats < v->via.array.size; ncats++) {
            const msgpack_object *e = &v->via.array.ptr[ncats];
            cats[ncats] = dup_str(e, &nomem);
            if (!cats[ncats]) break;
            /* Canonical: strictly increasing, as the encoder writes them. */
            if (ncats > 0 && mlops__bytes_cmp(cats[ncats - 1], strlen(cats[ncats - 1]), cats[ncats],
                                              e->via.str.size) >= 0) {
                ncats++;
                rc = bad(fn, "categories are not sorted and unique", i);
                break;
            }
        }
        if (!rc && ncats < v->via.array.size) rc = nomem ? mlops__err_nomem(fn) : bad(fn, "a category", i);
        c.categories = (const char *const *)cats;
        c.n_categories = ncats;
    }
    char *nm = rc ? NULL : dup_str(name, &nomem);
    if (!rc && !nm) rc = nomem ? mlops__err_nomem(fn) : bad(fn, "name", i);
    if (!rc && *prev && mlops__bytes_cmp(*prev, strlen(*prev), nm, strlen(nm)) >= 0)
        rc = bad(fn, "columns are not sorted by name and unique", i);
    if (!rc) {
        c.name = nm;
        rc = mlops__schema_set(fn, s, &c);
        if (rc == MLOPS_EINVAL) {
            /* The message names fn already: keep what follows it. */
            char why[600];
            const char *msg = mlops_last_error();
            size_t skip = strncmp(msg, fn, strlen(fn)) == 0 ? strlen(fn) + 2 : 0;
            snprintf(why, sizeof why, "%s", strlen(msg) >= skip ? msg + skip : msg);
            rc = bad(fn, why, i);
        }
    }
    free(nm);
    for (size_t k = 0; k < ncats; k++) free(cats[k]);
    free(cats);
    if (!rc) *prev = s->cols[s->n - 1].name; /* sorted: the new column is the last */
    return rc;
}

MLOPS_API int mlops_schema_deserialize(const void *buf, size_t len, mlops_schema **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!buf && len > 0) return mlops__err_null(__func__, "buf");
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = MLOPS_OK;
    mlops_schema *s = NULL;
    uint64_t version;
    rc = mlops__mp_open_format(__func__, "schema", MLOPS__SCHEMA_FORMAT_NAME, MLOPS__SCHEMA_FORMAT_VERSION,
                               buf, len, &u, &version);
    if (rc) goto out;
    const msgpack_object *m = &u.data;
    const msgpack_object *cols = mlops__mp_get(m, "columns");
    if (!cols || cols->type != MSGPACK_OBJECT_ARRAY || cols->via.array.size > MLOPS_SCHEMA_COLUMNS_MAX) {
        rc = bad(__func__, "columns", (size_t)-1);
        goto out;
    }
    if ((rc = mlops_schema_new(&s))) goto out;
    const char *prev = NULL;
    for (uint32_t i = 0; i < cols->via.array.size && !rc; i++)
        rc = decode_column(__func__, &cols->via.array.ptr[i], i, s, &prev);
out:
    msgpack_unpacked_destroy(&u);
    if (rc) {
        mlops_schema_free(s);
        return rc;
    }
    *out = s;
    return MLOPS_OK;
}

/* mlops_schema_serialize only reads s: put hands its const schema through
 * the generic encoder's (void *) slot. */
static int encode_schema(void *s, void **buf, size_t *len)
{
    return mlops_schema_serialize(s, buf, len);
}

static int decode_schema(const void *buf, size_t len, void *out)
{
    return mlops_schema_deserialize(buf, len, out);
}

MLOPS_API int mlops_schema_put(mlops_store *st, const mlops_schema *s, mlops_digest *out)
{
    if (!st) return mlops__err_null(__func__, "st");
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    return mlops__blob_put_encoded(st, encode_schema, (void *)s, out);
}

MLOPS_API int mlops_schema_get(mlops_store *st, const mlops_digest *d, mlops_schema **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (!st) return mlops__err_null(__func__, "st");
    if (!d) return mlops__err_null(__func__, "d");
    return mlops__blob_get_decoded(__func__, st, d, decode_schema, out);
}
