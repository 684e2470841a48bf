/* The delayed-label path of a monitor: ingest of rows carrying ids and
 * predictions (a classifier's, three classes) from in-memory columns, then
 * their labels, on SQLite or PostgreSQL. Rows span a week of hourly
 * windows and are ingested in batches of 100,000; labels come in shuffled
 * batches of 100,000. Prints the seconds of each phase; labels_matched
 * must equal the rows (checked). Only public API: the same binary runs
 * against another build's library through LD_LIBRARY_PATH (labels.sh).
 *
 * usage: bench_labels sqlite ROWS DIR     (DIR: a new store folder)
 *        bench_labels pg ROWS SCHEMA      (conninfo in MLOPS_TEST_PG; SCHEMA
 *                                          new; objects in BENCH_PG_OBJECTS
 *                                          or ./bench-labels-objects)
 * env:   BENCH_LABELS_NO_TASK=1: a monitor without a task, rows without
 *        ids and predictions, no labels (what the predictions add);
 *        BENCH_LABELS_SKIP=1: ingest only (to profile it alone) */
#include <mlops.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_PROG "bench_labels"
#include "../bench_util.h"

#define HOUR 3600000LL
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define HOURS 168
#define BATCH 100000

static uint64_t rng = 12345;
static double urand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "sqlite") && strcmp(argv[1], "pg"))) {
        fprintf(stderr, "usage: bench_labels sqlite|pg ROWS DIR|SCHEMA\n");
        return 2;
    }
    int pg = !strcmp(argv[1], "pg");
    size_t n = (size_t)strtoull(argv[2], NULL, 10);
    if (!n) die("ROWS", 1);
    mlops_store *s = NULL;
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    if (pg) {
        const char *uri = getenv("MLOPS_TEST_PG"), *objects = getenv("BENCH_PG_OBJECTS");
        if (!uri || !*uri) die("MLOPS_TEST_PG (a conninfo) is not set:", 1);
        mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
        loc.metadata = uri;
        loc.schema = argv[3];
        loc.objects = objects && *objects ? objects : "bench-labels-objects";
        CHECK(mlops_store_open_location(&loc, &o, &s));
    } else {
        CHECK(mlops_store_create(argv[3], NULL, &o, &s));
    }

    static const char *K[] = { "a", "b", "c" };
    int64_t *t = malloc(n * sizeof *t);
    double *x = malloc(n * sizeof *x);
    char (*idbuf)[24] = malloc(n * sizeof *idbuf);
    const char **ids = malloc(n * sizeof *ids), **pred = malloc(n * sizeof *pred);
    const char **lid = malloc(n * sizeof *lid), **lab = malloc(n * sizeof *lab);
    size_t *perm = malloc(n * sizeof *perm);
    if (!t || !x || !idbuf || !ids || !pred || !lid || !lab || !perm) die("malloc", 1);
    for (size_t i = 0; i < n; i++) {
        t[i] = T0 + (int64_t)((double)i / (double)n * HOURS * HOUR);
        x[i] = urand();
        snprintf(idbuf[i], sizeof idbuf[i], "id%zu", i);
        ids[i] = idbuf[i];
        pred[i] = K[(size_t)(urand() * 3) % 3];
        perm[i] = i;
    }
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(urand() * (double)i) % i, tmp = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = tmp;
    }
    for (size_t i = 0; i < n; i++) {
        lid[i] = ids[perm[i]];
        lab[i] = urand() < 0.8 ? pred[perm[i]] : K[(size_t)(urand() * 3) % 3];
    }

    mlops_profile *ref = NULL;
    mlops_digest rd;
    CHECK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &ref));
    CHECK(mlops_profile_add(ref, x, n < 10000 ? n : 10000));
    CHECK(mlops_profile_put(s, ref, &rd));
    mlops_profile_free(ref);
    mlops_monitor_column col = { "x", rd, MLOPS_DRIFT_METHOD_AUTO, NAN };
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = &col;
    sp.window_ms = HOUR;
    mlops_monitor_ext ext = MLOPS_MONITOR_EXT_INIT;
    const char *no_task = getenv("BENCH_LABELS_NO_TASK");
    int task = !(no_task && !strcmp(no_task, "1"));
    ext.task = task ? MLOPS_MONITOR_TASK_CLASSIFICATION : MLOPS_MONITOR_TASK_NONE;
    ext.prediction_column = task ? "pred" : NULL;
    ext.id_column = task ? "id" : NULL;
    CHECK(mlops_monitor_create_ex(s, "bench", &sp, &ext));

    const char *names[] = { "x", "id", "pred" };
    double t0 = now_s();
    for (size_t at = 0; at < n; at += BATCH) {
        size_t k = n - at < BATCH ? n - at : BATCH;
        const double *num[] = { x + at, NULL, NULL };
        const char *const *str[] = { NULL, ids + at, pred + at };
        CHECK(mlops_monitor_ingest(s, "bench", k, t + at, task ? 3 : 1, names, num, str, NULL, NULL));
    }
    double t1 = now_s();
    uint64_t matched = 0;
    for (size_t at = 0; task && !getenv("BENCH_LABELS_SKIP") && at < n; at += BATCH) {
        size_t k = n - at < BATCH ? n - at : BATCH;
        mlops_monitor_labels_result r = MLOPS_MONITOR_LABELS_RESULT_INIT;
        CHECK(mlops_monitor_labels_ingest(s, "bench", k, lid + at, NULL, lab + at, &r));
        matched += r.matched;
    }
    double t2 = now_s();
    if (task && !getenv("BENCH_LABELS_SKIP") && matched != n) {
        fprintf(stderr, "bench_labels: %llu labels matched of %zu\n", (unsigned long long)matched, n);
        return 1;
    }
    printf("backend=%s rows=%zu ingest_s=%.3f labels_s=%.3f labels_matched=%llu\n", argv[1], n, t1 - t0,
           t2 - t1, (unsigned long long)matched);
    mlops_store_close(s);
    free(t);
    free(x);
    free(idbuf);
    free(ids);
    free(pred);
    free(lid);
    free(lab);
    free(perm);
    return 0;
}
