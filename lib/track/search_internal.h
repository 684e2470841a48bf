/* Internal: run search. The filter and ORDER BY texts are parsed into a
 * tree (filter.h, filter_parse.c) and rendered as SQL over `runs r`
 * (filter_sql.c) in which every value, key included, is a numbered bound
 * parameter (?N): no text of the caller ever becomes SQL. The grammar is
 * in doc/search.md. */
#ifndef MLOPS_TRACK_SEARCH_INTERNAL_H
#define MLOPS_TRACK_SEARCH_INTERNAL_H

#include "mlops/track.h"
#include "track/filter.h"
#include "util/buf.h"
#include "db/db.h"

#include <stdint.h>

/* Value types, as SQLite's: also the type bytes of page tokens. */
#define MLOPS__VAL_NULL 0
#define MLOPS__VAL_INT  1
#define MLOPS__VAL_REAL 2
#define MLOPS__VAL_TEXT 3

typedef struct mlops__value {
    int type;
    int64_t i;
    double d;
    char *s; /* malloc'd, NUL-terminated */
    size_t slen;
} mlops__value;

typedef struct mlops__binds {
    mlops__value *v; /* parameter ?N is v[N-1] */
    size_t n, cap;
    int *index;      /* hash of the values: slot -> N, 0 for empty */
    size_t slots;
    int failed;
} mlops__binds;

/* Adds a value, or finds the same value (type and bytes) added before:
 * equal values share one parameter, so that a long filter repeating a key
 * needs few parameters (a statement carries at most mlops__conn_max_params:
 * 32,766 on SQLite by default, 65,535 on PostgreSQL). Returns its parameter number (1-based), or 0 when
 * out of memory (then binds->failed is set). */
int mlops__binds_int(mlops__binds *b, int64_t v);
int mlops__binds_real(mlops__binds *b, double v);
int mlops__binds_text(mlops__binds *b, const char *s, size_t len);
int mlops__binds_value(mlops__binds *b, const mlops__value *v);
void mlops__binds_free(mlops__binds *b);
/* Binds every value to st. */
int mlops__binds_apply(mlops__conn *c, const mlops__binds *b, mlops__stmt *st);

/* A sort key. On SQLite a param or tag key is one expression that is a
 * number or text row by row; PostgreSQL types every column, so there the
 * key is two: expr (the number, or NULL) and text (the value when it is
 * not a number, or NULL), and the run lacks the key when both are NULL.
 * Numbers sort before text in either dialect. */
typedef struct mlops__sort_key {
    mlops__buf join; /* " LEFT JOIN ... s<i> ON ..." or empty */
    mlops__buf expr; /* SQL giving the key's value for run r (NULL: missing) */
    mlops__buf text; /* PostgreSQL params and tags: the text part; else empty */
    unsigned types;  /* the value types the key can take: bits 1 << MLOPS__VAL_* */
    int desc;
} mlops__sort_key;

typedef struct mlops__query {
    const char *from; /* what the query reads runs from, as "... r" (filter_sql.c choose_rows) */
    mlops__buf with;  /* CTEs the filter uses: "f1(seq) AS (...), ..."; empty: none */
    mlops__buf where; /* boolean SQL over runs r; empty: no filter */
    mlops__binds binds;
    enum mlops__dialect dialect;
    mlops__sort_key keys[MLOPS__ORDER_MAX];
    size_t nkeys;
} mlops__query;

/* Renders a parsed search into q (zeroed by the caller) in the dialect of
 * a connection whose longest LIKE pattern is like_max bytes (longer ones
 * go through mlops_like() on SQLite). Any tree the parser made renders:
 * MLOPS_ENOMEM is the only error. Release q with mlops__query_free in
 * every case. */
int mlops__search_render(const mlops__search_tree *t, enum mlops__dialect dialect, int like_max,
                         mlops__query *q);
void mlops__query_free(mlops__query *q);

/* PostgreSQL, format 10 (lib/track/schema_rows.c): the lookup of the
 * search_facets ids whose pairs a param's or tag's predicate n accepts
 * (the test on the value only: n's negation is the search's), at most
 * limit of them in id order, as a statement in q->where with q->binds
 * (q zeroed by the caller, released with mlops__query_free). Its answer
 * is every accepted value of the runs only when the key holds no long
 * value, or mlops__facet_needs_short_key(n) is 0. */
int mlops__facet_lookup_render(const mlops__fnode *n, int limit, mlops__query *q);
int mlops__facet_needs_short_key(const mlops__fnode *n);
/* PostgreSQL: how many runs pass the comparison n of a metric's last
 * value (a COMPARE), counted up to limit, by a range of
 * metric_series_by_value: a statement in q->where with q->binds. */
int mlops__metric_probe_render(const mlops__fnode *n, int limit, mlops__query *q);

/* PostgreSQL: sets, from lookups in the snapshot of c's transaction, what
 * the renderer reads in t (mlops__fnode's short_key, facet_ids,
 * row_metric, metric_key_id; the sort keys' row_metric and
 * metric_key_id): lib/track/search_lookups.c. */
int mlops__search_lookups(mlops__conn *c, mlops__search_tree *t);

/* Set (tests only): searches on PostgreSQL render as format 9 did, without
 * search_rows, so that a test can compare the two renderings' answers on
 * one store. 0 in every program but those tests. */
extern int mlops__search_rows_off;
/* Runs a metric comparison may pass and still be tested through
 * metric_series_by_value (1000); 0 (tests only): never. */
extern int mlops__search_rare_metric;

/* Page tokens: the sort key values and seq of the last run of a page, and
 * a fingerprint of the query they belong to. Text, URL-safe. */
int mlops__page_token_encode(const uint8_t fingerprint[8], const mlops__value *keys, size_t n,
                             int64_t seq, char **out);
/* Decodes a token made for a query with this fingerprint and n keys into
 * keys[0..n) (values to free with mlops__value_clear) and *seq.
 * MLOPS_EINVAL naming func when the token is malformed or belongs to
 * another query. */
int mlops__page_token_decode(const char *func, const char *token, const uint8_t fingerprint[8],
                             mlops__value *keys, size_t n, int64_t *seq);
/* MLOPS_EINVAL naming func when a decoded key value has a type its key in
 * q never takes (a forged token: PostgreSQL would refuse to compare it). */
int mlops__page_token_fits(const char *func, const mlops__value *keys, const mlops__query *q);
void mlops__value_clear(mlops__value *v);

#endif
