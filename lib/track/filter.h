/* Internal: the search language as a syntax tree (doc/search.md).
 *
 * filter_parse.c turns the filter and ORDER BY texts into this tree and
 * checks everything a caller can get wrong (syntax, types, statuses, the
 * documented limits), with the position in the message. A renderer turns
 * a tree into a query language: filter_sql.c, for SQLite and PostgreSQL. A tree that
 * parsed must render and run: every limit of the engine is the renderer's
 * problem, never the caller's.
 *
 * The parser hands over a normalised tree, so that renderers need not
 * nest per level of the text: AND and OR are n-ary and never have a child
 * of their own kind (chains and parentheses are flattened), and there is
 * no NOT node (NOT is pushed down to the predicates with De Morgan's laws,
 * which is exact because every predicate is true or false, never
 * unknown). Depth in the tree is thus at most the parenthesis depth. */
#ifndef MLOPS_TRACK_FILTER_H
#define MLOPS_TRACK_FILTER_H

#include <stddef.h>
#include <stdint.h>

/* Documented limits (doc/search.md). */
#define MLOPS__FILTER_TEXT_MAX 65536 /* bytes of a filter or an ORDER BY */
#define MLOPS__FILTER_DEPTH_MAX 64   /* levels of parentheses */
#define MLOPS__ORDER_MAX 8           /* ORDER BY keys */
#define MLOPS__IN_MAX 1000           /* values in one IN list */

enum mlops__field_kind { MLOPS__F_METRIC, MLOPS__F_PARAM, MLOPS__F_TAG, MLOPS__F_ATTR };
enum mlops__value_type { MLOPS__T_NUMBER, MLOPS__T_TEXT };

typedef struct mlops__field {
    enum mlops__field_kind kind;
    char *key;            /* metrics, params, tags: malloc'd */
    size_t keylen;
    const char *column;   /* metrics: aggregate (last, min, max, count); attributes: runs column */
    enum mlops__value_type type;
} mlops__field;

typedef struct mlops__literal {
    enum mlops__value_type type;
    int is_int;
    int64_t i;
    double d;
    char *s; /* strings: malloc'd, unescaped */
    size_t slen;
} mlops__literal;

enum mlops__fnode_kind {
    MLOPS__N_AND,
    MLOPS__N_OR,
    MLOPS__N_COMPARE, /* field op value */
    MLOPS__N_LIKE,    /* field [NOT] LIKE|ILIKE pattern (the pattern as written) */
    MLOPS__N_IN,      /* field [NOT] IN (values) */
    MLOPS__N_EXISTS   /* field IS NOT NULL (negated: IS NULL) */
};

typedef struct mlops__fnode {
    enum mlops__fnode_kind kind;
    /* AND, OR */
    struct mlops__fnode **kids;
    size_t nkids;
    size_t cap; /* room in kids (AND, OR) or values (predicates) */
    /* predicates */
    int negated;        /* the whole predicate is negated (NOT pushed down) */
    int value_negated;  /* NOT LIKE, NOT IN: a test on the value, the key must exist */
    int ilike;
    const char *op;     /* COMPARE: = <> < <= > >= */
    mlops__field field;
    mlops__literal *values; /* COMPARE, LIKE: one; IN: nvalues */
    size_t nvalues;
    /* Set before rendering, on PostgreSQL (search.c): the param's or tag's
     * key holds no value of MLOPS__PG_SHORT_VALUE characters or more in
     * the snapshot the search reads, so a test of its text may say
     * length(value) < MLOPS__PG_SHORT_VALUE. */
    int short_key;
    /* Set before rendering, on PostgreSQL (search.c), from format 10's
     * dictionaries (lib/track/schema_rows.c), in the search's snapshot:
     * - a param or tag predicate whose answer the run's pairs give
     *   (search_rows.facets): facet_ids, malloc'd, the ids of the pairs
     *   its test accepts as an array literal "{1,2}" (NULL: tested on the
     *   store's tables as before);
     * - a comparison of a metric's last value: row_metric is set and
     *   metric_key_id is the key's id (0: no run has the key). */
    char *facet_ids;
    int row_metric;
    int64_t metric_key_id;
} mlops__fnode;

typedef struct mlops__order_key {
    mlops__field field;
    int desc;
    /* As mlops__fnode's: a metric's last value read from search_rows. */
    int row_metric;
    int64_t metric_key_id;
} mlops__order_key;

typedef struct mlops__search_tree {
    mlops__fnode *filter; /* NULL: every run */
    mlops__order_key keys[MLOPS__ORDER_MAX];
    size_t nkeys;
} mlops__search_tree;

/* Parses filter (NULL or blank: none) and order_by (NULL or blank: the
 * default "attributes.start_time DESC") into t (zeroed by the caller).
 * MLOPS_EINVAL with a message naming func and the position of the error,
 * or the limit exceeded; MLOPS_ENOMEM. Release t with
 * mlops__search_tree_free in every case. */
int mlops__search_parse(const char *func, const char *filter, const char *order_by,
                        mlops__search_tree *t);
void mlops__search_tree_free(mlops__search_tree *t);

#endif
