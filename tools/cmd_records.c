/*
 * Experiment records: exp, run, runs search and metric history.
 */
#include "cli.h"
#include "json.h"
#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An experiment by name, or by id when the text is a number and no
 * experiment has that name. */
static int find_experiment(const cli_ctx *ctx, mlops_store *s, const char *text, int64_t *id)
{
    *id = 0;
    mlops_experiment *e = NULL;
    int rc = mlops_experiment_get_by_name(s, text, &e);
    if (rc == MLOPS_OK) {
        *id = mlops_experiment_id(e);
        mlops_experiment_free(e);
        return CLI_OK;
    }
    if (rc != MLOPS_ENOTFOUND && rc != MLOPS_EINVAL) return cli_fail(ctx, rc, text);
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*text && !*end && v > 0) {
        rc = mlops_experiment_get(s, v, &e);
        if (rc == MLOPS_OK) {
            *id = v;
            mlops_experiment_free(e);
            return CLI_OK;
        }
    }
    return cli_error(ctx, "no experiment '%s' (create it with 'mlops exp create %s')", text, text);
}

static int parse_lifecycle(const cli_ctx *ctx, int all, int deleted, int *out)
{
    if (all && deleted) return cli_usage(ctx, "--all and --deleted exclude each other");
    *out = all ? MLOPS_LIFECYCLE_ALL : deleted ? MLOPS_LIFECYCLE_DELETED : MLOPS_LIFECYCLE_ACTIVE;
    return CLI_OK;
}

/* The arguments of the listing commands: --json, --all, --deleted and
 * npos (0 or 1) positional arguments. */
static int parse_list_args(cli_ctx *ctx, int argc, char **argv, int npos_wanted, int *as_json,
                           int *lifecycle, int *npos)
{
    int all = 0, deleted = 0;
    /* Set on every path, a failed parse included. */
    *as_json = 0;
    *lifecycle = MLOPS_LIFECYCLE_ACTIVE;
    const cli_opt opts[] = {
        { "json", 0, NULL, as_json },
        { "all", 'a', NULL, &all },
        { "deleted", 0, NULL, &deleted },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 3, npos_wanted, npos_wanted, npos);
    if (rc) return rc;
    return parse_lifecycle(ctx, all, deleted, lifecycle);
}

/* ---- exp ------------------------------------------------------------------------ */

static int exp_create(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    int64_t id;
    int rc = cli_check(ctx, mlops_experiment_create(s, ctx->args[0], &id), ctx->args[0]);
    if (rc) return rc;
    if (*(const int *)arg)
        printf("{\"id\":%lld}\n", (long long)id);
    else
        printf("%lld\n", (long long)id);
    return CLI_OK;
}

static int cmd_exp_create(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 1, 1, CLI_STORE_WRITE, exp_create);
}

/* The (key, value) items of a snapshot, read by index: tags and params of
 * experiments and runs (doc/conventions.md: _count and _at). */
typedef int (*kv_at_fn)(const void *obj, size_t i, const char **key, const char **value);

static int experiment_tag_at(const void *e, size_t i, const char **key, const char **value)
{
    return mlops_experiment_tag_at(e, i, key, value);
}

static int run_param_at(const void *ri, size_t i, const char **key, const char **value)
{
    return mlops_run_info_param_at(ri, i, key, value);
}

static int run_tag_at(const void *ri, size_t i, const char **key, const char **value)
{
    return mlops_run_info_tag_at(ri, i, key, value);
}

static void json_kvs(json *j, const char *key, const void *obj, size_t n, kv_at_fn at)
{
    json_key(j, key);
    json_begin_object(j);
    const char *k = NULL, *v = NULL;
    for (size_t i = 0; i < n; i++)
        if (at(obj, i, &k, &v) == MLOPS_OK) json_kv_string(j, k, v);
    json_end_object(j);
}

/* The options of the listing commands. */
typedef struct list_args {
    int as_json, lifecycle;
} list_args;

static int exp_ls(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const list_args *a = arg;
    mlops_experiments *list = NULL;
    int rc = mlops_experiment_list_ex(s, a->lifecycle, &list);
    if (rc) return cli_fail(ctx, rc, "cannot list the experiments");
    size_t n = mlops_experiments_count(list);
    static const char *const headers[] = { "ID", "NAME", "CREATED", "DELETED" };
    static const int right[] = { 0, -1 };
    listing out;
    listing_begin(&out, a->as_json, 4, headers, right);
    for (size_t i = 0; i < n; i++) {
        const mlops_experiment *e = mlops_experiments_at(list, i);
        json *j = listing_object(&out);
        if (j) {
            json_kv_int(j, "id", mlops_experiment_id(e));
            json_kv_string(j, "name", mlops_experiment_name(e));
            json_kv_int(j, "created_ms", mlops_experiment_created_ms(e));
            json_kv_int(j, "updated_ms", mlops_experiment_updated_ms(e));
            json_kv_int(j, "deleted_ms", mlops_experiment_deleted_ms(e));
            json_kvs(j, "tags", e, mlops_experiment_tag_count(e), experiment_tag_at);
            json_end_object(j);
            continue;
        }
        char created[32], del[32];
        cli_fmt_time(mlops_experiment_created_ms(e), created, sizeof created);
        cli_fmt_time(mlops_experiment_deleted_ms(e), del, sizeof del);
        table_cellf(out.t, "%lld", (long long)mlops_experiment_id(e));
        table_cell(out.t, mlops_experiment_name(e));
        table_cell(out.t, created);
        table_cell(out.t, del);
    }
    listing_end(&out);
    mlops_experiments_free(list);
    return CLI_OK;
}

static int cmd_exp_ls(cli_ctx *ctx, int argc, char **argv)
{
    list_args a;
    int npos;
    int rc = parse_list_args(ctx, argc, argv, 0, &a.as_json, &a.lifecycle, &npos);
    if (rc) return rc;
    return cli_with_store(ctx, CLI_STORE_READ, exp_ls, &a);
}

/* ---- run start / end / log ---------------------------------------------------------- */

typedef struct start_args {
    mlops_run_start_opts o;
    int as_json;
} start_args;

static int run_start(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const start_args *a = arg;
    int64_t exp;
    mlops_run *run = NULL;
    int rc = find_experiment(ctx, s, ctx->args[0], &exp);
    if (rc) return rc;
    rc = mlops_run_start_ex(s, exp, &a->o, &run);
    if (rc) return cli_fail(ctx, rc, "cannot start the run");
    if (a->as_json)
        printf("{\"run_id\":\"%s\",\"experiment_id\":%lld}\n", mlops_run_id(run), (long long)exp);
    else
        printf("%s\n", mlops_run_id(run));
    mlops_run_free(run);
    return CLI_OK;
}

static int cmd_run_start(cli_ctx *ctx, int argc, char **argv)
{
    start_args a = { MLOPS_RUN_START_OPTS_INIT, 0 };
    const char *source = NULL;
    int npos;
    const cli_opt opts[] = {
        { "name", 'n', &a.o.name, NULL },
        { "parent", 0, &a.o.parent_run_id, NULL },
        { "git-commit", 0, &a.o.git_commit, NULL },
        { "source", 0, &source, NULL },
        { "json", 0, NULL, &a.as_json },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 5, 1, 1, &npos);
    if (rc) return rc;
    a.o.source = source ? source : "mlops";
    return cli_with_store(ctx, CLI_STORE_WRITE, run_start, &a);
}

static int run_end(const cli_ctx *ctx, mlops_run *run, void *arg)
{
    return cli_check(ctx, mlops_run_end(run, *(const int *)arg), ctx->args[0]);
}

static int cmd_run_end(cli_ctx *ctx, int argc, char **argv)
{
    const char *status = "finished";
    int npos;
    const cli_opt opts[] = { { "status", 's', &status, NULL } };
    int rc = cli_parse(ctx, argc, argv, opts, 1, 1, 1, &npos);
    if (rc) return rc;
    int st;
    if (strcmp(status, "finished") == 0 || strcmp(status, "FINISHED") == 0) st = MLOPS_RUN_FINISHED;
    else if (strcmp(status, "failed") == 0 || strcmp(status, "FAILED") == 0) st = MLOPS_RUN_FAILED;
    else if (strcmp(status, "killed") == 0 || strcmp(status, "KILLED") == 0) st = MLOPS_RUN_KILLED;
    else return cli_usage(ctx, "--status is finished, failed or killed, not '%s'", status);
    return cli_with_run(ctx, argv[0], run_end, &st);
}

typedef struct params_args {
    const mlops_kv *kv;
    size_t n;
} params_args;

static int run_log_params(const cli_ctx *ctx, mlops_run *run, void *arg)
{
    const params_args *a = arg;
    return cli_check(ctx, mlops_run_log_params(run, a->kv, a->n), ctx->args[0]);
}

static int cmd_run_log_param(cli_ctx *ctx, int argc, char **argv)
{
    int npos;
    int rc = cli_parse(ctx, argc, argv, NULL, 0, 2, -1, &npos);
    if (rc) return rc;
    /* RUN KEY VALUE, or RUN KEY=VALUE... */
    size_t n = 0;
    mlops_kv *kv = calloc((size_t)npos, sizeof *kv);
    if (!kv) return cli_error(ctx, "out of memory");
    if (npos == 3 && !strchr(argv[1], '=')) {
        kv[0].key = argv[1];
        kv[0].value = argv[2];
        n = 1;
    } else {
        for (int i = 1; i < npos; i++) {
            char *eq = strchr(argv[i], '=');
            if (!eq) {
                free(kv);
                return cli_usage(ctx, "'%s' is not KEY=VALUE", argv[i]);
            }
            *eq = '\0';
            kv[n].key = argv[i];
            kv[n].value = eq + 1;
            n++;
        }
    }
    params_args a = { kv, n };
    rc = cli_with_run(ctx, argv[0], run_log_params, &a);
    free(kv);
    return rc;
}

typedef struct metric_args {
    double value;
    int64_t step, ts;
} metric_args;

static int run_log_metric(const cli_ctx *ctx, mlops_run *run, void *arg)
{
    const metric_args *a = arg;
    return cli_check(ctx, mlops_run_log_metric(run, ctx->args[1], a->value, a->step, a->ts),
                     ctx->args[0]);
}

static int cmd_run_log_metric(cli_ctx *ctx, int argc, char **argv)
{
    const char *step_text = NULL, *time_text = NULL;
    int npos;
    const cli_opt opts[] = {
        { "step", 0, &step_text, NULL },
        { "time", 0, &time_text, NULL },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 2, 3, 3, &npos);
    if (rc) return rc;
    metric_args a = { 0.0, 0, now_ms() };
    if ((rc = cli_parse_double(ctx, "VALUE", argv[2], &a.value))) return rc;
    if (step_text && (rc = cli_parse_int(ctx, "--step", step_text, &a.step))) return rc;
    if (time_text && (rc = cli_parse_int(ctx, "--time", time_text, &a.ts))) return rc;
    return cli_with_run(ctx, argv[0], run_log_metric, &a);
}

/* ---- run show / ls, runs search ------------------------------------------------------- */

static void json_run(json *j, const mlops_run_info *ri)
{
    size_t nl;
    const mlops_lineage_edge *edges = mlops_run_info_lineage(ri, &nl);
    json_begin_object(j);
    json_kv_string(j, "run_id", mlops_run_info_id(ri));
    json_kv_int(j, "experiment_id", mlops_run_info_experiment_id(ri));
    json_kv_string(j, "name", mlops_run_info_name(ri));
    json_kv_string(j, "parent_run_id", mlops_run_info_parent_id(ri));
    json_kv_string(j, "status", mlops_run_status_name(mlops_run_info_status(ri)));
    json_kv_int(j, "start_ms", mlops_run_info_start_ms(ri));
    json_kv_int(j, "end_ms", mlops_run_info_end_ms(ri));
    json_kv_int(j, "deleted_ms", mlops_run_info_deleted_ms(ri));
    json_kvs(j, "params", ri, mlops_run_info_param_count(ri), run_param_at);
    json_kvs(j, "tags", ri, mlops_run_info_tag_count(ri), run_tag_at);
    json_key(j, "metrics");
    json_begin_object(j);
    const mlops_metric_summary *m = NULL;
    for (size_t i = 0; i < mlops_run_info_metric_count(ri); i++) {
        if (mlops_run_info_metric_at(ri, i, &m) != MLOPS_OK) continue;
        json_key(j, m->key);
        json_begin_object(j);
        json_kv_double(j, "last", m->last);
        json_kv_int(j, "last_step", m->last_step);
        json_kv_int(j, "last_ts_ms", m->last_ts_ms);
        json_kv_double(j, "min", m->min);
        json_kv_double(j, "max", m->max);
        json_kv_int(j, "count", m->count);
        json_end_object(j);
    }
    json_end_object(j);
    json_key(j, "lineage");
    json_begin_array(j);
    for (size_t i = 0; i < nl; i++) {
        char hex[MLOPS_DIGEST_STRLEN];
        cli_fmt_digest(&edges[i].digest, hex);
        json_begin_object(j);
        json_kv_string(j, "direction", edges[i].direction == MLOPS_LINEAGE_INPUT ? "input" : "output");
        json_kv_string(j, "digest", hex);
        json_kv_string(j, "name", edges[i].name);
        json_kv_string(j, "role", edges[i].role);
        json_kv_int(j, "created_ms", edges[i].created_ms);
        json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
}

/* A blank line and a KEY/VALUE table, when there is anything in it. */
static void print_kv_table(const char *what, const void *obj, size_t n, kv_at_fn at)
{
    if (!n) return;
    const char *h[] = { what, "VALUE" };
    table *t = table_new(2, h);
    const char *k = NULL, *v = NULL;
    for (size_t i = 0; i < n; i++) {
        if (at(obj, i, &k, &v) != MLOPS_OK) continue;
        table_cell(t, k);
        table_cell(t, v);
    }
    putchar('\n');
    table_print(t, stdout);
    table_free(t);
}

static void print_run(const mlops_run_info *ri)
{
    char a[32], b[32];
    cli_fmt_time(mlops_run_info_start_ms(ri), a, sizeof a);
    cli_fmt_time(mlops_run_info_end_ms(ri), b, sizeof b);
    printf("run:         %s\n", mlops_run_info_id(ri));
    if (mlops_run_info_name(ri)) printf("name:        %s\n", mlops_run_info_name(ri));
    printf("experiment:  %lld\n", (long long)mlops_run_info_experiment_id(ri));
    if (mlops_run_info_parent_id(ri)) printf("parent:      %s\n", mlops_run_info_parent_id(ri));
    printf("status:      %s%s\n", mlops_run_status_name(mlops_run_info_status(ri)),
           mlops_run_info_deleted_ms(ri) ? " (deleted)" : "");
    printf("started:     %s UTC\n", a);
    printf("ended:       %s%s\n", b, mlops_run_info_end_ms(ri) ? " UTC" : "");

    print_kv_table("PARAM", ri, mlops_run_info_param_count(ri), run_param_at);
    if (mlops_run_info_metric_count(ri)) {
        static const char *const h[] = { "METRIC", "LAST", "STEP", "MIN", "MAX", "POINTS" };
        table *t = table_new(6, h);
        for (size_t c = 1; c < 6; c++) table_align_right(t, c);
        const mlops_metric_summary *m = NULL;
        for (size_t i = 0; i < mlops_run_info_metric_count(ri); i++) {
            if (mlops_run_info_metric_at(ri, i, &m) != MLOPS_OK) continue;
            table_cell(t, m->key);
            table_cellf(t, "%.6g", m->last);
            table_cellf(t, "%lld", (long long)m->last_step);
            table_cellf(t, "%.6g", m->min);
            table_cellf(t, "%.6g", m->max);
            table_cellf(t, "%lld", (long long)m->count);
        }
        putchar('\n');
        table_print(t, stdout);
        table_free(t);
    }
    print_kv_table("TAG", ri, mlops_run_info_tag_count(ri), run_tag_at);
    size_t n;
    const mlops_lineage_edge *e = mlops_run_info_lineage(ri, &n);
    if (n) {
        static const char *const h[] = { "LINEAGE", "NAME", "ROLE", "DIGEST" };
        table *t = table_new(4, h);
        for (size_t i = 0; i < n; i++) {
            char hex[MLOPS_DIGEST_STRLEN];
            cli_fmt_digest(&e[i].digest, hex);
            table_cell(t, e[i].direction == MLOPS_LINEAGE_INPUT ? "input" : "output");
            table_cell(t, e[i].name);
            table_cell(t, e[i].role);
            table_cell(t, hex);
        }
        putchar('\n');
        table_print(t, stdout);
        table_free(t);
    }
}

static int run_show(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    mlops_run_info *ri = NULL;
    int rc = cli_check(ctx, mlops_run_get(s, ctx->args[0], &ri), ctx->args[0]);
    if (rc) return rc;
    if (*(const int *)arg) {
        json j;
        json_init(&j, stdout);
        json_run(&j, ri);
        json_finish(&j);
    } else {
        print_run(ri);
    }
    mlops_run_info_free(ri);
    return CLI_OK;
}

static int cmd_run_show(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 1, 1, CLI_STORE_READ, run_show);
}

static void runs_row(table *t, const mlops_run_info *ri)
{
    char when[32], metrics[200] = "";
    cli_fmt_time(mlops_run_info_start_ms(ri), when, sizeof when);
    size_t nm = mlops_run_info_metric_count(ri), used = 0;
    const mlops_metric_summary *m = NULL;
    /* The first few metrics' last values, to tell runs apart at a glance. */
    for (size_t i = 0; i < nm && i < 3 && mlops_run_info_metric_at(ri, i, &m) == MLOPS_OK; i++) {
        int w = snprintf(metrics + used, sizeof metrics - used, "%s%s=%.6g", i ? " " : "", m->key,
                         m->last);
        if (w < 0 || (size_t)w >= sizeof metrics - used) break;
        used += (size_t)w;
    }
    if (nm > 3 && used + 4 < sizeof metrics) memcpy(metrics + used, " ...", 5);
    table_cell(t, mlops_run_info_id(ri));
    table_cellf(t, "%lld", (long long)mlops_run_info_experiment_id(ri));
    table_cell(t, mlops_run_info_name(ri));
    table_cell(t, mlops_run_status_name(mlops_run_info_status(ri)));
    table_cell(t, when);
    table_cell(t, metrics[0] ? metrics : NULL);
}

/* The listing of `run ls` and `runs search`: the runs of npages lists,
 * in order. */
static void print_runs(mlops_run_infos *const *pages, size_t npages, int as_json)
{
    static const char *const h[] = { "RUN", "EXP", "NAME", "STATUS", "STARTED", "METRICS" };
    static const int right[] = { 1, -1 };
    listing out;
    listing_begin(&out, as_json, 6, h, right);
    for (size_t p = 0; p < npages; p++) {
        for (size_t i = 0; i < mlops_run_infos_count(pages[p]); i++) {
            const mlops_run_info *ri = mlops_run_infos_at(pages[p], i);
            if (as_json)
                json_run(&out.j, ri);
            else
                runs_row(out.t, ri);
        }
    }
    listing_end(&out);
}

static int run_ls(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const list_args *a = arg;
    int64_t exp;
    int rc = find_experiment(ctx, s, ctx->args[0], &exp);
    if (rc) return rc;
    mlops_run_infos *list = NULL;
    if ((rc = cli_check(ctx, mlops_run_list_ex(s, exp, a->lifecycle, &list), ctx->args[0])))
        return rc;
    print_runs(&list, 1, a->as_json);
    mlops_run_infos_free(list);
    return CLI_OK;
}

static int cmd_run_ls(cli_ctx *ctx, int argc, char **argv)
{
    list_args a;
    int npos;
    int rc = parse_list_args(ctx, argc, argv, 1, &a.as_json, &a.lifecycle, &npos);
    if (rc) return rc;
    return cli_with_store(ctx, CLI_STORE_READ, run_ls, &a);
}

typedef struct search_args {
    const char *order, *exps;
    int64_t limit;
    int as_json, lifecycle;
} search_args;

/* The pages a search returned. */
typedef struct pages {
    mlops_run_infos **items;
    size_t n;
} pages;

static void pages_free(pages *p)
{
    for (size_t i = 0; i < p->n; i++) mlops_run_infos_free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

/* Runs the search page by page until the limit (or the end); the pages
 * are in *out, to release with pages_free. */
static int search_pages(const cli_ctx *ctx, mlops_store *s, mlops_search_opts *o, int64_t limit,
                        pages *out)
{
    size_t got = 0;
    char *token = NULL;
    for (;;) {
        size_t want = MLOPS_SEARCH_MAX_RESULTS;
        if (limit && (uint64_t)limit - got < want) want = (size_t)limit - got;
        o->max_results = want;
        o->page_token = token;
        mlops_run_infos *page = NULL;
        char *next = NULL;
        int rc = mlops_run_search_ex(s, o, &page, &next);
        mlops_free(token);
        token = next;
        if (rc) {
            pages_free(out);
            mlops_free(token);
            return cli_fail(ctx, rc, "search failed");
        }
        mlops_run_infos **grown = realloc(out->items, (out->n + 1) * sizeof *grown);
        if (!grown) {
            mlops_run_infos_free(page);
            pages_free(out);
            mlops_free(token);
            return cli_error(ctx, "out of memory");
        }
        out->items = grown;
        out->items[out->n++] = page;
        got += mlops_run_infos_count(page);
        if (!token || (limit && got >= (size_t)limit)) break;
    }
    mlops_free(token);
    return CLI_OK;
}

static int runs_search(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const search_args *a = arg;
    int64_t ids[64];
    size_t nids = 0;
    int rc = CLI_OK;
    char *exps_copy = a->exps ? strdup(a->exps) : NULL;
    if (exps_copy) {
        char *save = NULL;
        for (char *tok = strtok_r(exps_copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (nids == 64) {
                rc = cli_usage(ctx, "at most 64 experiments");
                break;
            }
            if ((rc = find_experiment(ctx, s, tok, &ids[nids]))) break;
            nids++;
        }
    }
    free(exps_copy);
    if (rc) return rc;
    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.filter = ctx->nargs ? ctx->args[0] : NULL;
    o.order_by = a->order;
    o.lifecycle = a->lifecycle;
    if (nids) {
        o.experiment_ids = ids;
        o.experiment_count = nids;
    }
    pages found = { NULL, 0 };
    if ((rc = search_pages(ctx, s, &o, a->limit, &found))) return rc;
    print_runs(found.items, found.n, a->as_json);
    pages_free(&found);
    return CLI_OK;
}

static int cmd_runs_search(cli_ctx *ctx, int argc, char **argv)
{
    const char *limit_text = NULL;
    search_args a = { NULL, NULL, 0, 0, MLOPS_LIFECYCLE_ACTIVE };
    int all = 0, deleted = 0, npos;
    const cli_opt opts[] = {
        { "order-by", 'o', &a.order, NULL },
        { "limit", 'n', &limit_text, NULL },
        { "experiment", 'e', &a.exps, NULL },
        { "json", 0, NULL, &a.as_json },
        { "all", 'a', NULL, &all },
        { "deleted", 0, NULL, &deleted },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 6, 0, 1, &npos);
    if (rc) return rc;
    if ((rc = parse_lifecycle(ctx, all, deleted, &a.lifecycle))) return rc;
    if (limit_text) {
        if ((rc = cli_parse_int(ctx, "--limit", limit_text, &a.limit))) return rc;
        if (a.limit < 1) return cli_usage(ctx, "--limit must be at least 1");
    }
    return cli_with_store(ctx, CLI_STORE_READ, runs_search, &a);
}

/* ---- runs compare ------------------------------------------------------------------- */

typedef struct compare_args {
    mlops_run_compare_opts o;
    const char *out;
} compare_args;

static int runs_compare(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const compare_args *a = arg;
    char *html = NULL;
    int rc = mlops_run_compare_html(s, (const char *const *)ctx->args, (size_t)ctx->nargs, &a->o,
                                    &html);
    if (rc) return cli_fail(ctx, rc, "cannot write the comparison");
    rc = cli_write_output(ctx, a->out, html);
    mlops_free(html);
    return rc;
}

static int cmd_runs_compare(cli_ctx *ctx, int argc, char **argv)
{
    const char *points_text = NULL, *x_text = NULL;
    compare_args a = { MLOPS_RUN_COMPARE_OPTS_INIT, NULL };
    int npos;
    const cli_opt opts[] = {
        { "output", 'o', &a.out, NULL },
        { "title", 0, &a.o.title, NULL },
        { "points", 0, &points_text, NULL },
        { "x", 0, &x_text, NULL },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 4, 1, -1, &npos);
    if (rc) return rc;
    if (!a.out) return cli_usage(ctx, "-o FILE.html is required (- for stdout)");
    if (points_text) {
        int64_t v;
        if ((rc = cli_parse_int(ctx, "--points", points_text, &v))) return rc;
        if (v < 3 || v > MLOPS_RUN_COMPARE_POINTS_MAX)
            return cli_usage(ctx, "--points must be in 3..%d", MLOPS_RUN_COMPARE_POINTS_MAX);
        a.o.max_points = (size_t)v;
    }
    if (x_text && strcmp(x_text, "step") == 0) a.o.x_axis = MLOPS_RUN_COMPARE_X_STEP;
    else if (x_text && strcmp(x_text, "time") == 0) a.o.x_axis = MLOPS_RUN_COMPARE_X_TIME;
    else if (x_text) return cli_usage(ctx, "--x is step or time, not '%s'", x_text);
    return cli_with_store(ctx, CLI_STORE_READ, runs_compare, &a);
}

/* ---- metric history ----------------------------------------------------------------- */

typedef struct history_args {
    mlops_history_opts ho;
    int as_json, as_csv;
} history_args;

static int metric_history(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const history_args *a = arg;
    mlops_metric_point *pts = NULL;
    size_t n = 0;
    int rc = mlops_metric_history(s, ctx->args[0], ctx->args[1], &a->ho, &pts, &n);
    if (rc) return cli_fail(ctx, rc, ctx->args[1]);
    if (a->as_csv) {
        printf("step,value,ts_ms\n");
        for (size_t i = 0; i < n; i++) {
            char val[40];
            cli_fmt_double(pts[i].value, val, sizeof val);
            printf("%lld,%s,%lld\n", (long long)pts[i].step, val, (long long)pts[i].ts_ms);
        }
        mlops_free(pts);
        return CLI_OK;
    }
    static const char *const h[] = { "STEP", "VALUE", "TIME" };
    static const int right[] = { 0, 1, -1 };
    listing out;
    listing_begin(&out, a->as_json, 3, h, right);
    for (size_t i = 0; i < n; i++) {
        json *j = listing_object(&out);
        if (j) {
            json_kv_int(j, "step", pts[i].step);
            json_kv_double(j, "value", pts[i].value);
            json_kv_int(j, "ts_ms", pts[i].ts_ms);
            json_end_object(j);
            continue;
        }
        char when[32];
        cli_fmt_time(pts[i].ts_ms, when, sizeof when);
        table_cellf(out.t, "%lld", (long long)pts[i].step);
        table_cellf(out.t, "%.10g", pts[i].value);
        table_cell(out.t, when);
    }
    listing_end(&out);
    mlops_free(pts);
    return CLI_OK;
}

static int cmd_metric_history(cli_ctx *ctx, int argc, char **argv)
{
    const char *buckets_text = NULL, *min_text = NULL, *max_text = NULL;
    history_args a = { MLOPS_HISTORY_OPTS_INIT, 0, 0 };
    int npos;
    const cli_opt opts[] = {
        { "json", 0, NULL, &a.as_json },
        { "csv", 0, NULL, &a.as_csv },
        { "buckets", 0, &buckets_text, NULL },
        { "min-step", 0, &min_text, NULL },
        { "max-step", 0, &max_text, NULL },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 5, 2, 2, &npos);
    if (rc) return rc;
    if (a.as_json && a.as_csv) return cli_usage(ctx, "--json and --csv exclude each other");
    int64_t v;
    if (buckets_text) {
        if ((rc = cli_parse_int(ctx, "--buckets", buckets_text, &v))) return rc;
        if (v < 1) return cli_usage(ctx, "--buckets must be at least 1");
        a.ho.buckets = (size_t)v;
    }
    if (min_text && (rc = cli_parse_int(ctx, "--min-step", min_text, &a.ho.step_min))) return rc;
    if (max_text && (rc = cli_parse_int(ctx, "--max-step", max_text, &a.ho.step_max))) return rc;
    return cli_with_store(ctx, CLI_STORE_READ, metric_history, &a);
}

const cli_command cli_record_commands[] = {
    { "exp", NULL, "", "Experiments: named groups of runs", "" },
    { "exp create", cmd_exp_create, "NAME", "Create an experiment; print its id",
      "Options:\n  --json                   print {\"id\": N}\n" },
    { "exp ls", cmd_exp_ls, "", "List experiments",
      "Options:\n"
      "  -a, --all                deleted ones too\n"
      "  --deleted                only deleted ones\n"
      "  --json                   print a JSON array\n" },
    { "run", NULL, "", "Runs: params, metrics, tags and lineage of one execution", "" },
    { "run start", cmd_run_start, "EXPERIMENT", "Start a run; print its id",
      "EXPERIMENT is a name or an id.\n\n"
      "Options:\n"
      "  -n, --name NAME          the run's name\n"
      "  --parent RUN             start a nested run under RUN\n"
      "  --git-commit HEX         record the source commit\n"
      "  --source TEXT            the program that ran (default \"mlops\")\n"
      "  --json                   print {\"run_id\": ..., \"experiment_id\": ...}\n" },
    { "run end", cmd_run_end, "RUN", "End a running run",
      "Options:\n  -s, --status STATUS      finished (default), failed or killed\n" },
    { "run show", cmd_run_show, "RUN", "Show a run: params, metrics, tags, lineage",
      "Options:\n  --json                   print JSON\n" },
    { "run ls", cmd_run_ls, "EXPERIMENT", "List an experiment's runs, newest first",
      "Options:\n"
      "  -a, --all                deleted runs too\n"
      "  --deleted                only deleted runs\n"
      "  --json                   print a JSON array\n" },
    { "run log-param", cmd_run_log_param, "RUN KEY VALUE | RUN KEY=VALUE...",
      "Log params (immutable once logged)",
      "Logs all the params in one transaction: all or none.\n" },
    { "run log-metric", cmd_run_log_metric, "RUN KEY VALUE", "Log one metric point",
      "Options:\n"
      "  --step N                 the step (default 0)\n"
      "  --time MS                the time in ms since the epoch (default now)\n" },
    { "runs", NULL, "", "Search runs across experiments", "" },
    { "runs search", cmd_runs_search, "[FILTER]", "Find runs by metrics, params, tags, attributes",
      "FILTER is in the search language (doc/search.md), e.g.\n"
      "  \"metrics.acc > 0.9 AND params.lr = '0.01'\"\n\n"
      "Options:\n"
      "  -o, --order-by ORDER     e.g. \"metrics.acc DESC\" (default: newest first)\n"
      "  -n, --limit N            at most N runs (default: all)\n"
      "  -e, --experiment E,...   only these experiments (names or ids)\n"
      "  -a, --all                deleted runs too\n"
      "  --deleted                only deleted runs\n"
      "  --json                   print a JSON array with everything about each run\n" },
    { "runs compare", cmd_runs_compare, "RUN... -o FILE.html",
      "Draw runs side by side as one HTML page",
      "Writes a self-contained page (no script, nothing fetched; doc/pages.md): each\n"
      "run's name, status and duration; one chart per metric with every run's curve\n"
      "on shared axes and a table of its numbers beside it; final, min and max values;\n"
      "params side by side with the differences marked. Long histories are\n"
      "downsampled with LTTB, as each chart says.\n\n"
      "Options:\n"
      "  -o, --output FILE        where to write the page (- for stdout)\n"
      "  --title TEXT             the page's title (default \"Run comparison\")\n"
      "  --points N               points drawn per curve at most (default 1000)\n"
      "  --x step|time            x axis: the step (default) or time since each run started\n" },
    { "metric", NULL, "", "Metric time series", "" },
    { "metric history", cmd_metric_history, "RUN KEY", "Print the points of one metric",
      "Options:\n"
      "  --csv                    print CSV: step,value,ts_ms\n"
      "  --json                   print a JSON array\n"
      "  --min-step N, --max-step N   only steps in this range\n"
      "  --buckets N              downsample: the min and max point per bucket of steps\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
