/* Drift benchmark driver (run by benchmarks/drift/run.sh beside scipy,
 * numpy and Evidently). Prints one "name value" line per figure.
 *
 *   bench_drift stats REF.f64 CUR.f64 REPS     KS, Wasserstein, PSI(10), JS(10)
 *   bench_drift ingest N REPS                  profile ingest, one thread
 *   bench_drift report DIR|gen COLS ROWS THREADS REPS
 *        DIR holds ref.f64 and cur.f64 (column-major COLS x ROWS); "gen"
 *        generates normal columns in memory (for sizes not worth a file).
 * Times are medians of REPS runs, in seconds. */
#include <mlops.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bench_util.h"

static double cpu(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double *read_f64(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    *n = (size_t)len / sizeof(double);
    double *v = malloc((size_t)len);
    if (!v || fread(v, sizeof *v, *n, f) != *n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    return v;
}

static void check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s: %s (%s)\n", what, mlops_strerror(rc), mlops_last_error());
        exit(1);
    }
}

/* splitmix64 + Box-Muller: reproducible normal samples. */
static uint64_t sm_state;
static double uniform(void)
{
    uint64_t z = (sm_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1p-53;
}
static void normals(double *v, size_t n, double mu)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        double r = sqrt(-2 * log(uniform())), t = 6.283185307179586 * uniform();
        v[i] = mu + r * cos(t);
        v[i + 1] = mu + r * sin(t);
    }
    if (n % 2) v[n - 1] = mu;
}

static int stats(int argc, char **argv)
{
    if (argc < 5) return 2;
    size_t na, nb;
    double *a = read_f64(argv[2], &na), *b = read_f64(argv[3], &nb);
    int reps = atoi(argv[4]);
    double *t = malloc((size_t)reps * sizeof *t);
    mlops_test_result ks;
    double w, psi, js;
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        check(mlops_drift_ks(a, na, b, nb, &ks), "ks");
        t[r] = now_s() - t0;
    }
    printf("ks_seconds %.6f\nks_statistic %.17g\nks_p_value %.17g\n", median(t, reps), ks.statistic,
           ks.p_value);
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        check(mlops_drift_wasserstein(a, na, b, nb, &w), "wasserstein");
        t[r] = now_s() - t0;
    }
    printf("wasserstein_seconds %.6f\nwasserstein %.17g\n", median(t, reps), w);
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        check(mlops_drift_psi(a, na, b, nb, 10, &psi), "psi");
        t[r] = now_s() - t0;
    }
    printf("psi_seconds %.6f\npsi %.17g\n", median(t, reps), psi);
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        check(mlops_drift_jensen_shannon(a, na, b, nb, 10, &js), "js");
        t[r] = now_s() - t0;
    }
    printf("js_seconds %.6f\njs %.17g\n", median(t, reps), js);
    /* Binning alone, once the edges exist (O(n)). */
    double *edges;
    size_t ne;
    check(mlops_drift_quantile_edges(a, na, 10, &edges, &ne), "edges");
    uint64_t counts[16];
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        check(mlops_drift_bin_counts(b, nb, edges, ne, counts), "bin");
        t[r] = now_s() - t0;
    }
    printf("bin_frozen_seconds %.6f\n", median(t, reps));
    mlops_free(edges);
    free(a);
    free(b);
    free(t);
    return 0;
}

static int ingest(int argc, char **argv)
{
    if (argc < 4) return 2;
    size_t n = (size_t)atof(argv[2]);
    int reps = atoi(argv[3]);
    double *v = malloc(n * sizeof *v);
    sm_state = 7;
    normals(v, n, 0.0);
    double *t = malloc((size_t)reps * sizeof *t), *c = malloc((size_t)reps * sizeof *c);
    for (int r = 0; r < reps; r++) {
        mlops_profile *p;
        check(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p), "profile");
        double t0 = now_s(), c0 = cpu(CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = 0; i < n; i += 65536)
            check(mlops_profile_add(p, v + i, n - i < 65536 ? n - i : 65536), "add");
        t[r] = now_s() - t0;
        c[r] = cpu(CLOCK_THREAD_CPUTIME_ID) - c0;
        mlops_profile_free(p);
    }
    double s = median(t, reps), cs = median(c, reps);
    printf("ingest_seconds %.6f\ningest_values_per_second %.0f\ningest_values_per_cpu_second %.0f\n", s,
           (double)n / s, (double)n / cs);
    free(c);
    free(v);
    free(t);
    return 0;
}

static int report(int argc, char **argv)
{
    if (argc < 7) return 2;
    size_t cols = (size_t)atoi(argv[3]), rows = (size_t)atof(argv[4]);
    unsigned threads = (unsigned)atoi(argv[5]);
    int reps = atoi(argv[6]);
    double *ref, *cur;
    if (!strcmp(argv[2], "gen")) {
        ref = malloc(cols * rows * sizeof *ref);
        cur = malloc(cols * rows * sizeof *cur);
        if (!ref || !cur) return 1;
        sm_state = 11;
        for (size_t c = 0; c < cols; c++) {
            normals(ref + c * rows, rows, 0.0);
            normals(cur + c * rows, rows, c % 4 == 0 ? 0.2 : 0.0);
        }
    } else {
        char path[4096];
        size_t n;
        snprintf(path, sizeof path, "%s/ref.f64", argv[2]);
        ref = read_f64(path, &n);
        snprintf(path, sizeof path, "%s/cur.f64", argv[2]);
        cur = read_f64(path, &n);
        if (n != cols * rows) {
            fprintf(stderr, "size mismatch\n");
            return 2;
        }
    }
    const double **rp = malloc(cols * sizeof *rp), **cp = malloc(cols * sizeof *cp);
    size_t *nr = malloc(cols * sizeof *nr);
    char **names = malloc(cols * sizeof *names);
    int *kinds = malloc(cols * sizeof *kinds);
    for (size_t c = 0; c < cols; c++) {
        rp[c] = ref + c * rows;
        cp[c] = cur + c * rows;
        nr[c] = rows;
        names[c] = malloc(32);
        snprintf(names[c], 32, "c%zu", c);
        kinds[c] = MLOPS_COLUMN_NUMERIC;
    }
    mlops_drift_report_opts o = MLOPS_DRIFT_REPORT_OPTS_INIT;
    o.threads = threads;
    double *t = malloc((size_t)reps * sizeof *t), *c = malloc((size_t)reps * sizeof *c);
    mlops_drift_report *r = NULL;
    for (int i = 0; i < reps; i++) {
        mlops_drift_report_free(r);
        double t0 = now_s(), c0 = cpu(CLOCK_PROCESS_CPUTIME_ID);
        check(mlops_drift_report_compute(cols, (const char *const *)names, kinds, rp, nr, cp, nr, &o, &r),
              "report");
        t[i] = now_s() - t0;
        c[i] = cpu(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    printf("report_seconds %.6f\nreport_cpu_seconds %.6f\nreport_drifted %zu\nreport_method %s\n",
           median(t, reps), median(c, reps), r->n_drifted, r->columns[0]->method_name);
    free(c);
    mlops_drift_report_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;
    if (argc > 1 && !strcmp(argv[1], "stats")) rc = stats(argc, argv);
    else if (argc > 1 && !strcmp(argv[1], "ingest")) rc = ingest(argc, argv);
    else if (argc > 1 && !strcmp(argv[1], "report")) rc = report(argc, argv);
    if (rc == 2)
        fprintf(stderr, "usage: bench_drift stats REF CUR REPS | ingest N REPS | "
                        "report DIR|gen COLS ROWS THREADS REPS\n");
    return rc;
}
