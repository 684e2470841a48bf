/* Promotion gates (registry.h, "Promotion gates"; doc/gates.md): setting
 * and reading a gate, promotion of a better candidate, refusal of a worse
 * one and of one without the metric, no way around the gate (plain set,
 * delete, version and model deletion, import), forced moves audited, and
 * every decision in a chain that verifies (a decision edited is caught).
 * Store copy carries gates. Runs on SQLite and, as registry_gates_pg, on
 * PostgreSQL. */
#include "registry/alias_move.h"
#include "store/store_internal.h"
#include "testutil.h"
#include "tu_db.h"

#include <math.h>
#include <mlops.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *base;
static mlops_store *S;
static mlops_digest DS, ART;

/* A store with model churn and four versions, as S. */
static void setup(void)
{
    base = tu_tmpdir();
    char *dir = tu_store_dir(base, "store");
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    o.actor = tu_actor("ci");
    TU_OK(mlops_store_open(dir, &o, &S));
    free(dir);
    TU_OK(mlops_digest_compute("holdout", 7, &DS));
    TU_OK(mlops_blob_put(S, "weights", 7, &ART));
    TU_OK(mlops_model_create(S, "churn"));
    for (int i = 0; i < 4; i++) {
        int64_t v;
        TU_OK(mlops_model_version_create(S, "churn", &ART, NULL, &v));
    }
}

static void teardown(void)
{
    mlops_store_close(S);
    S = NULL;
    tu_rmrf(base);
    free(base);
}

/* Records version v's evaluation on DS: auc (NAN: no auc, a "rows" metric
 * instead) and latency. */
static void evaluate(int64_t v, double auc, double latency)
{
    const char *names[] = { isnan(auc) ? "rows" : "auc", "p95_latency_ms" };
    double values[] = { isnan(auc) ? 1000 : auc, latency };
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = 2;
    in.names = names;
    in.values = values;
    TU_OK(mlops_evaluation_record(S, "churn", v, &DS, &in, NULL, NULL));
}

static const char *const CONDS[] = {
    "metrics.auc >= 0.8",
    "metrics.auc >= baseline.metrics.auc - 0.005",
    "metrics.p95_latency_ms <= baseline.metrics.p95_latency_ms * 1.1",
};

static void set_gate(void)
{
    TU_OK(mlops_model_gate_set(S, "churn", "champion", CONDS, 3, &DS, NULL));
}

static int64_t champion(void)
{
    int64_t n = 0;
    TU_OK(mlops_model_alias_get(S, "churn", "champion", &n));
    return n;
}

static int64_t count_events(const char *where)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_events WHERE %s", where);
    tu_db *db = tu_db_open(mlops_store_path(S));
    int64_t n = tu_db_int(db, sql);
    tu_db_close(db);
    return n;
}

static mlops_gate_check check_at(const mlops_gate_decision *d, size_t i)
{
    mlops_gate_check c = MLOPS_GATE_CHECK_INIT;
    TU_OK(mlops_gate_decision_at(d, i, &c));
    return c;
}

START_TEST(set_get_and_clear)
{
    const char *conds[] = { "METRIC.auc>=0.8", "signed" };
    TU_OK(mlops_model_gate_set(S, "churn", "champion", conds, 2, &DS, NULL));
    mlops_gate *g = NULL;
    TU_OK(mlops_model_gate_get(S, "churn", "champion", &g));
    ck_assert_uint_eq(mlops_gate_count(g), 2);
    ck_assert_str_eq(mlops_gate_condition(g, 0), "metrics.auc >= 0.8"); /* canonical */
    ck_assert_str_eq(mlops_gate_condition(g, 1), "signed");
    ck_assert_ptr_null(mlops_gate_condition(g, 2));
    ck_assert_mem_eq(mlops_gate_dataset(g)->bytes, DS.bytes, 32);
    mlops_gate_free(g);
    /* The same gate again records nothing. */
    int64_t sets = count_events("action = 'alias.gate.set'");
    TU_OK(mlops_model_gate_set(S, "churn", "champion", conds, 2, &DS, NULL));
    ck_assert_int_eq(count_events("action = 'alias.gate.set'"), sets);
    /* No dataset: the run's metrics, whose aggregates may be named. */
    const char *run_conds[] = { "metrics.loss.min <= 0.3" };
    TU_OK(mlops_model_gate_set(S, "churn", "champion", run_conds, 1, NULL, NULL));
    TU_OK(mlops_model_gate_get(S, "churn", "champion", &g));
    ck_assert_ptr_null(mlops_gate_dataset(g));
    mlops_gate_free(g);
    /* ...but not with a dataset: evaluation metrics have one value. */
    TU_RC(MLOPS_EINVAL, mlops_model_gate_set(S, "churn", "champion", run_conds, 1, &DS, NULL));
    TU_OK(mlops_model_gate_clear(S, "churn", "champion", NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_gate_get(S, "churn", "champion", &g));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_gate_clear(S, "churn", "champion", NULL));
    ck_assert_int_eq(count_events("action = 'alias.gate.delete'"), 1);
    TU_OK(mlops_audit_verify(S));
}
END_TEST

START_TEST(malformed_gates_are_refused)
{
    static const struct {
        const char *text;
        const char *words;
    } cases[] = {
        { "metrics.auc >=", "expected" },
        { "baseline.metrics.auc >= 1", "baseline" },
        { "metrics.auc >= 0.8 AND signed", "AND" },
        { "params.lr >= 1", "params" },
        { "metrics.a >= metrics.b", "" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *c[] = { cases[i].text };
        TU_RC(MLOPS_EINVAL, mlops_model_gate_set(S, "churn", "champion", c, 1, NULL, NULL));
        ck_assert_msg(strstr(mlops_last_error(), "mlops_model_gate_set") &&
                          strstr(mlops_last_error(), cases[i].words),
                      "'%s': %s", cases[i].text, mlops_last_error());
    }
    const char *ok[] = { "signed" };
    TU_RC(MLOPS_EINVAL, mlops_model_gate_set(S, "churn", "champion", ok, 0, NULL, NULL));
    TU_RC(MLOPS_EINVAL, mlops_model_gate_set(S, "churn", "latest", ok, 1, NULL, NULL));
    TU_RC(MLOPS_ENOTFOUND, mlops_model_gate_set(S, "nope", "champion", ok, 1, NULL, NULL));
    ck_assert_int_eq(count_events("action LIKE 'alias.gate.%'"), 0);
}
END_TEST

START_TEST(promotion_passes_a_better_candidate_and_refuses_worse_ones)
{
    set_gate();
    evaluate(1, 0.85, 100);
    evaluate(2, 0.80, 100); /* worse than 0.85 - 0.005 */
    evaluate(3, NAN, 100);  /* no auc */
    evaluate(4, 0.86, 105);

    /* No baseline yet: the baseline conditions are skipped and say so. */
    mlops_gate_decision *d = NULL;
    TU_OK(mlops_model_promote(S, "churn", 1, "champion", NULL, NULL, &d));
    ck_assert_int_eq(mlops_gate_decision_gated(d), 1);
    ck_assert_int_eq(mlops_gate_decision_passed(d), 1);
    ck_assert_int_eq(mlops_gate_decision_baseline(d), 0);
    ck_assert_uint_eq(mlops_gate_decision_count(d), 3);
    ck_assert_int_eq(check_at(d, 0).outcome, MLOPS_GATE_PASS);
    ck_assert_int_eq(check_at(d, 1).outcome, MLOPS_GATE_SKIP);
    ck_assert_ptr_nonnull(strstr(check_at(d, 1).why, "no baseline"));
    ck_assert_int_eq(check_at(d, 2).outcome, MLOPS_GATE_SKIP);
    mlops_gate_decision_free(d);
    ck_assert_int_eq(champion(), 1);

    /* Worse: refused, the alias stays, the refusal is in the log. */
    TU_RC(MLOPS_EPOLICY, mlops_model_promote(S, "churn", 2, "champion", NULL, NULL, &d));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "baseline.metrics.auc - 0.005"));
    ck_assert_int_eq(mlops_gate_decision_passed(d), 0);
    ck_assert_int_eq(mlops_gate_decision_baseline(d), 1);
    mlops_gate_check c = check_at(d, 1);
    ck_assert_int_eq(c.outcome, MLOPS_GATE_FAIL);
    ck_assert_int_eq(c.candidate, 2);
    ck_assert(c.left_known && c.right_known);
    ck_assert_double_eq(c.left, 0.80);
    ck_assert_double_eq_tol(c.right, 0.845, 1e-12);
    int64_t ev = mlops_gate_decision_event(d);
    ck_assert_int_gt(ev, 0);
    mlops_gate_decision_free(d);
    ck_assert_int_eq(champion(), 1);
    ck_assert_int_eq(count_events("action = 'alias.gate.decision' AND new_value = 'refused'"), 1);

    /* No metric: fails, never passes. */
    TU_RC(MLOPS_EPOLICY, mlops_model_promote(S, "churn", 3, "champion", NULL, NULL, &d));
    c = check_at(d, 0);
    ck_assert_int_eq(c.outcome, MLOPS_GATE_FAIL);
    ck_assert_int_eq(c.left_known, 0);
    ck_assert_ptr_nonnull(strstr(c.why, "missing"));
    mlops_gate_decision_free(d);
    ck_assert_int_eq(champion(), 1);

    /* Better: promoted. */
    TU_OK(mlops_model_promote(S, "churn", 4, "champion", NULL, NULL, &d));
    ck_assert_int_eq(mlops_gate_decision_passed(d), 1);
    ck_assert_int_eq(mlops_gate_decision_baseline(d), 1);
    mlops_gate_decision_free(d);
    ck_assert_int_eq(champion(), 4);
    ck_assert_int_eq(count_events("action = 'alias.gate.decision'"), 4);
    /* Promoting where it is records nothing. */
    TU_OK(mlops_model_promote(S, "churn", 4, "champion", NULL, NULL, NULL));
    ck_assert_int_eq(count_events("action = 'alias.gate.decision'"), 4);
    TU_OK(mlops_audit_verify(S));
}
END_TEST

START_TEST(run_metrics_and_validation_without_a_dataset)
{
    int64_t exp = 0;
    TU_OK(mlops_experiment_create(S, "train", &exp));
    const char *ids[2];
    mlops_run *runs[2];
    double loss[2] = { 0.2, 0.5 };
    for (int i = 0; i < 2; i++) {
        TU_OK(mlops_run_start(S, exp, NULL, &runs[i]));
        TU_OK(mlops_run_log_metric(runs[i], "loss", 0.9, 0, 0));
        TU_OK(mlops_run_log_metric(runs[i], "loss", loss[i], 1, 0));
        TU_OK(mlops_run_log_metric(runs[i], "validation.anomalies", (double)i, 0, 0));
        ids[i] = mlops_run_id(runs[i]);
    }
    int64_t v5 = 0, v6 = 0;
    TU_OK(mlops_model_version_create(S, "churn", &ART, ids[0], &v5));
    TU_OK(mlops_model_version_create(S, "churn", &ART, ids[1], &v6));
    const char *conds[] = { "metrics.loss.min <= 0.3", "metrics.loss.count = 2", "validated" };
    TU_OK(mlops_model_gate_set(S, "churn", "prod", conds, 3, NULL, NULL));
    mlops_gate_decision *d = NULL;
    TU_RC(MLOPS_EPOLICY, mlops_model_promote(S, "churn", v6, "prod", NULL, NULL, &d));
    ck_assert_int_eq(check_at(d, 0).outcome, MLOPS_GATE_FAIL);
    ck_assert_int_eq(check_at(d, 1).outcome, MLOPS_GATE_PASS);
    ck_assert_int_eq(check_at(d, 2).outcome, MLOPS_GATE_FAIL); /* one anomaly */
    mlops_gate_decision_free(d);
    /* A version without a run has no metrics at all. */
    TU_RC(MLOPS_EPOLICY, mlops_model_promote(S, "churn", 1, "prod", NULL, NULL, NULL));
    TU_OK(mlops_model_promote(S, "churn", v5, "prod", NULL, NULL, NULL));
    int64_t n = 0;
    TU_OK(mlops_model_alias_get(S, "churn", "prod", &n));
    ck_assert_int_eq(n, v5);
    for (int i = 0; i < 2; i++) mlops_run_free(runs[i]);
}
END_TEST

/* With a gate set, no other path moves the alias past it. */
START_TEST(no_way_around_the_gate)
{
    evaluate(1, 0.85, 100);
    evaluate(2, 0.70, 100);
    evaluate(4, 0.90, 100);
    TU_OK(mlops_model_alias_set(S, "churn", "champion", 1));
    set_gate();
    int64_t decisions = count_events("action = 'alias.gate.decision'");
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(S, "churn", "champion", 2));
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set_ex(S, "churn", "champion", 2, NULL));
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(S, "churn", "champion", 3)); /* no metric */
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_delete(S, "churn", "champion", NULL));
    ck_assert_int_eq(count_events("action = 'alias.gate.decision'"), decisions + 4);
    /* Deleting what the alias points at would remove it: refused first. */
    TU_RC(MLOPS_EPOLICY, mlops_model_version_delete(S, "churn", 1, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "mlops_model_version_delete"));
    TU_RC(MLOPS_EPOLICY, mlops_model_delete(S, "churn", 1, NULL));
    mlops_import_opts im = MLOPS_IMPORT_OPTS_INIT;
    im.origin = "mlflow:test";
    TU_RC(MLOPS_EPOLICY, mlops_alias_import(S, &im, "churn", "champion", 2, 4102444800000));
    TU_RC(MLOPS_EPOLICY, mlops_alias_import(S, &im, "churn", "champion", 0, 4102444800001));
    ck_assert_int_eq(champion(), 1);
    /* The other versions may still go. */
    TU_OK(mlops_model_version_delete(S, "churn", 3, NULL));
    /* A plain set of a version that passes is a move through the gate. */
    TU_OK(mlops_model_alias_set(S, "churn", "champion", 4));
    ck_assert_int_eq(champion(), 4);
    ck_assert_int_eq(count_events("action = 'alias.gate.decision' AND new_value = 'passed'"), 1);
    /* Other aliases are not gated: a promotion is a plain move. */
    mlops_gate_decision *d = NULL;
    TU_OK(mlops_model_promote(S, "churn", 4, "canary", NULL, NULL, &d));
    ck_assert_int_eq(mlops_gate_decision_gated(d), 0);
    ck_assert_int_eq(mlops_gate_decision_passed(d), 1);
    ck_assert_int_eq(mlops_gate_decision_event(d), 0);
    ck_assert_uint_eq(mlops_gate_decision_count(d), 0);
    mlops_gate_decision_free(d);
    TU_OK(mlops_model_alias_set(S, "churn", "staging", 2));
    TU_OK(mlops_model_version_delete(S, "churn", 2, NULL));
    TU_OK(mlops_audit_verify(S));
}
END_TEST

START_TEST(forced_moves_need_a_reason_and_are_audited)
{
    evaluate(1, 0.85, 100);
    evaluate(2, 0.70, 100);
    TU_OK(mlops_model_alias_set(S, "churn", "champion", 1));
    set_gate();
    mlops_promote_opts po = MLOPS_PROMOTE_OPTS_INIT;
    po.force = 1;
    TU_RC(MLOPS_EINVAL, mlops_model_promote(S, "churn", 2, "champion", &po, NULL, NULL));
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.reason = "";
    TU_RC(MLOPS_EINVAL, mlops_model_promote(S, "churn", 2, "champion", &po, &ch, NULL));
    ch.reason = "incident 42: roll forward";
    mlops_gate_decision *d = NULL;
    TU_OK(mlops_model_promote(S, "churn", 2, "champion", &po, &ch, &d));
    ck_assert_int_eq(mlops_gate_decision_forced(d), 1);
    ck_assert_int_eq(mlops_gate_decision_passed(d), 0);
    mlops_gate_decision_free(d);
    ck_assert_int_eq(champion(), 2);
    ck_assert_int_eq(count_events("action = 'alias.gate.decision' AND new_value = 'forced'"
                                  " AND reason = 'incident 42: roll forward'"),
                     1);
    /* Forcing a passing move is a plain pass. */
    TU_OK(mlops_model_promote(S, "churn", 1, "champion", &po, &ch, &d));
    ck_assert_int_eq(mlops_gate_decision_forced(d), 0);
    mlops_gate_decision_free(d);
    TU_OK(mlops_audit_verify(S));
}
END_TEST

/* Decisions are links of the chain: an edited verdict or value is caught
 * by verification. */
START_TEST(decisions_are_in_the_verified_chain)
{
    evaluate(1, 0.85, 100);
    evaluate(2, 0.70, 100);
    set_gate();
    TU_OK(mlops_model_promote(S, "churn", 1, "champion", NULL, NULL, NULL));
    TU_RC(MLOPS_EPOLICY, mlops_model_promote(S, "churn", 2, "champion", NULL, NULL, NULL));
    TU_OK(mlops_audit_verify(S));
    tu_db *db = tu_db_open(mlops_store_path(S));
    tu_db_exec(db, "UPDATE audit_events SET new_value = 'passed' "
                   "WHERE action = 'alias.gate.decision' AND new_value = 'refused'");
    tu_db_close(db);
    int64_t bad = 0;
    TU_RC(MLOPS_ECORRUPT, mlops_audit_verify_head(S, 0, NULL, &bad));
    ck_assert_int_gt(bad, 0);
}
END_TEST

/* Removing or editing a gate row in the database (to slip a version past
 * it) is caught by verification, as is an alias's split changed there. */
START_TEST(gate_rows_are_checked_against_the_log)
{
    /* Each edit is caught, then undone: setting the gate again records a
     * new alias.gate.set event and rewrites the row. */
    static const struct {
        const char *sql, *words, *undo;
    } edits[] = {
        { "DELETE FROM reg_gates", "gates set", NULL },
        { "UPDATE reg_gates SET conditions = 'metrics.auc >= 0'", "gate of alias", NULL },
        { "UPDATE reg_gates SET dataset = NULL", "gate of alias", NULL },
        { "UPDATE reg_aliases SET split = '1:50,2:50'", "split of alias",
          "UPDATE reg_aliases SET split = NULL" },
    };
    evaluate(1, 0.85, 100);
    set_gate();
    TU_OK(mlops_model_promote(S, "churn", 1, "champion", NULL, NULL, NULL));
    TU_OK(mlops_audit_verify(S));
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        tu_db *db = tu_db_open(mlops_store_path(S));
        tu_db_exec(db, edits[i].sql);
        tu_db_close(db);
        TU_RC(MLOPS_ECORRUPT, mlops_audit_verify(S));
        ck_assert_msg(strstr(mlops_last_error(), edits[i].words), "%s: %s", edits[i].sql,
                      mlops_last_error());
        if (edits[i].undo) {
            db = tu_db_open(mlops_store_path(S));
            tu_db_exec(db, edits[i].undo);
            tu_db_close(db);
        } else {
            set_gate();
        }
        TU_OK(mlops_audit_verify(S));
    }
}
END_TEST

/* A move to a split through mlops__alias_move (what the weighted-alias
 * functions call): the candidates are the versions whose share grows, the
 * baseline is the largest share (the lower version on a tie). */
struct split_move {
    const char *text; /* NULL: delete */
    int kind;
    mlops__move_decision d;
};

static int split_move_tx(mlops__conn *c, void *arg)
{
    struct split_move *m = arg;
    mlops__move_decision_free(&m->d);
    mlops__reg_change ch = { "ci", NULL, 0 };
    int64_t model_id = 0;
    mlops__split sp;
    int rc = mlops__reg_change_clock(c, &ch);
    if (!rc) rc = mlops__reg_model_id(c, "test", "churn", &model_id);
    if (!rc && m->text) rc = mlops__split_decode("test", m->text, &sp);
    if (rc) return rc;
    mlops__move_opts o = { .kind = m->kind };
    return mlops__alias_move(c, "test", &ch, "churn", model_id, "champion", m->text ? &sp : NULL,
                             &o, &m->d);
}

static mlops__move_decision split_move(const char *text, int kind)
{
    struct split_move m = { text, kind, { 0 } };
    TU_OK(mlops__store_write(S, split_move_tx, &m));
    return m.d;
}

START_TEST(splits_baseline_is_the_largest_share)
{
    evaluate(1, 0.85, 100);
    evaluate(2, 0.90, 100);
    evaluate(3, 0.84, 100);
    evaluate(4, 0.95, 100);
    mlops__move_decision d = split_move("1:60,2:40", MLOPS__MOVE_RAMP); /* no gate yet */
    ck_assert(d.allowed && !d.gated);
    ck_assert_int_eq(champion(), 1);
    const char *c[] = { "metrics.auc >= baseline.metrics.auc" };
    TU_OK(mlops_model_gate_set(S, "churn", "champion", c, 1, &DS, NULL));
    /* 2 grows (40 -> 50), 1 shrinks: only 2 is a candidate; baseline 1. */
    d = split_move("1:50,2:50", MLOPS__MOVE_RAMP);
    ck_assert(d.allowed && d.passed);
    ck_assert_int_eq(d.baseline, 1);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_int_eq(d.checks[0].candidate, 2);
    mlops__move_decision_free(&d);
    ck_assert_int_eq(champion(), 1); /* a tie: the lower version */
    /* 3 (0.84) against the baseline 1 (0.85): refused, nothing moves. */
    d = split_move("1:50,3:50", MLOPS__MOVE_RAMP);
    ck_assert(!d.allowed && d.gated && !d.passed);
    ck_assert_int_eq(d.baseline, 1);
    mlops__move_decision_free(&d);
    /* The shadow changes alone: no candidate, allowed. */
    d = split_move("1:50,2:50+shadow:3", MLOPS__MOVE_RAMP);
    ck_assert(d.allowed && d.passed && d.n == 0);
    mlops__move_decision_free(&d);
    /* 4 takes the largest share: baseline still the current primary, 1. */
    d = split_move("2:30,4:70", MLOPS__MOVE_RAMP);
    ck_assert(d.allowed && d.passed && d.baseline == 1 && d.n == 1);
    mlops__move_decision_free(&d);
    ck_assert_int_eq(champion(), 4);
    /* Rollback to 2 alone: 2 grows, decided against 4. */
    d = split_move("2", MLOPS__MOVE_ROLLBACK);
    ck_assert(!d.allowed && d.baseline == 4);
    mlops__move_decision_free(&d);
    tu_db *db = tu_db_open(mlops_store_path(S));
    char *split = tu_db_text(db, "SELECT split FROM reg_aliases WHERE alias = 'champion'");
    ck_assert_str_eq(split, "2:30,4:70");
    free(split);
    ck_assert_int_eq(tu_db_int(db, "SELECT count(*) FROM reg_alias_salts"), 1);
    tu_db_close(db);
    /* A version in a gated split cannot be deleted from under it. */
    TU_RC(MLOPS_EPOLICY, mlops_model_version_delete(S, "churn", 2, NULL));
    TU_OK(mlops_audit_verify(S));
}
END_TEST

/* A copy holds the source's gates and decisions, and enforces the gate. */
START_TEST(store_copy_carries_gates)
{
    evaluate(1, 0.85, 100);
    evaluate(2, 0.70, 100);
    set_gate();
    TU_OK(mlops_model_promote(S, "churn", 1, "champion", NULL, NULL, NULL));
    char *dir = tu_store_dir(base, "copy");
    mlops_store *dst = NULL;
    TU_OK(mlops_store_open(dir, NULL, &dst));
    TU_OK(mlops_store_copy(S, dst, NULL, NULL));
    mlops_gate *g = NULL;
    TU_OK(mlops_model_gate_get(dst, "churn", "champion", &g));
    ck_assert_uint_eq(mlops_gate_count(g), 3);
    mlops_gate_free(g);
    TU_RC(MLOPS_EPOLICY, mlops_model_alias_set(dst, "churn", "champion", 2));
    TU_OK(mlops_audit_verify(dst));
    mlops_store_close(dst);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry_gates");
    TCase *tc = tcase_create("gates");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, set_get_and_clear);
    tcase_add_test(tc, malformed_gates_are_refused);
    tcase_add_test(tc, promotion_passes_a_better_candidate_and_refuses_worse_ones);
    tcase_add_test(tc, run_metrics_and_validation_without_a_dataset);
    tcase_add_test(tc, no_way_around_the_gate);
    tcase_add_test(tc, forced_moves_need_a_reason_and_are_audited);
    tcase_add_test(tc, decisions_are_in_the_verified_chain);
    tcase_add_test(tc, gate_rows_are_checked_against_the_log);
    tcase_add_test(tc, splits_baseline_is_the_largest_share);
    tcase_add_test(tc, store_copy_carries_gates);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
