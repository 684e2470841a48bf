/* The roles of sql/postgres-roles.sql on a real server (doc/shared-stores.md,
 * "Roles"): a store made by its owner, the file applied with psql as a
 * database administrator would, and login users in each group role (the
 * throwaway server trusts every local login). What each role may do
 * succeeds; what it may not is MLOPS_EPERM naming the role and the action,
 * and leaves the store as it was. Run through scripts/with-pg.sh
 * (MLOPS_TEST_PG); MLOPS_TEST_PSQL and MLOPS_ROLES_SQL come from meson. */
#include "db/db.h"
#include "objects/objects.h"
#include "store/store_internal.h"
#include "registry_helpers.h"
#include "testutil.h"
#include "tu_db.h"

#include <ftw.h>
#include <libpq-fe.h>
#include <math.h>
#include <mlops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v && *v, "%s is not set: run this suite through meson test", name);
    return v;
}

/* ---- The database administrator's part ------------------------------- */

/* Runs sql as the server's superuser; a role that exists already is fine. */
static void as_superuser(const char *sql)
{
    PGconn *pg = PQconnectdb(env("MLOPS_TEST_PG"));
    ck_assert_msg(PQstatus(pg) == CONNECTION_OK, "%s", PQerrorMessage(pg));
    PGresult *res = PQexec(pg, sql);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK || (state && !strcmp(state, "42710")),
                  "%s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
}

/* psql -v schema=SCHEMA -f sql/postgres-roles.sql, as documented; quiet:
 * psql's messages are not shown (a failure the test expects). */
static int apply_roles(const char *schema, int quiet)
{
    char var[96];
    snprintf(var, sizeof var, "schema=%s", schema);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (quiet && !freopen("/dev/null", "w", stderr)) _exit(126);
        execl(env("MLOPS_TEST_PSQL"), "psql", "-X", "-q", "-v", var, "-f", env("MLOPS_ROLES_SQL"),
              env("MLOPS_TEST_PG"), (char *)NULL);
        _exit(127);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

struct fx {
    char *dir;     /* the test's folder */
    char *objects; /* the store's objects folder, shared by every user */
    char schema[32];
    char *pub, *priv; /* a signing key */
};

/* A store made by the owner, the roles applied, and the login users
 * alice (trainer), rita (reader) and adam (registry admin). */
static void setup(struct fx *f)
{
    f->dir = tu_tmpdir();
    f->objects = tu_path(f->dir, "objects");
    snprintf(f->schema, sizeof f->schema, "roles_%ld", (long)getpid());
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.metadata = env("MLOPS_TEST_PG");
    loc.schema = f->schema;
    loc.objects = f->objects;
    char *owner_dir = tu_path(f->dir, "owner");
    TU_OK(mlops_store_create(owner_dir, &loc, NULL, NULL));
    free(owner_dir);
    ck_assert_int_eq(apply_roles(f->schema, 0), 0);
    as_superuser("CREATE ROLE alice LOGIN IN ROLE mlops_trainer");
    as_superuser("CREATE ROLE rita LOGIN IN ROLE mlops_reader");
    as_superuser("CREATE ROLE adam LOGIN IN ROLE mlops_registry_admin");
    rt_keypair("ED25519", &f->priv, &f->pub);
}

static void teardown(struct fx *f)
{
    tu_rmrf(f->dir);
    free(f->dir);
    free(f->objects);
    free(f->priv);
    free(f->pub);
}

static char *uri_as(const char *user)
{
    const char *base = env("MLOPS_TEST_PG");
    size_t n = strlen(base) + strlen(user) + 8;
    char *u = malloc(n);
    snprintf(u, n, "%s user=%s", base, user); /* a later keyword wins */
    return u;
}

/* The store as user sees it (read_only: opened read-only). */
static mlops_store *open_as(const struct fx *f, const char *user, int read_only)
{
    char *uri = uri_as(user);
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.metadata = uri;
    loc.schema = f->schema;
    loc.objects = f->objects;
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.read_only = read_only;
    mlops_store *s = NULL;
    TU_OK(mlops_store_open_location(&loc, &o, &s));
    free(uri);
    return s;
}

/* The code, and a message that names the role and the action. */
static void refused(int rc, const char *user, const char *action)
{
    const char *m = mlops_last_error();
    ck_assert_msg(rc == MLOPS_EPERM, "-> %d, expected MLOPS_EPERM (%s)", rc, m);
    char role[64];
    snprintf(role, sizeof role, "role '%s' may not", user);
    ck_assert_msg(strstr(m, role) && strstr(m, action), "message '%s' lacks '%s' or '%s'", m,
                  role, action);
}

/* What a refusal must leave as it was: the audit head and the row count
 * of every table that a registry or tracking write touches. */
static char *fingerprint(mlops_store *owner, const struct fx *f)
{
    int64_t seq = 0;
    mlops_digest head;
    TU_OK(mlops_audit_head(owner, &seq, &head));
    char *owner_dir = tu_path(f->dir, "owner");
    char *counts = tu_sql_text(owner_dir,
                               "SELECT (SELECT count(*) FROM cas_object) || '/' || "
                               "(SELECT count(*) FROM cas_content) || '/' || "
                               "(SELECT count(*) FROM runs) || '/' || "
                               "(SELECT count(*) FROM metric_series) || '/' || "
                               "(SELECT coalesce(sum(count), 0) FROM metric_series) || '/' || "
                               "(SELECT count(*) FROM reg_versions) || '/' || "
                               "(SELECT count(*) FROM reg_aliases) || '/' || "
                               "(SELECT count(*) FROM reg_policy_keys) || '/' || "
                               "(SELECT string_agg(alias || '=' || version_id, ',' ORDER BY alias) "
                               "FROM reg_aliases)");
    free(owner_dir);
    char hex[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(&head, hex);
    size_t n = strlen(counts ? counts : "") + 128;
    char *fp = malloc(n);
    snprintf(fp, n, "%lld %s %s", (long long)seq, hex, counts ? counts : "");
    free(counts);
    return fp;
}

static size_t nfiles;
static int count_file(const char *p, const struct stat *st, int flag, struct FTW *w)
{
    (void)p;
    (void)st;
    (void)w;
    nfiles += flag == FTW_F;
    return 0;
}

static size_t object_files(const struct fx *f)
{
    nfiles = 0;
    ck_assert_int_eq(nftw(f->objects, count_file, 16, FTW_PHYS), 0);
    return nfiles;
}

/* A trainer's day: an experiment, a run with a param and metrics, an
 * artifact, a model and versions of it, a reference, a signature.
 * Returns the run id (malloc'd) and the artifact. */
static char *train(mlops_store *s, const char *model, mlops_digest *artifact, const char *priv)
{
    int64_t exp = 0;
    TU_OK(mlops_experiment_create(s, model, &exp));
    mlops_run *r = NULL;
    TU_OK(mlops_run_start(s, exp, "fit", &r));
    TU_OK(mlops_run_log_param(r, "lr", "0.1"));
    for (int i = 0; i < 3; i++) TU_OK(mlops_run_log_metric(r, "loss", 1.0 / (i + 1), i, 0));
    TU_OK(mlops_run_tag_set(r, "note", "first"));
    char *id = strdup(mlops_run_id(r));
    TU_OK(mlops_run_end(r, MLOPS_RUN_FINISHED));
    mlops_run_free(r);
    *artifact = rt_put(s, model);
    TU_OK(mlops_ref_set(s, model, artifact));
    TU_OK(mlops_experiment_tag_set(s, exp, "team", "churn"));
    TU_OK(mlops_model_create(s, model));
    TU_OK(mlops_model_set_description(s, model, "who leaves", NULL));
    TU_OK(mlops_model_tag_set(s, model, "owner", "alice", NULL));
    int64_t v = 0;
    TU_OK(mlops_model_version_create(s, model, artifact, id, &v));
    ck_assert_int_eq(v, 1);
    TU_OK(mlops_model_version_create_ex(s, model, artifact, NULL, "second", NULL, &v));
    ck_assert_int_eq(v, 2);
    TU_OK(mlops_model_version_tag_set(s, model, 2, "stage", "candidate", NULL));
    TU_OK(mlops_model_version_set_description(s, model, 2, "second, described", NULL));
    TU_OK(mlops_model_version_sign(s, model, 1, priv, NULL));
    TU_OK(mlops_model_version_sign(s, model, 2, priv, NULL));
    return id;
}

/* Where the refusal tests start: trainer alice trained "churn" (train()),
 * registry admin adam pointed "production" at version 1, and the owner's
 * handle is open beside theirs. */
struct team {
    mlops_store *alice, *adam, *owner;
    char *run; /* alice's run (malloc'd) */
    mlops_digest artifact;
};

static void team_open(const struct fx *f, struct team *t)
{
    t->alice = open_as(f, "alice", 0);
    t->adam = open_as(f, "adam", 0);
    t->owner = open_as(f, "mlops", 1);
    t->run = train(t->alice, "churn", &t->artifact, f->priv);
    TU_OK(mlops_model_alias_set(t->adam, "churn", "production", 1));
}

static void team_close(struct team *t)
{
    free(t->run);
    mlops_store_close(t->owner);
    mlops_store_close(t->adam);
    mlops_store_close(t->alice);
}

START_TEST(trainer_logs_runs_puts_artifacts_and_creates_versions)
{
    struct fx f;
    setup(&f);
    mlops_store *alice = open_as(&f, "alice", 0);
    mlops_digest a;
    char *run = train(alice, "churn", &a, f.priv);
    TU_OK(mlops_model_version_verify(alice, "churn", 1, f.pub));
    TU_OK(mlops_audit_verify(alice));
    /* The audit log names the role the server authenticated. */
    mlops_model_version *v = NULL;
    TU_OK(mlops_model_version_get(alice, "churn", 2, &v));
    ck_assert_str_eq(mlops_model_version_creator(v), "alice");
    mlops_model_version_free(v);
    free(run);
    mlops_store_close(alice);
    teardown(&f);
}
END_TEST

START_TEST(trainer_cannot_move_aliases_change_policies_or_rewrite_audit)
{
    struct fx f;
    setup(&f);
    struct team team;
    team_open(&f, &team);
    mlops_store *alice = team.alice, *adam = team.adam, *owner = team.owner;
    const char *trusted[] = { f.pub };
    TU_OK(mlops_model_alias_policy_set(adam, "churn", "production", trusted, 1, NULL));
    char *before = fingerprint(owner, &f);

    refused(mlops_model_alias_set(alice, "churn", "production", 2), "alice",
            "set or move aliases");
    refused(mlops_model_alias_set(alice, "churn", "staging", 2), "alice", "set or move aliases");
    refused(mlops_model_alias_delete(alice, "churn", "production", NULL), "alice",
            "delete aliases");
    refused(mlops_model_alias_policy_set(alice, "churn", "staging", trusted, 1, NULL), "alice",
            "change signing policies");
    refused(mlops_model_alias_policy_delete(alice, "churn", "production", NULL), "alice",
            "change signing policies");
    const char *gate[] = { "signed" };
    refused(mlops_model_gate_set(alice, "churn", "production", gate, 1, NULL, NULL), "alice",
            "change promotion gates");
    refused(mlops_model_promote(alice, "churn", 2, "staging", NULL, NULL, NULL), "alice",
            "set or move aliases");
    refused(mlops_model_version_delete(alice, "churn", 2, NULL), "alice", "change model versions");
    refused(mlops_model_version_delete(alice, "churn", 1, NULL), "alice", "delete aliases");
    refused(mlops_model_version_set_status(alice, "churn", 1, MLOPS_VERSION_ARCHIVED, NULL),
            "alice", "model versions");
    refused(mlops_model_delete(alice, "churn", 1, NULL), "alice", "delete aliases");

    /* Nothing of a refused call stays: not its audit event, not a row. */
    char *after = fingerprint(owner, &f);
    ck_assert_str_eq(after, before);
    free(after);

    /* The database itself, as alice with psql would reach it. */
    char *uri = uri_as("alice");
    mlops__db_target t = { .dialect = MLOPS__POSTGRES, .uri = uri, .schema = f.schema };
    mlops__conn *c = NULL;
    TU_OK(mlops__conn_open(&t, &c));
    refused(mlops__conn_exec(c, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"),
            "alice", "rewrite audit events");
    refused(mlops__conn_exec(c, "UPDATE audit_events SET hash = hash"), "alice",
            "rewrite audit events");
    refused(mlops__conn_exec(c, "DELETE FROM audit_events WHERE seq > 0"), "alice",
            "delete audit events");
    refused(mlops__conn_exec(c, "TRUNCATE audit_events"), "alice", "delete audit events");
    refused(mlops__conn_exec(c, "UPDATE reg_aliases SET version_id = version_id"), "alice",
            "set or move aliases");
    refused(mlops__conn_exec(c, "DELETE FROM reg_policy_keys"), "alice",
            "change signing policies");
    refused(mlops__conn_exec(c, "UPDATE reg_versions SET artifact = artifact"), "alice",
            "change model versions");
    mlops__conn_close(c);
    free(uri);
    TU_OK(mlops_audit_verify(owner));
    after = fingerprint(owner, &f);
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
    team_close(&team);
    teardown(&f);
}
END_TEST

/* The registry admin creates a monitor; the trainer ingests and checks it,
 * and each change of the alert's state is an audit event the trainer's
 * check appends (the trainer may add events, never change or remove one,
 * nor create or delete monitors). */
START_TEST(trainer_checks_monitors_and_their_alerts_are_audited)
{
    struct fx f;
    setup(&f);
    mlops_store *alice = open_as(&f, "alice", 0), *adam = open_as(&f, "adam", 0);
    mlops_profile *p = NULL;
    double ref[200], x[60];
    int64_t t[60];
    for (int i = 0; i < 200; i++) ref[i] = (double)(i % 20);
    TU_OK(mlops_profile_new(MLOPS_PROFILE_NUMERIC, NULL, &p));
    TU_OK(mlops_profile_add(p, ref, 200));
    mlops_monitor_column col = { "x", { { 0 } }, MLOPS_DRIFT_METHOD_AUTO, NAN };
    TU_OK(mlops_profile_put(alice, p, &col.reference));
    mlops_profile_free(p);
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    sp.n_columns = 1;
    sp.columns = &col;
    int64_t head0 = 0;
    mlops_digest h;
    TU_OK(mlops_audit_head(alice, &head0, &h));
    ck_assert_int_eq(mlops_monitor_create(alice, "m", &sp), MLOPS_EPERM);
    TU_OK(mlops_monitor_create(adam, "m", &sp));
    /* hour 0 like the reference, hour 1 far from it */
    const int64_t T0 = 1767225600000LL, HOUR = 3600000LL;
    for (int i = 0; i < 60; i++) {
        t[i] = T0 + (i < 30 ? 0 : HOUR) + i;
        x[i] = i < 30 ? (double)(i % 20) : 1000.0 + i;
    }
    const char *names[] = { "x" };
    const double *num[] = { x };
    TU_OK(mlops_monitor_ingest(alice, "m", 60, t, 1, names, num, NULL, NULL, NULL));
    mlops_monitor_check_opts o = MLOPS_MONITOR_CHECK_OPTS_INIT;
    o.now_ms = T0 + 2 * HOUR;
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    TU_OK(mlops_monitor_check(alice, "m", &o, &st));
    ck_assert_int_eq(st.state, MLOPS_MONITOR_FIRING);
    mlops_audit_events *l = NULL;
    TU_OK(mlops_audit_list(alice, head0, 0, &l));
    ck_assert_uint_eq(mlops_audit_events_count(l), 2);
    mlops_audit_event e = MLOPS_AUDIT_EVENT_INIT;
    TU_OK(mlops_audit_events_get(l, 0, &e));
    ck_assert_str_eq(e.action, "monitor.create");
    ck_assert_str_eq(e.actor, "adam");
    TU_OK(mlops_audit_events_get(l, 1, &e));
    ck_assert_str_eq(e.action, "monitor.alert.firing");
    ck_assert_str_eq(e.actor, "alice");
    ck_assert_str_eq(e.key, "monitor:m");
    int64_t fired = e.seq;
    mlops_audit_events_free(l);
    TU_OK(mlops_audit_verify(alice));
    /* alice cannot rewrite or remove the event her check appended */
    char *uri = uri_as("alice");
    mlops__db_target tg = { .dialect = MLOPS__POSTGRES, .uri = uri, .schema = f.schema };
    mlops__conn *c = NULL;
    TU_OK(mlops__conn_open(&tg, &c));
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE audit_events SET new_value = 'quiet' WHERE seq = %lld",
             (long long)fired);
    refused(mlops__conn_exec(c, sql), "alice", "rewrite audit events");
    snprintf(sql, sizeof sql, "DELETE FROM audit_events WHERE seq = %lld", (long long)fired);
    refused(mlops__conn_exec(c, sql), "alice", "delete audit events");
    mlops__conn_close(c);
    free(uri);
    ck_assert_int_eq(mlops_monitor_delete(alice, "m"), MLOPS_EPERM);
    TU_OK(mlops_monitor_delete(adam, "m"));
    TU_OK(mlops_audit_verify(alice));
    mlops_store_close(adam);
    mlops_store_close(alice);
    teardown(&f);
}
END_TEST

START_TEST(reader_reads_and_cannot_write)
{
    struct fx f;
    setup(&f);
    struct team team;
    team_open(&f, &team);
    mlops_store *alice = team.alice, *owner = team.owner;
    const char *done_run = team.run;
    const mlops_digest a = team.artifact;
    int64_t exp = 0;
    TU_OK(mlops_experiment_create(alice, "live", &exp));
    mlops_run *open_run = NULL;
    TU_OK(mlops_run_start(alice, exp, "still running", &open_run));
    char *before = fingerprint(owner, &f);
    size_t files = object_files(&f);

    for (int read_only = 1; read_only >= 0; read_only--) {
        mlops_store *rita = open_as(&f, "rita", read_only);
        /* Search, history, resolve, verify. */
        mlops_search_opts so = MLOPS_SEARCH_OPTS_INIT;
        so.filter = "metrics.loss < 0.5";
        mlops_run_infos *found = NULL;
        TU_OK(mlops_run_search_ex(rita, &so, &found, NULL));
        ck_assert_uint_eq(mlops_run_infos_count(found), 1);
        mlops_run_infos_free(found);
        /* a search that reads format 10's search rows */
        so.filter = "params.lr = '0.1' AND tags.note LIKE 'fir%' AND metrics.loss < 0.5";
        so.order_by = "metrics.loss";
        TU_OK(mlops_run_search_ex(rita, &so, &found, NULL));
        ck_assert_uint_eq(mlops_run_infos_count(found), 1);
        mlops_run_infos_free(found);
        so.order_by = NULL;
        mlops_metric_point *pts = NULL;
        size_t n = 0;
        TU_OK(mlops_metric_history(rita, done_run, "loss", NULL, &pts, &n));
        ck_assert_uint_eq(n, 3);
        mlops_free(pts);
        int64_t v = 0;
        mlops_digest got;
        TU_OK(mlops_model_resolve(rita, "churn@production", &v, &got));
        ck_assert_int_eq(v, 1);
        ck_assert_mem_eq(got.bytes, a.bytes, 32);
        void *data = NULL;
        size_t len = 0;
        TU_OK(mlops_blob_get(rita, &got, &data, &len));
        ck_assert_uint_eq(len, strlen("churn"));
        mlops_free(data);
        TU_OK(mlops_model_version_verify(rita, "churn", 1, f.pub));
        TU_OK(mlops_audit_verify(rita));
        mlops_fsck_opts fo = MLOPS_FSCK_OPTS_INIT;
        fo.quarantine = 0;
        mlops_fsck_report fr = MLOPS_FSCK_REPORT_INIT;
        TU_OK(mlops_store_fsck(rita, &fo, &fr));
        ck_assert_uint_eq(fr.corrupt, 0);
        mlops_free(fr.issues);
        mlops_store_close(rita);
    }

    /* Every kind of write, through a read-write handle: the server says no. */
    mlops_store *rita = open_as(&f, "rita", 0);
    mlops_run *r = NULL;
    TU_OK(mlops_run_open(rita, mlops_run_id(open_run), &r));
    refused(mlops_run_log_metric(r, "loss", 0.1, 9, 0), "rita", "metrics");
    refused(mlops_run_log_param(r, "lr", "0.2"), "rita", "params");
    refused(mlops_run_tag_set(r, "note", "mine"), "rita", "run tags");
    refused(mlops_run_end(r, MLOPS_RUN_KILLED), "rita", "change runs");
    mlops_run_free(r);
    mlops_run *started = NULL;
    refused(mlops_run_start(rita, exp, "mine", &started), "rita", "add runs");
    int64_t e2 = 0;
    refused(mlops_experiment_create(rita, "mine", &e2), "rita", "add experiments");
    mlops_digest d;
    refused(mlops_blob_put(rita, "not from rita", 13, &d), "rita", "artifacts");
    /* Setting a reference first refreshes the content it names. */
    refused(mlops_ref_set(rita, "mine", &a), "rita", "change artifacts");
    int64_t v = 0;
    refused(mlops_model_version_create(rita, "churn", &a, NULL, &v), "rita", "artifacts");
    refused(mlops_model_create(rita, "mine"), "rita", "add models");
    /* The event is written first, then the alias. */
    refused(mlops_model_alias_set(rita, "churn", "production", 2), "rita", "add audit events");
    refused(mlops_run_delete(rita, done_run), "rita", "change runs");
    mlops_store_close(rita);

    char *after = fingerprint(owner, &f);
    ck_assert_str_eq(after, before);
    ck_assert_uint_eq(object_files(&f), files); /* the refused put's file is gone */
    free(after);
    free(before);
    mlops_run_free(open_run);
    team_close(&team);
    teardown(&f);
}
END_TEST

START_TEST(registry_admin_does_it_all)
{
    struct fx f;
    setup(&f);
    mlops_store *adam = open_as(&f, "adam", 0);
    mlops_digest a;
    char *run = train(adam, "churn", &a, f.priv);
    TU_OK(mlops_model_alias_set(adam, "churn", "production", 1));
    TU_OK(mlops_model_alias_set(adam, "churn", "production", 2));
    TU_OK(mlops_model_alias_set(adam, "churn", "staging", 2));
    TU_OK(mlops_model_alias_delete(adam, "churn", "staging", NULL));
    const char *trusted[] = { f.pub };
    TU_OK(mlops_model_alias_policy_set(adam, "churn", "gated", trusted, 1, NULL));
    TU_OK(mlops_model_alias_set(adam, "churn", "gated", 1)); /* version 1 is signed */
    TU_OK(mlops_model_alias_policy_delete(adam, "churn", "gated", NULL));
    const char *gate[] = { "signed" };
    TU_OK(mlops_model_gate_set(adam, "churn", "canary", gate, 1, NULL, NULL));
    TU_OK(mlops_model_promote(adam, "churn", 1, "canary", NULL, NULL, NULL)); /* signed */
    TU_OK(mlops_model_gate_clear(adam, "churn", "canary", NULL));
    TU_OK(mlops_model_version_set_status(adam, "churn", 1, MLOPS_VERSION_ARCHIVED, NULL));
    TU_OK(mlops_model_version_delete(adam, "churn", 2, NULL));
    TU_OK(mlops_model_rename(adam, "churn", "churn2", NULL));
    TU_OK(mlops_run_delete(adam, run));
    TU_OK(mlops_run_restore(adam, run));
    TU_OK(mlops_ref_delete(adam, "churn"));
    rt_put(adam, "nobody refers to this");
    usleep(20 * 1000); /* older than the grace period of 0 ms */
    mlops_gc_opts go = MLOPS_GC_OPTS_INIT;
    go.grace_ms = 0;
    mlops_gc_report rep;
    TU_OK(mlops_gc_report_init(&rep, MLOPS_GC_REPORT_VERSION));
    TU_OK(mlops_store_gc(adam, &go, &rep));
    ck_assert_uint_ge(rep.contents, 1);
    TU_OK(mlops_model_delete(adam, "churn2", 1, NULL));
    TU_OK(mlops_audit_verify(adam));
    free(run);
    mlops_store_close(adam);
    teardown(&f);
}
END_TEST

/* Object removals (format 12) under the roles: a trainer's put reads
 * them, an admin's gc records one; in a store migrated to 12 after the
 * roles were applied, the migration granted that (the local objects are
 * made to act as S3's, which are the ones that keep removals). */
START_TEST(removals_work_for_their_roles_after_migrating)
{
    struct fx f;
    setup(&f);
    char *owner_dir = tu_path(f.dir, "owner");
    tu_sql_exec(owner_dir, "DROP TABLE cas_removing, cas_removals;"
                           "UPDATE meta SET value = '11' WHERE key = 'format_version'");
    mlops_store *owner = NULL;
    TU_OK(mlops_store_open(owner_dir, NULL, &owner)); /* migrates to 12 */
    mlops_store_close(owner);
    mlops_store *alice = open_as(&f, "alice", 0);
    alice->objects->remote = 1;
    rt_put(alice, "nobody refers to this either");
    mlops_store_close(alice);
    mlops_store *adam = open_as(&f, "adam", 0);
    adam->objects->remote = 1;
    usleep(20 * 1000); /* older than the grace period of 0 ms */
    mlops_gc_opts go = MLOPS_GC_OPTS_INIT;
    go.grace_ms = 0;
    mlops_gc_report rep = MLOPS_GC_REPORT_INIT;
    TU_OK(mlops_store_gc(adam, &go, &rep));
    ck_assert_uint_ge(rep.objects, 1);
    mlops_store_close(adam);
    ck_assert_int_ge(tu_sql_int64(owner_dir, "SELECT done FROM cas_removals"), 1);
    ck_assert_int_eq(tu_sql_int64(owner_dir, "SELECT count(*) FROM cas_removing"), 0);
    free(owner_dir);
    teardown(&f);
}
END_TEST

/* The file covers every table of the store, and no group role may
 * rewrite history, whatever the sections above grant. */
START_TEST(every_table_has_a_section_and_audit_is_append_only)
{
    struct fx f;
    setup(&f);
    char *owner_dir = tu_path(f.dir, "owner");
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = '%s' "
             "AND NOT has_table_privilege('mlops_reader', schemaname || '.' || tablename, "
             "'SELECT')",
             f.schema);
    char *unreadable = tu_sql_text(owner_dir, sql);
    ck_assert_msg(!unreadable, "mlops_reader cannot read %s", unreadable);
    const char *roles[] = { "mlops_reader", "mlops_trainer", "mlops_registry_admin" };
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pg_tables WHERE schemaname = '%s' AND "
                 "has_table_privilege('%s', schemaname || '.' || tablename, "
                 "'UPDATE, DELETE, TRUNCATE') AND tablename = 'audit_events'",
                 f.schema, roles[i]);
        ck_assert_int_eq(tu_sql_int64(owner_dir, sql), 0);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pg_tables WHERE schemaname = '%s' AND "
                 "has_table_privilege('%s', schemaname || '.' || tablename, 'TRUNCATE')",
                 f.schema, roles[i]);
        ck_assert_int_eq(tu_sql_int64(owner_dir, sql), 0);
        /* format 10's search rows: the owner's triggers write them */
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pg_tables WHERE schemaname = '%s' AND "
                 "has_table_privilege('%s', schemaname || '.' || tablename, "
                 "'INSERT, UPDATE, DELETE') AND tablename LIKE 'search\\_%%'",
                 f.schema, roles[i]);
        ck_assert_int_eq(tu_sql_int64(owner_dir, sql), 0);
    }
    /* Running the file again changes nothing (it is the whole truth). */
    snprintf(sql, sizeof sql,
             "SELECT string_agg(table_name || ':' || privilege_type || ':' || grantee, ',' "
             "ORDER BY table_name, privilege_type, grantee) FROM "
             "information_schema.role_table_grants WHERE table_schema = '%s'",
             f.schema);
    char *grants = tu_sql_text(owner_dir, sql);
    ck_assert_int_eq(apply_roles(f.schema, 0), 0);
    char *again = tu_sql_text(owner_dir, sql);
    ck_assert_str_eq(again, grants);
    free(again);
    free(grants);
    /* A login in none of the roles cannot even open the store. */
    as_superuser("CREATE ROLE stranger LOGIN");
    char *uri = uri_as("stranger");
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.metadata = uri;
    loc.schema = f.schema;
    loc.objects = f.objects;
    mlops_store *s = NULL;
    refused(mlops_store_open_location(&loc, NULL, &s), "stranger", "read the store");
    ck_assert_ptr_null(s);
    free(uri);
    /* A schema that holds no store is refused. */
    ck_assert_int_ne(apply_roles("no_such_store", 1), 0);
    free(owner_dir);
    teardown(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("roles_pg");
    TCase *tc = tcase_create("roles");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, trainer_logs_runs_puts_artifacts_and_creates_versions);
    tcase_add_test(tc, trainer_cannot_move_aliases_change_policies_or_rewrite_audit);
    tcase_add_test(tc, trainer_checks_monitors_and_their_alerts_are_audited);
    tcase_add_test(tc, reader_reads_and_cannot_write);
    tcase_add_test(tc, registry_admin_does_it_all);
    tcase_add_test(tc, removals_work_for_their_roles_after_migrating);
    tcase_add_test(tc, every_table_has_a_section_and_audit_is_append_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
