/* Loading the model page: the model and its versions through the public
 * readers, the audit events with their payloads in one read transaction,
 * each payload decoded here (doc/format.md, "Gates and splits"). */
#include "registry/alias_move.h"
#include "registry/model_page.h"
#include "registry/registry_internal.h"
#include "store/store_internal.h"
#include "util/err.h"
#include "util/mpack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *str_dup(const msgpack_object *o, int *oom)
{
    char *d = malloc(o->via.str.size + 1);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    return mlops__mp_str_copy(d, o);
}

static int is_str(const msgpack_object *o)
{
    return o->type == MSGPACK_OBJECT_STR;
}

static int num(const msgpack_object *o, double *v)
{
    if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32) {
        *v = o->via.f64;
        return 1;
    }
    *v = NAN;
    return 0;
}

/* The decision payload: [kind, target | nil, baseline | nil, forced,
 * dataset | nil, [[candidate, condition, outcome, left | nil, right | nil,
 * why], ...]]. The log's verifier checks its canonical form; here only
 * the shape needed to show it. */
static int decode_decision(const char *fn, mlops__page_event *e, const void *p, size_t n)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = MLOPS_OK, oom = 0;
    const msgpack_object *a = NULL;
    if (p && mlops__mp_unpack(p, n, &u) == MLOPS__MP_OK && u.data.type == MSGPACK_OBJECT_ARRAY &&
        u.data.via.array.size == 6)
        a = u.data.via.array.ptr;
    if (!a || !is_str(&a[0]) || a[5].type != MSGPACK_OBJECT_ARRAY) {
        rc = mlops__err(MLOPS_ECORRUPT, "%s: audit event %lld: the gate decision does not decode",
                        fn, (long long)e->seq);
        goto done;
    }
    e->is_decision = 1;
    e->kind = str_dup(&a[0], &oom);
    if (is_str(&a[1])) e->target = str_dup(&a[1], &oom);
    if (a[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER) e->baseline = (int64_t)a[2].via.u64;
    e->forced = a[3].type == MSGPACK_OBJECT_BOOLEAN && a[3].via.boolean;
    size_t nc = a[5].via.array.size;
    e->checks = nc ? calloc(nc, sizeof *e->checks) : NULL;
    if (nc && !e->checks) oom = 1;
    for (size_t i = 0; !oom && i < nc; i++) {
        const msgpack_object *k = &a[5].via.array.ptr[i];
        if (k->type != MSGPACK_OBJECT_ARRAY || k->via.array.size != 6 ||
            k->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            !is_str(&k->via.array.ptr[1]) || !is_str(&k->via.array.ptr[2]) ||
            !is_str(&k->via.array.ptr[5])) {
            rc = mlops__err(MLOPS_ECORRUPT,
                            "%s: audit event %lld: a check of the gate decision does not decode",
                            fn, (long long)e->seq);
            goto done;
        }
        const msgpack_object *f = k->via.array.ptr;
        mlops__page_check *c = &e->checks[e->n_checks++];
        c->candidate = (int64_t)f[0].via.u64;
        c->condition = str_dup(&f[1], &oom);
        c->outcome = str_dup(&f[2], &oom);
        c->left_known = num(&f[3], &c->left);
        c->right_known = num(&f[4], &c->right);
        c->why = str_dup(&f[5], &oom);
    }
    if (oom) rc = mlops__err_nomem("reading gate decisions");
done:
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* What an alias event set the alias to: its split payload, else its new
 * value alone; a delete sets nothing. */
static int decode_alias(const char *fn, mlops__page_event *e, const void *p, size_t n)
{
    e->is_alias = 1;
    if (strcmp(e->action, "alias.delete") == 0) return MLOPS_OK;
    if (p && mlops__alias_payload_split(p, n, &e->split)) {
        e->has_split = 1;
        return MLOPS_OK;
    }
    if (e->new_value && mlops__split_decode(fn, e->new_value, &e->split) == MLOPS_OK &&
        e->split.n == 1) {
        e->has_split = 1;
        return MLOPS_OK;
    }
    return mlops__err(MLOPS_ECORRUPT, "%s: audit event %lld: the alias's version does not decode",
                      fn, (long long)e->seq);
}

struct load_ctx {
    const char *fn, *model;
    mlops__model_page *p;
};

static int grow(mlops__model_page *p, size_t *cap)
{
    if (p->n_events < *cap) return MLOPS_OK;
    size_t nc = *cap ? 2 * *cap : 32;
    mlops__page_event *e = realloc(p->events, nc * sizeof *e);
    if (!e) return mlops__err_nomem("reading audit events");
    p->events = e;
    *cap = nc;
    return MLOPS_OK;
}

static void events_clear(mlops__model_page *p);

static int events_tx(mlops__conn *c, void *arg)
{
    struct load_ctx *x = arg;
    events_clear(x->p); /* a retried transaction (lib/store/store.c run_tx) starts again */
    int64_t id = 0;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &id);
    mlops__stmt *st = NULL;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT seq, time_ms, actor, action, version, key, old_value, "
                              "new_value, reason, payload FROM audit_events WHERE model_id = ?1 "
                              "ORDER BY seq",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, id);
    if (rc) return rc;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if ((rc = grow(x->p, &cap))) break;
        mlops__page_event *e = &x->p->events[x->p->n_events++];
        memset(e, 0, sizeof *e);
        int oom = 0;
        e->seq = mlops__col_int64(st, 0);
        e->time_ms = mlops__col_int64(st, 1);
        e->actor = mlops__reg_column_dup(st, 2, &oom);
        e->action = mlops__reg_column_dup(st, 3, &oom);
        e->version = mlops__col_int64(st, 4);
        e->key = mlops__reg_column_dup(st, 5, &oom);
        e->old_value = mlops__reg_column_dup(st, 6, &oom);
        e->new_value = mlops__reg_column_dup(st, 7, &oom);
        e->reason = mlops__reg_column_dup(st, 8, &oom);
        if (oom || !e->action) {
            rc = oom ? mlops__err_nomem("reading audit events")
                     : mlops__err(MLOPS_ECORRUPT, "%s: audit event %lld has no action", x->fn,
                                  (long long)e->seq);
            break;
        }
        const void *pl = mlops__col_blob(st, 9);
        size_t pn = (size_t)mlops__col_bytes(st, 9);
        if (!strcmp(e->action, "alias.set") || !strcmp(e->action, "alias.move") ||
            !strcmp(e->action, "alias.delete"))
            rc = decode_alias(x->fn, e, pn ? pl : NULL, pn);
        else if (!strcmp(e->action, "alias.gate.decision"))
            rc = decode_decision(x->fn, e, pn ? pl : NULL, pn);
        if (rc) break;
    }
    if (!rc && step != MLOPS__DONE && step != MLOPS__ROW)
        rc = mlops__conn_error(c, step, "reading audit events");
    mlops__reset(st);
    return rc;
}

int mlops__model_page_load(mlops_store *s, const char *fn, const char *model,
                           mlops__model_page *p)
{
    memset(p, 0, sizeof *p);
    int rc = mlops_model_get(s, model, &p->model);
    if (!rc) rc = mlops_model_version_list_ex(s, model, MLOPS_LIFECYCLE_ALL, &p->versions);
    size_t nv = rc ? 0 : mlops_model_versions_count(p->versions);
    if (!rc && nv && !(p->lineage = calloc(nv, sizeof *p->lineage)))
        rc = mlops__err_nomem("reading lineage");
    for (size_t i = 0; !rc && i < nv; i++) {
        int64_t n = mlops_model_version_number(mlops_model_versions_at(p->versions, i));
        rc = mlops_model_version_lineage(s, model, n, &p->lineage[i]);
        /* A version whose run record is gone is shown without one. */
        if (rc == MLOPS_ENOTFOUND) rc = MLOPS_OK;
    }
    /* Errors of the readers above name them: the message gets the public
     * function's name in front. */
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", mlops__err_message());
        rc = mlops__err(rc, "%s: %s", fn, msg);
    }
    struct load_ctx x = { fn, model, p };
    if (!rc) rc = mlops__store_read(s, events_tx, &x);
    if (rc) mlops__model_page_clear(p);
    return rc;
}

/* Frees p's events and leaves none. */
static void events_clear(mlops__model_page *p)
{
    for (size_t i = 0; i < p->n_events; i++) {
        mlops__page_event *e = &p->events[i];
        free(e->actor);
        free(e->action);
        free(e->key);
        free(e->old_value);
        free(e->new_value);
        free(e->reason);
        free(e->kind);
        free(e->target);
        for (size_t k = 0; k < e->n_checks; k++) {
            free(e->checks[k].condition);
            free(e->checks[k].outcome);
            free(e->checks[k].why);
        }
        free(e->checks);
    }
    free(p->events);
    p->events = NULL;
    p->n_events = 0;
}

void mlops__model_page_clear(mlops__model_page *p)
{
    size_t nv = mlops_model_versions_count(p->versions);
    for (size_t i = 0; p->lineage && i < nv; i++) mlops_version_lineage_free(p->lineage[i]);
    free(p->lineage);
    mlops_model_versions_free(p->versions);
    mlops_model_free(p->model);
    events_clear(p);
    memset(p, 0, sizeof *p);
}
