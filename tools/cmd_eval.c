/*
 * `eval DATA.csv --metric NAMES --labels COL (--predictions COL | --scores
 * COLS)`: evaluation metrics (eval.h) on the columns of a CSV file, with
 * optional bootstrap intervals; with `--model NAME/N` the metrics are also
 * recorded as an evaluation of that version (registry.h) on the dataset's
 * digest (--dataset, else the digest of the file's bytes).
 */
#include "cli.h"
#include "csv.h"
#include "dataset.h"
#include "drift_input.h"
#include "json.h"
#include "table.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a metric reads: targets and predicted values, labels and
 * predicted labels, or labels and scores. */
enum { F_REG, F_LAB, F_SCO };

typedef struct metric_def {
    const char *name;
    int id;
    int family;
} metric_def;

static const metric_def metrics[] = {
    { "accuracy", MLOPS_METRIC_ACCURACY, F_LAB },
    { "balanced_accuracy", MLOPS_METRIC_BALANCED_ACCURACY, F_LAB },
    { "precision", MLOPS_METRIC_PRECISION, F_LAB },
    { "recall", MLOPS_METRIC_RECALL, F_LAB },
    { "f1", MLOPS_METRIC_FBETA, F_LAB },
    { "roc_auc", MLOPS_METRIC_ROC_AUC, F_SCO },
    { "average_precision", MLOPS_METRIC_AVERAGE_PRECISION, F_SCO },
    { "log_loss", MLOPS_METRIC_LOG_LOSS, F_SCO },
    { "brier", MLOPS_METRIC_BRIER, F_SCO },
    { "ece", MLOPS_METRIC_ECE, F_SCO },
    { "mce", MLOPS_METRIC_MCE, F_SCO },
    { "rmsce", MLOPS_METRIC_RMSCE, F_SCO },
    { "mae", MLOPS_METRIC_MAE, F_REG },
    { "mse", MLOPS_METRIC_MSE, F_REG },
    { "rmse", MLOPS_METRIC_RMSE, F_REG },
    { "mape", MLOPS_METRIC_MAPE, F_REG },
    { "r2", MLOPS_METRIC_R2, F_REG },
    { "explained_variance", MLOPS_METRIC_EXPLAINED_VARIANCE, F_REG },
    { "median_ae", MLOPS_METRIC_MEDIAN_AE, F_REG },
    { "max_error", MLOPS_METRIC_MAX_ERROR, F_REG },
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

typedef struct eval_args {
    const char *metric, *labels, *predictions, *scores, *weights, *average, *pos_label;
    const char *multi_class, *zero_division, *bootstrap, *seed, *confidence;
    const char *model, *dataset, *actor, *reason;
    int as_json;
} eval_args;

/* The columns read from the file, each parsed once when a metric needs it. */
typedef struct columns {
    const char *path;
    const csv_table *t;
    size_t n;
    int *y_int, *pred_int;
    double *y_num, *pred_num, *scores, *weights;
    size_t k;
} columns;

static void columns_free(columns *c)
{
    free(c->y_int);
    free(c->pred_int);
    free(c->y_num);
    free(c->pred_num);
    free(c->scores);
    free(c->weights);
}

/* Reads column name into out[i * stride] as numbers (integers: labels). */
static int read_column(const cli_ctx *ctx, const columns *c, const char *name, int integers,
                       double *dnum, int *inum, size_t stride)
{
    long col = csv_column(c->t, name);
    if (col < 0) return cli_error(ctx, "%s: no column '%s'", c->path, name);
    for (size_t r = 0; r < c->n; r++) {
        const char *cell = c->t->cells[r * c->t->ncols + (size_t)col];
        double v;
        if (!cell) return cli_error(ctx, "%s line %zu: column '%s' is empty", c->path, c->t->lines[r], name);
        if (!ds_parse_number(cell, &v) || !isfinite(v))
            return cli_error(ctx, "%s line %zu: column '%s': '%s' is not a finite number", c->path,
                             c->t->lines[r], name, cell);
        if (integers) {
            if (v != floor(v) || v < INT_MIN || v > INT_MAX)
                return cli_error(ctx, "%s line %zu: column '%s': '%s' is not an integer label",
                                 c->path, c->t->lines[r], name, cell);
            inum[r * stride] = (int)v;
        } else {
            dnum[r * stride] = v;
        }
    }
    return CLI_OK;
}

/* A column as integers or as numbers, allocated and read on first use. */
static int need_int(const cli_ctx *ctx, const columns *c, const char *name, int **out)
{
    if (*out) return CLI_OK;
    if (!(*out = malloc((c->n ? c->n : 1) * sizeof **out))) return cli_error(ctx, "out of memory");
    return read_column(ctx, c, name, 1, NULL, *out, 1);
}

static int need_num(const cli_ctx *ctx, const columns *c, const char *name, double **out)
{
    if (*out) return CLI_OK;
    if (!(*out = malloc((c->n ? c->n : 1) * sizeof **out))) return cli_error(ctx, "out of memory");
    return read_column(ctx, c, name, 0, *out, NULL, 1);
}

/* The score columns (comma-separated) as a row-major n x k matrix. */
static int need_scores(const cli_ctx *ctx, columns *c, const char *list)
{
    if (c->scores) return CLI_OK;
    char *copy = strdup(list);
    if (!copy) return cli_error(ctx, "out of memory");
    c->k = 1;
    for (const char *p = list; *p; p++) c->k += *p == ',';
    int rc = CLI_OK;
    if (!(c->scores = malloc((c->n ? c->n : 1) * c->k * sizeof *c->scores)))
        rc = cli_error(ctx, "out of memory");
    char *save = NULL, *name = strtok_r(copy, ",", &save);
    for (size_t j = 0; !rc && j < c->k; j++, name = strtok_r(NULL, ",", &save)) {
        if (!name) {
            rc = cli_usage(ctx, "--scores has an empty column name");
            break;
        }
        rc = read_column(ctx, c, name, 0, c->scores + j, NULL, c->k);
    }
    free(copy);
    return rc;
}

typedef struct named_int {
    const char *name;
    int value;
} named_int;

static int pick(const cli_ctx *ctx, const char *what, const char *text, const named_int *list,
                size_t n, int *out)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].name, text)) {
            *out = list[i].value;
            return CLI_OK;
        }
    return cli_usage(ctx, "unknown %s '%s'", what, text);
}

/* The options of every metric from the command line. */
static int make_opts(const cli_ctx *ctx, const eval_args *a, mlops_eval_opts *o,
                     mlops_bootstrap_opts *bo, int64_t *resamples)
{
    static const named_int averages[] = { { "binary", MLOPS_AVERAGE_BINARY },
                                          { "micro", MLOPS_AVERAGE_MICRO },
                                          { "macro", MLOPS_AVERAGE_MACRO },
                                          { "weighted", MLOPS_AVERAGE_WEIGHTED } };
    static const named_int multi[] = { { "ovr", MLOPS_MULTI_CLASS_OVR }, { "ovo", MLOPS_MULTI_CLASS_OVO } };
    int rc = CLI_OK;
    int64_t v;
    mlops_eval_opts_init(o, MLOPS_EVAL_OPTS_VERSION);
    mlops_bootstrap_opts_init(bo, MLOPS_BOOTSTRAP_OPTS_VERSION);
    *resamples = 0;
    if (a->average && (rc = pick(ctx, "average", a->average, averages, 4, &o->average))) return rc;
    if (a->multi_class && (rc = pick(ctx, "multi-class", a->multi_class, multi, 2, &o->multi_class)))
        return rc;
    if (a->pos_label) {
        if ((rc = cli_parse_int(ctx, "--pos-label", a->pos_label, &v))) return rc;
        if (v < INT_MIN || v > INT_MAX) return cli_usage(ctx, "--pos-label %s is out of range", a->pos_label);
        o->pos_label = (int)v;
    }
    if (a->zero_division && (rc = cli_parse_double(ctx, "--zero-division", a->zero_division, &o->zero_division)))
        return rc;
    if (a->bootstrap) {
        if ((rc = cli_parse_int(ctx, "--bootstrap", a->bootstrap, resamples))) return rc;
        if (*resamples < 1 || *resamples > UINT32_MAX)
            return cli_usage(ctx, "--bootstrap takes a number of resamples from 1 to %u", UINT32_MAX);
        bo->resamples = (uint32_t)*resamples;
    } else if (a->seed || a->confidence) {
        return cli_usage(ctx, "--seed and --confidence go with --bootstrap");
    }
    if (a->seed) {
        if ((rc = cli_parse_int(ctx, "--seed", a->seed, &v))) return rc;
        bo->seed = (uint64_t)v;
    }
    if (a->confidence && (rc = cli_parse_double(ctx, "--confidence", a->confidence, &bo->confidence)))
        return rc;
    return CLI_OK;
}

/* One metric on the columns: its value and reason, and the interval when
 * resampling. */
typedef struct outcome {
    mlops_eval_result r;
    mlops_bootstrap_result b;
} outcome;

static int run_metric(const cli_ctx *ctx, const eval_args *a, columns *c, const metric_def *m,
                      const mlops_eval_opts *o, const mlops_bootstrap_opts *bo, int resample,
                      outcome *out)
{
    int rc;
    if (a->weights && (rc = need_num(ctx, c, a->weights, &c->weights))) return rc;
    mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
    d.n = c->n;
    d.weights = c->weights;
    if (m->family == F_REG) {
        if ((rc = need_num(ctx, c, a->labels, &c->y_num)) ||
            (rc = need_num(ctx, c, a->predictions, &c->pred_num)))
            return rc;
        d.values_true = c->y_num;
        d.values_pred = c->pred_num;
        rc = mlops_eval_regression(m->id, c->y_num, c->pred_num, c->n, c->weights, o, &out->r);
    } else if (m->family == F_LAB) {
        if ((rc = need_int(ctx, c, a->labels, &c->y_int)) ||
            (rc = need_int(ctx, c, a->predictions, &c->pred_int)))
            return rc;
        d.labels_true = c->y_int;
        d.labels_pred = c->pred_int;
        rc = mlops_eval_labels(m->id, c->y_int, c->pred_int, c->n, c->weights, o, &out->r);
    } else {
        if ((rc = need_int(ctx, c, a->labels, &c->y_int)) || (rc = need_scores(ctx, c, a->scores)))
            return rc;
        d.labels_true = c->y_int;
        d.scores = c->scores;
        d.k = c->k;
        rc = mlops_eval_scores(m->id, c->y_int, c->scores, c->n, c->k, c->weights, o, &out->r);
    }
    if (rc == MLOPS_OK && resample) rc = mlops_eval_bootstrap(m->id, &d, o, bo, &out->b);
    return cli_check(ctx, rc, m->name);
}

/* A metric's JSON fields (inside its object). */
static void json_metric(json *j, const metric_def *m, const outcome *out, int resample)
{
    json_kv_string(j, "metric", m->name);
    json_kv_double(j, "value", out->r.value);
    json_kv_int(j, "reason", out->r.reason);
    json_kv_string(j, "reason_text", out->r.reason ? mlops_eval_reason_name(out->r.reason) : NULL);
    json_kv_uint(j, "n", out->r.n);
    if (resample) {
        json_kv_double(j, "low", out->b.low);
        json_kv_double(j, "high", out->b.high);
        json_kv_uint(j, "resamples", out->b.resamples);
        json_kv_uint(j, "defined", out->b.defined);
    }
}

static void print_row(listing *l, const metric_def *m, const outcome *out, int resample)
{
    json *j = listing_object(l);
    if (j) {
        json_metric(j, m, out, resample);
        json_end_object(j);
        return;
    }
    char buf[40];
    table_cell(l->t, m->name);
    cli_fmt_double(out->r.value, buf, sizeof buf);
    table_cell(l->t, buf);
    if (resample) {
        cli_fmt_double(out->b.low, buf, sizeof buf);
        table_cell(l->t, buf);
        cli_fmt_double(out->b.high, buf, sizeof buf);
        table_cell(l->t, buf);
    }
    table_cell(l->t, out->r.reason ? mlops_eval_reason_name(out->r.reason) : NULL);
}

/* The metrics as a table, or a JSON array. */
static void print_metrics(int as_json, const metric_def *const *chosen, size_t n,
                          const outcome *out, int resample)
{
    static const char *const h[] = { "METRIC", "VALUE", "LOW", "HIGH", "NOTE" };
    static const char *const hb[] = { "METRIC", "VALUE", "NOTE" };
    static const int right[] = { 1, 2, 3, -1 }, right_b[] = { 1, -1 };
    listing l;
    if (resample)
        listing_begin(&l, as_json, 5, h, right);
    else
        listing_begin(&l, as_json, 3, hb, right_b);
    for (size_t i = 0; i < n; i++) print_row(&l, chosen[i], &out[i], resample);
    listing_end(&l);
}

/* ---- Recording the evaluation (--model) ---------------------------------------------- */

typedef struct recording {
    const eval_args *a;
    const metric_def *const *chosen;
    size_t n;
    const outcome *out;
    int resample;
    mlops_digest dataset;
} recording;

static int record_body(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const recording *r = arg;
    char *model = NULL;
    int64_t version = 0;
    char *ref[] = { (char *)r->a->model };
    int rc = cli_resolve_version(ctx, s, 1, ref, &model, &version);
    if (rc) return rc;
    const char **names = malloc(r->n * sizeof *names);
    double *values = malloc(r->n * 3 * sizeof *values);
    int *reasons = malloc(r->n * sizeof *reasons);
    if (!names || !values || !reasons) {
        rc = cli_error(ctx, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < r->n; i++) {
        names[i] = r->chosen[i]->name;
        values[i] = r->out[i].r.value;
        reasons[i] = r->out[i].r.reason;
        values[r->n + i] = r->out[i].b.low;
        values[2 * r->n + i] = r->out[i].b.high;
    }
    mlops_evaluation_input in = MLOPS_EVALUATION_INPUT_INIT;
    in.n = r->n;
    in.names = names;
    in.values = values;
    in.reasons = reasons;
    if (r->resample) {
        in.low = values + r->n;
        in.high = values + 2 * r->n;
    }
    mlops_change_opts ch = MLOPS_CHANGE_OPTS_INIT;
    ch.actor = r->a->actor;
    ch.reason = r->a->reason;
    int64_t id = 0;
    rc = cli_check(ctx, mlops_evaluation_record(s, model, version, &r->dataset, &in, &ch, &id),
                   r->a->model);
    if (rc) goto done;
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(&r->dataset, hex);
    if (r->a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_int(&j, "evaluation", id);
        json_kv_string(&j, "model", model);
        json_kv_int(&j, "version", version);
        json_kv_string(&j, "dataset", hex);
        json_key(&j, "metrics");
        json_begin_array(&j);
        for (size_t i = 0; i < r->n; i++) {
            json_begin_object(&j);
            json_metric(&j, r->chosen[i], &r->out[i], r->resample);
            json_end_object(&j);
        }
        json_end_array(&j);
        json_end_object(&j);
        json_finish(&j);
    } else {
        print_metrics(0, r->chosen, r->n, r->out, r->resample);
        printf("evaluation %lld of %s/%lld on %s recorded\n", (long long)id, model,
               (long long)version, hex);
    }
done:
    free(names);
    free(values);
    free(reasons);
    free(model);
    return rc;
}

static int cmd_eval(cli_ctx *ctx, int argc, char **argv)
{
    eval_args a;
    memset(&a, 0, sizeof a);
    int npos;
    const cli_opt opts[] = {
        { "metric", 'm', &a.metric, NULL },
        { "labels", 'l', &a.labels, NULL },
        { "predictions", 'p', &a.predictions, NULL },
        { "scores", 's', &a.scores, NULL },
        { "weights", 'w', &a.weights, NULL },
        { "average", 0, &a.average, NULL },
        { "pos-label", 0, &a.pos_label, NULL },
        { "multi-class", 0, &a.multi_class, NULL },
        { "zero-division", 0, &a.zero_division, NULL },
        { "bootstrap", 0, &a.bootstrap, NULL },
        { "seed", 0, &a.seed, NULL },
        { "confidence", 0, &a.confidence, NULL },
        { "model", 0, &a.model, NULL },
        { "dataset", 0, &a.dataset, NULL },
        { "actor", 0, &a.actor, NULL },
        { "reason", 0, &a.reason, NULL },
        { "json", 0, NULL, &a.as_json },
    };
    int rc = cli_parse(ctx, argc, argv, opts, sizeof opts / sizeof opts[0], 1, 1, &npos);
    if (rc) return rc;
    if (!a.metric) return cli_usage(ctx, "name the metrics with --metric");
    if (!a.labels) return cli_usage(ctx, "name the column of true values with --labels");
    if (!a.predictions && !a.scores) return cli_usage(ctx, "give --predictions or --scores");
    if (!a.model && (a.dataset || a.actor || a.reason))
        return cli_usage(ctx, "--dataset, --actor and --reason go with --model");
    mlops_digest dataset = { { 0 } };
    if (a.dataset && (rc = cli_parse_digest(ctx, a.dataset, &dataset))) return rc;
    /* the metrics, checked before the file is read */
    const metric_def *chosen[NMETRICS];
    size_t nchosen = 0;
    char *list = strdup(a.metric), *save = NULL;
    if (!list) return cli_error(ctx, "out of memory");
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < NMETRICS && strcmp(metrics[i].name, name)) i++;
        if (i == NMETRICS) rc = cli_usage(ctx, "unknown metric '%s'", name);
        for (size_t j = 0; !rc && j < nchosen; j++)
            if (chosen[j] == &metrics[i]) rc = cli_usage(ctx, "metric '%s' given twice", name);
        if (rc) break;
        chosen[nchosen++] = &metrics[i];
    }
    free(list);
    if (!rc && nchosen == 0) rc = cli_usage(ctx, "name the metrics with --metric");
    for (size_t i = 0; !rc && i < nchosen; i++)
        if (chosen[i]->family == F_SCO ? !a.scores : !a.predictions)
            rc = cli_usage(ctx, "%s needs %s", chosen[i]->name,
                           chosen[i]->family == F_SCO ? "--scores" : "--predictions");
    mlops_eval_opts o;
    mlops_bootstrap_opts bo;
    int64_t resamples = 0;
    if (rc || (rc = make_opts(ctx, &a, &o, &bo, &resamples))) return rc;
    loaded in;
    if ((rc = load_csv(ctx, argv[0], &in))) return rc;
    columns c;
    memset(&c, 0, sizeof c);
    c.path = argv[0];
    c.t = in.table;
    c.n = in.table->nrows;
    outcome *out = calloc(nchosen, sizeof *out);
    if (!out) rc = cli_error(ctx, "out of memory");
    for (size_t i = 0; !rc && i < nchosen; i++) {
        mlops_eval_result_init(&out[i].r, MLOPS_EVAL_RESULT_VERSION);
        mlops_bootstrap_result_init(&out[i].b, MLOPS_BOOTSTRAP_RESULT_VERSION);
        rc = run_metric(ctx, &a, &c, chosen[i], &o, &bo, resamples > 0, &out[i]);
    }
    /* the dataset is the file's bytes unless --dataset names it */
    if (!rc && a.model && !a.dataset && mlops_digest_compute(in.data, in.len, &dataset) != MLOPS_OK)
        rc = cli_fail(ctx, MLOPS_EINVAL, argv[0]);
    if (!rc && a.model) {
        recording r = { &a, chosen, nchosen, out, resamples > 0, dataset };
        rc = cli_with_store(ctx, CLI_STORE_WRITE, record_body, &r);
    } else if (!rc) {
        print_metrics(a.as_json, chosen, nchosen, out, resamples > 0);
    }
    free(out);
    columns_free(&c);
    unload(&in);
    return rc;
}

const cli_command cli_eval_commands[] = {
    { "eval", cmd_eval,
      "DATA.csv --metric NAMES --labels COL (--predictions COL | --scores COLS) [--model NAME/N]",
      "Evaluation metrics on the columns of a CSV file (recorded with --model)",
      "Computes metrics equal to scikit-learn's (and torchmetrics' calibration\n"
      "error) on the columns of DATA.csv and prints them, one row per metric.\n"
      "An undefined value is nan with the reason in NOTE. Nothing is stored\n"
      "unless --model names a version: then the metrics (values, reasons and\n"
      "intervals) are recorded as an evaluation of that version on the dataset,\n"
      "and its id is printed (mlops model evals lists them).\n\n"
      "Metrics (--metric, comma-separated):\n"
      "  on --predictions (labels)  accuracy, balanced_accuracy, precision, recall, f1\n"
      "  on --scores                roc_auc, average_precision, log_loss, brier,\n"
      "                             ece, mce, rmsce (calibration error, 15 bins)\n"
      "  on --predictions (values)  mae, mse, rmse, mape, r2, explained_variance,\n"
      "                             median_ae, max_error\n\n"
      "Options:\n"
      "  -m, --metric NAMES       the metrics\n"
      "  -l, --labels COL         the true class labels (integers), or the true\n"
      "                           values for regression metrics\n"
      "  -p, --predictions COL    the predicted labels or values\n"
      "  -s, --scores COLS        one column: the score or probability of the\n"
      "                           positive class; several: the probability of each\n"
      "                           class, in the order of the sorted labels\n"
      "  -w, --weights COL        sample weights\n"
      "  --average A              binary (default), micro, macro or weighted\n"
      "                           (scores with several columns: macro by default)\n"
      "  --pos-label N            the positive class (default 1)\n"
      "  --multi-class M          ROC AUC on several columns: ovr (default) or ovo\n"
      "  --zero-division Z        0 (default), 1 or nan for a zero denominator\n"
      "  --bootstrap N            also a percentile interval from N resamples\n"
      "  --seed S                 the resampling seed (default 0)\n"
      "  --confidence C           the interval's level (default 0.95)\n"
      "  --model NAME/N           record the evaluation of this version (also\n"
      "                           NAME@ALIAS)\n"
      "  --dataset DIGEST         the digest of the data evaluated (sha256:...);\n"
      "                           default: the digest of DATA.csv's bytes\n"
      "  --actor NAME             who records it (default: the login name)\n"
      "  --reason TEXT            why, kept with the evaluation\n"
      "  --json                   print a JSON array; with --model an object\n"
      "                           {evaluation, model, version, dataset, metrics}\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
