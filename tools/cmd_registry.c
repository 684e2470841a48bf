/*
 * Model registry: model, model version, model alias, model resolve,
 * model sign / verify, and the audit log.
 */
#include "cli.h"
#include "json.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

/* --actor and --reason, shared by the commands that change the registry. */
#define CHANGE_OPTS(actor, reason) \
    { "actor", 0, &(actor), NULL }, { "reason", 0, &(reason), NULL }

#define CHANGE_HELP \
    "  --actor NAME             who makes the change (default: the login name)\n" \
    "  --reason TEXT            why, recorded in the audit log\n"

static mlops_change_opts change_opts(const char *actor, const char *reason)
{
    mlops_change_opts c = MLOPS_CHANGE_OPTS_INIT;
    c.actor = actor;
    c.reason = reason;
    return c;
}

static const char *status_name(int status)
{
    return status == MLOPS_VERSION_ARCHIVED ? "archived" : "ready";
}

/* ---- model create / ls / show ------------------------------------------------------- */

/* The options of the commands that change the registry. */
typedef struct change_args {
    const char *description, *actor, *reason;
} change_args;

static int model_create(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const change_args *a = arg;
    mlops_change_opts c = change_opts(a->actor, a->reason);
    return cli_check(ctx, mlops_model_create_ex(s, ctx->args[0], a->description, &c), ctx->args[0]);
}

static int cmd_model_create(cli_ctx *ctx, int argc, char **argv)
{
    change_args a = { NULL, NULL, NULL };
    const cli_opt opts[] = { { "description", 'd', &a.description, NULL },
                             CHANGE_OPTS(a.actor, a.reason) };
    return cli_run(ctx, argc, argv, opts, 3, 1, 1, CLI_STORE_WRITE, model_create, &a);
}

static void aliases_text(const mlops_model *m, int64_t only_version, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < mlops_model_alias_count(m); i++) {
        const char *alias;
        int64_t v;
        if (mlops_model_alias_at(m, i, &alias, &v) != MLOPS_OK) continue;
        if (only_version && v != only_version) continue;
        int w = only_version ? snprintf(buf + used, cap - used, "%s%s", used ? "," : "", alias)
                             : snprintf(buf + used, cap - used, "%s%s=%lld", used ? "," : "", alias,
                                        (long long)v);
        if (w < 0 || (size_t)w >= cap - used) break;
        used += (size_t)w;
    }
}

static void json_model_head(json *j, const mlops_model *m)
{
    json_kv_string(j, "name", mlops_model_name(m));
    json_kv_string(j, "description", mlops_model_description(m));
    json_kv_int(j, "created_ms", mlops_model_created_ms(m));
    json_kv_int(j, "updated_ms", mlops_model_updated_ms(m));
    json_kv_int(j, "deleted_ms", mlops_model_deleted_ms(m));
    json_kv_int(j, "max_version", mlops_model_max_version(m));
    json_key(j, "tags");
    json_begin_object(j);
    for (size_t i = 0; i < mlops_model_tag_count(m); i++) {
        const char *k, *v;
        if (mlops_model_tag_at(m, i, &k, &v) == MLOPS_OK) json_kv_string(j, k, v);
    }
    json_end_object(j);
    json_key(j, "aliases");
    json_begin_object(j);
    for (size_t i = 0; i < mlops_model_alias_count(m); i++) {
        const char *a;
        int64_t v;
        if (mlops_model_alias_at(m, i, &a, &v) == MLOPS_OK) json_kv_int(j, a, v);
    }
    json_end_object(j);
}

typedef struct list_args {
    int as_json, all;
} list_args;

/* --all lists deleted models and versions too. */
static int lifecycle_of(const list_args *a)
{
    return a->all ? MLOPS_LIFECYCLE_ALL : MLOPS_LIFECYCLE_ACTIVE;
}

static int model_ls(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const list_args *a = arg;
    mlops_model_search_ex_opts o = MLOPS_MODEL_SEARCH_EX_OPTS_INIT;
    o.name_glob = ctx->nargs ? ctx->args[0] : NULL;
    o.lifecycle = lifecycle_of(a);
    mlops_models *l = NULL;
    int rc = mlops_model_search_ex(s, &o, &l);
    if (rc) return cli_fail(ctx, rc, "cannot list the models");
    static const char *const h[] = { "MODEL", "VERSIONS", "ALIASES", "UPDATED", "DESCRIPTION" };
    static const int right[] = { 1, -1 };
    listing out;
    listing_begin(&out, a->as_json, 5, h, right);
    for (size_t i = 0; i < mlops_models_count(l); i++) {
        const mlops_model *m = mlops_models_at(l, i);
        json *j = listing_object(&out);
        if (j) {
            json_model_head(j, m);
            json_end_object(j);
            continue;
        }
        char aliases[256], when[32];
        aliases_text(m, 0, aliases, sizeof aliases);
        cli_fmt_time(mlops_model_updated_ms(m), when, sizeof when);
        table_cell(out.t, mlops_model_name(m));
        table_cellf(out.t, "%lld", (long long)mlops_model_max_version(m));
        table_cell(out.t, aliases[0] ? aliases : NULL);
        table_cell(out.t, when);
        table_cell(out.t, mlops_model_description(m)[0] ? mlops_model_description(m) : NULL);
    }
    listing_end(&out);
    mlops_models_free(l);
    return CLI_OK;
}

static int cmd_model_ls(cli_ctx *ctx, int argc, char **argv)
{
    list_args a = { 0, 0 };
    const cli_opt opts[] = { { "json", 0, NULL, &a.as_json }, { "all", 'a', NULL, &a.all } };
    return cli_run(ctx, argc, argv, opts, 2, 0, 1, CLI_STORE_READ, model_ls, &a);
}

static void json_version(json *j, const mlops_model_version *v)
{
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(mlops_model_version_artifact(v), hex);
    json_begin_object(j);
    json_kv_int(j, "version", mlops_model_version_number(v));
    json_kv_string(j, "artifact", hex);
    json_kv_string(j, "run_id", mlops_model_version_run_id(v));
    json_kv_string(j, "status", status_name(mlops_model_version_status(v)));
    json_kv_string(j, "description", mlops_model_version_description(v));
    json_kv_string(j, "creator", mlops_model_version_creator(v));
    json_kv_int(j, "created_ms", mlops_model_version_created_ms(v));
    json_kv_int(j, "deleted_ms", mlops_model_version_deleted_ms(v));
    json_key(j, "signatures");
    json_begin_array(j);
    for (size_t i = 0; i < mlops_model_version_signature_count(v); i++) {
        mlops_digest fp;
        int64_t when;
        if (mlops_model_version_signature_at(v, i, &fp, NULL, &when) != MLOPS_OK) continue;
        cli_fmt_digest(&fp, hex);
        json_begin_object(j);
        json_kv_string(j, "key", hex);
        json_kv_int(j, "signed_ms", when);
        json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
}

static int model_show(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const list_args *a = arg;
    int as_json = a->as_json;
    char **argv = ctx->args;
    mlops_model *m = NULL;
    mlops_model_versions *vl = NULL;
    int rc = mlops_model_get(s, argv[0], &m);
    if (rc == MLOPS_OK) rc = mlops_model_version_list_ex(s, argv[0], lifecycle_of(a), &vl);
    if (rc) {
        mlops_model_free(m);
        return cli_fail(ctx, rc, argv[0]);
    }
    size_t n = mlops_model_versions_count(vl);
    if (as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_model_head(&j, m);
        json_key(&j, "versions");
        json_begin_array(&j);
        for (size_t i = 0; i < n; i++) json_version(&j, mlops_model_versions_at(vl, i));
        json_end_array(&j);
        json_end_object(&j);
        json_finish(&j);
    } else {
        char when[32];
        cli_fmt_time(mlops_model_created_ms(m), when, sizeof when);
        printf("model:        %s\n", mlops_model_name(m));
        if (mlops_model_description(m)[0])
            printf("description:  %s\n", mlops_model_description(m));
        printf("created:      %s UTC\n", when);
        for (size_t i = 0; i < mlops_model_tag_count(m); i++) {
            const char *k, *v;
            if (mlops_model_tag_at(m, i, &k, &v) == MLOPS_OK) printf("tag:          %s=%s\n", k, v);
        }
        static const char *const h[] = { "VERSION", "STATUS", "ALIASES", "SIGNED", "CREATED",
                                         "RUN", "ARTIFACT" };
        table *t = table_new(7, h);
        table_align_right(t, 0);
        table_align_right(t, 3);
        for (size_t i = 0; i < n; i++) {
            const mlops_model_version *v = mlops_model_versions_at(vl, i);
            char aliases[256], hex[MLOPS_DIGEST_STRLEN];
            aliases_text(m, mlops_model_version_number(v), aliases, sizeof aliases);
            cli_fmt_time(mlops_model_version_created_ms(v), when, sizeof when);
            cli_fmt_digest(mlops_model_version_artifact(v), hex);
            table_cellf(t, "%lld", (long long)mlops_model_version_number(v));
            table_cell(t, mlops_model_version_deleted_ms(v) ? "deleted"
                                                             : status_name(mlops_model_version_status(v)));
            table_cell(t, aliases[0] ? aliases : NULL);
            table_cellf(t, "%zu", mlops_model_version_signature_count(v));
            table_cell(t, when);
            table_cell(t, mlops_model_version_run_id(v));
            table_cell(t, hex);
        }
        putchar('\n');
        table_print(t, stdout);
        table_free(t);
    }
    mlops_model_versions_free(vl);
    mlops_model_free(m);
    return CLI_OK;
}

static int cmd_model_show(cli_ctx *ctx, int argc, char **argv)
{
    list_args a = { 0, 0 };
    const cli_opt opts[] = { { "json", 0, NULL, &a.as_json }, { "all", 'a', NULL, &a.all } };
    return cli_run(ctx, argc, argv, opts, 2, 1, 1, CLI_STORE_READ, model_show, &a);
}

/* ---- versions and aliases ------------------------------------------------------------- */

typedef struct create_args {
    change_args change;
    const char *run;
    int as_json;
} create_args;

static int version_create(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const create_args *a = arg;
    const char *model = ctx->args[0];
    mlops_digest d;
    int64_t version = 0;
    int rc = cli_resolve_content(ctx, s, ctx->args[1], &d);
    if (rc) return rc;
    mlops_change_opts c = change_opts(a->change.actor, a->change.reason);
    rc = mlops_model_version_create_ex(s, model, &d, a->run, a->change.description, &c, &version);
    if (rc) return cli_fail(ctx, rc, model);
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "model", model);
        json_kv_int(&j, "version", version);
        json_end_object(&j);
        json_finish(&j);
    } else
        printf("%lld\n", (long long)version);
    return CLI_OK;
}

static int cmd_version_create(cli_ctx *ctx, int argc, char **argv)
{
    create_args a = { { NULL, NULL, NULL }, NULL, 0 };
    const cli_opt opts[] = {
        { "run", 0, &a.run, NULL },
        { "description", 'd', &a.change.description, NULL },
        { "json", 0, NULL, &a.as_json },
        CHANGE_OPTS(a.change.actor, a.change.reason),
    };
    return cli_run(ctx, argc, argv, opts, 5, 2, 2, CLI_STORE_WRITE, version_create, &a);
}

typedef struct alias_args {
    change_args change;
    int64_t version;
    const char *split; /* a weighted split ("3:90,4:10"), else version */
} alias_args;

static int alias_set(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const alias_args *a = arg;
    mlops_change_opts c = change_opts(a->change.actor, a->change.reason);
    int rc = a->split ? mlops_model_alias_split_set(s, ctx->args[0], ctx->args[1], a->split, &c)
                      : mlops_model_alias_set_ex(s, ctx->args[0], ctx->args[1], a->version, &c);
    return cli_check(ctx, rc, ctx->args[1]);
}

static int alias_rm(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const alias_args *a = arg;
    mlops_change_opts c = change_opts(a->change.actor, a->change.reason);
    return cli_check(ctx, mlops_model_alias_delete(s, ctx->args[0], ctx->args[1], &c), ctx->args[1]);
}

/* alias set (3 arguments: the last one the version) and alias rm (2). */
static int alias_change(cli_ctx *ctx, int argc, char **argv, int nargs, cli_store_fn fn)
{
    alias_args a = { { NULL, NULL, NULL }, 0, NULL };
    int npos;
    const cli_opt opts[] = { CHANGE_OPTS(a.change.actor, a.change.reason) };
    int rc = cli_parse(ctx, argc, argv, opts, 2, nargs, nargs, &npos);
    if (rc) return rc;
    /* A split has a ':' (or a '+shadow'); the library says what is wrong
     * with a malformed one, column included. */
    if (nargs == 3 && strpbrk(argv[2], ":+"))
        a.split = argv[2];
    else if (nargs == 3 && (rc = cli_parse_int(ctx, "VERSION", argv[2], &a.version)))
        return rc;
    return cli_with_store(ctx, CLI_STORE_WRITE, fn, &a);
}

static int cmd_alias_set(cli_ctx *ctx, int argc, char **argv)
{
    return alias_change(ctx, argc, argv, 3, alias_set);
}

static int cmd_alias_rm(cli_ctx *ctx, int argc, char **argv)
{
    return alias_change(ctx, argc, argv, 2, alias_rm);
}

static int model_resolve(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const char *ref = ctx->args[0];
    int64_t version;
    mlops_digest d;
    int rc = cli_check(ctx, mlops_model_resolve(s, ref, &version, &d), ref);
    if (rc) return rc;
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(&d, hex);
    if (*(const int *)arg) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "ref", ref);
        json_kv_int(&j, "version", version);
        json_kv_string(&j, "artifact", hex);
        json_end_object(&j);
        json_finish(&j);
    } else {
        printf("%lld %s\n", (long long)version, hex);
    }
    return CLI_OK;
}

static int cmd_model_resolve(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 1, 1, CLI_STORE_READ, model_resolve);
}

/* ---- signing ---------------------------------------------------------------------- */

typedef struct sign_args {
    change_args change;
    const char *key;
    char *pem;
    int as_json, deep, sign;
} sign_args;

static int sign_run(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const sign_args *a = arg;
    int sign = a->sign, deep = a->deep;
    char *model = NULL;
    int64_t version = 0;
    int rc = cli_resolve_version(ctx, s, ctx->nargs, ctx->args, &model, &version);
    if (rc) return rc;
    mlops_digest fp;
    char hex[MLOPS_DIGEST_STRLEN] = "";
    if (mlops_key_fingerprint(a->pem, &fp) == MLOPS_OK) cli_fmt_digest(&fp, hex);
    if (sign) {
        mlops_change_opts c = change_opts(a->change.actor, a->change.reason);
        rc = mlops_model_version_sign(s, model, version, a->pem, &c);
    } else if (deep) {
        rc = mlops_model_version_verify_deep(s, model, version, a->pem);
    } else {
        rc = mlops_model_version_verify(s, model, version, a->pem);
    }
    char what[600];
    snprintf(what, sizeof what, "%s/%lld", model, (long long)version);
    if (rc) {
        rc = cli_fail(ctx, rc, what);
    } else if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "model", model);
        json_kv_int(&j, "version", version);
        json_kv_string(&j, "key", hex);
        json_kv_bool(&j, sign ? "signed" : "verified", 1);
        if (!sign) json_kv_bool(&j, "deep", deep);
        json_end_object(&j);
        json_finish(&j);
    } else {
        printf("%s %s with key %s%s\n", what, sign ? "signed" : "verified", hex,
               deep ? ", artifact bytes re-hashed" : "");
    }
    free(model);
    return rc;
}

static int sign_or_verify(cli_ctx *ctx, int argc, char **argv, int sign)
{
    sign_args a = { { NULL, NULL, NULL }, NULL, NULL, 0, 0, sign };
    int npos;
    const cli_opt sign_opts[] = { { "key", 'k', &a.key, NULL }, { "json", 0, NULL, &a.as_json },
                                  CHANGE_OPTS(a.change.actor, a.change.reason) };
    const cli_opt verify_opts[] = { { "key", 'k', &a.key, NULL }, { "json", 0, NULL, &a.as_json },
                                    { "deep", 0, NULL, &a.deep } };
    int rc = sign ? cli_parse(ctx, argc, argv, sign_opts, 4, 1, 2, &npos)
                  : cli_parse(ctx, argc, argv, verify_opts, 3, 1, 2, &npos);
    if (rc) return rc;
    if (!a.key) return cli_usage(ctx, "missing --key FILE");
    size_t len;
    if ((rc = cli_read_file(ctx, a.key, &a.pem, &len))) return rc;
    rc = cli_with_store(ctx, sign ? CLI_STORE_WRITE : CLI_STORE_READ, sign_run, &a);
    free(a.pem);
    return rc;
}

static int cmd_model_sign(cli_ctx *ctx, int argc, char **argv)
{
    return sign_or_verify(ctx, argc, argv, 1);
}

static int cmd_model_verify(cli_ctx *ctx, int argc, char **argv)
{
    return sign_or_verify(ctx, argc, argv, 0);
}

/* ---- evaluations ---------------------------------------------------------------------- */

typedef struct evals_args {
    const char *dataset;
    int as_json;
} evals_args;

/* The JSON object of one evaluation, its metrics inside. */
static void json_evaluation(json *j, const mlops_evaluation *e)
{
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(mlops_evaluation_dataset(e), hex);
    json_kv_int(j, "id", mlops_evaluation_id(e));
    json_kv_string(j, "model", mlops_evaluation_model(e));
    json_kv_int(j, "version", mlops_evaluation_model_version(e));
    json_kv_string(j, "dataset", hex);
    json_kv_int(j, "created_ms", mlops_evaluation_created_ms(e));
    json_kv_string(j, "actor", mlops_evaluation_actor(e));
    json_kv_string(j, "reason", mlops_evaluation_reason(e));
    json_key(j, "metrics");
    json_begin_array(j);
    for (size_t i = 0; i < mlops_evaluation_metric_count(e); i++) {
        mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
        if (mlops_evaluation_metric_at(e, i, &m) != MLOPS_OK) continue;
        json_begin_object(j);
        json_kv_string(j, "metric", m.name);
        json_kv_double(j, "value", m.value);
        json_kv_int(j, "reason", m.reason);
        json_kv_string(j, "reason_text", m.reason ? mlops_eval_reason_name(m.reason) : NULL);
        if (m.has_interval) {
            json_kv_double(j, "low", m.low);
            json_kv_double(j, "high", m.high);
        }
        json_end_object(j);
    }
    json_end_array(j);
}

/* One table row per metric of the evaluation. */
static void table_evaluation(table *t, const mlops_evaluation *e)
{
    char when[32], hex[MLOPS_DIGEST_STRLEN], buf[40];
    cli_fmt_time(mlops_evaluation_created_ms(e), when, sizeof when);
    cli_fmt_digest(mlops_evaluation_dataset(e), hex);
    for (size_t i = 0; i < mlops_evaluation_metric_count(e); i++) {
        mlops_evaluation_metric m = MLOPS_EVALUATION_METRIC_INIT;
        if (mlops_evaluation_metric_at(e, i, &m) != MLOPS_OK) continue;
        table_cellf(t, "%lld", (long long)mlops_evaluation_id(e));
        table_cell(t, when);
        table_cell(t, mlops_evaluation_actor(e));
        table_cell(t, hex);
        table_cell(t, m.name);
        cli_fmt_double(m.value, buf, sizeof buf);
        table_cell(t, buf);
        if (m.has_interval) {
            cli_fmt_double(m.low, buf, sizeof buf);
            table_cell(t, buf);
            cli_fmt_double(m.high, buf, sizeof buf);
            table_cell(t, buf);
        } else {
            table_cell(t, NULL);
            table_cell(t, NULL);
        }
        table_cell(t, m.reason ? mlops_eval_reason_name(m.reason) : NULL);
    }
}

/* Pages of this many evaluations, until one comes back short. */
#define EVALS_PAGE 256

static int model_evals(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const evals_args *a = arg;
    char *model = NULL;
    int64_t version = 0;
    int rc = cli_resolve_version(ctx, s, ctx->nargs, ctx->args, &model, &version);
    if (rc) return rc;
    mlops_digest d;
    mlops_evaluation_list_opts o = MLOPS_EVALUATION_LIST_OPTS_INIT;
    o.limit = EVALS_PAGE;
    if (a->dataset) o.dataset = &d;
    if (a->dataset && (rc = cli_parse_digest(ctx, a->dataset, &d))) {
        free(model);
        return rc;
    }
    static const char *const h[] = { "ID", "CREATED", "ACTOR", "DATASET", "METRIC",
                                     "VALUE", "LOW", "HIGH", "NOTE" };
    static const int right[] = { 0, 5, 6, 7, -1 };
    listing out;
    listing_begin(&out, a->as_json, 9, h, right);
    size_t got = EVALS_PAGE;
    while (!rc && got == EVALS_PAGE) {
        mlops_evaluations *l = NULL;
        rc = mlops_evaluation_list(s, model, version, &o, &l);
        got = mlops_evaluations_count(l);
        for (size_t i = 0; i < got; i++) {
            const mlops_evaluation *e = mlops_evaluations_at(l, i);
            json *j = listing_object(&out);
            if (j) {
                json_evaluation(j, e);
                json_end_object(j);
            } else {
                table_evaluation(out.t, e);
            }
            o.after_id = mlops_evaluation_id(e);
        }
        mlops_evaluations_free(l);
    }
    rc = listing_close(&out, ctx, rc, MLOPS_OK, ctx->args[0]);
    free(model);
    return rc;
}

static int cmd_model_evals(cli_ctx *ctx, int argc, char **argv)
{
    evals_args a = { NULL, 0 };
    const cli_opt opts[] = { { "dataset", 0, &a.dataset, NULL }, { "json", 0, NULL, &a.as_json } };
    return cli_run(ctx, argc, argv, opts, 2, 1, 2, CLI_STORE_READ, model_evals, &a);
}

/* ---- audit ---------------------------------------------------------------------------- */

typedef struct audit_log_args {
    int as_json;
    int64_t limit, after;
} audit_log_args;

static int audit_log(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const audit_log_args *a = arg;
    const char *model = ctx->nargs ? ctx->args[0] : NULL;
    mlops_audit_events *l = NULL;
    int rc = model ? mlops_audit_model_events(s, model, &l)
                   : mlops_audit_list(s, a->after, (size_t)a->limit, &l);
    if (rc) return cli_fail(ctx, rc, model ? model : "cannot read the audit log");
    static const char *const h[] = { "SEQ", "TIME", "ACTOR", "ACTION", "MODEL", "VERSION",
                                     "KEY", "OLD", "NEW", "REASON" };
    static const int right[] = { 0, 5, -1 };
    listing out;
    listing_begin(&out, a->as_json, 10, h, right);
    for (size_t i = 0; i < mlops_audit_events_count(l); i++) {
        mlops_audit_event ev = MLOPS_AUDIT_EVENT_INIT;
        if (mlops_audit_events_get(l, i, &ev) != MLOPS_OK) continue;
        json *j = listing_object(&out);
        if (j) {
            char hex[MLOPS_DIGEST_STRLEN];
            cli_fmt_digest(&ev.hash, hex);
            json_kv_int(j, "seq", ev.seq);
            json_kv_int(j, "time_ms", ev.time_ms);
            json_kv_string(j, "actor", ev.actor);
            json_kv_string(j, "action", ev.action);
            json_kv_string(j, "model", ev.model);
            json_kv_int(j, "version", ev.model_version);
            json_kv_string(j, "key", ev.key);
            json_kv_string(j, "old", ev.old_value);
            json_kv_string(j, "new", ev.new_value);
            json_kv_string(j, "reason", ev.reason);
            json_kv_string(j, "hash", hex);
            json_end_object(j);
            continue;
        }
        table *t = out.t;
        char when[32];
        cli_fmt_time(ev.time_ms, when, sizeof when);
        table_cellf(t, "%lld", (long long)ev.seq);
        table_cell(t, when);
        table_cell(t, ev.actor);
        table_cell(t, ev.action);
        table_cell(t, ev.model);
        if (ev.model_version)
            table_cellf(t, "%lld", (long long)ev.model_version);
        else
            table_cell(t, NULL);
        table_cell(t, ev.key);
        table_cell(t, ev.old_value);
        table_cell(t, ev.new_value);
        table_cell(t, ev.reason);
    }
    listing_end(&out);
    mlops_audit_events_free(l);
    return CLI_OK;
}

static int cmd_audit_log(cli_ctx *ctx, int argc, char **argv)
{
    const char *limit_text = NULL, *after_text = NULL;
    audit_log_args a = { 0, 0, 0 };
    int npos;
    const cli_opt opts[] = {
        { "json", 0, NULL, &a.as_json },
        { "limit", 'n', &limit_text, NULL },
        { "after", 0, &after_text, NULL },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 3, 0, 1, &npos);
    if (rc) return rc;
    if (limit_text && (rc = cli_parse_int(ctx, "--limit", limit_text, &a.limit))) return rc;
    if (after_text && (rc = cli_parse_int(ctx, "--after", after_text, &a.after))) return rc;
    if (a.limit < 0 || a.after < 0) return cli_usage(ctx, "--limit and --after are >= 0");
    if (npos && (limit_text || after_text))
        return cli_usage(ctx, "--limit and --after page through the whole log, not one model's");
    return cli_with_store(ctx, CLI_STORE_READ, audit_log, &a);
}

/* Reads the PEM file path into *pem (malloc'd). */
static int read_key(const cli_ctx *ctx, const char *path, char **pem)
{
    size_t len;
    return cli_read_file(ctx, path, pem, &len);
}

static int audit_checkpoint(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const sign_args *a = arg;
    mlops_digest fp;
    char hex[MLOPS_DIGEST_STRLEN] = "";
    if (mlops_key_fingerprint(a->pem, &fp) == MLOPS_OK) cli_fmt_digest(&fp, hex);
    mlops_change_opts c = change_opts(a->change.actor, a->change.reason);
    int64_t covered = 0;
    int rc = mlops_audit_checkpoint(s, a->pem, &c, &covered);
    if (rc) return cli_fail(ctx, rc, "cannot checkpoint the audit log");
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_int(&j, "covered", covered);
        json_kv_int(&j, "seq", covered + 1);
        json_kv_string(&j, "key", hex);
        json_end_object(&j);
        json_finish(&j);
    } else {
        printf("events 1..%lld signed with key %s (checkpoint event %lld)\n", (long long)covered,
               hex, (long long)covered + 1);
    }
    return CLI_OK;
}

static int cmd_audit_checkpoint(cli_ctx *ctx, int argc, char **argv)
{
    sign_args a = { { NULL, NULL, NULL }, NULL, NULL, 0, 0, 1 };
    int npos;
    const cli_opt opts[] = { { "key", 'k', &a.key, NULL }, { "json", 0, NULL, &a.as_json },
                             CHANGE_OPTS(a.change.actor, a.change.reason) };
    int rc = cli_parse(ctx, argc, argv, opts, 4, 0, 0, &npos);
    if (rc) return rc;
    if (!a.key) return cli_usage(ctx, "missing --key FILE");
    if ((rc = read_key(ctx, a.key, &a.pem))) return rc;
    rc = cli_with_store(ctx, CLI_STORE_WRITE, audit_checkpoint, &a);
    free(a.pem);
    return rc;
}

typedef struct verify_args {
    const mlops_audit_verify_opts *vo;
    const char *key;
    int as_json;
} verify_args;

static int audit_verify(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const verify_args *a = arg;
    int64_t seq = 0;
    mlops_digest hash;
    mlops_audit_report r = MLOPS_AUDIT_REPORT_INIT;
    int rc = mlops_audit_verify_ex(s, a->vo, &r);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", rc ? mlops_last_error() : "");
    int hrc = mlops_audit_head(s, &seq, &hash);
    /* A broken chain and a log not attested far enough are answers. */
    int answer = rc == MLOPS_OK || rc == MLOPS_ECORRUPT || rc == MLOPS_ESIGNATURE;
    if (!answer) return cli_error(ctx, "%s (%s)", msg, mlops_strerror(rc));
    if (hrc) return cli_fail(ctx, hrc, "cannot read the audit head");
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(&hash, hex);
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_bool(&j, "ok", rc == MLOPS_OK);
        json_kv_int(&j, "events", seq);
        json_kv_string(&j, "head", hex);
        json_kv_int(&j, "first_bad", r.first_bad);
        json_kv_int(&j, "checkpoints", r.checkpoints);
        if (a->key) {
            json_kv_int(&j, "attested_seq", r.attested_seq);
            json_kv_int(&j, "unattested", r.unattested);
        }
        json_kv_string(&j, "error", rc ? msg : NULL);
        json_end_object(&j);
        json_finish(&j);
    } else if (rc == MLOPS_OK) {
        printf("audit log intact: %lld events, head %lld:%s\n", (long long)seq, (long long)seq, hex);
        if (a->key && r.attested_seq)
            printf("attested by a checkpoint up to event %lld; %lld events after it are "
                   "unattested\n",
                   (long long)r.attested_seq, (long long)r.unattested);
        else if (a->key)
            printf("no checkpoint by the key: all %lld events are unattested\n",
                   (long long)r.unattested);
    }
    if (rc) return cli_error(ctx, "the audit log does not verify: %s", msg);
    return CLI_OK;
}

static int cmd_audit_verify(cli_ctx *ctx, int argc, char **argv)
{
    const char *head = NULL, *key = NULL, *min_text = NULL;
    int as_json = 0, npos;
    const cli_opt opts[] = { { "json", 0, NULL, &as_json },
                             { "head", 0, &head, NULL },
                             { "key", 'k', &key, NULL },
                             { "min-seq", 0, &min_text, NULL } };
    int rc = cli_parse(ctx, argc, argv, opts, 4, 0, 0, &npos);
    if (rc) return rc;
    mlops_audit_verify_opts vo = MLOPS_AUDIT_VERIFY_OPTS_INIT;
    mlops_digest head_hash;
    if (head) {
        /* SEQ:sha256:HEX, as `audit verify` prints it. */
        const char *colon = strchr(head, ':');
        char seq[32];
        if (!colon || (size_t)(colon - head) >= sizeof seq)
            return cli_usage(ctx, "--head is SEQ:sha256:HEX, not '%s'", head);
        memcpy(seq, head, (size_t)(colon - head));
        seq[colon - head] = '\0';
        if ((rc = cli_parse_int(ctx, "--head", seq, &vo.head_seq))) return rc;
        if ((rc = cli_parse_digest(ctx, colon + 1, &head_hash))) return rc;
        vo.head_hash = &head_hash;
    }
    if (min_text) {
        if ((rc = cli_parse_int(ctx, "--min-seq", min_text, &vo.min_seq))) return rc;
        if (vo.min_seq < 1) return cli_usage(ctx, "--min-seq is >= 1");
        if (!key) return cli_usage(ctx, "--min-seq needs --key: only a trusted key attests");
    }
    char *pem = NULL;
    if (key && (rc = read_key(ctx, key, &pem))) return rc;
    const char *keys[1] = { pem };
    vo.trusted_keys = keys;
    vo.n_trusted_keys = pem ? 1 : 0;
    verify_args a = { &vo, key, as_json };
    rc = cli_with_store(ctx, CLI_STORE_READ, audit_verify, &a);
    free(pem);
    return rc;
}

/* ---- model page ---------------------------------------------------------------------- */

typedef struct page_args {
    mlops_model_page_opts o;
    const char *out;
} page_args;

static int model_page(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const page_args *a = arg;
    char *html = NULL;
    int rc = mlops_model_page_html(s, ctx->args[0], &a->o, &html);
    if (rc) return cli_fail(ctx, rc, "cannot write the model page");
    rc = cli_write_output(ctx, a->out, html);
    mlops_free(html);
    return rc;
}

static int cmd_model_page(cli_ctx *ctx, int argc, char **argv)
{
    page_args a = { MLOPS_MODEL_PAGE_OPTS_INIT, NULL };
    int npos;
    const cli_opt opts[] = {
        { "output", 'o', &a.out, NULL },
        { "title", 0, &a.o.title, NULL },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 2, 1, 1, &npos);
    if (rc) return rc;
    if (!a.out) return cli_usage(ctx, "-o FILE.html is required (- for stdout)");
    return cli_with_store(ctx, CLI_STORE_READ, model_page, &a);
}

const cli_command cli_registry_commands[] = {
    { "model", NULL, "", "The model registry: models, versions, aliases, signatures", "" },
    { "model create", cmd_model_create, "NAME", "Register a model",
      "Options:\n  -d, --description TEXT   what the model is\n" CHANGE_HELP },
    { "model ls", cmd_model_ls, "[GLOB]", "List models (whose names match GLOB)",
      "Options:\n"
      "  -a, --all                deleted models too\n"
      "  --json                   print a JSON array\n" },
    { "model page", cmd_model_page, "MODEL -o FILE.html", "Draw a model as one HTML page",
      "Writes a self-contained page (no script, nothing fetched; doc/pages.md): the\n"
      "versions (created, source run, signatures); each alias's split over time as a\n"
      "step chart with its changes beside it; the gate decisions with each condition\n"
      "and both values; the signatures; the lineage dataset -> run -> version as a\n"
      "drawing and a table; and the model's audit timeline.\n\n"
      "Options:\n"
      "  -o, --output FILE        where to write the page (- for stdout)\n"
      "  --title TEXT             the page's title (default \"Model NAME\")\n" },
    { "model show", cmd_model_show, "NAME", "Show a model, its aliases and versions",
      "Options:\n"
      "  -a, --all                deleted versions too\n"
      "  --json                   print JSON\n" },
    { "model version", NULL, "", "Versions of a model", "" },
    { "model version create", cmd_version_create, "MODEL DIGEST|REF",
      "Register MODEL's next version; print its number",
      "DIGEST is the stored artifact (see 'mlops put').\n\n"
      "Options:\n"
      "  --run RUN                the run that made it\n"
      "  -d, --description TEXT   what changed\n"
      "  --json                   print {\"model\": ..., \"version\": N}\n" CHANGE_HELP },
    { "model alias", NULL, "", "Aliases (e.g. champion) that point at versions", "" },
    { "model alias set", cmd_alias_set, "MODEL ALIAS VERSION|SPLIT",
      "Point ALIAS at VERSION, or split its traffic (3:90,4:10)",
      "SPLIT gives versions integer percentages summing to 100, and optionally a\n"
      "shadow version that gets a mirrored copy of the traffic and is never routed\n"
      "to: 3:90,4:10 or 3:90,4:10+shadow:5 (no spaces; doc/delivery.md). Keys are\n"
      "routed with 'mlops model route'; 'model alias ramp' and 'rollback' change\n"
      "shares step by step.\n\n"
      "Options:\n" CHANGE_HELP },
    { "model alias rm", cmd_alias_rm, "MODEL ALIAS", "Remove ALIAS",
      "Options:\n" CHANGE_HELP },
    { "model resolve", cmd_model_resolve, "NAME@ALIAS|NAME/N",
      "Print the version and artifact a reference names",
      "Prints \"VERSION DIGEST\". Reserved aliases: latest, v<N>.\n\n"
      "Options:\n  --json                   print JSON\n" },
    { "model evals", cmd_model_evals, "MODEL VERSION | NAME@ALIAS | NAME/N",
      "List a version's evaluations (recorded by mlops eval --model)",
      "Prints one row per metric of each evaluation, oldest first (the last\n"
      "evaluation is the latest); a deleted version's evaluations too (name it\n"
      "as MODEL VERSION). An undefined value is nan with its reason in NOTE.\n\n"
      "Options:\n"
      "  --dataset DIGEST         only the evaluations on this dataset (sha256:...)\n"
      "  --json                   print a JSON array of evaluations {id, model,\n"
      "                           version, dataset, created_ms, actor, reason,\n"
      "                           metrics: [{metric, value, reason, reason_text,\n"
      "                           low, high}]}\n" },
    { "model sign", cmd_model_sign, "MODEL VERSION | NAME@ALIAS | NAME/N --key FILE",
      "Sign a version with an Ed25519 private key",
      "Create a key with: openssl genpkey -algorithm ed25519 -out key.pem\n\n"
      "Options:\n"
      "  -k, --key FILE           the private key (PEM, unencrypted)\n"
      "  --json                   print {\"model\", \"version\", \"key\", \"signed\"}\n" CHANGE_HELP },
    { "model verify", cmd_model_verify, "MODEL VERSION | NAME@ALIAS | NAME/N --key FILE",
      "Check a version's signature with a public key",
      "Exits 1 when the version carries no valid signature by the key. The\n"
      "signature covers the artifact's digest; --deep also re-hashes the bytes\n"
      "the store holds for it (reads the whole artifact) and exits 1 when they\n"
      "differ.\n"
      "Extract a public key with: openssl pkey -in key.pem -pubout -out key.pub\n\n"
      "Options:\n"
      "  -k, --key FILE           the public key (PEM)\n"
      "  --deep                   also re-hash the artifact's bytes\n"
      "  --json                   print {\"model\", \"version\", \"key\", \"verified\",\n"
      "                           \"deep\"}\n" },
    { "audit", NULL, "", "The registry's tamper-evident audit log", "" },
    { "audit log", cmd_audit_log, "[MODEL]", "Print the audit log (of one model)",
      "Options:\n"
      "  -n, --limit N            at most N events\n"
      "  --after SEQ              events after sequence number SEQ\n"
      "  --json                   print a JSON array\n" },
    { "audit verify", cmd_audit_verify, "", "Check the audit log's hash chain",
      "Exits 1 when an event was edited, removed or reordered, the registry\n"
      "disagrees with the log, or a checkpoint does not verify. Prints the head\n"
      "(SEQ:HASH): publish it elsewhere and pass it back with --head to detect\n"
      "truncation too. With --key, reports how far checkpoints by that key attest\n"
      "the log; the events after the last one are unattested.\n\n"
      "Options:\n"
      "  --head SEQ:HASH          also check a head published earlier\n"
      "  -k, --key FILE           the public key (PEM) whose checkpoints are trusted;\n"
      "                           a checkpoint by another key fails\n"
      "  --min-seq N              exit 1 unless a checkpoint by the key covers event N\n"
      "  --json                   print JSON\n" },
    { "audit checkpoint", cmd_audit_checkpoint, "--key FILE",
      "Sign the audit log's head with an Ed25519 private key",
      "Appends an audit.checkpoint event: an Ed25519 signature over the current\n"
      "head (SEQ:HASH). 'audit verify --key PUB' then knows the events up to it are\n"
      "as they were when signed. An actor name proves nothing by itself; a\n"
      "checkpoint does, for the key's holder.\n\n"
      "Options:\n"
      "  -k, --key FILE           the private key (PEM, unencrypted)\n"
      "  --json                   print {\"covered\", \"seq\", \"key\"}\n" CHANGE_HELP },
    { NULL, NULL, NULL, NULL, NULL },
};
