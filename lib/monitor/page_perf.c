/* The monitor page's performance over time (page.h): with a task, one
 * chart per metric of the task (small multiples on the drift charts' x
 * axis), each from the labels joined so far, with the performance
 * condition's threshold as a dashed line on its metric's chart, the
 * alerts shaded, the windows with fewer labels than the minimum and the
 * late ones marked, and a table beside it with the labels per window.
 * Without a task the monitor keeps no predictions, and the page says so. */
#include "monitor/page.h"
#include "monitor/monitor_internal.h" /* perf.c: the metrics by name, the condition's parts */
#include "util/err.h"
#include "util/html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What is better of a metric: the tables name each group's worst. */
enum better { HIGHER, LOWER, NEAR_ZERO };

typedef struct metric {
    const char *key;    /* metrics.KEY */
    const char *title;  /* for people */
    const char *y_label;
    enum better better;
} metric;

static const metric class_metrics[] = {
    { "accuracy", "Accuracy", "Accuracy (share of labelled rows right)", HIGHER },
    { "balanced_accuracy", "Balanced accuracy", "Balanced accuracy (mean recall per class)", HIGHER },
    { "f1_macro", "Macro F1", "Macro F1 (no unit)", HIGHER },
};
static const metric reg_metrics[] = {
    { "mae", "Mean absolute error", "MAE (the label's unit)", LOWER },
    { "mse", "Mean squared error", "MSE (the label's unit squared)", LOWER },
    { "rmse", "Root mean squared error", "RMSE (the label's unit)", LOWER },
    { "r2", "R\xC2\xB2", "R\xC2\xB2 (no unit)", HIGHER },
    { "mean_error", "Mean error", "Mean of prediction \xE2\x88\x92 label (the label's unit)", NEAR_ZERO },
};
static const metric labels_metric = { "labels", "Labels", "Labels joined (rows)", HIGHER };

typedef struct perf_ctx {
    const mlops__monitor_page *p;
    mlops__monitor_charts *c;
    double *y;
    mlops__chart_span *few;  /* windows with fewer labels than the minimum */
    size_t n_few;
    char few_label[64];
    char *cond_metric;       /* the performance condition's, or NULL */
    const char *cond_op;
    double cond_threshold;   /* NaN: none */
} perf_ctx;

static int worse(enum better b, double v, double than)
{
    if (isnan(than)) return 1;
    return b == HIGHER ? v < than : b == LOWER ? v > than : fabs(v) > fabs(than);
}

static void metric_section(mlops__buf *b, perf_ctx *x, const metric *mt)
{
    const mlops__monitor_page *p = x->p;
    mlops__monitor_charts *c = x->c;
    uint64_t labelled = 0;
    for (size_t i = 0; i < p->n; i++) {
        x->y[i] = mlops__monitor_metric_value(&p->perf[i], mt->key);
        labelled += p->perf[i].labels > 0;
    }
    int is_cond = x->cond_metric && !strcmp(x->cond_metric, mt->key);
    mlops__chart_extra e = { 0 };
    mlops__buf title = MLOPS__BUF_INIT, ref = MLOPS__BUF_INIT;
    mlops__buf_addf(&title, "%s per window, from the labels joined so far", mt->key);
    e.y_from_zero = 1;
    if (is_cond && isfinite(x->cond_threshold)) {
        char t[48];
        mlops__html_fmt_g(t, sizeof t, 4, x->cond_threshold);
        mlops__buf_addf(&title, "; breach when %s %s %s", mt->key, x->cond_op, t);
        mlops__buf_addf(&ref, "breach: %s %s %s", mt->key, x->cond_op, t);
        e.has_ref = 1, e.ref_y = x->cond_threshold, e.ref_label = mlops__buf_str(&ref);
    }
    e.marks[0] = x->few;
    e.n_marks[0] = x->n_few;
    e.mark_label[0] = x->few_label;

    mlops__buf_addf(b, "<section class=\"card\" id=\"perf-%s\"><h3>%s <span class=\"small\">"
                       "metrics.%s</span></h3><p class=\"sub\">", mt->key, mt->title, mt->key);
    mlops__html_count(b, labelled);
    mlops__buf_add(b, " of ");
    mlops__html_count(b, p->n);
    mlops__buf_add(b, p->n == 1 ? " window has labels" : " windows have labels");
    mlops__buf_add(b, "; each is computed from the labels joined so far, late ones included.");
    if (is_cond) {
        mlops__buf_add(b, " A window is in breach when <code>");
        mlops__html_esc(b, p->ext.performance);
        mlops__buf_add(b, "</code>");
        if (e.has_ref) mlops__buf_add(b, " (the dashed line)");
        mlops__buf_add(b, ", judged on the labels it had then: late labels move the curve, never the"
                          " judgment.");
    }
    mlops__buf_add(b, "</p><div class=\"body\">");
    if (!mlops__buf_str(&title) || (e.has_ref && !e.ref_label))
        b->failed = 1;
    else
        mlops__monitor_charts_draw(b, c, x->y, mlops__buf_str(&title), mt->y_label, mt->key, "labelled",
                                   NULL, &e);
    mlops__buf_free(&title);
    mlops__buf_free(&ref);

    /* The caption names the metric: short heads keep the table beside
     * the chart. */
    mlops__monitor_table_begin(b, c, mt->title,
                               c->group == 1 ? "<th>Labels</th><th>State</th><th>Value</th>"
                                             : "<th>Labels</th><th>Too few</th><th>Worst</th>");
    for (size_t i0 = 0; i0 < p->n; i0 += c->group) {
        size_t i1 = i0 + c->group < p->n ? i0 + c->group : p->n;
        mlops__monitor_table_row_head(b, c, i0);
        if (c->group == 1) {
            mlops__monitor_table_count(b, p->perf[i0].labels);
            mlops__monitor_table_state(b, p->w[i0].state);
            mlops__monitor_table_num(b, x->y[i0]);
            mlops__buf_add(b, "</tr>");
            continue;
        }
        uint64_t labels = 0, few = 0;
        double worst = NAN;
        for (size_t i = i0; i < i1; i++) {
            labels += p->perf[i].labels;
            few += p->perf[i].labels < p->ext.min_labels;
            if (!isnan(x->y[i]) && worse(mt->better, x->y[i], worst)) worst = x->y[i];
        }
        mlops__monitor_table_count(b, labels);
        mlops__monitor_table_count(b, few);
        mlops__monitor_table_num(b, worst);
        mlops__buf_add(b, "</tr>");
    }
    mlops__monitor_table_end(b);
    mlops__buf_add(b, "</div></section>\n");
}

/* What the section says before its charts: the task, its columns, the
 * condition and the labels in all. */
static void intro(mlops__buf *b, const perf_ctx *x)
{
    const mlops__monitor_page *p = x->p;
    const mlops_monitor_ext *e = &p->ext;
    uint64_t labels = 0;
    for (size_t i = 0; i < p->n; i++) labels += p->perf[i].labels;
    mlops__buf_add(b, "<p class=\"sub\">");
    mlops__buf_add(b, e->task == MLOPS_MONITOR_TASK_CLASSIFICATION ? "Classification" : "Regression");
    mlops__buf_add(b, ": the predictions in ");
    mlops__html_code_name(b, e->prediction_column ? e->prediction_column : "");
    mlops__buf_add(b, " are joined to their labels (");
    mlops__html_code_name(b, e->label_column ? e->label_column : "label");
    mlops__buf_add(b, " in label files) by ");
    mlops__html_code_name(b, e->id_column ? e->id_column : "");
    mlops__buf_add(b, "; ");
    mlops__html_count(b, labels);
    mlops__buf_add(b, labels == 1 ? " label joined" : " labels joined");
    mlops__buf_add(b, " in these windows, ");
    mlops__html_count(b, x->n_few);
    mlops__buf_add(b, x->n_few == 1 ? " window" : " windows");
    mlops__buf_add(b, " with ");
    mlops__buf_add(b, x->few_label);
    mlops__buf_add(b, " (marked at the foot of each chart).");
    if (e->performance) {
        mlops__buf_add(b, " The breach is <code>");
        mlops__html_esc(b, e->performance);
        mlops__buf_add(b, "</code>, not drift; a window judged with fewer than ");
        mlops__html_count(b, e->min_labels);
        mlops__buf_add(b, e->min_labels == 1 ? " label" : " labels");
        mlops__buf_add(b, " has not enough data.");
    } else {
        mlops__buf_add(b, " No performance condition: drift is the breach, and these are reported"
                          " only.");
    }
    mlops__buf_add(b, "</p>\n");
}

int mlops__monitor_page_performance(mlops__buf *b, const mlops__monitor_page *p,
                                    mlops__monitor_charts *c, double *y)
{
    mlops__buf_add(b, "<h2 id=\"performance\">Performance over time</h2>");
    if (p->ext.task == MLOPS_MONITOR_TASK_NONE || !p->perf) {
        mlops__buf_add(b, "<p class=\"sub\">No performance to show: this monitor has no label column."
                          " It was created without a task (<code>--task</code>, "
                          "<code>mlops_monitor_ext.task</code>), so it keeps no predictions for labels"
                          " to join. Drift above is measured without labels.</p>\n");
        return MLOPS_OK;
    }
    if (!c) {
        mlops__buf_add(b, "<p class=\"sub\">No window in this range yet: no performance to draw.</p>\n");
        return MLOPS_OK;
    }
    perf_ctx x = { p, c, y, NULL, 0, "", NULL, NULL, NAN };
    int rc = MLOPS_OK;
    if (!(x.few = malloc(p->n * sizeof *x.few))) return mlops__err_nomem("writing the monitor page");
    for (size_t i = 0; i < p->n; i++)
        if (p->perf[i].labels < p->ext.min_labels)
            x.few[x.n_few++] = (mlops__chart_span){ mlops__monitor_page_x(p, p->w[i].start_ms),
                                                    mlops__monitor_page_x(p, p->w[i].end_ms) };
    if (p->ext.min_labels <= 1) snprintf(x.few_label, sizeof x.few_label, "no labels");
    else snprintf(x.few_label, sizeof x.few_label, "fewer than %llu labels",
                  (unsigned long long)p->ext.min_labels);
    /* The condition was checked when the monitor was created: one that
     * no longer parses draws no line rather than failing the page. */
    if (p->ext.performance &&
        mlops__monitor_perf_condition_parts("mlops_monitor_page_html", p->ext.performance, &x.cond_metric,
                                            &x.cond_op, &x.cond_threshold) == MLOPS_ENOMEM)
        rc = MLOPS_ENOMEM;
    if (!rc) {
        intro(b, &x);
        int cls = p->ext.task == MLOPS_MONITOR_TASK_CLASSIFICATION;
        const metric *l = cls ? class_metrics : reg_metrics;
        size_t nl = cls ? sizeof class_metrics / sizeof *class_metrics
                        : sizeof reg_metrics / sizeof *reg_metrics;
        for (size_t k = 0; k < nl; k++) metric_section(b, &x, &l[k]);
        /* A condition on the count of labels gets its chart too. */
        if (x.cond_metric && !strcmp(x.cond_metric, "labels")) metric_section(b, &x, &labels_metric);
    }
    free(x.cond_metric);
    free(x.few);
    return rc;
}
