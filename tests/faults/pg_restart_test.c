/* A PostgreSQL server restart (pg_ctl restart -m fast) in the middle of a
 * stress run: 8 processes start runs, log params and metric batches,
 * create versions and move an alias, and read it back, for a few
 * seconds; each writes what it got acknowledged to a file. No process
 * reconnects by hand: every call must return MLOPS_OK (the library
 * retries), and each process must have acknowledgements from before and
 * after the restart. Afterwards every acknowledged write is there and
 * nothing is doubled: the runs, versions and audit events are exactly as
 * many as acknowledged, each run's batch has its points once, each alias
 * holds its last acknowledged version, and the audit chain verifies.
 *
 * Needs a server on TCP: run under scripts/with-pg.sh --tcp.
 * usage: pg_restart_test [--seconds D] [--restart-at R]. Prints TAP and
 * "# figure:" lines. */
#include "pg_tap.h"
#include "testutil.h"

#include <mlops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROCS 8
#define BATCH 200
#define MAX_ACKS 20000

/* ---- A writer process ---------------------------------------------------- */

static FILE *acks;

static void ack(const char *fmt, const char *a, long long n)
{
    fprintf(acks, "%.3f ", now_ms());
    fprintf(acks, fmt, a, n);
    fputc('\n', acks);
    fflush(acks);
}

static void die(const char *what, int rc)
{
    fprintf(acks, "%.3f E %s: rc %d: %s\n", now_ms(), what, rc, mlops_last_error());
    fflush(acks);
    exit(1);
}

static void writer(const char *dir, int k, int64_t exp, const mlops_digest *artifact,
                   double deadline)
{
    mlops_store *s = NULL;
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    int rc = mlops_store_open(dir, &o, &s);
    if (rc) die("open", rc);
    char model[16];
    snprintf(model, sizeof model, "m%d", k);
    double longest = 0;
    mlops_metric m[BATCH];
    for (int i = 0; now_ms() < deadline; i++) {
        double t0 = now_ms();
        mlops_run *r = NULL;
        if ((rc = mlops_run_start(s, exp, NULL, &r))) die("run start", rc);
        const char *id = mlops_run_id(r);
        ack("R %s %lld", id, i);
        char v[24];
        snprintf(v, sizeof v, "%d.%d", k, i);
        mlops_kv kv[2] = { { "proc", model }, { "iter", v } };
        if ((rc = mlops_run_log_params(r, kv, 2))) die("params", rc);
        ack("P %s %lld", id, i);
        for (int j = 0; j < BATCH; j++) m[j] = (mlops_metric){ "loss", 1.0 / (j + 1), j, 1000 + j };
        if ((rc = mlops_run_log_metrics(r, m, BATCH))) die("metrics", rc);
        ack("M %s %lld", id, BATCH);
        int64_t number = 0;
        if ((rc = mlops_model_version_create(s, model, artifact, id, &number)))
            die("version create", rc);
        ack("V %s %lld", model, number);
        if ((rc = mlops_model_alias_set(s, model, "champion", number))) die("alias set", rc);
        ack("A %s %lld", model, number);
        int64_t got = 0;
        if ((rc = mlops_model_alias_get(s, model, "champion", &got))) die("alias get", rc);
        if (got != number) die("alias get returned another version", 0);
        if ((rc = mlops_run_end(r, MLOPS_RUN_FINISHED))) die("run end", rc);
        mlops_run_free(r);
        double took = now_ms() - t0;
        if (took > longest) longest = took;
    }
    fprintf(acks, "%.3f L longest %.0f\n", now_ms(), longest);
    fflush(acks);
    mlops_store_close(s);
    exit(0);
}

/* ---- The checks ---------------------------------------------------------- */

struct proc_acks {
    int runs, versions, aliases, batches, params;
    int64_t last_alias, max_version;
    double first_ms, last_ms, longest;
    char error[600];
};

static int read_acks(const char *path, mlops_store *s, struct proc_acks *pa, int64_t *seen,
                     char *why, size_t nwhy)
{
    FILE *f = fopen(path, "r");
    if (!f) return snprintf(why, nwhy, "no acknowledgement file %.300s", path), -1;
    char line[800], kind[4], a[64];
    double t;
    long long n;
    int bad = 0;
    memset(pa, 0, sizeof *pa);
    pa->first_ms = -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lf %3s", &t, kind) != 2) continue;
        if (kind[0] == 'E') {
            snprintf(pa->error, sizeof pa->error, "%.500s", line);
            continue;
        }
        if (kind[0] == 'L') {
            sscanf(line, "%*f L longest %lf", &pa->longest);
            continue;
        }
        if (sscanf(line, "%*f %*3s %63s %lld", a, &n) != 2) continue;
        if (pa->first_ms < 0) pa->first_ms = t;
        pa->last_ms = t;
        switch (kind[0]) {
        case 'R': {
            pa->runs++;
            mlops_run_info *ri = NULL;
            if (mlops_run_get(s, a, &ri) != MLOPS_OK && !bad++)
                snprintf(why, nwhy, "acknowledged run %s missing", a);
            mlops_run_info_free(ri);
            break;
        }
        case 'P': {
            pa->params++;
            mlops_run_info *ri = NULL;
            const char *p = NULL;
            if (mlops_run_get(s, a, &ri) == MLOPS_OK) p = mlops_run_info_param(ri, "iter");
            if (!p && !bad++) snprintf(why, nwhy, "params of run %s missing", a);
            mlops_run_info_free(ri);
            break;
        }
        case 'M': {
            pa->batches++;
            mlops_metric_point *pts = NULL;
            size_t np = 0;
            if ((mlops_metric_history(s, a, "loss", NULL, &pts, &np) || np != (size_t)n) && !bad++)
                snprintf(why, nwhy, "run %s has %zu points of its batch of %lld", a, np, n);
            mlops_free(pts);
            break;
        }
        case 'V':
            pa->versions++;
            if (n < 1 || n > MAX_ACKS || seen[n]++) {
                if (!bad++) snprintf(why, nwhy, "version %s/%lld acknowledged twice", a, n);
            }
            if (n > pa->max_version) pa->max_version = n;
            break;
        case 'A':
            pa->aliases++;
            pa->last_alias = n;
            break;
        default: break;
        }
    }
    fclose(f);
    return bad ? -1 : 0;
}

static int restart_server(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", getenv("MLOPS_TEST_PG_SERVER"), "restart",
              getenv("MLOPS_TEST_PG_DIR"), (char *)NULL);
        _exit(127);
    }
    int st = 0;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0
                                                                                           : -1;
}

int main(int argc, char **argv)
{
    double seconds = 6, restart_at = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--restart-at")) restart_at = atof(argv[i + 1]);
    }
    const char *pg = getenv("MLOPS_TEST_PG");
    if (!pg || !strstr(pg, "port=") || !getenv("MLOPS_TEST_PG_SERVER") ||
        !getenv("MLOPS_TEST_PG_DIR")) {
        fprintf(stderr, "run under scripts/with-pg.sh --tcp (MLOPS_TEST_PG with a port)\n");
        return 1;
    }
    char *root = tu_mkdtemp("pgrestart");
    if (!root) return 1;
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/store", root);

    /* Setup: the experiment, a model per writer, the artifact. */
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.metadata = pg;
    loc.schema = "restart";
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    mlops_store *s = NULL;
    int64_t exp = 0;
    mlops_digest artifact;
    int rc = mlops_store_create(dir, &loc, &o, &s);
    if (!rc) rc = mlops_experiment_create(s, "restart", &exp);
    if (!rc) rc = mlops_blob_put(s, "weights", 7, &artifact);
    for (int k = 0; !rc && k < PROCS; k++) {
        char model[16];
        snprintf(model, sizeof model, "m%d", k);
        rc = mlops_model_create(s, model);
    }
    ok(rc == MLOPS_OK, "setup", rc ? mlops_last_error() : NULL);
    mlops_store_close(s);
    s = NULL;
    if (rc) goto done;

    double start = now_ms(), deadline = start + seconds * 1000;
    pid_t pids[PROCS];
    for (int k = 0; k < PROCS; k++) {
        snprintf(path, sizeof path, "%s/acks%d", root, k);
        fflush(stdout);
        pids[k] = fork();
        if (pids[k] == 0) {
            free(root); /* the parent's; a leak checker looks at each writer's exit */
            acks = fopen(path, "w");
            if (!acks) _exit(2);
            writer(dir, k, exp, &artifact, deadline);
        }
    }
    usleep((useconds_t)(restart_at * 1e6));
    double r0 = now_ms();
    int restarted = restart_server();
    double r1 = now_ms();
    ok(restarted == 0, "pg_ctl restart -m fast during the run", NULL);
    int clean = 1;
    for (int k = 0; k < PROCS; k++) {
        int st = 0;
        if (pids[k] <= 0 || waitpid(pids[k], &st, 0) != pids[k] || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0)
            clean = 0;
    }
    ok(clean, "every writer finished on its own, every call acknowledged", NULL);

    /* Everything acknowledged is there, once. */
    rc = mlops_store_open(dir, &o, &s);
    ok(rc == MLOPS_OK, "the store opens", rc ? mlops_last_error() : NULL);
    if (rc) goto done;
    int total_runs = 0, total_versions = 0, total_aliases = 0, all_there = 1, recovered = 1;
    int exact_versions = 1, aliases_hold = 1;
    double longest = 0;
    char why[700] = "";
    int64_t *seen = calloc(MAX_ACKS + 1, sizeof *seen);
    for (int k = 0; k < PROCS && seen; k++) {
        struct proc_acks pa;
        char model[16];
        snprintf(model, sizeof model, "m%d", k);
        memset(seen, 0, (MAX_ACKS + 1) * sizeof *seen);
        snprintf(path, sizeof path, "%s/acks%d", root, k);
        if (read_acks(path, s, &pa, seen, why, sizeof why)) all_there = 0;
        if (pa.error[0]) {
            all_there = 0;
            snprintf(why, sizeof why, "writer %d: %.600s", k, pa.error);
        }
        total_runs += pa.runs;
        total_versions += pa.versions;
        total_aliases += pa.aliases;
        if (pa.longest > longest) longest = pa.longest;
        if (!(pa.first_ms < r0 && pa.last_ms > r1)) recovered = 0;
        mlops_model_versions *l = NULL;
        size_t nv = 0;
        if (mlops_model_version_list(s, model, 1, &l) == MLOPS_OK) nv = mlops_model_versions_count(l);
        mlops_model_versions_free(l);
        if (nv != (size_t)pa.versions || pa.max_version != pa.versions) exact_versions = 0;
        int64_t alias = 0;
        if (pa.aliases &&
            (mlops_model_alias_get(s, model, "champion", &alias) || alias != pa.last_alias))
            aliases_hold = 0;
    }
    free(seen);
    ok(all_there, "every acknowledged run, param set, metric batch and version is there", why);
    ok(recovered, "every writer has acknowledgements from before and after the restart", NULL);
    ok(exact_versions, "each model has exactly the versions acknowledged, numbered 1..n", NULL);
    ok(aliases_hold, "each alias holds its last acknowledged version", NULL);
    mlops_run_info **runs = NULL;
    size_t nruns = 0;
    rc = mlops_run_list(s, exp, MLOPS_LIFECYCLE_ALL, &runs, &nruns);
    mlops_run_info_list_free(runs, nruns);
    snprintf(why, sizeof why, "%zu runs, %d acknowledged", nruns, total_runs);
    ok(rc == MLOPS_OK && nruns == (size_t)total_runs, "as many runs as acknowledged", why);
    int64_t seq = 0;
    mlops_digest head;
    rc = mlops_audit_head(s, &seq, &head);
    int64_t want = PROCS + total_versions + total_aliases; /* model.create, version.create, alias.* */
    snprintf(why, sizeof why, "%lld events, %lld expected", (long long)seq, (long long)want);
    ok(rc == MLOPS_OK && seq == want, "as many audit events as acknowledged changes", why);
    rc = mlops_audit_verify(s);
    ok(rc == MLOPS_OK, "the audit chain verifies", rc ? mlops_last_error() : NULL);
    printf("# figure: PostgreSQL restart (%.0f ms) under %d writers: %d runs, %d versions "
           "acknowledged in %.1f s; longest iteration %.0f ms\n",
           r1 - r0, PROCS, total_runs, total_versions, seconds, longest);
done:
    mlops_store_close(s);
    tu_rmrf(root);
    free(root);
    return tap_end();
}
