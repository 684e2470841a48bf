/* The monitor page (issue 22) at the size of a year of hourly windows:
 * a monitor of COLUMNS numeric columns (default 20), DAYS days (default
 * 365) of hourly windows of 24 rows each (every 50th window 5 rows: not
 * enough data), drift injected in the first 30 hours of every 30th day;
 * a classifier's predictions (0 or 1, by numeric id) whose labels come
 * for every row but those of every 70th window, right 9 times in 10 but
 * half the time in hours 100..109 of every 30 days, with the breach
 * metrics.accuracy < 0.8 and min_labels 10; ingested, labelled and judged
 * once into DIR; then mlops_monitor_page_html timed
 * REPEATS times (default 7): the median, the page's size, and the page
 * written to DIR/monitor.html for the render timing
 * (benchmarks/pages/render.py).
 *   usage: bench_monitor_page DIR [DAYS] [COLUMNS] [REPEATS]
 * Prints one JSON line per figure. Not part of the tests. */
#define BENCH_PROG "bench_monitor_page"
#include "../bench_util.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#define MONITOR "traffic"
#define HOUR 3600000LL
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define ROWS 24

static uint64_t rng = 99;
static double nrand(void)
{
    double u, v;
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    u = (double)(rng >> 11) / 9007199254740992.0;
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    v = (double)(rng >> 11) / 9007199254740992.0;
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void fill(mlops_store *s, long days, size_t ncols)
{
    double t0 = now_s();
    mlops_monitor_column *mc = calloc(ncols, sizeof *mc);
    char (*names)[32] = malloc(ncols * sizeof *names);
    const char **np = malloc((ncols + 2) * sizeof *np); /* the columns, the id, the prediction */
    if (!mc || !names || !np) die("malloc", MLOPS_ENOMEM);
    double ref[2000];
    for (size_t c = 0; c < ncols; c++) {
        mlops_profile *p = NULL;
        for (int i = 0; i < 2000; i++) ref[i] = nrand();
        CHECK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p));
        CHECK(mlops_profile_add(p, ref, 2000));
        CHECK(mlops_profile_put(s, p, &mc[c].reference));
        mlops_profile_free(p);
        snprintf(names[c], sizeof names[c], "feature_%02zu", c);
        np[c] = names[c];
        mc[c].name = names[c];
        mc[c].method = c % 4 == 3 ? MLOPS_DRIFT_METHOD_PSI : MLOPS_DRIFT_METHOD_AUTO;
        mc[c].threshold = c % 4 == 3 ? 0.5 : NAN;
    }
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = ncols;
    sp.columns = mc;
    sp.min_rows = 10;
    sp.alert_m = 3;
    sp.alert_n = 5;
    sp.keep_firing = 2;
    sp.alpha = 0.001;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    x.task = MLOPS_MONITOR_TASK_CLASSIFICATION;
    x.prediction_column = "pred";
    x.id_column = "id";
    x.performance = "metrics.accuracy < 0.8";
    x.min_labels = 10;
    CHECK(mlops_monitor_create_ex(s, MONITOR, &sp, &x));
    /* One ingest per 30 days: the columns, then the id and the prediction. */
    size_t cap = 30 * 24 * ROWS;
    int64_t *t = malloc(cap * sizeof *t);
    double **cols = malloc((ncols + 2) * sizeof *cols), *label = malloc(cap * sizeof *label);
    char (*idb)[24] = malloc(cap * sizeof *idb);
    const char **ids = malloc(cap * sizeof *ids);
    if (!t || !cols || !label || !idb || !ids) die("malloc", MLOPS_ENOMEM);
    np[ncols] = "id";
    np[ncols + 1] = "pred";
    for (size_t c = 0; c < ncols + 2; c++)
        if (!(cols[c] = malloc(cap * sizeof **cols))) die("malloc", MLOPS_ENOMEM);
    double t_labels = 0.0;
    long long next_id = 0;
    for (long d0 = 0; d0 < days; d0 += 30) {
        size_t n = 0, nl = 0;
        for (long h = d0 * 24; h < (d0 + 30 < days ? d0 + 30 : days) * 24; h++) {
            int drift = h % (30 * 24) < 30, rows = h % 50 == 49 ? 5 : ROWS;
            int worse = h % (30 * 24) >= 100 && h % (30 * 24) < 110, labelled = h % 70 != 69;
            for (int i = 0; i < rows; i++, n++) {
                t[n] = T0 + h * HOUR + i * 1000;
                for (size_t c = 0; c < ncols; c++) cols[c][n] = nrand() + (drift ? 2.0 : 0.0);
                double pred = (double)(i % 2);
                cols[ncols][n] = (double)next_id;
                cols[ncols + 1][n] = pred;
                if (labelled) {
                    snprintf(idb[nl], sizeof idb[nl], "%lld", next_id);
                    ids[nl] = idb[nl];
                    label[nl++] = (worse ? i % 4 < 2 : i % 10 != 0) ? pred : 1.0 - pred;
                }
                next_id++;
            }
        }
        CHECK(mlops_monitor_ingest(s, MONITOR, n, t, ncols + 2, np, (const double *const *)cols, NULL,
                                   NULL, NULL));
        double tl = now_s();
        CHECK(mlops_monitor_labels_ingest(s, MONITOR, nl, ids, label, NULL, NULL));
        t_labels += now_s() - tl;
    }
    double t1 = now_s();
    mlops_monitor_check_opts co = MLOPS_MONITOR_CHECK_OPTS_INIT;
    co.now_ms = T0 + days * 24 * HOUR;
    CHECK(mlops_monitor_check(s, MONITOR, &co, NULL));
    printf("{\"bench\":\"fill s\",\"ingest\":%.2f,\"labels\":%.2f,\"check\":%.2f,\"days\":%ld,"
           "\"columns\":%zu}\n", t1 - t0 - t_labels, t_labels, now_s() - t1, days, ncols);
    for (size_t c = 0; c < ncols + 2; c++) free(cols[c]);
    free(cols);
    free(label);
    free(idb);
    free(ids);
    free(t);
    free(mc);
    free(names);
    free(np);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_monitor_page DIR [DAYS] [COLUMNS] [REPEATS]\n");
        return 2;
    }
    long days = argc > 2 ? strtol(argv[2], NULL, 10) : 365;
    long ncols = argc > 3 ? strtol(argv[3], NULL, 10) : 20;
    int repeats = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 7;
    if (days < 1 || ncols < 1 || ncols > 1000 || repeats < 1 || repeats > 100) return 2;
    char path[4096];
    snprintf(path, sizeof path, "%s/monitor-store", argv[1]);
    struct stat st;
    int fresh = stat(path, &st) != 0;
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s = NULL;
    CHECK(mlops_store_open(path, &so, &s));
    if (fresh) fill(s, days, (size_t)ncols);
    double *t = malloc((size_t)repeats * sizeof *t);
    if (!t) return 1;
    char *html = NULL;
    for (int k = 0; k < repeats; k++) {
        mlops_free(html);
        double t0 = now_s();
        CHECK(mlops_monitor_page_html(s, MONITOR, NULL, &html));
        t[k] = now_s() - t0;
    }
    size_t size = strlen(html);
    snprintf(path, sizeof path, "%s/monitor.html", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(html, 1, size, f) != size || fclose(f) != 0) die("writing monitor.html", MLOPS_EIO);
    double best = t[0];
    for (int k = 1; k < repeats; k++) best = t[k] < best ? t[k] : best;
    printf("{\"bench\":\"monitor page generate s\",\"value\":%.3f,\"min\":%.3f,\"days\":%ld,"
           "\"columns\":%ld,\"repeats\":%d,\"bytes\":%zu}\n",
           median(t, repeats), best, days, ncols, repeats, size);
    mlops_free(html);
    free(t);
    mlops_store_close(s);
    return 0;
}
