/* Many metric rows in few statements. On PostgreSQL every statement is a
 * network round trip made while the store's write lock is held, so a batch
 * of metric points that touches k keys writes its blocks and its series
 * rows with a handful of multi-row statements instead of 2k to 3k single
 * ones (the lock, not the server, bounds how many processes can log at
 * once). SQLite runs cached single-row statements in microseconds and
 * keeps them (metric_log.c). */
#include "track/metric_internal.h"
#include "util/buf.h"
#include "util/err.h"

#include <stdlib.h>

void mlops__sql_values(mlops__buf *b, size_t rows, int cols, int first)
{
    int p = first;
    for (size_t r = 0; r < rows; r++) {
        mlops__buf_add(b, r ? ", (" : " (");
        for (int k = 0; k < cols; k++) mlops__buf_addf(b, k ? ", ?%d" : "?%d", p++);
        mlops__buf_add(b, ")");
    }
}

size_t mlops__rows_per_statement(mlops__conn *c, int cols, int reserved)
{
    int max = mlops__conn_max_params(c) - reserved;
    size_t rows = max > cols ? (size_t)(max / cols) : 1;
    /* Bounds the statement's text and the server's parse of it. */
    return rows < 1000 ? rows : 1000;
}

static int insert_chunk(mlops__conn *c, const mlops__block_row *rows, size_t n)
{
    mlops__buf sql = MLOPS__BUF_INIT;
    mlops__buf_add(&sql, "INSERT INTO metric_blocks(series, first_step, last_step, n, data) VALUES");
    mlops__sql_values(&sql, n, 5, 1);
    char *text = NULL;
    int rc = mlops__buf_take(&sql, &text, "writing metric points");
    mlops__stmt *st = NULL;
    if (!rc) rc = mlops__conn_prepare(c, text, &st);
    for (size_t i = 0; !rc && i < n; i++) {
        int p = (int)(5 * i);
        rc = mlops__bind_int64(c, st, p + 1, rows[i].series);
        if (!rc) rc = mlops__bind_int64(c, st, p + 2, rows[i].first_step);
        if (!rc) rc = mlops__bind_int64(c, st, p + 3, rows[i].last_step);
        if (!rc) rc = mlops__bind_int64(c, st, p + 4, rows[i].n);
        if (!rc) rc = mlops__bind_blob(c, st, p + 5, rows[i].data, (int)rows[i].len);
    }
    if (!rc) rc = mlops__conn_step_done(c, st, "writing metric points");
    mlops__stmt_finalize(st);
    free(text);
    return rc;
}

int mlops__metric_insert_blocks(mlops__conn *c, const mlops__block_row *rows, size_t n)
{
    size_t per = mlops__rows_per_statement(c, 5, 0);
    int rc = MLOPS_OK;
    for (size_t at = 0; !rc && at < n; at += per)
        rc = insert_chunk(c, rows + at, n - at < per ? n - at : per);
    return rc;
}
