/* Monitor ingest from in-memory columns, and the series query.
 *
 *   bench_monitor STORE_DIR ROWS COLUMNS HOURS REPEATS
 *
 * ROWS rows x COLUMNS numeric columns with times spread over HOURS hourly
 * windows, ingested REPEATS times into fresh monitors (median rows/s);
 * then the series of the last monitor over all its windows (median ms of
 * 5 queries). The ingest's CPU time (all threads) is printed beside the
 * wall clock's. MLOPS_THREADS caps the threads. The NannyML / Evidently
 * anchors: bench_anchors.py (run.sh), which runs this program. */
#define BENCH_PROG "bench_monitor"
#include <mlops.h>

#include "../bench_util.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>

/* CPU seconds of every thread of the process so far: on a shared machine
 * the wall clock says more about the neighbours than about the code. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_monitor STORE_DIR ROWS COLUMNS HOURS REPEATS\n");
        return 2;
    }
    size_t rows = strtoull(argv[2], NULL, 10), ncols = strtoull(argv[3], NULL, 10);
    int64_t hours = strtoll(argv[4], NULL, 10);
    int repeats = atoi(argv[5]);
    if (!rows || !ncols || ncols > 1000 || hours < 1 || repeats < 1 || repeats > 99) return 2;
    mlops_store_opts so = MLOPS_STORE_OPTS_INIT;
    so.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s = NULL;
    CHECK(mlops_store_open(argv[1], &so, &s));
    uint64_t st = 12345;
    double **cols = malloc(ncols * sizeof *cols);
    const char **names = malloc(ncols * sizeof *names);
    char (*nbuf)[16] = malloc(ncols * sizeof *nbuf);
    int64_t *t = malloc(rows * sizeof *t);
    mlops_monitor_column *mc = calloc(ncols, sizeof *mc);
    if (!cols || !names || !nbuf || !t || !mc) die("malloc", 7);
    const int64_t T0 = 1767225600000LL;
    for (size_t r = 0; r < rows; r++) t[r] = T0 + (int64_t)((double)r / (double)rows * (double)hours * 3600000.0);
    for (size_t c = 0; c < ncols; c++) {
        cols[c] = malloc(rows * sizeof **cols);
        if (!cols[c]) die("malloc", 7);
        for (size_t r = 0; r < rows; r++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            cols[c][r] = (double)(st >> 11) / 9007199254740992.0 + (double)c;
        }
        snprintf(nbuf[c], sizeof nbuf[c], "f%zu", c);
        names[c] = nbuf[c];
        mlops_profile *p = NULL;
        CHECK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p));
        CHECK(mlops_profile_add(p, cols[c], rows < 100000 ? rows : 100000));
        CHECK(mlops_profile_put(s, p, &mc[c].reference));
        mlops_profile_free(p);
        mc[c].name = names[c];
        mc[c].threshold = NAN;
    }
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = ncols;
    sp.columns = mc;
    double times[99], cpu[99];
    char name[64];
    for (int k = 0; k < repeats; k++) {
        snprintf(name, sizeof name, "bench-%d-%lld", k, (long long)now_s());
        CHECK(mlops_monitor_create(s, name, &sp));
        double t0 = now_s(), c0 = cpu_s();
        CHECK(mlops_monitor_ingest(s, name, rows, t, ncols, names, (const double *const *)cols, NULL,
                                   NULL, NULL));
        times[k] = now_s() - t0;
        cpu[k] = cpu_s() - c0;
    }
    double med = median(times, repeats);
    double cmed = median(cpu, repeats);
    printf("ingest: %zu rows x %zu columns into %lld hourly windows: median %.3f s = %.2f M rows/s (%d runs); "
           "CPU %.3f s = %.2f M rows per CPU-second\n",
           rows, ncols, (long long)hours, med, (double)rows / med / 1e6, repeats, cmed, (double)rows / cmed / 1e6);
    double q[5];
    size_t nw = 0;
    for (int k = 0; k < 5; k++) {
        mlops_monitor_series *sr = NULL;
        double t0 = now_s();
        CHECK(mlops_monitor_series_get(s, name, INT64_MIN, INT64_MAX, &sr));
        q[k] = now_s() - t0;
        nw = mlops_monitor_series_count(sr);
        mlops_monitor_series_free(sr);
    }
    printf("series: %zu windows x %zu columns: median %.2f ms\n", nw, ncols, median(q, 5) * 1e3);
    for (size_t c = 0; c < ncols; c++) free(cols[c]);
    free(cols);
    free(names);
    free(nbuf);
    free(t);
    free(mc);
    mlops_store_close(s);
    return 0;
}
