/*
 * A program built outside the tree against an installed libmlops (CMake's
 * find_package or pkg-config; tests/consumer/run.sh): opens a store, puts
 * bytes, logs a run with a metric and reads both back. Prints one line
 * "consumer: ok ..." and exits 0, or says what failed and exits 1.
 * usage: consumer STORE_DIR
 */
#include <mlops.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "consumer: %s failed: %s (%s)\n", what, mlops_last_error(), mlops_strerror(rc));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer STORE_DIR\n");
        return 2;
    }
    /* The headers and the library loaded come from the same release. */
    if (strcmp(mlops_version(), MLOPS_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: library %s, headers %s\n", mlops_version(), MLOPS_VERSION_STRING);
        return 1;
    }
    mlops_store *s = NULL;
    int rc = mlops_store_open(argv[1], NULL, &s);
    if (rc != MLOPS_OK) return fail("mlops_store_open", rc);

    static const char bytes[] = "weights of a model built by a consumer";
    mlops_digest d;
    rc = mlops_blob_put(s, bytes, sizeof bytes - 1, &d);
    if (rc != MLOPS_OK) return fail("mlops_blob_put", rc);
    void *back = NULL;
    size_t len = 0;
    rc = mlops_blob_get(s, &d, &back, &len);
    if (rc != MLOPS_OK) return fail("mlops_blob_get", rc);
    int same = len == sizeof bytes - 1 && memcmp(back, bytes, len) == 0;
    mlops_free(back);
    if (!same) {
        fprintf(stderr, "consumer: the bytes read back differ\n");
        return 1;
    }

    int64_t exp_id = 0;
    rc = mlops_experiment_create(s, "consumer", &exp_id);
    if (rc != MLOPS_OK) return fail("mlops_experiment_create", rc);
    mlops_run *run = NULL;
    rc = mlops_run_start(s, exp_id, "build-check", &run);
    if (rc != MLOPS_OK) return fail("mlops_run_start", rc);
    for (int64_t step = 0; step < 3; step++) {
        rc = mlops_run_log_metric(run, "loss", 1.0 / (double)(step + 1), step, 0);
        if (rc != MLOPS_OK) return fail("mlops_run_log_metric", rc);
    }
    rc = mlops_run_end(run, MLOPS_RUN_FINISHED);
    if (rc != MLOPS_OK) return fail("mlops_run_end", rc);

    mlops_metric_point *pts = NULL;
    size_t n = 0;
    rc = mlops_metric_history(s, mlops_run_id(run), "loss", NULL, &pts, &n);
    if (rc != MLOPS_OK) return fail("mlops_metric_history", rc);
    int good = n == 3 && pts[2].step == 2 && pts[2].value == 1.0 / 3.0;
    mlops_free(pts);
    if (!good) {
        fprintf(stderr, "consumer: the metric read back differs (%zu points)\n", n);
        return 1;
    }
    char text[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(&d, text);
    printf("consumer: ok: libmlops %s, blob %s, run %s, 3 points\n", mlops_version(), text,
           mlops_run_id(run));
    mlops_run_free(run);
    mlops_store_close(s);
    return 0;
}
