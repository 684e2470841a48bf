/* The lookups a search on PostgreSQL makes before it is rendered
 * (doc/search.md, "On PostgreSQL"), in the snapshot the search then
 * reads: whether a param's or tag's key holds a value of
 * MLOPS__PG_SHORT_VALUE characters or more (format 8), the ids of metric
 * keys and of the pairs a predicate accepts (format 10's search rows),
 * and whether a metric comparison is rare. They go in one batch, one
 * round trip (mlops__stmts_run_ahead), where a round trip each took half
 * a millisecond of the 100k-run benchmark's search (issue 16). The pairs
 * of a test whose answer holds only when its key has no long value are
 * looked up in the same batch, after the probe of that key, and dropped
 * when the probe finds a long value: a wasted lookup when a key holds
 * one (rare: values of MLOPS__PG_SHORT_VALUE characters), where waiting
 * for the probe was a second round trip for every such test. */
#include "track/search_internal.h"
#include "track/track_internal.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

int mlops__search_rows_off;
int mlops__search_rare_metric = 1000;

/* Probes of long values one search makes, at most: a filter has a few;
 * past these, a test is rendered without the length bound (as right, and
 * slower). */
#define SHORT_KEY_LOOKUPS 16
/* Lookups of format 10's dictionaries one search makes, at most; past
 * these, predicates are tested on the store's tables as before (the same
 * answer). */
#define ROW_LOOKUPS 32
/* Pair ids one predicate may test (a GIN probe each); a test accepting
 * more pairs is made on the store's tables. */
#define FACET_IDS_MAX 1000

static const char long_param_sql[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM run_params WHERE key = ?1 AND length(value) >= "
    MLOPS__STR(MLOPS__PG_SHORT_VALUE) ") THEN 1 ELSE 0 END";
static const char long_tag_sql[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM run_tags WHERE key = ?1 AND length(value) >= "
    MLOPS__STR(MLOPS__PG_SHORT_VALUE) ") THEN 1 ELSE 0 END";
/* 0 when no run has the key */
static const char key_id_sql[] =
    "SELECT coalesce((SELECT id FROM search_metric_keys WHERE key = ?1), 0)";

enum lookup_kind {
    LONG_VALUE, /* the key of n holds a long value (partial index run_*_long_values) */
    KEY_ID,     /* the id of the metric key of n or of a sort key */
    RARE,       /* fewer than mlops__search_rare_metric runs pass n */
    FACETS      /* the ids of the pairs n's test accepts */
};

struct lookup {
    enum lookup_kind kind;
    mlops__fnode *n;       /* the predicate; NULL for a sort key's KEY_ID */
    mlops__order_key *key; /* the sort key of a KEY_ID */
    int short_key;         /* LONG_VALUE: its answer is n->short_key (a test of text) */
    int long_found;        /* LONG_VALUE, once read: the key holds a long value */
    size_t probe;          /* FACETS: 1 + the index in the batch of the LONG_VALUE whose
                              long value voids the pairs; 0: none */
    const char *sql; /* the fixed SQL of LONG_VALUE and KEY_ID */
    mlops__stmt *st;
    int cached;      /* st is the connection's cached statement: reset it, not finalize */
    mlops__query q;  /* the built SQL of RARE and FACETS */
};

struct batch {
    struct lookup *l;
    size_t n, cap;
};

static struct lookup *batch_add(struct batch *b, enum lookup_kind kind, mlops__fnode *n)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct lookup *grown = realloc(b->l, cap * sizeof *grown);
        if (!grown) return NULL;
        b->l = grown;
        b->cap = cap;
    }
    struct lookup *l = &b->l[b->n++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->n = n;
    return l;
}

static void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct lookup *l = &b->l[i];
        if (l->st && l->cached) mlops__reset(l->st);
        else if (l->st) mlops__stmt_finalize(l->st);
        mlops__query_free(&l->q);
    }
    b->n = 0;
}

static int nomem(void)
{
    return mlops__err_nomem("searching runs");
}

/* The statement of a lookup by fixed SQL: the connection's cached one,
 * or, when an earlier lookup of the batch holds it, one of its own. */
static int fixed_stmt(mlops__conn *c, const struct batch *b, struct lookup *l, const char *sql)
{
    l->sql = sql;
    l->cached = 1;
    for (size_t i = 0; i < b->n && &b->l[i] != l; i++)
        if (b->l[i].sql == sql && b->l[i].cached) l->cached = 0;
    return l->cached ? mlops__conn_stmt(c, sql, &l->st) : mlops__conn_prepare(c, sql, &l->st);
}

/* Prepares and binds l's statement. */
static int lookup_stmt(mlops__conn *c, const struct batch *b, struct lookup *l)
{
    int rc;
    switch (l->kind) {
    case LONG_VALUE:
        rc = fixed_stmt(c, b, l, l->n->field.kind == MLOPS__F_TAG ? long_tag_sql : long_param_sql);
        return rc ? rc : mlops__bind_text(c, l->st, 1, l->n->field.key);
    case KEY_ID:
        rc = fixed_stmt(c, b, l, key_id_sql);
        return rc ? rc
                  : mlops__bind_text(c, l->st, 1, l->n ? l->n->field.key : l->key->field.key);
    case RARE: rc = mlops__metric_probe_render(l->n, mlops__search_rare_metric, &l->q); break;
    default: rc = mlops__facet_lookup_render(l->n, FACET_IDS_MAX + 1, &l->q); break; /* FACETS */
    }
    if (!rc) rc = mlops__conn_prepare(c, mlops__buf_str(&l->q.where), &l->st);
    if (!rc) rc = mlops__binds_apply(c, &l->q.binds, l->st);
    return rc;
}

/* Reads l's answer into the tree; the LONG_VALUE that a FACETS waits
 * for comes before it in b, so it has been read. */
static int lookup_read(mlops__conn *c, const struct batch *b, struct lookup *l)
{
    int step = mlops__step(l->st);
    if (l->kind == FACETS) {
        mlops__buf ids = MLOPS__BUF_INIT;
        mlops__buf_add(&ids, "{");
        int count = 0;
        for (; step == MLOPS__ROW; step = mlops__step(l->st))
            mlops__buf_addf(&ids, "%s%lld", count++ ? "," : "",
                            (long long)mlops__col_int64(l->st, 0));
        mlops__buf_add(&ids, "}");
        int rc = step == MLOPS__DONE ? MLOPS_OK : mlops__conn_error(c, step, "searching runs");
        int voided = l->probe && b->l[l->probe - 1].long_found;
        if (!rc && count <= FACET_IDS_MAX && !voided) rc = mlops__buf_take(&ids, &l->n->facet_ids, "searching runs");
        mlops__buf_free(&ids);
        return rc;
    }
    if (step != MLOPS__ROW) return mlops__conn_row_error(c, step, "searching runs");
    int64_t v = mlops__col_int64(l->st, 0);
    switch (l->kind) {
    case LONG_VALUE:
        if (l->short_key) l->n->short_key = v == 0;
        l->long_found = v != 0;
        break;
    case KEY_ID:
        if (l->n) {
            l->n->metric_key_id = v;
            l->n->row_metric = 1;
        } else {
            l->key->metric_key_id = v;
            l->key->row_metric = 1;
        }
        break;
    case RARE: /* after the KEY_ID of the same predicate */
        if (l->n->metric_key_id && v < mlops__search_rare_metric) l->n->row_metric = 0;
        break;
    case FACETS: break;
    }
    return MLOPS_OK;
}

/* Prepares every lookup of b, runs them in one round trip and reads them
 * in order. */
static int batch_run(mlops__conn *c, struct batch *b)
{
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < b->n; i++) rc = lookup_stmt(c, b, &b->l[i]);
    mlops__stmt *sts[ROW_LOOKUPS + SHORT_KEY_LOOKUPS + MLOPS__ORDER_MAX];
    size_t n = b->n < sizeof sts / sizeof sts[0] ? b->n : 0;
    for (size_t i = 0; !rc && i < n; i++) sts[i] = b->l[i].st;
    if (!rc && n) rc = mlops__stmts_run_ahead(c, sts, (int)n);
    for (size_t i = 0; !rc && i < b->n; i++) rc = lookup_read(c, b, &b->l[i]);
    batch_clear(b);
    return rc;
}

/* 1 + the index of the lookup of the long values of n's key that
 * plan_short_keys added, or 0. */
static size_t long_value_of(const struct batch *b, const mlops__fnode *n)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->l[i].kind == LONG_VALUE && b->l[i].n == n) return i + 1;
    return 0;
}

/* Format 8: a param or tag predicate on text that the renderer may bound
 * by length when its key holds only short values (n->short_key), so that
 * PostgreSQL reads the partial (key, value, run) index of format 7
 * without the table: a LIKE can then be a range of it rather than one
 * probe of the table per candidate run. */
static int plan_short_keys(struct batch *b, mlops__fnode *n, int *lookups)
{
    if (n->kind == MLOPS__N_AND || n->kind == MLOPS__N_OR) {
        for (size_t i = 0; i < n->nkids; i++) {
            int rc = plan_short_keys(b, n->kids[i], lookups);
            if (rc) return rc;
        }
        return MLOPS_OK;
    }
    const mlops__field *f = &n->field;
    n->short_key = 0;
    if ((f->kind != MLOPS__F_PARAM && f->kind != MLOPS__F_TAG) || n->kind == MLOPS__N_EXISTS ||
        n->values[0].type != MLOPS__T_TEXT || strlen(f->key) != f->keylen || *lookups == 0)
        return MLOPS_OK;
    /* = and IN carry the bound already when their values are short (the
     * renderer sees that), and match no value of a short key otherwise */
    if (!n->value_negated &&
        (n->kind == MLOPS__N_IN || (n->kind == MLOPS__N_COMPARE && !strcmp(n->op, "="))))
        return MLOPS_OK;
    --*lookups;
    struct lookup *l = batch_add(b, LONG_VALUE, n);
    if (!l) return nomem();
    l->short_key = 1;
    return MLOPS_OK;
}

/* Format 10: what lets the renderer test n on search_rows
 * (lib/track/schema_rows.c): a metric clause on the last value needs its
 * key's id (and, for a plain comparison, whether it is rare: then it
 * stays a range of metric_series_by_value, cheaper than testing every
 * row a pair test gives); a param or tag predicate the ids of the pairs
 * it accepts, when those are all the values it accepts (its key holds no
 * long value, or it is an equality with short values only). Runs after
 * plan_short_keys, whose lookups it reuses; a pair lookup whose answer
 * holds only when its key has no long value comes after that key's probe
 * (lookup_read drops its pairs when the probe finds one). */
static int plan_rows(struct batch *b, mlops__fnode *n, int *lookups)
{
    if (n->kind == MLOPS__N_AND || n->kind == MLOPS__N_OR) {
        for (size_t i = 0; i < n->nkids; i++) {
            int rc = plan_rows(b, n->kids[i], lookups);
            if (rc) return rc;
        }
        return MLOPS_OK;
    }
    const mlops__field *f = &n->field;
    free(n->facet_ids);
    n->facet_ids = NULL;
    n->row_metric = 0;
    n->metric_key_id = 0;
    if (f->kind == MLOPS__F_ATTR || strlen(f->key) != f->keylen || *lookups <= 0) return MLOPS_OK;
    if (f->kind == MLOPS__F_METRIC) {
        if (n->kind == MLOPS__N_EXISTS || strcmp(f->column, "last") != 0) return MLOPS_OK;
        --*lookups;
        if (!batch_add(b, KEY_ID, n)) return nomem();
        /* Only a plain comparison can be rare; it is counted, up to
         * mlops__search_rare_metric, in this snapshot. */
        if (n->kind == MLOPS__N_COMPARE && !n->negated && strcmp(n->op, "<>") != 0 &&
            mlops__search_rare_metric > 0 && *lookups > 0) {
            --*lookups;
            if (!batch_add(b, RARE, n)) return nomem();
        }
        return MLOPS_OK;
    }
    if (!mlops__facet_needs_short_key(n)) {
        --*lookups;
        return batch_add(b, FACETS, n) ? MLOPS_OK : nomem();
    }
    size_t probe;
    if (n->kind != MLOPS__N_EXISTS && n->values[0].type == MLOPS__T_TEXT) {
        probe = long_value_of(b, n); /* plan_short_keys asked about text tests only */
        if (!probe) return MLOPS_OK;
        --*lookups;
    } else {
        if (*lookups < 2) return MLOPS_OK;
        *lookups -= 2;
        if (!batch_add(b, LONG_VALUE, n)) return nomem();
        probe = b->n;
    }
    struct lookup *l = batch_add(b, FACETS, n);
    if (!l) return nomem();
    l->probe = probe;
    return MLOPS_OK;
}

int mlops__search_lookups(mlops__conn *c, mlops__search_tree *t)
{
    int lookups = SHORT_KEY_LOOKUPS;
    int row_lookups = mlops__search_rows_off ? 0 : ROW_LOOKUPS;
    struct batch first = { NULL, 0, 0 };
    int rc = MLOPS_OK;
    if (t->filter) rc = plan_short_keys(&first, t->filter, &lookups);
    if (!rc && t->filter) rc = plan_rows(&first, t->filter, &row_lookups);
    for (size_t i = 0; !rc && i < t->nkeys; i++) {
        mlops__order_key *k = &t->keys[i];
        k->row_metric = 0;
        if (k->field.kind != MLOPS__F_METRIC || strcmp(k->field.column, "last") != 0 ||
            strlen(k->field.key) != k->field.keylen || row_lookups <= 0)
            continue;
        row_lookups--;
        struct lookup *l = batch_add(&first, KEY_ID, NULL);
        if (!l) rc = nomem();
        else l->key = k;
    }
    if (!rc) rc = batch_run(c, &first);
    batch_clear(&first);
    free(first.l);
    return rc;
}
