/* The predictions a monitor with a task keeps (mon_predictions), written
 * inside the ingest's write transaction. One statement per row made the
 * ingest of a million predictions a million statements (a million round
 * trips under the store's lock on PostgreSQL), so rows go in multi-row
 * INSERTs of up to 512 rows. Their texts are built once per process and
 * prepared once per connection (the statement cache keys a text by its
 * address, lib/db/db.h); a remainder goes in statements of 64, 8 and 1
 * rows, so that every statement is one of a few cached ones. */
#include "monitor/monitor_internal.h"
#include "util/err.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_SIZES 4
static const size_t sizes[N_SIZES] = { 512, 64, 8, 1 };
#define MAX_ROWS 512
/* Parameters beside the rows': ?1 the monitor, ?2 the window's start. */
#define FIXED_PARAMS 2

#define HEAD                                                                                            \
    "INSERT INTO mon_predictions(monitor_id, id, start_ms, prediction_num, prediction_text, labeled) " \
    "VALUES "
#define TAIL " ON CONFLICT(monitor_id, id) DO NOTHING"
#define ROW_MAX 48 /* ", (?1, ?1026, ?2, ?1027, NULL, 0)" and room */

/* [regression][size]: a regression's prediction is a number, a
 * classifier's its text. The first prediction of an id stays: a later row
 * of the same statement with that id does nothing, as in SQLite. */
static char insert_sql[2][N_SIZES][sizeof HEAD + sizeof TAIL + MAX_ROWS * ROW_MAX];
static pthread_once_t insert_once = PTHREAD_ONCE_INIT;

static void build_insert_sql(void)
{
    for (int reg = 0; reg < 2; reg++)
        for (int s = 0; s < N_SIZES; s++) {
            char *p = insert_sql[reg][s];
            size_t left = sizeof insert_sql[reg][s];
            int n = snprintf(p, left, "%s", HEAD);
            for (size_t r = 0; r < sizes[s]; r++) {
                p += n;
                left -= (size_t)n;
                int a = (int)(FIXED_PARAMS + 2 * r + 1);
                n = reg ? snprintf(p, left, "%s(?1, ?%d, ?2, ?%d, NULL, 0)", r ? ", " : "", a, a + 1)
                        : snprintf(p, left, "%s(?1, ?%d, ?2, NULL, ?%d, 0)", r ? ", " : "", a, a + 1);
            }
            p += n;
            left -= (size_t)n;
            snprintf(p, left, "%s", TAIL);
        }
}

int mlops__monitor_row_id(const mlops__prediction_cols *pc, size_t r, char *buf, size_t len,
                          const char **out)
{
    if (pc->id_str) {
        *out = pc->id_str[r];
        return *out != NULL;
    }
    double v = pc->id_num[r];
    if (!(v == floor(v) && fabs(v) < 9007199254740992.0)) return 0;
    snprintf(buf, len, "%lld", (long long)v);
    *out = buf;
    return 1;
}

/* Rows waiting for their statement. */
typedef struct pending {
    const char *id[MAX_ROWS];
    const char *text[MAX_ROWS];
    double num[MAX_ROWS];
    char idbuf[MAX_ROWS][24];
    char pbuf[MAX_ROWS][32];
    size_t n;
} pending;

/* Writes pd's rows with the largest cached statements that fit. */
static int flush(mlops__conn *c, const mlops_monitor *m, int64_t start, pending *pd)
{
    int reg = m->task == MLOPS_MONITOR_TASK_REGRESSION;
    int max_params = mlops__conn_max_params(c);
    size_t at = 0;
    int rc = MLOPS_OK;
    while (!rc && at < pd->n) {
        int s = 0;
        while (s < N_SIZES - 1 &&
               (sizes[s] > pd->n - at || FIXED_PARAMS + 2 * (long)sizes[s] > (long)max_params))
            s++;
        size_t rows = sizes[s];
        mlops__stmt *st = NULL;
        rc = mlops__conn_stmt(c, insert_sql[reg][s], &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, m->id);
        if (!rc) rc = mlops__bind_int64(c, st, 2, start);
        for (size_t i = 0; !rc && i < rows; i++) {
            int p = (int)(FIXED_PARAMS + 2 * i + 1);
            rc = mlops__bind_text(c, st, p, pd->id[at + i]);
            if (!rc) rc = reg ? mlops__bind_double(c, st, p + 1, pd->num[at + i])
                              : mlops__bind_text(c, st, p + 1, pd->text[at + i]);
        }
        if (!rc) rc = mlops__conn_step_done(c, st, "recording predictions");
        else mlops__reset(st);
        at += rows;
    }
    pd->n = 0;
    return rc;
}

int mlops__monitor_predictions_record(mlops__conn *c, const mlops_monitor *m, int64_t start,
                                      const mlops__prediction_cols *pc, const size_t *rows, size_t n)
{
    pthread_once(&insert_once, build_insert_sql);
    pending *pd = malloc(sizeof *pd);
    if (!pd) return mlops__err_nomem("recording predictions");
    pd->n = 0;
    int rc = MLOPS_OK;
    for (size_t t = 0; !rc && t < n; t++) {
        size_t r = rows[t], k = pd->n;
        const char *id = NULL;
        if (!mlops__monitor_row_id(pc, r, pd->idbuf[k], sizeof pd->idbuf[k], &id)) continue;
        if (pc->pred_num) {
            double v = pc->pred_num[r];
            if (!isfinite(v)) continue;
            pd->num[k] = v;
            snprintf(pd->pbuf[k], sizeof pd->pbuf[k], "%.17g", v);
            pd->text[k] = pd->pbuf[k];
        } else if (!(pd->text[k] = pc->pred_str[r])) {
            continue;
        } else {
            pd->num[k] = NAN;
        }
        pd->id[k] = id;
        if (++pd->n == MAX_ROWS) rc = flush(c, m, start, pd);
    }
    if (!rc && pd->n) rc = flush(c, m, start, pd);
    free(pd);
    return rc;
}
