/* Network faults between libmlops and a real PostgreSQL server, through
 * the test proxy (tcpproxy.h): the connection dropped right after a
 * COMMIT was forwarded (committed, acknowledgement lost) and right before
 * (never committed); idle pooled connections dropped; a read's connection
 * dropped (at its BEGIN; half way; at its COMMIT, after its rows were
 * taken in; a store copy's scan of its source at its COMMIT, after the
 * objects were copied). Every call must return MLOPS_OK with its change
 * there exactly once (a version created once, one audit event, a metric
 * batch not doubled, a param set), a read with each row once, a copy
 * counting each object once. A deadlock with another session (SQLSTATE
 * 40P01) and a serialization failure (40001) are retried too, and a store
 * opens once a proxy that refused connections accepts them again. Then
 * the server is stopped: a write and a read must fail with MLOPS_EIO
 * within the retry budget (the store's busy timeout), naming the server
 * and the attempts.
 *
 * Needs a server on TCP: run under scripts/with-pg.sh --tcp (which stops
 * it however this ends). Prints TAP and "# figure:" lines. */
#include "pg_tap.h"
#include "tcpproxy.h"
#include "testutil.h"

#include <libpq-fe.h>
#include <mlops.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUDGET_MS 3000

static int check_rc(int rc, int want, const char *what)
{
    char d[600];
    snprintf(d, sizeof d, "rc %d, expected %d (%s)", rc, want, rc ? mlops_last_error() : "");
    ok(rc == want, what, rc == want ? NULL : d);
    return rc == want;
}

static int64_t audit_seq(mlops_store *s)
{
    int64_t seq = -1;
    mlops_digest h;
    if (mlops_audit_head(s, &seq, &h)) return -1;
    return seq;
}

static size_t version_count(mlops_store *s, const char *model)
{
    mlops_model_versions *l = NULL;
    if (mlops_model_version_list(s, model, 1, &l)) return 0;
    size_t n = mlops_model_versions_count(l);
    mlops_model_versions_free(l);
    return n;
}

static size_t history_count(mlops_store *s, const char *run_id, const char *key)
{
    mlops_metric_point *p = NULL;
    size_t n = 0;
    if (mlops_metric_history(s, run_id, key, NULL, &p, &n)) return 0;
    mlops_free(p);
    return n;
}

/* A store in dir with its metadata in schema of the server conninfo
 * names. */
static mlops_store *open_schema(const char *dir, const char *conninfo, const char *schema,
                                uint32_t busy_ms)
{
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.metadata = conninfo;
    loc.schema = schema;
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.busy_timeout_ms = busy_ms;
    mlops_store *s = NULL;
    if (mlops_store_create(dir, &loc, &o, &s)) {
        fprintf(stderr, "cannot create a store in %s: %s\n", dir, mlops_last_error());
        return NULL;
    }
    return s;
}

static mlops_store *open_on(const char *dir, const char *conninfo, uint32_t busy_ms)
{
    return open_schema(dir, conninfo, "faults", busy_ms);
}

/* The simple-query message that ends every write transaction on
 * PostgreSQL ends with this (lib/store/store.c sends the request id and
 * COMMIT in one message). */
static const char commit_msg[] = "COMMIT"; /* with its NUL: the end of the query text */

struct world {
    mlops_store *s;
    tproxy *px;
    mlops_digest artifact;
    mlops_run *run;
    int64_t step;
};

/* One round of writes, each with its connection dropped as action says. */
static void round_of_writes(struct world *w, int action, const char *label)
{
    char what[200];
    mlops_store *s = w->s;

    /* A version: created once, one audit event. */
    size_t versions = version_count(s, "m");
    int64_t seq = audit_seq(s);
    int fired = tproxy_fired(w->px), accepted = tproxy_accepted(w->px);
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, action);
    int64_t v = 0;
    double t0 = now_ms();
    snprintf(what, sizeof what, "%s: version create returns OK", label);
    check_rc(mlops_model_version_create(s, "m", &w->artifact, NULL, &v), MLOPS_OK, what);
    double took = now_ms() - t0;
    snprintf(what, sizeof what, "%s: the proxy dropped the COMMIT's connection", label);
    ok(tproxy_fired(w->px) == fired + 1 && tproxy_accepted(w->px) > accepted, what, NULL);
    snprintf(what, sizeof what, "%s: exactly one version was created, numbered next", label);
    ok(version_count(s, "m") == versions + 1 && v == (int64_t)versions + 1, what, NULL);
    snprintf(what, sizeof what, "%s: exactly one audit event was appended", label);
    ok(audit_seq(s) == seq + 1, what, NULL);
    printf("# figure: PostgreSQL, connection dropped %s COMMIT: version create took %.0f ms\n",
           action == TP_DROP_AFTER ? "after" : "before", took);

    /* An alias move: one event, the alias on the new version. */
    seq = audit_seq(s);
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, action);
    snprintf(what, sizeof what, "%s: alias set returns OK", label);
    check_rc(mlops_model_alias_set(s, "m", "champion", v), MLOPS_OK, what);
    int64_t got = 0;
    snprintf(what, sizeof what, "%s: the alias holds the version, one event recorded", label);
    ok(mlops_model_alias_get(s, "m", "champion", &got) == MLOPS_OK && got == v &&
           audit_seq(s) == seq + 1,
       what, NULL);

    /* A metric batch of new steps: its points once. */
    const char *rid = mlops_run_id(w->run);
    size_t before = history_count(s, rid, "loss");
    mlops_metric m[100];
    for (int i = 0; i < 100; i++)
        m[i] = (mlops_metric){ "loss", 1.0 / (double)(w->step + i + 1), w->step + i, 1000 + i };
    w->step += 100;
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, action);
    snprintf(what, sizeof what, "%s: metric batch returns OK", label);
    check_rc(mlops_run_log_metrics(w->run, m, 100), MLOPS_OK, what);
    snprintf(what, sizeof what, "%s: the batch's 100 points are there once", label);
    ok(history_count(s, rid, "loss") == before + 100, what, NULL);

    /* A param. */
    char key[32];
    snprintf(key, sizeof key, "p%lld", (long long)w->step);
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, action);
    snprintf(what, sizeof what, "%s: param returns OK", label);
    check_rc(mlops_run_log_param(w->run, key, "value"), MLOPS_OK, what);
    mlops_run_info *ri = NULL;
    const char *val = NULL;
    if (mlops_run_get(s, rid, &ri) == MLOPS_OK) val = mlops_run_info_param(ri, key);
    snprintf(what, sizeof what, "%s: the param is set", label);
    ok(val && !strcmp(val, "value"), what, NULL);
    mlops_run_info_free(ri);
}

/* ---- A deadlock: another session holds a table the write needs and then
 * asks for the store's write lock. The write waited first, so its server
 * process finds the cycle and fails it with 40P01; the retry must then
 * succeed once the other session is done. */

struct create_call {
    mlops_store *s;
    const mlops_digest *artifact;
    int64_t version;
    int rc;
    char msg[512];
};

static void *create_version(void *arg)
{
    struct create_call *c = arg;
    c->rc = mlops_model_version_create(c->s, "m", c->artifact, NULL, &c->version);
    snprintf(c->msg, sizeof c->msg, "%s", c->rc ? mlops_last_error() : "");
    return NULL;
}

static int sql_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    int ok_ = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok_) fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok_;
}

/* A session of the test's own beside the store's (NULL, reported: none). */
static PGconn *second_session(const char *conninfo)
{
    PGconn *other = PQconnectdb(conninfo);
    if (PQstatus(other) == CONNECTION_OK) return other;
    ok(0, "a second session", PQerrorMessage(other));
    PQfinish(other);
    return NULL;
}

static void deadlock(struct world *w, const char *conninfo)
{
    PGconn *other = second_session(conninfo);
    if (!other) return;
    size_t versions = version_count(w->s, "m");
    int64_t seq = audit_seq(w->s);
    ok(sql_ok(other, "SET deadlock_timeout = '20s'") && sql_ok(other, "BEGIN") &&
           sql_ok(other, "LOCK TABLE faults.reg_versions IN ACCESS EXCLUSIVE MODE"),
       "another session locks reg_versions", NULL);
    struct create_call call = { w->s, &w->artifact, 0, -1, "" };
    pthread_t t;
    pthread_create(&t, NULL, create_version, &call);
    /* Wait until the write holds the store's lock and waits for the table. */
    int waiting = 0;
    for (int i = 0; i < 200 && !waiting; i++) {
        usleep(10000);
        PGresult *r = PQexec(other, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                    "AND granted");
        waiting = PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0)) > 0;
        PQclear(r);
    }
    /* Now it asks for the store's lock: a cycle. */
    int locked = sql_ok(other, "SELECT pg_advisory_xact_lock((SELECT (classid::bigint << 32) | "
                               "objid::bigint FROM pg_locks WHERE locktype = 'advisory' "
                               "AND granted LIMIT 1))");
    ok(waiting && locked, "the other session got the store's lock after the deadlock", NULL);
    sql_ok(other, "COMMIT");
    pthread_join(t, NULL);
    ok(call.rc == MLOPS_OK, "the write failed with 40P01 was retried and returned OK", call.msg);
    ok(version_count(w->s, "m") == versions + 1 && call.version == (int64_t)versions + 1 &&
           audit_seq(w->s) == seq + 1,
       "one version, one audit event", NULL);
    PQfinish(other);
}

/* ---- A serialization failure (SQLSTATE 40001): the store's writers
 * serialise on its advisory lock and its reads are read-only snapshots,
 * so on a primary none of its own transactions meets one; a hot
 * standby's recovery conflict or a trigger of the user's can still raise
 * it. A trigger raises it at the first version's insert (a sequence,
 * which a rollback does not undo, counts the attempts): the write must be
 * retried and applied once. */
static void serialization_failure(struct world *w, const char *conninfo)
{
    PGconn *other = second_session(conninfo);
    if (!other) return;
    size_t versions = version_count(w->s, "m");
    int64_t seq = audit_seq(w->s);
    ok(sql_ok(other, "CREATE SEQUENCE faults.attempts") &&
           sql_ok(other, "CREATE FUNCTION faults.fail_first() RETURNS trigger LANGUAGE plpgsql AS "
                         "$$BEGIN IF nextval('faults.attempts') = 1 THEN RAISE EXCEPTION "
                         "'could not serialize access' USING ERRCODE = '40001'; END IF; "
                         "RETURN NEW; END$$") &&
           sql_ok(other, "CREATE TRIGGER fail_first BEFORE INSERT ON faults.reg_versions "
                         "FOR EACH ROW EXECUTE FUNCTION faults.fail_first()"),
       "a trigger fails the first insert of a version with 40001", NULL);
    struct create_call call = { w->s, &w->artifact, 0, -1, "" };
    create_version(&call);
    ok(call.rc == MLOPS_OK, "the write failed with 40001 was retried and returned OK", call.msg);
    PGresult *r = PQexec(other, "SELECT last_value FROM faults.attempts");
    int attempts = PQresultStatus(r) == PGRES_TUPLES_OK ? atoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    ok(attempts == 2 && version_count(w->s, "m") == versions + 1 &&
           call.version == (int64_t)versions + 1 && audit_seq(w->s) == seq + 1,
       "two attempts, one version, one audit event", NULL);
    sql_ok(other, "DROP TRIGGER fail_first ON faults.reg_versions");
    sql_ok(other, "DROP FUNCTION faults.fail_first()");
    sql_ok(other, "DROP SEQUENCE faults.attempts");
    PQfinish(other);
}

/* ---- Opening while connections are refused (a server starting) ---- */

static void *accept_later(void *arg)
{
    usleep(500000);
    tproxy_refuse(arg, 0);
    return NULL;
}

static void open_while_refused(tproxy *px, const char *conninfo, const char *dir)
{
    tproxy_refuse(px, 1);
    pthread_t t;
    pthread_create(&t, NULL, accept_later, px);
    double t0 = now_ms();
    mlops_store *s = open_on(dir, conninfo, 30000);
    double took = now_ms() - t0;
    pthread_join(t, NULL);
    char d[64];
    snprintf(d, sizeof d, "%.0f ms", took);
    ok(s != NULL && took >= 400, "a store opens once refused connections are accepted again", d);
    mlops_store_close(s);
}

/* ---- Reads that fail after their rows were taken in ------------------
 * A lost connection at a read's COMMIT is retried like any other: the
 * read transaction runs again from its start, so what the failed attempt
 * had gathered must be dropped first (each result below used to hold the
 * failed attempt's rows and the retry's). The drop comes at the COMMIT,
 * not at a statement: these reads send each statement's text at its first
 * use on a connection, before any row was gathered, so a drop there fails
 * an attempt that has nothing to repeat. */

/* A model of its own, so that what the reads below give is its alone:
 * three versions, plain aliases on 1 and on 3, a weighted one across 2
 * and 3. Returns the audit events it made (each step one), -1 on
 * failure. */
static int64_t routed_model(struct world *w)
{
    int64_t seq = audit_seq(w->s), v = 0;
    int rc = mlops_model_create(w->s, "routed");
    for (int i = 0; i < 3 && !rc; i++)
        rc = mlops_model_version_create(w->s, "routed", &w->artifact, NULL, &v);
    if (!rc) rc = mlops_model_alias_set(w->s, "routed", "champion", 1);
    if (!rc) rc = mlops_model_alias_set(w->s, "routed", "staging", 3);
    if (!rc) rc = mlops_model_alias_split_set(w->s, "routed", "canary", "2:90,3:10", NULL);
    if (!check_rc(rc, MLOPS_OK, "a model with versions, aliases and a weighted alias")) return -1;
    return audit_seq(w->s) - seq;
}

/* Each alias and its split, "; " between them. */
static void splits_text(const mlops_alias_splits *l, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < mlops_alias_splits_count(l) && k < n; i++) {
        const mlops_alias_split *sp = mlops_alias_splits_at(l, i);
        int w = snprintf(out + k, n - k, "%s%s %s", i ? "; " : "", mlops_alias_split_alias(sp),
                         mlops_alias_split_text(sp));
        if (w < 0) break;
        k += (size_t)w;
    }
}

/* mlops_model_alias_splits is one read transaction: the first COMMIT
 * after the arm is its own, once every split was read. */
static void retried_alias_splits(struct world *w)
{
    int fired = tproxy_fired(w->px);
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, TP_DROP_BEFORE);
    mlops_alias_splits *l = NULL;
    check_rc(mlops_model_alias_splits(w->s, "routed", &l), MLOPS_OK,
             "a listing of alias splits whose connection dropped at its COMMIT");
    char got[512];
    splits_text(l, got, sizeof got);
    int once = !strcmp(got, "canary 2:90,3:10; champion 1; staging 3");
    ok(tproxy_fired(w->px) == fired + 1 && once, "the listing holds each alias's split once",
       once ? NULL : got);
    mlops_alias_splits_free(l);
}

/* The events a model page's audit timeline says it shows, -1 if none. */
static long timeline_events(const char *html)
{
    static const char sub[] = "<p class=\"sub\">";
    const char *h = html ? strstr(html, "id=\"audit\">") : NULL;
    const char *p = h ? strstr(h, sub) : NULL;
    return p ? strtol(p + sizeof sub - 1, NULL, 10) : -1;
}

/* The page reads the model, its versions and their lineage before its
 * audit events, each in a transaction of its own: the drop waits for the
 * events' statement and takes the COMMIT after it. Compared with the page
 * read without a fault (no time in the footer: the two are the same). */
static void retried_model_page(struct world *w, int64_t events)
{
    mlops_model_page_opts po = MLOPS_MODEL_PAGE_OPTS_INIT;
    po.generated_ms = -1;
    char *want = NULL, *got = NULL, d[120];
    if (!check_rc(mlops_model_page_html(w->s, "routed", &po, &want), MLOPS_OK,
                  "the model page without a fault"))
        return;
    snprintf(d, sizeof d, "%ld events, %lld expected", timeline_events(want), (long long)events);
    ok(timeline_events(want) == events && strstr(want, ">2:90,3:10<"),
       "it shows the model's audit events and its weighted alias", d);
    tproxy_drop_all(w->px); /* new connections send the events' statement again */
    static const char events_read[] = "reason, payload FROM audit_events WHERE model_id";
    int fired = tproxy_fired(w->px);
    tproxy_arm_after(w->px, events_read, sizeof events_read - 1, commit_msg, sizeof commit_msg,
                     TP_DROP_BEFORE);
    check_rc(mlops_model_page_html(w->s, "routed", &po, &got), MLOPS_OK,
             "a model page whose connection dropped at the COMMIT after its audit events");
    int same = got && !strcmp(got, want);
    snprintf(d, sizeof d, "the retried page shows %ld events, without the fault %ld",
             timeline_events(got), timeline_events(want));
    ok(tproxy_fired(w->px) == fired + 1 && same,
       "the page shows each audit event once, as without the fault", same ? NULL : d);
    mlops_free(want);
    mlops_free(got);
}

/* Alias, split and salt of sp, for comparing one read with another. */
static void split_desc(const mlops_alias_split *sp, char *out, size_t n)
{
    snprintf(out, n, "%s %s salt %s", sp ? mlops_alias_split_alias(sp) : "(none)",
             sp ? mlops_alias_split_text(sp) : "", sp ? mlops_alias_split_salt(sp) : "");
}

/* The reads of one alias's split, each one read transaction: the first
 * COMMIT after the arm is the read's own, once the split was built. A
 * retried read must give the split the read without a fault gives, and
 * free the failed attempt's: that leak shows only to a leak checker (this
 * program run under valgrind by hand; the postgres suites have no
 * sanitizer build). */
static void retried_split_reads(struct world *w)
{
    char want[300], got[300], d[700];
    mlops_alias_split *sp = NULL;
    if (!check_rc(mlops_model_alias_split_get(w->s, "routed", "canary", &sp), MLOPS_OK,
                  "the weighted alias's split without a fault"))
        return;
    split_desc(sp, want, sizeof want);
    mlops_alias_split_free(sp);
    int right = strstr(want, "canary 2:90,3:10 salt ") == want;
    ok(right, "it is the split set", right ? NULL : want);

    int fired = tproxy_fired(w->px);
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, TP_DROP_BEFORE);
    sp = NULL;
    check_rc(mlops_model_alias_split_get(w->s, "routed", "canary", &sp), MLOPS_OK,
             "an alias split read whose connection dropped at its COMMIT");
    split_desc(sp, got, sizeof got);
    mlops_alias_split_free(sp);
    snprintf(d, sizeof d, "fired %d, got %s, expected %s", tproxy_fired(w->px) - fired, got,
             want);
    right = tproxy_fired(w->px) == fired + 1 && !strcmp(got, want);
    ok(right, "the retried read gives the alias's split", right ? NULL : d);

    /* As of the end of time: after every event, the split now. */
    fired = tproxy_fired(w->px);
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, TP_DROP_BEFORE);
    sp = NULL;
    check_rc(mlops_audit_alias_split_at(w->s, "routed", "canary", INT64_MAX, &sp), MLOPS_OK,
             "an alias split read as of a time whose connection dropped at its COMMIT");
    split_desc(sp, got, sizeof got);
    mlops_alias_split_free(sp);
    snprintf(d, sizeof d, "fired %d, got %s, expected %s", tproxy_fired(w->px) - fired, got,
             want);
    right = tproxy_fired(w->px) == fired + 1 && !strcmp(got, want);
    ok(right, "the retried read as of a time gives the alias's split", right ? NULL : d);

    fired = tproxy_fired(w->px);
    tproxy_arm(w->px, commit_msg, sizeof commit_msg, TP_DROP_BEFORE);
    mlops_route_snapshot *snap = NULL;
    check_rc(mlops_model_route_snapshot(w->s, "routed", "canary", &snap), MLOPS_OK,
             "a routing snapshot whose connection dropped at its COMMIT");
    int dropped = tproxy_fired(w->px) - fired; /* before the reads below */
    split_desc(mlops_route_snapshot_split(snap), got, sizeof got);
    /* It routes as the store does, key by key (each mlops_model_route a
     * read without a fault). */
    int same = 0, keys = 32;
    for (int i = 0; i < keys && snap; i++) {
        char key[16];
        int n = snprintf(key, sizeof key, "user-%d", i);
        int64_t a = 0, b = -1;
        if (mlops_route_snapshot_route(snap, key, (size_t)n, &a) == MLOPS_OK &&
            mlops_model_route(w->s, "routed", "canary", key, (size_t)n, &b) == MLOPS_OK && a == b)
            same++;
    }
    mlops_route_snapshot_free(snap);
    snprintf(d, sizeof d, "fired %d, got %s, expected %s; %d of %d keys routed alike",
             dropped, got, want, same, keys);
    right = dropped == 1 && !strcmp(got, want) && same == keys;
    ok(right, "the retried snapshot holds the alias's split and routes as the store",
       right ? NULL : d);
}

/* ---- A store copy whose source scan is retried ------------------------
 * mlops_store_copy lists the source's objects in one read transaction and
 * copies them into the destination in batches of 256 as it goes; a retried
 * listing must go on after the last batch copied (it used to start again
 * from the first object, counting each object copied before as present).
 * The source is a store of its own through the proxy, with more objects
 * than a batch; the destination a new local (SQLite) store. The drop
 * takes the COMMIT that ends the listing, once every object was copied:
 * the listing's text is sent at its first use on a connection, so a drop
 * at the statement itself would fail an attempt that had copied nothing. */
#define COPY_BLOBS 300

static void retried_copy_scan(tproxy *px, const char *conninfo, const char *root)
{
    char sdir[700], ddir[700], d[200];
    snprintf(sdir, sizeof sdir, "%s/copy-src", root);
    snprintf(ddir, sizeof ddir, "%s/copy-dst", root);
    mlops_store *src = open_schema(sdir, conninfo, "copysrc", 30000);
    mlops_store *dst = open_schema(ddir, NULL, NULL, 30000);
    mlops_digest blobs[COPY_BLOBS];
    int rc = !src || !dst ? MLOPS_EIO : MLOPS_OK;
    for (int i = 0; i < COPY_BLOBS && !rc; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "copied object %d", i);
        rc = mlops_blob_put(src, text, (size_t)n, &blobs[i]);
    }
    /* What the source records, every object file (a blob may be more than
     * one object). */
    mlops_fsck_report sf = MLOPS_FSCK_REPORT_INIT;
    if (!rc) rc = mlops_store_fsck(src, NULL, &sf);
    mlops_free(sf.issues);
    if (!check_rc(rc, MLOPS_OK, "a source store through the proxy with 300 blobs")) goto out;
    snprintf(d, sizeof d, "%llu objects", (unsigned long long)sf.objects);
    ok(sf.objects > 256, "the source holds more objects than one batch of the copy", d);

    static const char scan[] = "SELECT digest FROM cas_object ORDER BY digest";
    int fired = tproxy_fired(px);
    tproxy_arm_after(px, scan, sizeof scan - 1, commit_msg, sizeof commit_msg, TP_DROP_BEFORE);
    mlops_store_copy_report r = MLOPS_STORE_COPY_REPORT_INIT;
    check_rc(mlops_store_copy(src, dst, NULL, &r), MLOPS_OK,
             "a store copy whose source connection dropped at the COMMIT of its object scan");
    snprintf(d, sizeof d, "fired %d, %llu copied, %llu present, %llu in the source",
             tproxy_fired(px) - fired, (unsigned long long)r.objects_copied,
             (unsigned long long)r.objects_present, (unsigned long long)sf.objects);
    ok(tproxy_fired(px) == fired + 1 && r.objects_copied == sf.objects && r.objects_present == 0,
       "the copy counts each source object once, as copied", d);

    mlops_fsck_report df = MLOPS_FSCK_REPORT_INIT;
    rc = mlops_store_fsck(dst, NULL, &df);
    mlops_free(df.issues);
    int same = 0;
    for (int i = 0; i < COPY_BLOBS && !rc; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "copied object %d", i);
        void *data = NULL;
        size_t len = 0;
        if (mlops_blob_get(dst, &blobs[i], &data, &len) == MLOPS_OK && len == (size_t)n &&
            !memcmp(data, text, len))
            same++;
        mlops_free(data);
    }
    snprintf(d, sizeof d, "fsck rc %d, %llu objects, %d of %d blobs read back", rc,
             (unsigned long long)df.objects, same, COPY_BLOBS);
    ok(!rc && df.objects == sf.objects && same == COPY_BLOBS,
       "the destination holds every object and blob of the source", d);
out:
    mlops_store_close(src);
    mlops_store_close(dst);
}

static int stop_server(void)
{
    const char *script = getenv("MLOPS_TEST_PG_SERVER"), *dir = getenv("MLOPS_TEST_PG_DIR");
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", script, "stop", dir, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0
                                                                                           : -1;
}

/* Budget exhausted: the server is down for good. */
static void server_stopped(mlops_store *direct, int port)
{
    ok(stop_server() == 0, "the server stopped", NULL);
    char want_server[64];
    snprintf(want_server, sizeof want_server, "127.0.0.1:%d, database postgres", port);
    double t0 = now_ms();
    int rc = mlops_model_create(direct, "after-stop");
    double took = now_ms() - t0;
    const char *msg = mlops_last_error();
    check_rc(rc, MLOPS_EIO, "a write to a stopped server fails with MLOPS_EIO");
    char d[900];
    snprintf(d, sizeof d, "%.0f ms, budget %d ms: %s", took, BUDGET_MS, msg);
    ok(took >= BUDGET_MS / 2 && took <= BUDGET_MS + 1500, "it gave up within the budget", d);
    ok(strstr(msg, want_server) && strstr(msg, "attempts"),
       "the message names the server and the attempts", msg);
    printf("# figure: PostgreSQL stopped: a write gave up after %.0f ms (budget %d ms)\n", took,
           BUDGET_MS);
    mlops_model *m = NULL;
    t0 = now_ms();
    rc = mlops_model_get(direct, "m", &m);
    took = now_ms() - t0;
    check_rc(rc, MLOPS_EIO, "a read from a stopped server fails with MLOPS_EIO");
    snprintf(d, sizeof d, "%.0f ms", took);
    ok(took <= BUDGET_MS + 1500, "the read gave up within the budget", d);
    mlops_model_free(m);
}

int main(void)
{
    const char *pg = getenv("MLOPS_TEST_PG");
    const char *port_at = pg ? strstr(pg, "port=") : NULL;
    if (!port_at || !getenv("MLOPS_TEST_PG_SERVER") || !getenv("MLOPS_TEST_PG_DIR")) {
        fprintf(stderr, "run under scripts/with-pg.sh --tcp (MLOPS_TEST_PG with a port)\n");
        return 1;
    }
    int port = atoi(port_at + 5);
    char *root = tu_mkdtemp("pgfaults");
    if (!root) return 1;
    char via_proxy[600], direct_dir[600], conninfo[256];
    snprintf(via_proxy, sizeof via_proxy, "%s/proxied", root);
    snprintf(direct_dir, sizeof direct_dir, "%s/direct", root);

    struct world w;
    memset(&w, 0, sizeof w);
    if (tproxy_start("127.0.0.1", port, &w.px) != 0) return 1;
    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d dbname=postgres user=mlops",
             tproxy_port(w.px));
    w.s = open_on(via_proxy, conninfo, 30000);
    mlops_store *direct = open_on(direct_dir, pg, BUDGET_MS);
    int64_t exp = 0;
    int rc = !w.s || !direct ? MLOPS_EIO : mlops_model_create(w.s, "m");
    if (!rc) rc = mlops_blob_put(w.s, "model bytes", 11, &w.artifact);
    if (!rc) rc = mlops_experiment_create(w.s, "faults", &exp);
    if (!rc) rc = mlops_run_start(w.s, exp, "r", &w.run);
    if (!check_rc(rc, MLOPS_OK, "setup through the proxy")) goto done;

    round_of_writes(&w, TP_DROP_AFTER, "dropped after COMMIT");
    round_of_writes(&w, TP_DROP_BEFORE, "dropped before COMMIT");
    deadlock(&w, pg);
    serialization_failure(&w, pg);
    char late_dir[700];
    snprintf(late_dir, sizeof late_dir, "%s/late", root);
    open_while_refused(w.px, conninfo, late_dir);

    /* Pooled connections killed while idle: replaced before use. */
    tproxy_drop_all(w.px);
    mlops_model *m = NULL;
    check_rc(mlops_model_get(w.s, "m", &m), MLOPS_OK, "a read after every idle connection dropped");
    mlops_model_free(m);
    tproxy_drop_all(w.px);
    check_rc(mlops_run_log_param(w.run, "after-drop", "1"), MLOPS_OK,
             "a write after every idle connection dropped");
    /* A read whose BEGIN never arrives: run again on a new connection. */
    static const char read_begin[] = "READ ONLY";
    tproxy_arm(w.px, read_begin, sizeof read_begin, TP_DROP_BEFORE);
    int64_t v = 0;
    check_rc(mlops_model_alias_get(w.s, "m", "champion", &v), MLOPS_OK,
             "a read whose connection dropped at BEGIN");
    ok(tproxy_fired(w.px) >= 1 && v == 2, "the read returned the alias", NULL);
    check_rc(mlops_audit_verify(w.s), MLOPS_OK, "the audit chain verifies");

    /* A read dropped half way, after its first query gave rows: it runs
     * again from nothing, so its result holds each row once (a retried
     * listing used to append to the failed attempt's rows, writing past
     * their array). */
    const char *names[] = { "accuracy", "f1" };
    double values[] = { 0.9, 0.8 };
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 2;
    in.names = names;
    in.values = values;
    for (int i = 0; i < 3; i++)
        check_rc(mlops_evaluation_record(w.s, "m", 1, &w.artifact, &in, NULL, NULL), MLOPS_OK,
                 "an evaluation recorded");
    tproxy_drop_all(w.px); /* new connections prepare their statements again */
    static const char metrics_read[] = "FROM reg_evaluation_metrics WHERE evaluation_id";
    int fired = tproxy_fired(w.px);
    tproxy_arm(w.px, metrics_read, sizeof metrics_read - 1, TP_DROP_BEFORE);
    mlops_evaluations *evals = NULL;
    check_rc(mlops_evaluation_list(w.s, "m", 1, NULL, &evals), MLOPS_OK,
             "an evaluation listing whose connection dropped at its metrics");
    ok(tproxy_fired(w.px) == fired + 1 && mlops_evaluations_count(evals) == 3,
       "the listing holds each evaluation once", NULL);
    mlops_evaluations_free(evals);

    int64_t routed_events = routed_model(&w);
    if (routed_events > 0) {
        retried_alias_splits(&w);
        retried_model_page(&w, routed_events);
        retried_split_reads(&w);
    }
    retried_copy_scan(w.px, conninfo, root);

    server_stopped(direct, port);
done:
    mlops_run_free(w.run);
    mlops_store_close(w.s);
    mlops_store_close(direct);
    tproxy_stop(w.px);
    tu_rmrf(root);
    free(root);
    return tap_end();
}
