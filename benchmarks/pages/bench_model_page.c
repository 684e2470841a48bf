/* The model page (issue 22) at a size a busy model reaches: VERSIONS
 * versions (default 100), each from its own run, and MOVES alias changes
 * (default 1,000: plain moves and 90/10 splits, every tenth through a
 * promotion gate), written once into DIR; then mlops_model_page_html timed
 * REPEATS times (default 7): the median, the page's size, and the page
 * written to DIR/model.html for the render timing (benchmarks/pages/render.py).
 *   usage: bench_model_page DIR [VERSIONS] [MOVES] [REPEATS]
 * Prints one JSON line per figure. Not part of the tests. */
#define BENCH_PROG "bench_model_page"
#include "../bench_util.h"

#include <string.h>
#include <sys/stat.h>

#define MODEL "churn"

static void fill(mlops_store *s, long versions, long moves)
{
    int64_t exp_id = 0, v = 0;
    double t0 = now_s();
    CHECK(mlops_experiment_create(s, "bench", &exp_id));
    CHECK(mlops_model_create(s, MODEL));
    for (long i = 0; i < versions; i++) {
        mlops_run *run = NULL;
        CHECK(mlops_run_start(s, exp_id, NULL, &run));
        char blob[64];
        int n = snprintf(blob, sizeof blob, "weights of version %ld", i + 1);
        mlops_digest data, art;
        CHECK(mlops_blob_put(s, "train.csv", 9, &data));
        CHECK(mlops_run_log_input(run, &data, "train.csv", "dataset"));
        CHECK(mlops_blob_put(s, blob, (size_t)n, &art));
        const mlops_metric m = { "auc", 0.80 + 0.001 * (double)i, 1, 0 };
        CHECK(mlops_run_log_metrics(run, &m, 1));
        CHECK(mlops_run_end(run, MLOPS_RUN_FINISHED));
        CHECK(mlops_model_version_create(s, MODEL, &art, mlops_run_id(run), &v));
        mlops_run_free(run);
    }
    const char *conds[] = { "metrics.auc >= 0.85" };
    CHECK(mlops_model_gate_set(s, MODEL, "gated", conds, 1, NULL, NULL));
    for (long k = 0; k < moves; k++) {
        long a = 1 + k % versions, b = 1 + (k + 1) % versions;
        if (k % 10 == 9) {
            mlops_promote_opts po = MLOPS_PROMOTE_OPTS_INIT;
            int rc = mlops_model_promote(s, MODEL, a, "gated", &po, NULL, NULL);
            if (rc != MLOPS_OK && rc != MLOPS_EPOLICY) die("promote", rc);
        } else if (k % 2) {
            char split[64];
            snprintf(split, sizeof split, "%ld:90,%ld:10", a, b);
            CHECK(mlops_model_alias_split_set(s, MODEL, "prod", split, NULL));
        } else {
            CHECK(mlops_model_alias_set(s, MODEL, "prod", a));
        }
    }
    printf("{\"bench\":\"fill s\",\"value\":%.2f,\"versions\":%ld,\"moves\":%ld}\n", now_s() - t0,
           versions, moves);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_model_page DIR [VERSIONS] [MOVES] [REPEATS]\n");
        return 2;
    }
    long versions = argc > 2 ? strtol(argv[2], NULL, 10) : 100;
    long moves = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
    int repeats = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 7;
    if (versions < 2 || moves < 1 || repeats < 1 || repeats > 100) return 2;
    char path[4096];
    snprintf(path, sizeof path, "%s/model-store", argv[1]);
    struct stat st;
    int fresh = stat(path, &st) != 0;
    mlops_store *s = NULL;
    CHECK(mlops_store_open(path, NULL, &s));
    if (fresh) fill(s, versions, moves);
    double *t = malloc((size_t)repeats * sizeof *t);
    if (!t) return 1;
    char *html = NULL;
    for (int k = 0; k < repeats; k++) {
        mlops_free(html);
        double t0 = now_s();
        CHECK(mlops_model_page_html(s, MODEL, NULL, &html));
        t[k] = now_s() - t0;
    }
    size_t size = strlen(html);
    snprintf(path, sizeof path, "%s/model.html", argv[1]);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(html, 1, size, f) != size || fclose(f) != 0) die("writing model.html", MLOPS_EIO);
    double best = t[0];
    for (int k = 1; k < repeats; k++) best = t[k] < best ? t[k] : best;
    printf("{\"bench\":\"model page generate s\",\"value\":%.3f,\"min\":%.3f,\"versions\":%ld,"
           "\"moves\":%ld,\"repeats\":%d,\"bytes\":%zu}\n",
           median(t, repeats), best, versions, moves, repeats, size);
    mlops_free(html);
    free(t);
    mlops_store_close(s);
    return 0;
}
