/* The run comparison page at its sizing point (issue 22): RUNS runs of
 * POINTS points each (default 10 x 1,000,000), written once into DIR
 * through the batch call (mlops_run_log_metrics, 100,000 points per
 * transaction), then mlops_run_compare_html timed REPEATS times (default
 * 7): the median, the page's size, and the page written to DIR/compare.html
 * for the render timing (benchmarks/pages/render.py).
 *   usage: bench_compare DIR [RUNS] [POINTS] [REPEATS]
 * Prints one JSON line per figure. Not part of the tests. */
#define BENCH_PROG "bench_compare"
#include "../bench_util.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH 100000

static void fill(mlops_store *s, long runs, long points, char (*ids)[MLOPS_RUN_ID_LEN + 1])
{
    int64_t exp_id = 0;
    CHECK(mlops_experiment_create(s, "bench", &exp_id));
    mlops_metric *batch = malloc(BATCH * sizeof *batch);
    if (!batch) die("malloc", MLOPS_ENOMEM);
    uint64_t rng = 42;
    double t0 = now_s();
    for (long r = 0; r < runs; r++) {
        char name[32], lr[32];
        snprintf(name, sizeof name, "run-%02ld", r + 1);
        mlops_run_start_opts o = MLOPS_RUN_START_OPTS_INIT;
        o.name = name;
        mlops_run *run = NULL;
        CHECK(mlops_run_start_ex(s, exp_id, &o, &run));
        snprintf(lr, sizeof lr, "%g", 0.001 * (double)(r + 1));
        const mlops_kv params[] = { { "lr", lr }, { "batch", "256" } };
        CHECK(mlops_run_log_params(run, params, 2));
        for (long at = 0; at < points; at += BATCH) {
            size_t n = 0;
            for (long i = at; i < points && i < at + BATCH; i++) {
                rng = rng * 6364136223846793005u + 1442695040888963407u;
                double noise = (double)(rng >> 11) / 9007199254740992.0 - 0.5;
                double v = 0.1 + 2.0 * exp(-5.0 * (double)i / (double)points * (1.0 + 0.1 * (double)r)) +
                           0.05 * noise;
                batch[n++] = (mlops_metric){ "loss", v, i, 1796300000000 + i * 10 };
            }
            CHECK(mlops_run_log_metrics(run, batch, n));
        }
        CHECK(mlops_run_end(run, MLOPS_RUN_FINISHED));
        strcpy(ids[r], mlops_run_id(run));
        mlops_run_free(run);
    }
    double dt = now_s() - t0;
    printf("{\"bench\":\"write points/s\",\"value\":%.0f,\"points\":%ld,\"seconds\":%.2f}\n",
           (double)runs * (double)points / dt, runs * points, dt);
    free(batch);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_compare DIR [RUNS] [POINTS] [REPEATS]\n");
        return 2;
    }
    long runs = argc > 2 ? strtol(argv[2], NULL, 10) : 10;
    long points = argc > 3 ? strtol(argv[3], NULL, 10) : 1000000;
    int repeats = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 7;
    if (runs < 1 || points < 1 || repeats < 1 || repeats > 100) return 2;
    char path[4096], ids_path[4096];
    snprintf(path, sizeof path, "%s/store", argv[1]);
    snprintf(ids_path, sizeof ids_path, "%s/runs.txt", argv[1]);
    char (*ids)[MLOPS_RUN_ID_LEN + 1] = calloc((size_t)runs, sizeof *ids);
    if (!ids) return 1;
    struct stat st;
    int fresh = stat(path, &st) != 0;
    mlops_store *s = NULL;
    CHECK(mlops_store_open(path, NULL, &s));
    if (fresh) {
        fill(s, runs, points, ids);
        FILE *f = fopen(ids_path, "w");
        if (!f) die("writing runs.txt", MLOPS_EIO);
        for (long r = 0; r < runs; r++) fprintf(f, "%s\n", ids[r]);
        fclose(f);
    } else {
        FILE *f = fopen(ids_path, "r");
        if (!f) die("reading runs.txt (remove the folder to start again)", MLOPS_EIO);
        for (long r = 0; r < runs; r++)
            if (fscanf(f, "%32s", ids[r]) != 1) die("runs.txt has fewer runs", MLOPS_EINVAL);
        fclose(f);
    }
    const char **list = malloc((size_t)runs * sizeof *list);
    if (!list) return 1;
    for (long r = 0; r < runs; r++) list[r] = ids[r];
    double *t = malloc((size_t)repeats * sizeof *t);
    if (!t) return 1;
    char *html = NULL;
    for (int k = 0; k < repeats; k++) {
        mlops_free(html);
        double t0 = now_s();
        CHECK(mlops_run_compare_html(s, list, (size_t)runs, NULL, &html));
        t[k] = now_s() - t0;
    }
    size_t size = strlen(html);
    snprintf(path, sizeof path, "%s/compare.html", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(html, 1, size, f) != size || fclose(f) != 0) die("writing compare.html", MLOPS_EIO);
    double best = t[0];
    for (int k = 1; k < repeats; k++) best = t[k] < best ? t[k] : best;
    printf("{\"bench\":\"compare generate s\",\"value\":%.3f,\"min\":%.3f,\"runs\":%ld,"
           "\"points\":%ld,\"repeats\":%d,\"bytes\":%zu}\n",
           median(t, repeats), best, runs, points, repeats, size);
    mlops_free(html);
    free(t);
    free(list);
    free(ids);
    mlops_store_close(s);
    return 0;
}
