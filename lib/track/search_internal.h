/* Internal: run search. The filter and ORDER BY texts are compiled to SQL
 * over `runs r` in which every value, key included, is a numbered bound
 * parameter (?N): no text of the caller ever becomes SQL. The grammar is
 * in doc/search.md. */
#ifndef MLOPS_TRACK_SEARCH_INTERNAL_H
#define MLOPS_TRACK_SEARCH_INTERNAL_H

#include "mlops/track.h"
#include "util/buf.h"
#include "util/db.h"

#include <stdint.h>

/* Most ORDER BY keys, and most values in one IN list. */
#define MLOPS__ORDER_MAX 8
#define MLOPS__IN_MAX 1000

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
    int failed;
} mlops__binds;

/* Appends a value; returns its parameter number (1-based), or 0 when out
 * of memory (then binds->failed is set). */
int mlops__binds_int(mlops__binds *b, int64_t v);
int mlops__binds_real(mlops__binds *b, double v);
int mlops__binds_text(mlops__binds *b, const char *s, size_t len);
int mlops__binds_value(mlops__binds *b, const mlops__value *v);
void mlops__binds_free(mlops__binds *b);
/* Binds every value to st. */
int mlops__binds_apply(mlops__conn *c, const mlops__binds *b, sqlite3_stmt *st);

typedef struct mlops__sort_key {
    mlops__buf join; /* " LEFT JOIN ... s<i> ON ..." or empty */
    mlops__buf expr; /* SQL giving the key's value for run r (NULL: missing) */
    int desc;
} mlops__sort_key;

typedef struct mlops__query {
    mlops__buf where; /* boolean SQL over runs r; empty: no filter */
    mlops__binds binds;
    mlops__sort_key keys[MLOPS__ORDER_MAX];
    size_t nkeys;
} mlops__query;

/* Compiles filter (NULL or blank: none) and order_by (NULL or blank: the
 * default "attributes.start_time DESC") into q (zeroed by the caller).
 * MLOPS_EINVAL with a message naming func and the position of the error;
 * MLOPS_ENOMEM. Release q with mlops__query_free in every case. */
int mlops__search_compile(const char *func, const char *filter, const char *order_by,
                          mlops__query *q);
void mlops__query_free(mlops__query *q);

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
void mlops__value_clear(mlops__value *v);

#endif
