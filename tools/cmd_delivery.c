/*
 * Progressive delivery: model gate set / show / rm, and model promote
 * (doc/gates.md). promote has its own exit codes, for CI jobs: 0
 * promoted, 1 refused by the gate, 2 usage, 3 any other error.
 */
#include "cli.h"
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static mlops_change_opts change_of(const char *actor, const char *reason)
{
    mlops_change_opts c = MLOPS_CHANGE_OPTS_INIT;
    c.actor = actor;
    c.reason = reason;
    return c;
}

#define CHANGE_HELP \
    "  --actor NAME             who makes the change (default: the login name)\n" \
    "  --reason TEXT            why, recorded in the audit log\n"

/* ---- model gate set / show / rm --------------------------------------------------- */

typedef struct gate_args {
    const char *actor, *reason, *dataset;
    int as_json;
} gate_args;

static int gate_set(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const gate_args *a = arg;
    mlops_digest d;
    int rc = a->dataset ? cli_parse_digest(ctx, a->dataset, &d) : CLI_OK;
    if (rc) return rc;
    mlops_change_opts c = change_of(a->actor, a->reason);
    return cli_check(ctx,
                     mlops_model_gate_set(s, ctx->args[0], ctx->args[1],
                                          (const char *const *)ctx->args + 2,
                                          (size_t)(ctx->nargs - 2), a->dataset ? &d : NULL, &c),
                     ctx->args[1]);
}

static int cmd_gate_set(cli_ctx *ctx, int argc, char **argv)
{
    gate_args a = { NULL, NULL, NULL, 0 };
    const cli_opt opts[] = { { "dataset", 0, &a.dataset, NULL },
                             { "actor", 0, &a.actor, NULL },
                             { "reason", 0, &a.reason, NULL } };
    return cli_run(ctx, argc, argv, opts, 3, 3, -1, CLI_STORE_WRITE, gate_set, &a);
}

static int gate_show(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const gate_args *a = arg;
    mlops_gate *g = NULL;
    int rc = cli_check(ctx, mlops_model_gate_get(s, ctx->args[0], ctx->args[1], &g), ctx->args[1]);
    if (rc) return rc;
    char hex[MLOPS_DIGEST_STRLEN];
    const mlops_digest *d = mlops_gate_dataset(g);
    if (d) cli_fmt_digest(d, hex);
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "model", ctx->args[0]);
        json_kv_string(&j, "alias", ctx->args[1]);
        json_kv_string(&j, "dataset", d ? hex : NULL);
        json_key(&j, "conditions");
        json_begin_array(&j);
        for (size_t i = 0; i < mlops_gate_count(g); i++) json_string(&j, mlops_gate_condition(g, i));
        json_end_array(&j);
        json_end_object(&j);
        json_finish(&j);
    } else {
        if (d) printf("dataset %s\n", hex);
        for (size_t i = 0; i < mlops_gate_count(g); i++) printf("%s\n", mlops_gate_condition(g, i));
    }
    mlops_gate_free(g);
    return CLI_OK;
}

static int cmd_gate_show(cli_ctx *ctx, int argc, char **argv)
{
    gate_args a = { NULL, NULL, NULL, 0 };
    const cli_opt opts[] = { { "json", 0, NULL, &a.as_json } };
    return cli_run(ctx, argc, argv, opts, 1, 2, 2, CLI_STORE_READ, gate_show, &a);
}

static int gate_rm(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const gate_args *a = arg;
    mlops_change_opts c = change_of(a->actor, a->reason);
    return cli_check(ctx, mlops_model_gate_clear(s, ctx->args[0], ctx->args[1], &c), ctx->args[1]);
}

static int cmd_gate_rm(cli_ctx *ctx, int argc, char **argv)
{
    gate_args a = { NULL, NULL, NULL, 0 };
    const cli_opt opts[] = { { "actor", 0, &a.actor, NULL }, { "reason", 0, &a.reason, NULL } };
    return cli_run(ctx, argc, argv, opts, 2, 2, 2, CLI_STORE_WRITE, gate_rm, &a);
}

/* ---- model promote ---------------------------------------------------------------- */

typedef struct promote_args {
    const char *alias, *actor, *reason;
    int as_json, force;
    int64_t version;
    int refused; /* the gate said no (exit 1); any other failure is exit 3 */
} promote_args;

static const char *outcome_word(int o)
{
    return o == MLOPS_GATE_PASS ? "pass" : o == MLOPS_GATE_SKIP ? "skip" : "fail";
}

static void print_json(const cli_ctx *ctx, const promote_args *a, int promoted,
                       const mlops_gate_decision *d, const char *error)
{
    json j;
    json_init(&j, stdout);
    json_begin_object(&j);
    json_kv_string(&j, "model", ctx->args[0]);
    json_kv_int(&j, "version", a->version);
    json_kv_string(&j, "alias", a->alias);
    json_kv_bool(&j, "promoted", promoted);
    json_kv_bool(&j, "gated", mlops_gate_decision_gated(d));
    json_kv_bool(&j, "passed", mlops_gate_decision_passed(d));
    json_kv_bool(&j, "forced", mlops_gate_decision_forced(d));
    int64_t base = mlops_gate_decision_baseline(d);
    json_key(&j, "baseline");
    if (base) json_int(&j, base);
    else json_null(&j);
    int64_t ev = mlops_gate_decision_event(d);
    json_key(&j, "event");
    if (ev) json_int(&j, ev);
    else json_null(&j);
    json_kv_string(&j, "error", error);
    json_key(&j, "checks");
    json_begin_array(&j);
    for (size_t i = 0; i < mlops_gate_decision_count(d); i++) {
        mlops_gate_check c = MLOPS_GATE_CHECK_INIT;
        if (mlops_gate_decision_at(d, i, &c)) continue;
        json_begin_object(&j);
        json_kv_int(&j, "candidate", c.candidate);
        json_kv_string(&j, "condition", c.condition);
        json_kv_string(&j, "outcome", outcome_word(c.outcome));
        json_key(&j, "left");
        if (c.left_known && isfinite(c.left)) json_double(&j, c.left);
        else json_null(&j);
        json_key(&j, "right");
        if (c.right_known && isfinite(c.right)) json_double(&j, c.right);
        else json_null(&j);
        json_kv_string(&j, "why", c.why);
        json_end_object(&j);
    }
    json_end_array(&j);
    json_end_object(&j);
    json_finish(&j);
}

static void print_table(const mlops_gate_decision *d)
{
    for (size_t i = 0; i < mlops_gate_decision_count(d); i++) {
        mlops_gate_check c = MLOPS_GATE_CHECK_INIT;
        if (mlops_gate_decision_at(d, i, &c)) continue;
        printf("%-4s  v%lld  %s: %s\n", outcome_word(c.outcome), (long long)c.candidate,
               c.condition, c.why);
    }
}

static int promote(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    promote_args *a = arg;
    mlops_promote_opts po = MLOPS_PROMOTE_OPTS_INIT;
    po.force = a->force;
    mlops_change_opts c = change_of(a->actor, a->reason);
    mlops_gate_decision *d = NULL;
    int rc = mlops_model_promote(s, ctx->args[0], a->version, a->alias, &po, &c, &d);
    /* a refusal by the gate comes with its decision; a signing policy's
     * refusal (also MLOPS_EPOLICY) has none and is an error like others */
    a->refused = rc == MLOPS_EPOLICY && mlops_gate_decision_gated(d);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", rc ? mlops_last_error() : "");
    if (a->as_json) print_json(ctx, a, rc == MLOPS_OK, d, rc ? msg : NULL);
    else print_table(d);
    int forced = mlops_gate_decision_forced(d);
    mlops_gate_decision_free(d);
    if (rc) return cli_fail(ctx, rc, a->alias);
    if (!a->as_json)
        printf("%s %s/%lld to %s\n", forced ? "forced" : "promoted", ctx->args[0],
               (long long)a->version, a->alias);
    return CLI_OK;
}

static int cmd_promote(cli_ctx *ctx, int argc, char **argv)
{
    promote_args a = { NULL, NULL, NULL, 0, 0, 0, 0 };
    int npos;
    const cli_opt opts[] = { { "alias", 0, &a.alias, NULL },   { "json", 0, NULL, &a.as_json },
                             { "force", 0, NULL, &a.force },   { "actor", 0, &a.actor, NULL },
                             { "reason", 0, &a.reason, NULL } };
    int rc = cli_parse(ctx, argc, argv, opts, 5, 2, 2, &npos);
    if (rc) return rc;
    if (!a.alias) return cli_usage(ctx, "missing --alias ALIAS");
    if (a.force && (!a.reason || !a.reason[0]))
        return cli_usage(ctx, "--force needs --reason TEXT (recorded with the forced move)");
    if ((rc = cli_parse_int(ctx, "VERSION", argv[1], &a.version))) return rc;
    rc = cli_with_store(ctx, CLI_STORE_WRITE, promote, &a);
    if (rc == CLI_FAIL && !a.refused) return CLI_ERROR;
    /* exit 1 means refused: output that could not be written after a
     * promotion is an error (3) */
    return cli_check_output(ctx, rc, CLI_ERROR);
}

const cli_command cli_delivery_commands[] = {
    { "model gate", NULL, "", "Promotion gates: what a version must meet to take an alias", "" },
    { "model gate set", cmd_gate_set, "MODEL ALIAS CONDITION...",
      "Set ALIAS's gate (replaces the one it had)",
      "Each CONDITION is one argument (quote it), in the language of\n"
      "doc/gates.md: metrics.auc >= 0.8, metrics.auc >= baseline.metrics.auc -\n"
      "0.005, fair(demographic_parity_difference) <= 0.1, signed, validated.\n"
      "Every later move of the alias (promote, alias set, alias rm, imports)\n"
      "must pass it; deleting the version it points at is refused.\n\n"
      "Options:\n"
      "  --dataset DIGEST         metrics.X reads the latest evaluation on this\n"
      "                           dataset (sha256:...); without it, the metrics of\n"
      "                           the run that produced the version\n" CHANGE_HELP },
    { "model gate show", cmd_gate_show, "MODEL ALIAS", "Print ALIAS's gate",
      "Prints the dataset line, if any, then one condition per line, in\n"
      "canonical text.\n\n"
      "Options:\n"
      "  --json                   print {model, alias, dataset, conditions}\n" },
    { "model gate rm", cmd_gate_rm, "MODEL ALIAS", "Remove ALIAS's gate",
      "Options:\n" CHANGE_HELP },
    { "model promote", cmd_promote, "MODEL VERSION --alias ALIAS",
      "Move ALIAS to VERSION if its gate passes",
      "Evaluates every condition of the alias's gate against VERSION (the\n"
      "baseline is the version ALIAS points at now; conditions on it are\n"
      "skipped when it points nowhere) and moves the alias only if all hold.\n"
      "Prints one line per condition: pass/fail/skip, the version, the\n"
      "condition and its values. Every decision is in the audit log.\n\n"
      "Exit status: 0 promoted, 1 refused by the gate (the reasons are\n"
      "printed), 2 usage, 3 any other error.\n\n"
      "Options:\n"
      "  --alias ALIAS            the alias to move (required)\n"
      "  --force                  move even when the gate refuses (needs --reason;\n"
      "                           recorded as forced)\n"
      "  --json                   print {model, version, alias, promoted, gated,\n"
      "                           passed, forced, baseline, event, error, checks:\n"
      "                           [{candidate, condition, outcome, left, right,\n"
      "                           why}]}\n" CHANGE_HELP },
    { NULL, NULL, NULL, NULL, NULL },
};
