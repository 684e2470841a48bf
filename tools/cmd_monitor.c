/*
 * Monitors (doc/monitoring.md): `monitor create`, `ingest`, `check`,
 * `series`, `ls`, `rm` over include/mlops/monitor.h.
 */
#include "cli.h"
#include "dataset.h"
#include "drift_input.h"
#include "dsprofile.h"
#include "json.h"
#include "table.h"
#include "timestamp.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "90s", "30m", "1h", "2d", "1500ms" or plain milliseconds. */
static int parse_duration(const cli_ctx *ctx, const char *what, const char *text, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    int64_t unit = 1;
    if (end == text || v < 0 || errno) goto bad;
    if (!strcmp(end, "") || !strcmp(end, "ms")) unit = 1;
    else if (!strcmp(end, "s")) unit = 1000;
    else if (!strcmp(end, "m")) unit = 60000;
    else if (!strcmp(end, "h")) unit = 3600000;
    else if (!strcmp(end, "d")) unit = 86400000;
    else goto bad;
    if (v > INT64_MAX / unit) goto bad;
    *out = (int64_t)v * unit;
    return CLI_OK;
bad:
    return cli_usage(ctx, "%s: '%s' is not a duration (e.g. 90s, 30m, 1h, 2d)", what, text);
}

/* ---- monitor create -------------------------------------------------------------------- */

typedef struct create_args {
    const char *reference, *window, *alert, *columns, *model, *lateness, *min_rows;
    const char *window_rows, *task, *prediction_column, *label_column, *id_column, *performance,
        *min_labels;
} create_args;

/* The settings of mlops_monitor_create_ex from the flags. */
static int parse_ext(const cli_ctx *ctx, const create_args *a, mlops_monitor_spec *sp, mlops_monitor_ext *x)
{
    int rc;
    int64_t v;
    if (a->window_rows) {
        if ((rc = cli_parse_int(ctx, "--window-rows", a->window_rows, &v))) return rc;
        if (v < 1) return cli_usage(ctx, "--window-rows must be at least 1");
        x->window_rows = (uint64_t)v;
        sp->window_kind = MLOPS_MONITOR_WINDOW_ROWS;
    }
    if (a->task) {
        if (!strcmp(a->task, "classification")) x->task = MLOPS_MONITOR_TASK_CLASSIFICATION;
        else if (!strcmp(a->task, "regression")) x->task = MLOPS_MONITOR_TASK_REGRESSION;
        else return cli_usage(ctx, "--task: '%s' is not classification or regression", a->task);
    }
    x->prediction_column = a->prediction_column;
    x->label_column = a->label_column;
    x->id_column = a->id_column;
    x->performance = a->performance;
    if (a->min_labels) {
        if ((rc = cli_parse_int(ctx, "--min-labels", a->min_labels, &v))) return rc;
        if (v < 1) return cli_usage(ctx, "--min-labels must be at least 1");
        x->min_labels = (uint64_t)v;
    }
    return CLI_OK;
}

/* The id and label columns are never monitored (the prediction may be). */
static int not_monitored(const create_args *a, const char *name)
{
    const char *label = a->label_column ? a->label_column : a->task ? "label" : NULL;
    return (a->id_column && !strcmp(a->id_column, name)) || (label && !strcmp(label, name));
}

static int selected(const char *columns, const char *name)
{
    if (!columns) return 1;
    size_t n = strlen(name);
    for (const char *p = columns; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && !strncmp(p, name, n)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

/* The reference as a dataset profile: a CSV profiled now (a column is
 * numeric when every present cell is a number), or a stored one. */
static int load_reference(const cli_ctx *ctx, mlops_store *s, const char *text, dsprofile *p)
{
    size_t tl = strlen(text);
    if (tl < 4 || strcmp(text + tl - 4, ".csv")) {
        char digest[MLOPS_DIGEST_STRLEN];
        return drift_load_profile(ctx, s, text, p, digest);
    }
    loaded data;
    int rc = load_csv(ctx, text, &data);
    if (rc) return rc;
    const csv_table *t = data.table;
    p->rows = t->nrows;
    p->cols = calloc(t->ncols ? t->ncols : 1, sizeof *p->cols);
    double *v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
    if (!p->cols || !v) rc = cli_error(ctx, "out of memory");
    for (size_t c = 0; !rc && c < t->ncols; c++) {
        int numeric = 1;
        for (size_t r = 0; r < t->nrows && numeric; r++) {
            const char *cell = t->cells[r * t->ncols + c];
            if (!cell) v[r] = NAN;
            else numeric = ds_parse_number(cell, &v[r]);
        }
        dsprofile_column *pc = &p->cols[p->ncols++];
        pc->name = strdup(t->header[c]);
        pc->kind = numeric ? MLOPS_PROFILE_NUMERIC : MLOPS_PROFILE_CATEGORICAL;
        if (!pc->name) {
            rc = cli_error(ctx, "out of memory");
            break;
        }
        int lrc = mlops_profile_new(pc->kind, NULL, &pc->profile);
        if (!lrc && numeric) lrc = mlops_profile_add(pc->profile, v, t->nrows);
        for (size_t r = 0; !lrc && !numeric && r < t->nrows; r++)
            lrc = mlops_profile_add_strings(pc->profile, &t->cells[r * t->ncols + c], 1);
        if (lrc) rc = cli_fail(ctx, lrc, pc->name);
    }
    free(v);
    unload(&data);
    return rc;
}

static int monitor_create(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const create_args *a = arg;
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    int rc;
    if ((rc = parse_ext(ctx, a, &sp, &x))) return rc;
    if (a->window && (rc = parse_duration(ctx, "--window", a->window, &sp.window_ms))) return rc;
    if (a->lateness && (rc = parse_duration(ctx, "--lateness", a->lateness, &sp.lateness_ms))) return rc;
    unsigned m = 0, n = 0;
    char tail = 0;
    if (sscanf(a->alert, "%u/%u%c", &m, &n, &tail) != 2)
        return cli_usage(ctx, "--alert: '%s' is not M/N (e.g. 3/5: 3 of the last 5 judged windows)", a->alert);
    sp.alert_m = m;
    sp.alert_n = n;
    if (a->min_rows) {
        int64_t v;
        if ((rc = cli_parse_int(ctx, "--min-rows", a->min_rows, &v))) return rc;
        if (v < 1) return cli_usage(ctx, "--min-rows must be at least 1");
        sp.min_rows = (uint64_t)v;
    }
    sp.model = a->model;
    dsprofile prof;
    memset(&prof, 0, sizeof prof);
    if ((rc = load_reference(ctx, s, a->reference, &prof))) {
        dsprofile_clear(&prof);
        return rc;
    }
    mlops_monitor_column *cols = calloc(prof.ncols ? prof.ncols : 1, sizeof *cols);
    size_t nc = 0;
    if (!cols) rc = cli_error(ctx, "out of memory");
    for (size_t i = 0; !rc && i < prof.ncols; i++) {
        if (!selected(a->columns, prof.cols[i].name) || (!a->columns && not_monitored(a, prof.cols[i].name)))
            continue;
        mlops_monitor_column *c = &cols[nc++];
        c->name = prof.cols[i].name;
        c->method = MLOPS_DRIFT_METHOD_AUTO;
        c->threshold = NAN;
        int lrc = mlops_profile_put(s, prof.cols[i].profile, &c->reference);
        if (lrc) rc = cli_fail(ctx, lrc, "cannot store a reference profile");
    }
    if (!rc && a->columns)
        for (const char *p = a->columns; *p;) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            size_t k = 0;
            while (k < nc && !(strlen(cols[k].name) == len && !strncmp(cols[k].name, p, len))) k++;
            if (k == nc) {
                rc = cli_error(ctx, "--columns: '%.*s' is not a column of the reference", (int)len, p);
                break;
            }
            if (!e) break;
            p = e + 1;
        }
    if (!rc && nc == 0) rc = cli_error(ctx, "the reference has no column to monitor");
    sp.n_columns = nc;
    sp.columns = cols;
    if (!rc) {
        int lrc = mlops_monitor_create_ex(s, ctx->args[0], &sp, &x);
        char rows[64];
        if (a->window_rows) snprintf(rows, sizeof rows, "%s-row", a->window_rows);
        if (lrc) rc = cli_fail(ctx, lrc, "cannot create the monitor");
        else printf("monitor %s: %zu columns, %s windows, alert %u of %u%s%s\n", ctx->args[0], nc,
                    a->window_rows ? rows : a->window, m, n, a->performance ? "; breach: " : "",
                    a->performance ? a->performance : "");
    }
    free(cols);
    dsprofile_clear(&prof);
    return rc;
}

static int cmd_monitor_create(cli_ctx *ctx, int argc, char **argv)
{
    create_args a = { 0 };
    const cli_opt opts[] = {
        { "reference", 0, &a.reference, NULL }, { "window", 0, &a.window, NULL },
        { "alert", 0, &a.alert, NULL },         { "columns", 0, &a.columns, NULL },
        { "model", 0, &a.model, NULL },         { "lateness", 0, &a.lateness, NULL },
        { "min-rows", 0, &a.min_rows, NULL },   { "window-rows", 0, &a.window_rows, NULL },
        { "task", 0, &a.task, NULL },           { "prediction-column", 0, &a.prediction_column, NULL },
        { "label-column", 0, &a.label_column, NULL }, { "id-column", 0, &a.id_column, NULL },
        { "performance", 0, &a.performance, NULL }, { "min-labels", 0, &a.min_labels, NULL },
    };
    int npos = 0;
    int rc = cli_parse(ctx, argc, argv, opts, sizeof opts / sizeof opts[0], 1, 1, &npos);
    if (rc) return rc;
    if (!a.reference || (!a.window == !a.window_rows) || !a.alert)
        return cli_usage(ctx, "--reference, --alert and one of --window and --window-rows are required");
    return cli_with_store(ctx, CLI_STORE_WRITE, monitor_create, &a);
}

/* ---- monitor ingest --------------------------------------------------------------------- */

typedef struct ingest_args {
    const char *time_column, *id_column;
} ingest_args;

static int monitor_ingest(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const ingest_args *a = arg;
    const char *name = ctx->args[0], *path = ctx->args[1];
    mlops_monitor *m = NULL;
    int rc = mlops_monitor_get(s, name, &m);
    if (rc) return cli_fail(ctx, rc, name);
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    mlops_monitor_spec_get(m, &sp);
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    mlops_monitor_ext_get(m, &x);
    int rows_windows = sp.window_kind == MLOPS_MONITOR_WINDOW_ROWS;
    if (!rows_windows && !a->time_column) {
        mlops_monitor_free(m);
        return cli_usage(ctx, "--time-column is required (the monitor has time windows)");
    }
    loaded data;
    if ((rc = load_csv(ctx, path, &data))) {
        mlops_monitor_free(m);
        return rc;
    }
    const csv_table *t = data.table;
    size_t nr = t->nrows, nc = sp.n_columns;
    long tc = a->time_column ? csv_column(t, a->time_column) : -1;
    /* with a task: the ids (as text) and, when not monitored, the predictions */
    const char *id_csv = a->id_column ? a->id_column : x.id_column;
    long idc = id_csv ? csv_column(t, id_csv) : -1;
    int pred_extra = x.task != MLOPS_MONITOR_TASK_NONE;
    for (size_t i = 0; pred_extra && i < nc; i++)
        if (!strcmp(sp.columns[i].name, x.prediction_column)) pred_extra = 0;
    size_t extra = (x.task != MLOPS_MONITOR_TASK_NONE) + (size_t)pred_extra;
    nc += extra;
    int64_t *times = malloc((nr ? nr : 1) * sizeof *times);
    const char **names = calloc(nc, sizeof *names);
    const double **num = calloc(nc, sizeof *num);
    const char *const **str = calloc(nc, sizeof *str);
    double *vals = malloc((nr ? nr : 1) * nc * sizeof *vals);
    const char **svals = malloc((nr ? nr : 1) * nc * sizeof *svals);
    if (!times || !names || !num || !str || !vals || !svals) rc = cli_error(ctx, "out of memory");
    else if (a->time_column && tc < 0) rc = cli_error(ctx, "%s has no column '%s' (--time-column)", path, a->time_column);
    else if (id_csv && idc < 0) rc = cli_error(ctx, "%s has no id column '%s'", path, id_csv);
    for (size_t r = 0; !rc && tc >= 0 && r < nr; r++) {
        const char *cell = t->cells[r * t->ncols + (size_t)tc];
        if (!cell || ts_parse(cell, &times[r]))
            rc = cli_error(ctx, "%s line %zu: '%.40s' is not a time (ISO 8601 UTC or epoch milliseconds)",
                           path, t->lines[r], cell ? cell : "");
    }
    /* the kinds: a numeric reference reads numbers, a categorical one strings */
    mlops_profile *ref = NULL;
    for (size_t i = 0; !rc && i < nc; i++) {
        size_t k = i - (nc - extra); /* the extra columns: the id, then the prediction */
        names[i] = i < sp.n_columns ? sp.columns[i].name : k == 0 ? x.id_column : x.prediction_column;
        long c = i < sp.n_columns || k > 0 ? csv_column(t, names[i]) : idc;
        if (c < 0) {
            rc = cli_error(ctx, "%s has no column '%s' (the monitor's)", path, names[i]);
            break;
        }
        int numeric;
        if (i < sp.n_columns) {
            int lrc = mlops_profile_get(s, &sp.columns[i].reference, &ref);
            if (lrc) {
                rc = cli_fail(ctx, lrc, "cannot read a reference profile");
                break;
            }
            numeric = mlops_profile_kind(ref) == MLOPS_PROFILE_NUMERIC;
            mlops_profile_free(ref);
            ref = NULL;
        } else {
            numeric = k > 0 && x.task == MLOPS_MONITOR_TASK_REGRESSION;
        }
        double *v = vals + i * nr;
        const char **sv = svals + i * nr;
        for (size_t r = 0; r < nr; r++) {
            const char *cell = t->cells[r * t->ncols + (size_t)c];
            sv[r] = cell;
            if (!numeric) continue;
            if (!cell) v[r] = NAN;
            else if (!ds_parse_number(cell, &v[r])) {
                rc = cli_error(ctx, "%s line %zu, column '%s': '%.40s' is not a number", path, t->lines[r],
                               names[i], cell);
                break;
            }
        }
        if (numeric) num[i] = v;
        else str[i] = sv;
    }
    if (!rc) {
        mlops_monitor_ingest_result res = MLOPS_MONITOR_INGEST_RESULT_INIT;
        int lrc = mlops_monitor_ingest(s, name, nr, tc >= 0 ? times : NULL, nc, names, num, str, NULL, &res);
        if (lrc) rc = cli_fail(ctx, lrc, "cannot ingest");
        else
            printf("%llu rows into %llu windows (%llu late: merged, not judged again)\n",
                   (unsigned long long)res.rows, (unsigned long long)res.windows,
                   (unsigned long long)res.late_rows);
    }
    free(times);
    free(names);
    free(num);
    free(str);
    free(vals);
    free(svals);
    unload(&data);
    mlops_monitor_free(m);
    return rc;
}

static int cmd_monitor_ingest(cli_ctx *ctx, int argc, char **argv)
{
    ingest_args a = { 0 };
    const cli_opt opts[] = { { "time-column", 0, &a.time_column, NULL }, { "id-column", 0, &a.id_column, NULL } };
    int npos = 0;
    int rc = cli_parse(ctx, argc, argv, opts, 2, 2, 2, &npos);
    if (rc) return rc;
    return cli_with_store(ctx, CLI_STORE_WRITE, monitor_ingest, &a);
}

/* ---- monitor labels ------------------------------------------------------------------------ */

typedef struct labels_args {
    const char *id_column, *label_column;
} labels_args;

static int monitor_labels(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const labels_args *a = arg;
    const char *name = ctx->args[0], *path = ctx->args[1];
    mlops_monitor *m = NULL;
    int rc = mlops_monitor_get(s, name, &m);
    if (rc) return cli_fail(ctx, rc, name);
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    mlops_monitor_ext_get(m, &x);
    const char *idn = a->id_column ? a->id_column : x.id_column;
    const char *ln = a->label_column ? a->label_column : x.label_column ? x.label_column : "label";
    int regression = x.task == MLOPS_MONITOR_TASK_REGRESSION;
    loaded data;
    if (x.task == MLOPS_MONITOR_TASK_NONE) rc = cli_error(ctx, "monitor %s has no task: it takes no labels", name);
    else rc = load_csv(ctx, path, &data);
    if (rc) {
        mlops_monitor_free(m);
        return rc;
    }
    const csv_table *t = data.table;
    size_t nr = t->nrows;
    long ic = csv_column(t, idn), lc = csv_column(t, ln);
    const char **ids = malloc((nr ? nr : 1) * sizeof *ids);
    const char **labs = malloc((nr ? nr : 1) * sizeof *labs);
    double *y = malloc((nr ? nr : 1) * sizeof *y);
    size_t n = 0;
    if (!ids || !labs || !y) rc = cli_error(ctx, "out of memory");
    else if (ic < 0) rc = cli_error(ctx, "%s has no id column '%s'", path, idn);
    else if (lc < 0) rc = cli_error(ctx, "%s has no label column '%s'", path, ln);
    for (size_t r = 0; !rc && r < nr; r++) {
        const char *id = t->cells[r * t->ncols + (size_t)ic], *lab = t->cells[r * t->ncols + (size_t)lc];
        if (!id || !lab) continue; /* a row without its id or label says nothing */
        ids[n] = id;
        labs[n] = lab;
        if (regression && !ds_parse_number(lab, &y[n]))
            rc = cli_error(ctx, "%s line %zu: label '%.40s' is not a number", path, t->lines[r], lab);
        n++;
    }
    if (!rc) {
        mlops_monitor_labels_result res = MLOPS_MONITOR_LABELS_RESULT_INIT;
        int lrc = mlops_monitor_labels_ingest(s, name, n, ids, regression ? y : NULL, regression ? NULL : labs, &res);
        if (lrc) rc = cli_fail(ctx, lrc, "cannot ingest labels");
        else
            printf("%llu labels joined into %llu windows (%llu of judged windows: metrics updated, "
                   "judgments kept); %llu unknown ids, %llu duplicates ignored\n",
                   (unsigned long long)res.matched, (unsigned long long)res.windows,
                   (unsigned long long)res.late_labels, (unsigned long long)res.unknown_ids,
                   (unsigned long long)res.duplicates);
    }
    free(ids);
    free(labs);
    free(y);
    unload(&data);
    mlops_monitor_free(m);
    return rc;
}

static int cmd_monitor_labels(cli_ctx *ctx, int argc, char **argv)
{
    labels_args a = { 0 };
    const cli_opt opts[] = { { "id-column", 0, &a.id_column, NULL }, { "label-column", 0, &a.label_column, NULL } };
    int npos = 0;
    int rc = cli_parse(ctx, argc, argv, opts, 2, 2, 2, &npos);
    if (rc) return rc;
    return cli_with_store(ctx, CLI_STORE_WRITE, monitor_labels, &a);
}

/* ---- monitor check ------------------------------------------------------------------------ */

typedef struct check_args {
    const char *at;
    int as_json;
    int firing;
    int error;
} check_args;

static const char *window_state(int st)
{
    switch (st) {
    case MLOPS_MONITOR_WINDOW_CLEAR: return "clear";
    case MLOPS_MONITOR_WINDOW_BREACH: return "breach";
    case MLOPS_MONITOR_WINDOW_NOT_ENOUGH_DATA: return "not_enough_data";
    case MLOPS_MONITOR_WINDOW_LATE: return "late";
    default: return "open";
    }
}

static const char *state_name(int st)
{
    return st == MLOPS_MONITOR_FIRING ? "firing" : st == MLOPS_MONITOR_PENDING ? "pending" : "inactive";
}

static int monitor_check(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    check_args *a = arg;
    const char *name = ctx->args[0];
    mlops_monitor_check_opts o = MLOPS_MONITOR_CHECK_OPTS_INIT;
    if (a->at && ts_parse(a->at, &o.now_ms)) {
        a->error = CLI_USAGE;
        return cli_usage(ctx, "--at: '%s' is not a time (ISO 8601 UTC or epoch milliseconds)", a->at);
    }
    if (a->at && o.now_ms <= 0) {
        a->error = CLI_USAGE;
        return cli_usage(ctx, "--at must be after 1970");
    }
    mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
    int rc = mlops_monitor_check(s, name, &o, &st);
    if (rc) {
        a->error = CLI_ERROR;
        return cli_fail(ctx, rc, name);
    }
    mlops_monitor *m = NULL;
    mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
    if ((rc = mlops_monitor_get(s, name, &m)) == MLOPS_OK) mlops_monitor_spec_get(m, &sp);
    if (rc) {
        a->error = CLI_ERROR;
        return cli_fail(ctx, rc, name);
    }
    mlops_monitor_event *ev = NULL;
    size_t nev = 0;
    mlops_monitor_events_opts eo = MLOPS_MONITOR_EVENTS_OPTS_INIT;
    eo.after_seq = st.last_event_seq > 0 ? st.last_event_seq - 1 : 0;
    if (st.last_event_seq > 0 && (rc = mlops_monitor_events(s, name, &eo, &ev, &nev))) {
        mlops_monitor_free(m);
        a->error = CLI_ERROR;
        return cli_fail(ctx, rc, name);
    }
    /* why, with a performance condition: the windows the rule looked at */
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    mlops_monitor_ext_get(m, &x);
    mlops_monitor_series *recent = NULL;
    if (x.performance && st.judged_to_ms != INT64_MIN) {
        int64_t span = sp.window_ms * (int64_t)sp.alert_n;
        if (mlops_monitor_series_get(s, name, st.judged_to_ms - span, st.judged_to_ms, &recent)) recent = NULL;
    }
    char judged[64] = "never", since[64] = "";
    if (st.judged_to_ms != INT64_MIN && sp.window_kind == MLOPS_MONITOR_WINDOW_ROWS)
        snprintf(judged, sizeof judged, "row %lld", (long long)st.judged_to_ms);
    else if (st.judged_to_ms != INT64_MIN) cli_fmt_time(st.judged_to_ms, judged, sizeof judged);
    if (nev) cli_fmt_time(ev[0].window_end_ms, since, sizeof since);
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "monitor", name);
        json_kv_string(&j, "state", state_name(st.state));
        json_kv_bool(&j, "firing", st.state == MLOPS_MONITOR_FIRING);
        if (st.judged_to_ms != INT64_MIN) json_kv_int(&j, "judged_to_ms", st.judged_to_ms);
        else json_kv_string(&j, "judged_to_ms", NULL);
        json_kv_uint(&j, "windows_judged", st.windows_judged);
        json_kv_uint(&j, "breaches", st.breaches);
        json_kv_uint(&j, "considered", st.considered);
        json_kv_uint(&j, "alert_m", sp.alert_m);
        json_kv_uint(&j, "alert_n", sp.alert_n);
        json_kv_int(&j, "last_event_seq", st.last_event_seq);
        if (x.performance) {
            json_kv_string(&j, "breach", x.performance);
            json_key(&j, "recent");
            json_begin_array(&j);
            for (size_t i = 0; recent && i < mlops_monitor_series_count(recent); i++) {
                mlops_monitor_window w;
                mlops_monitor_performance p = MLOPS_MONITOR_PERFORMANCE_INIT;
                mlops_monitor_series_window(recent, i, &w);
                mlops_monitor_series_performance(recent, i, &p);
                if (w.state == MLOPS_MONITOR_WINDOW_OPEN || w.state == MLOPS_MONITOR_WINDOW_LATE) continue;
                json_begin_object(&j);
                json_kv_int(&j, "window_start_ms", w.start_ms);
                json_kv_string(&j, "state", window_state(w.state));
                json_kv_double(&j, "judged_value", p.judged_value);
                json_kv_uint(&j, "judged_labels", p.judged_labels);
                json_end_object(&j);
            }
            json_end_array(&j);
        }
        if (nev) {
            json_key(&j, "last_event");
            json_begin_object(&j);
            json_kv_string(&j, "kind", ev[0].kind == MLOPS_MONITOR_EVENT_FIRING ? "firing" : "resolved");
            json_kv_int(&j, "window_start_ms", ev[0].window_start_ms);
            json_kv_int(&j, "window_end_ms", ev[0].window_end_ms);
            json_end_object(&j);
        }
        json_end_object(&j);
        json_finish(&j);
    } else {
        printf("%s: %s; %u of the last %u judged windows in breach (the rule: %u of %u); decided up to %s\n",
               name, state_name(st.state), st.breaches, st.considered, sp.alert_m, sp.alert_n, judged);
        if (nev)
            printf("last event: %s at the window ending %s\n",
                   ev[0].kind == MLOPS_MONITOR_EVENT_FIRING ? "firing" : "resolved", since);
        if (x.performance) printf("breach: %s\n", x.performance);
        for (size_t i = 0; recent && i < mlops_monitor_series_count(recent); i++) {
            mlops_monitor_window w;
            mlops_monitor_performance p = MLOPS_MONITOR_PERFORMANCE_INIT;
            mlops_monitor_series_window(recent, i, &w);
            mlops_monitor_series_performance(recent, i, &p);
            if (w.state == MLOPS_MONITOR_WINDOW_OPEN || w.state == MLOPS_MONITOR_WINDOW_LATE) continue;
            char ws[64];
            if (sp.window_kind == MLOPS_MONITOR_WINDOW_ROWS) snprintf(ws, sizeof ws, "rows %lld", (long long)w.start_ms);
            else cli_fmt_time(w.start_ms, ws, sizeof ws);
            printf("  window %s: %s, %.6g with %llu labels when judged\n", ws, window_state(w.state),
                   p.judged_value, (unsigned long long)p.judged_labels);
        }
    }
    mlops_monitor_series_free(recent);
    mlops_free(ev);
    mlops_monitor_free(m);
    a->firing = st.state == MLOPS_MONITOR_FIRING;
    return CLI_OK;
}

static int cmd_monitor_check(cli_ctx *ctx, int argc, char **argv)
{
    check_args a = { 0 };
    const cli_opt opts[] = { { "at", 0, &a.at, NULL }, { "json", 0, NULL, &a.as_json } };
    int npos = 0;
    int rc = cli_parse(ctx, argc, argv, opts, 2, 1, 1, &npos);
    if (rc) return rc;
    rc = cli_with_store(ctx, CLI_STORE_WRITE, monitor_check, &a);
    if (rc == CLI_OK) {
        /* exit 1 means firing: a status that could not be written is an
         * error (3) when quiet */
        rc = cli_check_output(ctx, CLI_OK, CLI_ERROR);
        return a.firing ? CLI_FAIL : rc;
    }
    if (a.error) return a.error;
    return rc == CLI_USAGE ? CLI_USAGE : CLI_ERROR;
}

/* ---- monitor series ------------------------------------------------------------------------ */

typedef struct series_args {
    const char *from, *to;
    int as_json, as_csv;
} series_args;

/* ",NAME.SUFFIX" as one CSV field: quoted (quotes doubled) when the
 * column's name holds a comma, a quote or a line break, as it may (a
 * reference's header is CSV too). */
static void csv_header_field(const char *name, const char *suffix)
{
    if (!strpbrk(name, ",\"\r\n")) {
        printf(",%s.%s", name, suffix);
        return;
    }
    fputs(",\"", stdout);
    for (const char *p = name; *p; p++) {
        if (*p == '"') putchar('"');
        putchar(*p);
    }
    printf(".%s\"", suffix);
}

static int monitor_series(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const series_args *a = arg;
    int64_t from = INT64_MIN, to = INT64_MAX;
    if (a->from && ts_parse(a->from, &from)) return cli_usage(ctx, "--from: '%s' is not a time", a->from);
    if (a->to && ts_parse(a->to, &to)) return cli_usage(ctx, "--to: '%s' is not a time", a->to);
    mlops_monitor_series *sr = NULL;
    mlops_monitor *m = NULL;
    int rc = mlops_monitor_get(s, ctx->args[0], &m);
    mlops_monitor_ext x = MLOPS_MONITOR_EXT_INIT;
    if (!rc) rc = mlops_monitor_ext_get(m, &x);
    int task = x.task;
    mlops_monitor_free(m);
    if (!rc) rc = mlops_monitor_series_get(s, ctx->args[0], from, to, &sr);
    if (rc) return cli_fail(ctx, rc, ctx->args[0]);
    size_t n = mlops_monitor_series_count(sr), nc = mlops_monitor_series_columns(sr);
    static const char *const class_names[] = { "accuracy", "balanced_accuracy", "f1_macro", NULL };
    static const char *const reg_names[] = { "mae", "mse", "rmse", "r2", "mean_error", NULL };
    const char *const *metric_names = task == MLOPS_MONITOR_TASK_CLASSIFICATION ? class_names
                                      : task == MLOPS_MONITOR_TASK_REGRESSION   ? reg_names
                                                                                : NULL;
    json j;
    if (a->as_json) {
        json_init(&j, stdout);
        json_begin_array(&j);
    } else {
        printf(a->as_csv ? "start_ms,end_ms,rows,state,share_drifted" : "%-24s %8s  %-15s %7s",
               "START", "ROWS", "STATE", "SHARE");
        for (size_t c = 0; c < nc; c++) {
            const char *cn = mlops_monitor_series_column_name(sr, c);
            if (a->as_csv) {
                csv_header_field(cn, "statistic");
                csv_header_field(cn, "p_value");
                csv_header_field(cn, "drifted");
            } else {
                printf(" %12.12s", cn);
            }
        }
        if (metric_names) {
            printf(a->as_csv ? ",labels" : " %8s", "LABELS");
            for (const char *const *mn = metric_names; *mn; mn++)
                if (a->as_csv) printf(",%s", *mn);
                else printf(" %10.10s", *mn);
            printf(a->as_csv ? ",judged_value,judged_labels" : "");
        }
        printf("\n");
    }
    for (size_t i = 0; i < n; i++) {
        mlops_monitor_window w;
        mlops_monitor_series_window(sr, i, &w);
        if (a->as_json) {
            json_begin_object(&j);
            json_kv_int(&j, "start_ms", w.start_ms);
            json_kv_int(&j, "end_ms", w.end_ms);
            json_kv_uint(&j, "rows", w.rows);
            json_kv_uint(&j, "judged_rows", w.judged_rows);
            json_kv_string(&j, "state", window_state(w.state));
            json_kv_double(&j, "share_drifted", w.share_drifted);
            json_key(&j, "columns");
            json_begin_object(&j);
        } else if (a->as_csv) {
            char share[64] = "";
            if (!isnan(w.share_drifted)) snprintf(share, sizeof share, "%.17g", w.share_drifted);
            printf("%lld,%lld,%llu,%s,%s", (long long)w.start_ms, (long long)w.end_ms,
                   (unsigned long long)w.rows, window_state(w.state), share);
        } else {
            char t[64];
            cli_fmt_time(w.start_ms, t, sizeof t);
            printf("%-24s %8llu  %-15s %7.2f", t, (unsigned long long)w.rows, window_state(w.state),
                   w.share_drifted);
        }
        for (size_t c = 0; c < nc; c++) {
            mlops_monitor_window_column cell;
            mlops_monitor_series_cell(sr, i, c, &cell);
            if (a->as_json) {
                json_key(&j, mlops_monitor_series_column_name(sr, c));
                json_begin_object(&j);
                json_kv_double(&j, "statistic", cell.statistic);
                json_kv_double(&j, "p_value", cell.p_value);
                if (cell.drifted < 0) json_kv_string(&j, "drifted", NULL);
                else json_kv_bool(&j, "drifted", cell.drifted);
                json_end_object(&j);
            } else if (a->as_csv) {
                char st[64] = "", pv[64] = "";
                if (!isnan(cell.statistic)) snprintf(st, sizeof st, "%.17g", cell.statistic);
                if (!isnan(cell.p_value)) snprintf(pv, sizeof pv, "%.17g", cell.p_value);
                printf(",%s,%s,%s", st, pv, cell.drifted < 0 ? "" : cell.drifted ? "1" : "0");
            } else {
                printf(" %11.4g%s", cell.statistic, cell.drifted > 0 ? "*" : " ");
            }
        }
        if (a->as_json) json_end_object(&j); /* columns */
        if (metric_names) {
            mlops_monitor_performance p = MLOPS_MONITOR_PERFORMANCE_INIT;
            mlops_monitor_series_performance(sr, i, &p);
            double vals[5] = { p.accuracy, p.balanced_accuracy, p.f1_macro, NAN, NAN };
            if (task == MLOPS_MONITOR_TASK_REGRESSION) {
                vals[0] = p.mae;
                vals[1] = p.mse;
                vals[2] = p.rmse;
                vals[3] = p.r2;
                vals[4] = p.mean_error;
            }
            if (a->as_json) {
                json_key(&j, "performance");
                json_begin_object(&j);
                json_kv_uint(&j, "labels", p.labels);
                for (size_t k = 0; metric_names[k]; k++) json_kv_double(&j, metric_names[k], vals[k]);
                json_kv_double(&j, "judged_value", p.judged_value);
                json_kv_uint(&j, "judged_labels", p.judged_labels);
                json_end_object(&j);
            } else if (a->as_csv) {
                printf(",%llu", (unsigned long long)p.labels);
                for (size_t k = 0; metric_names[k]; k++) {
                    if (isnan(vals[k])) printf(",");
                    else printf(",%.17g", vals[k]);
                }
                if (isnan(p.judged_value)) printf(",,%llu", (unsigned long long)p.judged_labels);
                else printf(",%.17g,%llu", p.judged_value, (unsigned long long)p.judged_labels);
            } else {
                printf(" %8llu", (unsigned long long)p.labels);
                for (size_t k = 0; metric_names[k]; k++) printf(" %10.4g", vals[k]);
            }
        }
        if (a->as_json) json_end_object(&j);
        else printf("\n");
    }
    if (a->as_json) {
        json_end_array(&j);
        json_finish(&j);
    }
    mlops_monitor_series_free(sr);
    return CLI_OK;
}

static int cmd_monitor_series(cli_ctx *ctx, int argc, char **argv)
{
    series_args a = { 0 };
    const cli_opt opts[] = { { "from", 0, &a.from, NULL }, { "to", 0, &a.to, NULL },
                             { "json", 0, NULL, &a.as_json }, { "csv", 0, NULL, &a.as_csv } };
    int npos = 0;
    int rc = cli_parse(ctx, argc, argv, opts, 4, 1, 1, &npos);
    if (rc) return rc;
    if (a.as_json && a.as_csv) return cli_usage(ctx, "--json and --csv exclude each other");
    return cli_with_store(ctx, CLI_STORE_READ, monitor_series, &a);
}

/* ---- monitor page ---------------------------------------------------------------------------- */

typedef struct page_args {
    mlops_monitor_page_opts o;
    const char *out, *from, *to;
} page_args;

static int monitor_page(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const page_args *a = arg;
    char *html = NULL;
    int rc = mlops_monitor_page_html(s, ctx->args[0], &a->o, &html);
    if (rc) return cli_fail(ctx, rc, "cannot write the monitor page");
    rc = cli_write_output(ctx, a->out, html);
    mlops_free(html);
    return rc;
}

static int cmd_monitor_page(cli_ctx *ctx, int argc, char **argv)
{
    page_args a = { MLOPS_MONITOR_PAGE_OPTS_INIT, NULL, NULL, NULL };
    const char *points = NULL;
    const cli_opt opts[] = { { "output", 'o', &a.out, NULL }, { "title", 0, &a.o.title, NULL },
                             { "from", 0, &a.from, NULL },    { "to", 0, &a.to, NULL },
                             { "points", 0, &points, NULL } };
    int npos = 0;
    int rc = cli_parse(ctx, argc, argv, opts, 5, 1, 1, &npos);
    if (rc) return rc;
    if (!a.out) return cli_usage(ctx, "-o FILE.html is required (- for stdout)");
    if (a.from && ts_parse(a.from, &a.o.from_ms)) return cli_usage(ctx, "--from: '%s' is not a time", a.from);
    if (a.to && ts_parse(a.to, &a.o.to_ms)) return cli_usage(ctx, "--to: '%s' is not a time", a.to);
    if (a.o.from_ms >= a.o.to_ms) return cli_usage(ctx, "--from must be before --to");
    if (points) {
        int64_t v = 0;
        if ((rc = cli_parse_int(ctx, "--points", points, &v))) return rc;
        if (v < 3 || v > MLOPS_MONITOR_PAGE_POINTS_MAX)
            return cli_usage(ctx, "--points must be in 3..%d", MLOPS_MONITOR_PAGE_POINTS_MAX);
        a.o.max_points = (size_t)v;
    }
    return cli_with_store(ctx, CLI_STORE_READ, monitor_page, &a);
}

/* ---- monitor ls, rm -------------------------------------------------------------------------- */

static int monitor_ls(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    int as_json = *(int *)arg;
    mlops_monitors *l = NULL;
    int rc = mlops_monitor_list(s, &l);
    if (rc) return cli_fail(ctx, rc, "cannot list monitors");
    json j;
    if (as_json) {
        json_init(&j, stdout);
        json_begin_array(&j);
    }
    for (size_t i = 0; i < mlops_monitors_count(l); i++) {
        const mlops_monitor *m = mlops_monitors_at(l, i);
        mlops_monitor_spec sp = MLOPS_MONITOR_SPEC_INIT;
        mlops_monitor_status st = MLOPS_MONITOR_STATUS_INIT;
        mlops_monitor_spec_get(m, &sp);
        mlops_monitor_status_get(m, &st);
        if (as_json) {
            json_begin_object(&j);
            json_kv_string(&j, "name", mlops_monitor_name(m));
            json_kv_int(&j, "window_ms", sp.window_ms);
            json_kv_int(&j, "lateness_ms", sp.lateness_ms);
            json_kv_uint(&j, "columns", sp.n_columns);
            json_kv_uint(&j, "alert_m", sp.alert_m);
            json_kv_uint(&j, "alert_n", sp.alert_n);
            json_kv_string(&j, "state", state_name(st.state));
            json_end_object(&j);
        } else {
            printf("%s\t%s\t%zu columns\twindow %lld ms\talert %u/%u\n", mlops_monitor_name(m),
                   state_name(st.state), sp.n_columns, (long long)sp.window_ms, sp.alert_m, sp.alert_n);
        }
    }
    if (as_json) {
        json_end_array(&j);
        json_finish(&j);
    }
    mlops_monitors_free(l);
    return CLI_OK;
}

static int cmd_monitor_ls(cli_ctx *ctx, int argc, char **argv)
{
    int as_json = 0, npos = 0;
    int rc = cli_parse_json(ctx, argc, argv, 0, 0, &as_json, &npos);
    return rc ? rc : cli_with_store(ctx, CLI_STORE_READ, monitor_ls, &as_json);
}

static int monitor_rm(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    (void)arg;
    int rc = mlops_monitor_delete(s, ctx->args[0]);
    return rc ? cli_fail(ctx, rc, ctx->args[0]) : CLI_OK;
}

static int cmd_monitor_rm(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run(ctx, argc, argv, NULL, 0, 1, 1, CLI_STORE_WRITE, monitor_rm, NULL);
}

const cli_command cli_monitor_commands[] = {
    { "monitor", NULL, "", "Drift of production data over time windows", "" },
    { "monitor create", cmd_monitor_create,
      "NAME --reference FILE.csv|DIGEST|REF --window 1h|--window-rows N --alert M/N [--columns a,b] [--model M@ALIAS] "
      "[--lateness 1h] [--min-rows N] [--task classification|regression --prediction-column C --id-column C "
      "[--label-column C] [--performance COND] [--min-labels N]]",
      "Create a monitor",
      "Creates monitor NAME comparing tumbling windows of production data with a\n"
      "reference: a CSV profiled now (a column whose cells are all numbers is\n"
      "numeric), or a dataset profile stored by 'mlops drift profile' (its digest or\n"
      "ref). Numeric columns are judged by KS, categorical ones by chi-square, at\n"
      "alpha 0.05; the dataset drifts when half its columns do. The alert fires\n"
      "when M of the last N judged windows drift. Creating a monitor again with the\n"
      "same settings changes nothing; with other settings it is refused.\n\n"
      "Options:\n"
      "  --window D        the window length: 1m to 31d (90s, 30m, 1h, 2d)\n"
      "  --alert M/N       fire when M of the last N judged windows are in breach\n"
      "  --columns a,b     monitor only these columns of the reference\n"
      "  --model M@ALIAS   the model it watches (recorded)\n"
      "  --lateness D      judge a window D after its end (default 0)\n"
      "  --min-rows N      fewer rows: not enough data, skipped by the rule (default 1)\n"
      "  --window-rows N   windows of N rows in arrival order instead of --window;\n"
      "                    a window is judged once full\n"
      "  --task T          classification or regression: keep each row's prediction\n"
      "                    by id until its label arrives ('mlops monitor labels')\n"
      "  --prediction-column C  the predictions (may also be a monitored column)\n"
      "  --id-column C     the rows' ids (never monitored)\n"
      "  --label-column C  the labels' column in label files (default label; never\n"
      "                    monitored)\n"
      "  --performance COND  the breach is this condition on the window's metrics,\n"
      "                    e.g. 'metrics.accuracy < 0.8' (accuracy, balanced_accuracy,\n"
      "                    f1_macro; mae, mse, rmse, r2, mean_error; labels)\n"
      "  --min-labels N    with --performance: fewer labels when judged is not\n"
      "                    enough data (default 1)\n" },
    { "monitor ingest", cmd_monitor_ingest, "NAME FILE.csv [--time-column COL] [--id-column COL]",
      "Add production rows",
      "Adds the rows of FILE.csv to the windows their times fall in, in any order.\n"
      "Times are ISO 8601 UTC (2026-01-31T12:00:00Z) or epoch milliseconds. The CSV\n"
      "must hold the monitor's columns; others are ignored. Rows of a window that\n"
      "was already judged merge into it without changing its judgment. A monitor\n"
      "with a task also reads the rows' ids and predictions.\n\n"
      "Options:\n"
      "  --time-column COL the column of the rows' times (required with time windows;\n"
      "                    row windows number rows in arrival order)\n"
      "  --id-column COL   the column of the ids (default: the monitor's id column)\n" },
    { "monitor labels", cmd_monitor_labels, "NAME FILE.csv [--id-column COL] [--label-column COL]",
      "Add delayed labels",
      "Joins each label of FILE.csv to the earlier prediction with its id and adds\n"
      "it to that window's performance. Labels of windows already judged update\n"
      "their metrics, never their judgments. Unknown ids and ids labeled before\n"
      "are counted and ignored; rows without an id or a label are skipped.\n\n"
      "Options:\n"
      "  --id-column COL   the ids (default: the monitor's id column)\n"
      "  --label-column COL  the labels (default: the monitor's label column)\n" },
    { "monitor check", cmd_monitor_check, "NAME [--json] [--at TIME]", "Judge due windows; exit 1 while firing",
      "Judges, in order, the windows whose end plus the lateness has passed, runs\n"
      "the alert rule and prints where it stands. Exits 0 when quiet, 1 while the\n"
      "alert fires (the retraining trigger for cron and CI), 2 on a usage error,\n"
      "3 on any other error.\n\n"
      "Options:\n"
      "  --at TIME         judge as of TIME instead of now (replays, tests)\n"
      "  --json            print the status as JSON\n" },
    { "monitor series", cmd_monitor_series, "NAME [--from TIME] [--to TIME] [--json|--csv]",
      "Print the windows' figures",
      "Prints per window starting in [--from, --to): its start, rows, state (open,\n"
      "clear, breach, not_enough_data, late), share of drifted columns and per\n"
      "column the statistic (* when drifted); with a task, the labels joined so far\n"
      "and the task's metrics (accuracy, balanced_accuracy, f1_macro; or mae, mse,\n"
      "rmse, r2, mean_error), and the condition's metric when the window was judged.\n\n"
      "Options:\n"
      "  --json            a JSON array, with p-values\n"
      "  --csv             CSV, with p-values\n" },
    { "monitor ls", cmd_monitor_ls, "[--json]", "List monitors",
      "Prints each monitor with its alert state.\n\n"
      "Options:\n"
      "  --json            print a JSON array\n" },
    { "monitor page", cmd_monitor_page, "NAME -o FILE.html [--from TIME] [--to TIME]",
      "Draw a monitor as one HTML page",
      "Writes a self-contained page (no script, nothing fetched; doc/pages.md): the\n"
      "spec and the alert's state; the share of drifted columns and the rows per\n"
      "window; per column its statistic, or its p-value, against the threshold it\n"
      "is judged by; with a task, each metric per window against the performance\n"
      "condition; windows in alert shaded, windows with not enough data, too few\n"
      "labels and late ones marked; a table beside each chart; and the alert\n"
      "events.\n\n"
      "Options:\n"
      "  -o, --output FILE the page (- for stdout)\n"
      "  --title TEXT      the page's title (default \"Monitor NAME\")\n"
      "  --from TIME       only windows starting at or after TIME\n"
      "  --to TIME         only windows starting before TIME\n"
      "  --points N        points drawn per curve at most (default 1000)\n" },
    { "monitor rm", cmd_monitor_rm, "NAME", "Delete a monitor",
      "Deletes the monitor with its windows and events.\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
