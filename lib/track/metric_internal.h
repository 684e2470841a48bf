/* Internal: how metric points are stored (doc/format.md, "Metric blocks").
 *
 * Each (run, key) is a series (metric_series, with its summary). Its points
 * live in blocks (metric_blocks): each block holds 1..MLOPS__BLOCK_MAX
 * points sorted by (step, ts, value bits), without duplicates, encoded as
 * below. Blocks of one series may overlap in steps when points arrive out
 * of order; readers merge them. A point is never stored twice in a series.
 *
 * Block encoding, version 1:
 *   byte    1 (format version)
 *   varint  number of points n
 *   n times:
 *     varint  zigzag(step - previous step)   (previous of the first: 0)
 *     varint  zigzag(ts - previous ts)       (previous of the first: 0)
 *     8 bytes IEEE-754 bits of the value, little-endian
 * Differences wrap modulo 2^64, so any int64 steps and times encode.
 */
#ifndef MLOPS_TRACK_METRIC_INTERNAL_H
#define MLOPS_TRACK_METRIC_INTERNAL_H

#include "mlops/track.h"
#include "db/db.h"

#include <stddef.h>
#include <stdint.h>

#define MLOPS__BLOCK_VERSION 1
/* Most points in one block. */
#define MLOPS__BLOCK_MAX 1024
/* A tail holds fewer points than this; a tail that would reach it is
 * sealed. Small enough that rewriting it with each point stays cheap. */
#define MLOPS__TAIL_MAX 128

/* Bytes an encoding of n points may take at most. */
size_t mlops__block_bound(size_t n);

/* Encodes n points (sorted, distinct) into out (mlops__block_bound(n)
 * bytes); returns the length. */
size_t mlops__block_encode(const mlops_metric_point *p, size_t n, unsigned char *out);

/* Number of points of an encoded block: MLOPS_OK, or MLOPS_ECORRUPT when
 * the header is malformed or claims more than MLOPS__BLOCK_MAX points. */
int mlops__block_count(const void *data, size_t len, size_t *n);

/* Decodes a block into out (room for its count); MLOPS_ECORRUPT when the
 * bytes are malformed. *n receives the number of points. */
int mlops__block_decode(const void *data, size_t len, mlops_metric_point *out, size_t *n);

/* Decodes the tail in column col of st (NULL: no points) into out (room
 * for MLOPS__TAIL_MAX - 1 points). MLOPS_ECORRUPT, without a message, when
 * it is malformed or too long for a tail. */
int mlops__tail_decode(mlops__stmt *st, int col, mlops_metric_point *out, size_t *n);

/* Inserts a sealed block of n points (sorted, distinct, 1..MLOPS__BLOCK_MAX)
 * of series; buf has room for mlops__block_bound(n) bytes. */
int mlops__metric_insert_block(mlops__conn *c, int64_t series, const mlops_metric_point *p,
                               size_t n, unsigned char *buf);

/* Writes n points to run r inside the caller's write transaction, as
 * mlops_run_log_metrics does (the same checks; points already stored are
 * skipped) but whatever the run's state: for imports. ended: the run has
 * ended, so its tails are sealed after. *added gets the new points. */
int mlops__metric_import_batch(mlops__conn *c, const char *func, const mlops_run *r,
                               const mlops_metric *m, size_t n, int ended, uint64_t *added);

/* A sealed block ready to insert: data holds len encoded bytes. */
typedef struct mlops__block_row {
    int64_t series, first_step, last_step, n;
    const unsigned char *data;
    size_t len;
} mlops__block_row;

/* Inserts n blocks with as few multi-row statements as the backend's
 * parameter limit allows (metric_rows.c: for PostgreSQL, where each
 * statement is a round trip). */
int mlops__metric_insert_blocks(mlops__conn *c, const mlops__block_row *rows, size_t n);

struct mlops__buf;
/* Appends " (?f, ?f+1, ...), (...)": rows groups of cols placeholders
 * numbered from first. */
void mlops__sql_values(struct mlops__buf *b, size_t rows, int cols, int first);
/* How many rows of cols parameters one statement may carry beside
 * `reserved` other parameters (at least 1, at most 1,000). */
size_t mlops__rows_per_statement(mlops__conn *c, int cols, int reserved);

/* Seals the tails of every series of run into blocks (when the run ends:
 * ended runs keep small series rows). Inside the caller's transaction. */
int mlops__metric_seal_tails(mlops__conn *c, int64_t run, const char *run_id);

/* Every point of metric key of run run_id, in series order (step, time,
 * value bits), read through c inside the caller's transaction: a malloc'd
 * array *points of *count (NULL and 0 when none). MLOPS_ENOTFOUND naming
 * fn when there is no such run or metric, MLOPS_ECORRUPT, MLOPS_ENOMEM. */
int mlops__metric_points_read(mlops__conn *c, const char *fn, const char *run_id,
                              const char *key, mlops_metric_point **points, size_t *count);

/* The raw bits of a value (NaN payloads included). */
uint64_t mlops__value_bits(double v);
double mlops__bits_value(uint64_t bits);

/* Order of points in a series: step, then time, then value bits. */
int mlops__point_cmp(const mlops_metric_point *a, const mlops_metric_point *b);

#endif
