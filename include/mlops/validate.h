/*
 * libmlops — data validation: a schema of the columns a model expects,
 * inferred from reference profiles (drift.h), edited, stored by digest in
 * the artifact store, and checked against a batch of data.
 *
 * A schema holds, per column (by name): its kind (numeric or categorical,
 * the MLOPS_PROFILE_* kinds) and the checks it is subject to: presence in
 * the batch, a closed range of values, a set of allowed categories, and
 * the highest share of missing values. Range and category checks have a
 * tolerance: the share of a batch's non-missing values allowed outside.
 * Columns are kept in byte order of their names and categories in byte
 * order, so equal schemas have equal bytes and digests.
 *
 * Validating a batch gives a list of anomalies (unknown column, missing
 * column, kind change, values out of range, unseen categories, missing
 * share above its limit), each with its counts and a few examples (row
 * indices and values). The text form is JSON (doc/validate.md), the stored
 * form versioned msgpack (doc/format.md, "Schemas").
 *
 * Threads: every function is reentrant. A schema or anomaly list may be
 * read by several threads at once; a schema must not be changed while
 * another thread reads it. mlops_schema_validate checks the columns of a
 * large batch (a million values or more) on the library's thread pool
 * (as many threads as mlops_set_thread_limit allows, the caller's
 * included); the result is the same on any number of threads.
 */
#ifndef MLOPS_VALIDATE_H
#define MLOPS_VALIDATE_H

#include "cas.h"
#include "common.h"
#include "drift.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_schema mlops_schema;

/* Limits: a column name is 1..MLOPS_SCHEMA_NAME_MAX bytes of UTF-8
 * without control characters; a category is 0..MLOPS_SCHEMA_CATEGORY_MAX
 * bytes of UTF-8; a column has at most MLOPS_SCHEMA_CATEGORIES_MAX allowed
 * categories and a schema at most MLOPS_SCHEMA_COLUMNS_MAX columns. */
#define MLOPS_SCHEMA_NAME_MAX       255
#define MLOPS_SCHEMA_CATEGORY_MAX   65535
#define MLOPS_SCHEMA_CATEGORIES_MAX 1000000
#define MLOPS_SCHEMA_COLUMNS_MAX    100000

/* The checks of a column (mlops_schema_column.checks, a bit set). */
#define MLOPS_SCHEMA_CHECK_PRESENCE   1u /* a batch without the column is an anomaly */
#define MLOPS_SCHEMA_CHECK_RANGE      2u /* numeric: values within [min, max] */
#define MLOPS_SCHEMA_CHECK_CATEGORIES 4u /* categorical: values among categories */
#define MLOPS_SCHEMA_CHECK_MISSING    8u /* missing share at most missing_max */
#define MLOPS_SCHEMA_CHECK_ALL        15u

#define MLOPS_SCHEMA_COLUMN_VERSION 1

/* One column of a schema: given to mlops_schema_column_set (borrowed for
 * the call, copied) and filled by mlops_schema_column_get (strings and
 * categories then borrowed from the schema, valid until it changes or is
 * freed). Fields of checks not in `checks` are ignored. Its layout never
 * changes: a new field comes in a new struct with a new function
 * (doc/conventions.md). */
typedef struct mlops_schema_column {
    unsigned version;           /* MLOPS_SCHEMA_COLUMN_VERSION */
    const char *name;
    int kind;                   /* MLOPS_PROFILE_NUMERIC or MLOPS_PROFILE_CATEGORICAL */
    unsigned checks;            /* MLOPS_SCHEMA_CHECK_* */
    double min, max;            /* RANGE: not NaN, min <= max (may be infinite) */
    double out_of_range_max;    /* RANGE: share of non-missing values allowed outside, 0..1 */
    const char *const *categories; /* CATEGORIES: n_categories UTF-8 strings, any order */
    size_t n_categories;
    double unseen_max;          /* CATEGORIES: share of non-missing values allowed unseen, 0..1 */
    double missing_max;         /* MISSING: highest share of missing values, 0..1 */
} mlops_schema_column;

#define MLOPS_SCHEMA_COLUMN_INIT { MLOPS_SCHEMA_COLUMN_VERSION, NULL, 0, MLOPS_SCHEMA_CHECK_PRESENCE, 0.0, 0.0, 0.0, NULL, 0u, 0.0, 0.0 }

/* Fills c with the defaults of the given version (no name, no kind, only
 * the presence check, zero tolerances). Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_schema_column_init(mlops_schema_column *c, unsigned version);

/* A new schema without columns. Release it with mlops_schema_free.
 * Errors: MLOPS_EINVAL (NULL out), MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_new(mlops_schema **out);

/* Releases a schema. NULL is a no-op. */
MLOPS_API void mlops_schema_free(mlops_schema *s);

#define MLOPS_SCHEMA_INFER_OPTS_VERSION 1

/* Options of mlops_schema_infer. Initialise with
 * MLOPS_SCHEMA_INFER_OPTS_INIT or mlops_schema_infer_opts_init(). Its
 * layout never changes (doc/conventions.md). */
typedef struct mlops_schema_infer_opts {
    unsigned version;        /* MLOPS_SCHEMA_INFER_OPTS_VERSION */
    double missing_slack;    /* missing_max = reference share + this, at most 1
                                (default 0.05) */
    double range_slack;      /* the range is widened on each side by this
                                fraction of max - min, >= 0 (default 0) */
    uint32_t max_categories; /* allowed categories only when the reference
                                counted at most this many exactly, 1..1000000
                                (default 1000) */
} mlops_schema_infer_opts;

#define MLOPS_SCHEMA_INFER_OPTS_INIT { MLOPS_SCHEMA_INFER_OPTS_VERSION, 0.05, 0.0, 1000u }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_schema_infer_opts_init(mlops_schema_infer_opts *opts, unsigned version);

/* Infers a schema from ncols reference profiles: names[i] (unique) is
 * described by profiles[i] (each profile is frozen, as serialising does).
 * Every column gets the presence and missing checks; a numeric column
 * with finite values the range [min, max] of its reference (open on both
 * sides when the reference held infinities: a profile keeps no sign for
 * them); a categorical column whose categories were all counted exactly,
 * and at most opts->max_categories of them, the allowed set. opts NULL
 * means defaults. Release *out with mlops_schema_free.
 * Errors: MLOPS_EINVAL (NULL, ncols = 0, a bad or duplicate name, bad
 * options), MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_infer(size_t ncols, const char *const *names,
                                 mlops_profile *const *profiles,
                                 const mlops_schema_infer_opts *opts, mlops_schema **out);

/* Number of columns (0 for NULL). */
MLOPS_API size_t mlops_schema_column_count(const mlops_schema *s);

/* Fills c (whose version the caller set) with column i, in name order.
 * Errors: MLOPS_EINVAL (NULL, i out of range, unknown version). */
MLOPS_API int mlops_schema_column_get(const mlops_schema *s, size_t i, mlops_schema_column *c);

/* The index of the column named name in *index. Errors: MLOPS_EINVAL
 * (NULL), MLOPS_ENOTFOUND (no such column). */
MLOPS_API int mlops_schema_column_find(const mlops_schema *s, const char *name, size_t *index);

/* Adds column c, or replaces the column of the same name (copying
 * everything; duplicate categories count once). Setting or clearing a
 * check is getting the column, changing `checks` and its fields, and
 * setting it back. Errors: MLOPS_EINVAL (NULL, a bad name, kind, check
 * bit, range, share or category, a check that does not apply to the kind,
 * too many columns or categories: the schema is then unchanged),
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_column_set(mlops_schema *s, const mlops_schema_column *c);

/* Removes the column named name. Errors: MLOPS_EINVAL (NULL),
 * MLOPS_ENOTFOUND. */
MLOPS_API int mlops_schema_column_delete(mlops_schema *s, const char *name);

/* ---- Stored and text forms --------------------------------------------------- */

/* Serialises s to the versioned msgpack format of doc/format.md
 * ("Schemas"); equal schemas give equal bytes. *buf is released with
 * mlops_free. Errors: MLOPS_EINVAL, MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_serialize(const mlops_schema *s, void **buf, size_t *len);

/* Reads a schema from its serialised form; every field is checked as
 * mlops_schema_column_set checks it, and columns and categories must be
 * sorted and unique. Errors: MLOPS_EINVAL (NULL), MLOPS_EFORMAT (not a
 * schema, malformed, truncated), MLOPS_EUNSUPPORTED (a newer format
 * version), MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_deserialize(const void *buf, size_t len, mlops_schema **out);

/* Serialises s and stores it as a blob; *out receives its digest. Like any
 * blob it is kept by garbage collection only while something refers to it
 * (a reference, mlops_ref_set). Errors: MLOPS_EINVAL, and those of
 * mlops_blob_put (MLOPS_EREADONLY, MLOPS_EIO, MLOPS_EBUSY, MLOPS_ENOMEM). */
MLOPS_API int mlops_schema_put(mlops_store *st, const mlops_schema *s, mlops_digest *out);

/* Loads the schema stored as blob d. Release it with mlops_schema_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no blob d), MLOPS_EFORMAT (the
 * blob is not a schema), MLOPS_EUNSUPPORTED, MLOPS_ECORRUPT, MLOPS_EIO,
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_get(mlops_store *st, const mlops_digest *d, mlops_schema **out);

/* The JSON text form of s (doc/validate.md), indented, for a person to
 * edit: *json is NUL-terminated, released with mlops_free. Errors:
 * MLOPS_EINVAL, MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_to_json(const mlops_schema *s, char **json);

/* Reads the JSON text form (len bytes; keys in any order, an absent check
 * is not applied). Errors: MLOPS_EINVAL (NULL), MLOPS_EFORMAT (not JSON,
 * or not a schema: the message says where), MLOPS_EUNSUPPORTED (a newer
 * version), MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_from_json(const char *json, size_t len, mlops_schema **out);

/* ---- Validation ------------------------------------------------------------------ */

/* Anomaly kinds (mlops_anomaly.kind). */
#define MLOPS_ANOMALY_UNKNOWN_COLUMN  1 /* a batch column the schema does not name */
#define MLOPS_ANOMALY_MISSING_COLUMN  2 /* a column with the presence check is absent */
#define MLOPS_ANOMALY_KIND_CHANGE     3 /* numeric where categorical is expected, or back */
#define MLOPS_ANOMALY_OUT_OF_RANGE    4 /* share of values outside [min, max] above its limit */
#define MLOPS_ANOMALY_UNSEEN_CATEGORY 5 /* share of unseen categories above its limit */
#define MLOPS_ANOMALY_MISSING_VALUES  6 /* missing share above missing_max */

/* One anomaly, owned by its list. Counts: for OUT_OF_RANGE and
 * UNSEEN_CATEGORY, count offending values among total non-missing ones;
 * for MISSING_VALUES, missing values among total rows; for the column
 * anomalies, count = 0 and total = rows. share = count / total (0 when
 * total is 0), limit the share allowed. Examples: the first offending
 * rows (0-based) and their values as text (numbers in the shortest form
 * that reads back; for KIND_CHANGE the first non-missing values). Its
 * layout never changes: new data comes through a new function
 * (doc/conventions.md). */
typedef struct mlops_anomaly {
    unsigned version;      /* 1 */
    int kind;              /* MLOPS_ANOMALY_* */
    const char *column;
    int expected_kind;     /* the schema's MLOPS_PROFILE_* kind (0 for UNKNOWN_COLUMN) */
    int actual_kind;       /* the batch's kind (0 for MISSING_COLUMN) */
    uint64_t count, total;
    double share, limit;
    size_t n_examples;
    const uint64_t *example_rows;
    const char *const *example_values;
} mlops_anomaly;

typedef struct mlops_anomalies mlops_anomalies;

#define MLOPS_VALIDATE_OPTS_VERSION 1

/* Options of mlops_schema_validate. Initialise with
 * MLOPS_VALIDATE_OPTS_INIT or mlops_validate_opts_init(). Its layout never
 * changes (doc/conventions.md). */
typedef struct mlops_validate_opts {
    unsigned version;       /* MLOPS_VALIDATE_OPTS_VERSION */
    uint32_t max_examples;  /* examples kept per anomaly, 0..100 (default 5) */
} mlops_validate_opts;

#define MLOPS_VALIDATE_OPTS_INIT { MLOPS_VALIDATE_OPTS_VERSION, 5u }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL. */
MLOPS_API int mlops_validate_opts_init(mlops_validate_opts *opts, unsigned version);

/* Validates a batch of nrows rows in ncols columns against s: column i is
 * named names[i] (unique) and of kind kinds[i] (MLOPS_PROFILE_*); its
 * values are numbers[i][0..nrows) for a numeric column (NaN is missing)
 * and strings[i][0..nrows) for a categorical one (NULL is missing;
 * compared as bytes). numbers[i] is read only for numeric columns and
 * strings[i] only for categorical ones, and either array may be NULL when
 * no column needs it. Anomalies come in the schema's column order, then
 * the unknown columns in batch order; an empty list means the batch
 * passed. *out is released with mlops_anomalies_free. opts NULL means
 * defaults. Errors: MLOPS_EINVAL (NULL, a bad or duplicate name, an
 * unknown kind, a NULL column with nrows > 0, bad options), MLOPS_ENOMEM. */
MLOPS_API int mlops_schema_validate(const mlops_schema *s, size_t ncols, const char *const *names,
                                    const int *kinds, const double *const *numbers,
                                    const char *const *const *strings, size_t nrows,
                                    const mlops_validate_opts *opts, mlops_anomalies **out);

/* Number of anomalies (0 for NULL). */
MLOPS_API size_t mlops_anomalies_count(const mlops_anomalies *l);

/* Anomaly i, valid until the list is freed; NULL when l is NULL or i is
 * out of range. */
MLOPS_API const mlops_anomaly *mlops_anomalies_at(const mlops_anomalies *l, size_t i);

/* Releases the list; NULL is a no-op. */
MLOPS_API void mlops_anomalies_free(mlops_anomalies *l);

MLOPS_END_DECLS

#endif /* MLOPS_VALIDATE_H */
