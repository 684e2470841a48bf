/* Named references: name -> digest, the first gc root. */
#include "cas/cas_internal.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NAME 255
#define PAGE 64

struct set_arg {
    const char *fn;
    const char *name;
    const mlops_digest *d;
};

static int set_tx(mlops__conn *c, void *arg)
{
    struct set_arg *a = arg;
    int64_t now = mlops__now_ms();
    int found = 0;
    /* Refreshing the content in the same transaction keeps a concurrent
     * gc from deleting it before it is seen as a root. */
    int rc = mlops__content_touch(c, a->d, now, &found);
    if (rc) return rc;
    if (!found) {
        char ds[MLOPS_DIGEST_STRLEN];
        return mlops__err(MLOPS_ENOTFOUND, "%s: no blob or tree %s for ref '%s'", a->fn,
                          mlops__digest_str(a->d, ds), a->name);
    }
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "INSERT INTO cas_ref(name, digest, updated_ms) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT(name) DO UPDATE SET digest = excluded.digest, "
                          "updated_ms = excluded.updated_ms",
                          &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, a->name);
    if (!rc) rc = mlops__bind_blob(c, st, 2, a->d->bytes, 32);
    if (!rc) rc = mlops__bind_int64(c, st, 3, now);
    if (!rc) rc = mlops__conn_step_done(c, st, "setting a ref");
    return rc;
}

MLOPS_API int mlops_ref_set(mlops_store *s, const char *name, const mlops_digest *d)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!d) return mlops__err_null(__func__, "d");
    int rc = mlops__check_name(__func__, "name", name, MAX_NAME);
    if (rc) return rc;
    struct set_arg a = {__func__, name, d};
    rc = mlops__store_check_writable(s, __func__);
    return rc ? rc : mlops__store_write(s, set_tx, &a);
}

MLOPS_API int mlops_ref_get(mlops_store *s, const char *name, mlops_digest *out)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    int rc = mlops__check_name(__func__, "name", name, MAX_NAME);
    if (rc) return rc;
    mlops__conn *c;
    rc = mlops__store_conn(s, &c);
    if (rc) return rc;
    mlops__stmt *st;
    rc = mlops__conn_stmt(c, "SELECT digest FROM cas_ref WHERE name = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (!rc) {
        int step = mlops__step(st);
        if (step == MLOPS__ROW && mlops__col_bytes(st, 0) == 32)
            memcpy(out->bytes, mlops__col_blob(st, 0), 32);
        else if (step == MLOPS__ROW || step == MLOPS__DONE)
            rc = mlops__err(MLOPS_ENOTFOUND, "%s: no ref '%s'", __func__, name);
        else
            rc = mlops__conn_error(c, step, "reading a ref");
        mlops__reset(st);
    }
    mlops__store_release(s, c);
    return rc;
}

struct delete_arg {
    const char *fn;
    const char *name;
};

static int delete_tx(mlops__conn *c, void *arg)
{
    const struct delete_arg *a = arg;
    const char *name = a->name;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "DELETE FROM cas_ref WHERE name = ?1", &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, name);
    if (!rc) rc = mlops__conn_step_done(c, st, "deleting a ref");
    if (!rc && mlops__conn_changes(c) == 0)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no ref '%s'", a->fn, name);
    return rc;
}

MLOPS_API int mlops_ref_delete(mlops_store *s, const char *name)
{
    if (!s) return mlops__err_null(__func__, "s");
    int rc = mlops__check_name(__func__, "name", name, MAX_NAME);
    if (!rc) rc = mlops__store_check_writable(s, __func__);
    struct delete_arg a = {__func__, name};
    return rc ? rc : mlops__store_write(s, delete_tx, &a);
}

struct ref_row {
    char *name;
    mlops_digest d;
};

struct mlops_ref_iter {
    mlops_store *s;
    char *prefix;
    size_t plen;
    char *last; /* the last name returned, NULL before the first page */
    struct ref_row page[PAGE];
    size_t n, next;
    int done;
    char *current; /* what the caller holds */
};

MLOPS_API int mlops_ref_list_open(mlops_store *s, const char *prefix, mlops_ref_iter **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    mlops_ref_iter *it = calloc(1, sizeof *it);
    if (!it) return mlops__err_nomem(__func__);
    it->s = s;
    it->prefix = mlops__strdup(prefix ? prefix : "");
    if (!it->prefix) {
        free(it);
        return mlops__err_nomem(__func__);
    }
    it->plen = strlen(it->prefix);
    /* Ref names are valid UTF-8: a prefix that is not matches none (and
     * PostgreSQL refuses such text as a parameter). */
    if (!mlops__utf8_valid(it->prefix, it->plen)) it->done = 1;
    *out = it;
    return MLOPS_OK;
}

static void clear_page(mlops_ref_iter *it)
{
    for (size_t i = it->next; i < it->n; i++) free(it->page[i].name);
    it->n = it->next = 0;
}

/* Names sort bytewise (BINARY collation): those with the prefix are
 * contiguous from the prefix on, so paging stops at the first that lacks it. */
static int load_refs(mlops_ref_iter *it)
{
    mlops__conn *c;
    int rc = mlops__store_conn(it->s, &c);
    if (rc) return rc;
    mlops__stmt *st = NULL;
    if (it->last)
        rc = mlops__conn_stmt(c,
                              "SELECT name, digest FROM cas_ref WHERE name > ?1 "
                              "ORDER BY name LIMIT ?2",
                              &st);
    else
        rc = mlops__conn_stmt(c,
                              "SELECT name, digest FROM cas_ref WHERE name >= ?1 "
                              "ORDER BY name LIMIT ?2",
                              &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, it->last ? it->last : it->prefix);
    if (!rc) rc = mlops__bind_int64(c, st, 2, PAGE);
    int step = MLOPS__DONE;
    while (!rc && (step = mlops__step(st)) == MLOPS__ROW) {
        const char *name = mlops__col_text(st, 0);
        if (!name || strncmp(name, it->prefix, it->plen) != 0) {
            it->done = 1;
            break;
        }
        struct ref_row *r = &it->page[it->n];
        r->name = mlops__strdup(name);
        if (!r->name) {
            rc = mlops__err_nomem("listing refs");
            break;
        }
        if (mlops__col_bytes(st, 1) == 32) memcpy(r->d.bytes, mlops__col_blob(st, 1), 32);
        it->n++;
    }
    if (!rc && step != MLOPS__ROW && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "listing refs");
    if (!rc && it->n < PAGE) it->done = 1;
    if (!rc && it->n) {
        free(it->last);
        it->last = mlops__strdup(it->page[it->n - 1].name);
        if (!it->last) rc = mlops__err_nomem("listing refs");
    }
    mlops__reset(st);
    mlops__store_release(it->s, c);
    return rc;
}

MLOPS_API int mlops_ref_list_next(mlops_ref_iter *it, const char **name, mlops_digest *d)
{
    if (!it) return mlops__err_null(__func__, "it");
    if (!name) return mlops__err_null(__func__, "name");
    if (!d) return mlops__err_null(__func__, "d");
    if (it->next == it->n) {
        if (it->done) return MLOPS_ITEROVER;
        clear_page(it);
        int rc = load_refs(it);
        if (rc) return rc;
        if (it->n == 0) return MLOPS_ITEROVER;
    }
    free(it->current);
    it->current = it->page[it->next].name;
    *d = it->page[it->next].d;
    it->next++;
    *name = it->current;
    return MLOPS_OK;
}

MLOPS_API void mlops_ref_list_close(mlops_ref_iter *it)
{
    if (!it) return;
    clear_page(it);
    free(it->current);
    free(it->last);
    free(it->prefix);
    free(it);
}
