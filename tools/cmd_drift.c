/*
 * Drift commands: `drift compare REF.csv CUR.csv` here, the profile forms
 * in cmd_drift_profile.c.
 */
#include "cli.h"
#include "csv.h"
#include "dataset.h"
#include "drift_input.h"
#include "json.h"
#include "progress.h"
#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The file name of a path, for legends. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* ---- Methods ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int method;
} method_names[] = {
    { "auto", MLOPS_DRIFT_METHOD_AUTO },
    { "ks", MLOPS_DRIFT_METHOD_KS },
    { "wasserstein", MLOPS_DRIFT_METHOD_WASSERSTEIN },
    { "jensenshannon", MLOPS_DRIFT_METHOD_JENSEN_SHANNON },
    { "js", MLOPS_DRIFT_METHOD_JENSEN_SHANNON },
    { "chisquare", MLOPS_DRIFT_METHOD_CHISQ },
    { "chisq", MLOPS_DRIFT_METHOD_CHISQ },
    { "z", MLOPS_DRIFT_METHOD_Z },
    { "psi", MLOPS_DRIFT_METHOD_PSI },
    { "kl", MLOPS_DRIFT_METHOD_KL },
    { "kl_div", MLOPS_DRIFT_METHOD_KL },
    { "hellinger", MLOPS_DRIFT_METHOD_HELLINGER },
    { "cvm", MLOPS_DRIFT_METHOD_CRAMER_VON_MISES },
    { "cramer_von_mises", MLOPS_DRIFT_METHOD_CRAMER_VON_MISES },
    { "energy", MLOPS_DRIFT_METHOD_ENERGY },
    { "energy_distance", MLOPS_DRIFT_METHOD_ENERGY },
};

static int method_of(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (strlen(method_names[i].name) == len && strncmp(method_names[i].name, name, len) == 0)
            return method_names[i].method;
    return -1;
}

/* --method: "NAME" for every column, or "COL=NAME,COL=NAME". */
static int parse_methods(const cli_ctx *ctx, const char *text, const ds_column *cols, size_t n,
                         int *methods)
{
    for (size_t i = 0; i < n; i++) methods[i] = MLOPS_DRIFT_METHOD_AUTO;
    if (!strchr(text, '=')) {
        int m = method_of(text, strlen(text));
        if (m < 0) return cli_usage(ctx, "unknown method '%s'", text);
        for (size_t i = 0; i < n; i++) methods[i] = m;
        return CLI_OK;
    }
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq) return cli_usage(ctx, "--method wants COLUMN=METHOD pairs, not '%.*s'", (int)len, p);
        size_t nlen = (size_t)(eq - p);
        int m = method_of(eq + 1, len - nlen - 1);
        if (m < 0) return cli_usage(ctx, "unknown method '%.*s'", (int)(len - nlen - 1), eq + 1);
        size_t c = 0;
        while (c < n && !(strlen(cols[c].name) == nlen && strncmp(cols[c].name, p, nlen) == 0)) c++;
        if (c == n) return cli_usage(ctx, "--method names '%.*s', which is not a compared column", (int)nlen, p);
        methods[c] = m;
        p += len;
        if (*p == ',') p++;
    }
    return CLI_OK;
}

/* ---- drift compare REF.csv CUR.csv --------------------------------------------------- */

/* Reports over this many values take long enough for a spinner. */
#define SPIN_MIN_VALUES 2000000u

typedef struct report_job {
    size_t n;
    const char **names;
    const int *kinds;
    const double **rv;
    const size_t *rn;
    const double **cv;
    const size_t *cn;
    const mlops_drift_report_opts *opts;
    mlops_drift_report *out;
    char err[1024];
} report_job;

/* Runs on the spinner's thread: the library's message is thread-local. */
static int report_job_run(void *arg)
{
    report_job *j = arg;
    int rc = mlops_drift_report_compute(j->n, j->names, j->kinds, j->rv, j->rn, j->cv, j->cn,
                                        j->opts, &j->out);
    if (rc) snprintf(j->err, sizeof j->err, "%s", mlops_last_error());
    return rc;
}

typedef struct log_args {
    const mlops_drift_report *report;
    int64_t step;
    const char *run_id;
} log_args;

/* --log-run: the report's figures as metrics of the run. */
static int log_report(const cli_ctx *ctx, mlops_run *run, void *arg)
{
    const log_args *a = arg;
    return cli_check(ctx, mlops_drift_report_log(run, a->report, a->step, 0), a->run_id);
}

static void print_report(const mlops_drift_report *r)
{
    static const char *const h[] = { "COLUMN", "KIND", "METHOD", "STATISTIC", "THRESHOLD",
                                      "P-VALUE", "REF", "CUR", "DRIFT" };
    table *t = table_new(9, h);
    for (size_t c = 3; c < 8; c++) table_align_right(t, c);
    for (size_t i = 0; i < r->n_columns; i++) {
        const mlops_drift_column_result *c = r->columns[i];
        char stat[40], thr[40], p[40];
        snprintf(stat, sizeof stat, "%.4g", c->statistic);
        snprintf(thr, sizeof thr, "%s%.4g", isnan(c->p_value) ? ">=" : "<=", c->threshold);
        if (isnan(c->p_value))
            snprintf(p, sizeof p, "-");
        else
            snprintf(p, sizeof p, "%.3g", c->adjusted_p_value);
        table_cell(t, c->name);
        table_cell(t, c->kind == MLOPS_COLUMN_CATEGORICAL ? "categorical" : "numeric");
        table_cell(t, c->method_name);
        table_cell(t, stat);
        table_cell(t, thr);
        table_cell(t, p);
        table_cellf(t, "%llu", (unsigned long long)c->n_ref);
        table_cellf(t, "%llu", (unsigned long long)c->n_cur);
        table_cell(t, c->drifted ? "DRIFT" : "ok");
    }
    table_print(t, stdout);
    table_free(t);
    printf("\ndataset drift: %s (%zu of %zu columns drifted, %.0f%%; the rule is >= %.0f%%)\n",
           r->dataset_drift ? "YES" : "no", r->n_drifted, r->n_columns, 100.0 * r->share_drifted,
           100.0 * r->drift_share);
}

static int compare_files(cli_ctx *ctx, const compare_args *a, const char *ref_path,
                         const char *cur_path)
{
    mlops_drift_report_opts ro = MLOPS_DRIFT_REPORT_OPTS_INIT;
    double threshold = NAN;
    int64_t bins = 0;
    int rc;
    if (a->threshold && (rc = cli_parse_double(ctx, "--threshold", a->threshold, &threshold))) return rc;
    if (a->share && (rc = cli_parse_double(ctx, "--drift-share", a->share, &ro.drift_share))) return rc;
    if (a->bins) {
        if ((rc = cli_parse_int(ctx, "--bins", a->bins, &bins))) return rc;
        if (bins < 2 || bins > 65536) return cli_usage(ctx, "--bins must be in 2..65536");
        ro.bins = (uint32_t)bins;
    }
    if (a->correction) {
        if (strcmp(a->correction, "bh") == 0) ro.correction = MLOPS_DRIFT_CORRECTION_BH;
        else if (strcmp(a->correction, "none") == 0) ro.correction = MLOPS_DRIFT_CORRECTION_NONE;
        else return cli_usage(ctx, "--correction is bh or none, not '%s'", a->correction);
    }
    loaded ref, cur;
    if ((rc = load_csv(ctx, ref_path, &ref))) return rc;
    if ((rc = load_csv(ctx, cur_path, &cur))) {
        unload(&ref);
        return rc;
    }
    ds_spec spec = { a->columns, a->numeric, a->categorical };
    ds_input inputs[2] = { { ref.table, ref_path }, { cur.table, cur_path } };
    ds_column *cols = NULL;
    size_t n = 0;
    char err[512];
    mlops_drift_report *report = NULL;
    char *html = NULL;
    const char **names = NULL;
    int *kinds = NULL, *methods = NULL;
    const double **rv = NULL, **cv = NULL;
    size_t *rn = NULL, *cn = NULL;
    double *thresholds = NULL;
    const char *const **labels = NULL;
    size_t *nlabels = NULL;
    if (ds_build(&spec, inputs, 2, &cols, &n, err, sizeof err) != 0) {
        rc = cli_error(ctx, "%s", err);
        goto done;
    }
    if (n == 0) {
        rc = cli_error(ctx, "no columns to compare");
        goto done;
    }
    names = calloc(n, sizeof *names);
    kinds = calloc(n, sizeof *kinds);
    methods = calloc(n, sizeof *methods);
    rv = calloc(n, sizeof *rv);
    cv = calloc(n, sizeof *cv);
    rn = calloc(n, sizeof *rn);
    cn = calloc(n, sizeof *cn);
    thresholds = calloc(n, sizeof *thresholds);
    labels = calloc(n, sizeof *labels);
    nlabels = calloc(n, sizeof *nlabels);
    if (!names || !kinds || !methods || !rv || !cv || !rn || !cn || !thresholds || !labels || !nlabels) {
        rc = cli_error(ctx, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        names[i] = cols[i].name;
        kinds[i] = cols[i].kind == DS_CATEGORICAL ? MLOPS_COLUMN_CATEGORICAL : MLOPS_COLUMN_NUMERIC;
        rv[i] = cols[i].side[0];
        rn[i] = cols[i].n[0];
        cv[i] = cols[i].side[1];
        cn[i] = cols[i].n[1];
        thresholds[i] = threshold;
        labels[i] = cols[i].labels;
        nlabels[i] = cols[i].nlabels;
    }
    if (a->method && (rc = parse_methods(ctx, a->method, cols, n, methods))) goto done;
    ro.methods = methods;
    ro.thresholds = thresholds;
    report_job job = { n, names, kinds, rv, rn, cv, cn, &ro, NULL, "" };
    size_t values = 0;
    for (size_t i = 0; i < n; i++) values += rn[i] + cn[i];
    rc = progress_spin(ctx->stderr_tty && values >= SPIN_MIN_VALUES, "drift", report_job_run, &job);
    report = job.out;
    if (rc) {
        rc = cli_error(ctx, "cannot compute the report: %s (%s)", job.err, mlops_strerror(rc));
        goto done;
    }
    if (a->html) {
        mlops_drift_html_opts ho = MLOPS_DRIFT_HTML_OPTS_INIT;
        ho.title = a->title;
        ho.reference_name = base_name(ref_path);
        ho.current_name = base_name(cur_path);
        ho.category_labels = labels;
        ho.category_label_counts = nlabels;
        rc = mlops_drift_report_html(report, &ho, &html);
        if (rc) {
            rc = cli_fail(ctx, rc, "cannot write the HTML report");
            goto done;
        }
        if ((rc = cli_write_file_atomic(ctx, a->html, html, strlen(html)))) goto done;
    }
    if (a->log_run) {
        int64_t step = 0;
        if (a->step && (rc = cli_parse_int(ctx, "--step", a->step, &step))) goto done;
        log_args la = { report, step, a->log_run };
        if ((rc = cli_with_run(ctx, a->log_run, log_report, &la))) goto done;
    }
    if (a->as_json) {
        char *text = NULL;
        rc = mlops_drift_report_json(report, &text);
        if (rc) {
            rc = cli_fail(ctx, rc, "cannot write the JSON report");
            goto done;
        }
        fputs(text, stdout);
        fputc('\n', stdout);
        mlops_free(text);
    } else {
        print_report(report);
        if (a->html) printf("HTML report: %s\n", a->html);
    }
    rc = CLI_OK;
    if (a->fail_on_drift && report->dataset_drift) rc = cli_error(ctx, "dataset drift detected");
done:
    mlops_free(html);
    mlops_drift_report_free(report);
    free(names);
    free(kinds);
    free(methods);
    free(rv);
    free(cv);
    free(rn);
    free(cn);
    free(thresholds);
    free(labels);
    free(nlabels);
    ds_free(cols, n);
    unload(&ref);
    unload(&cur);
    return rc;
}

static int cmd_drift_compare(cli_ctx *ctx, int argc, char **argv)
{
    compare_args a;
    memset(&a, 0, sizeof a);
    int npos;
    const cli_opt opts[] = {
        { "columns", 'c', &a.columns, NULL },
        { "numeric", 0, &a.numeric, NULL },
        { "categorical", 0, &a.categorical, NULL },
        { "method", 'm', &a.method, NULL },
        { "threshold", 0, &a.threshold, NULL },
        { "drift-share", 0, &a.share, NULL },
        { "correction", 0, &a.correction, NULL },
        { "bins", 0, &a.bins, NULL },
        { "html", 0, &a.html, NULL },
        { "title", 0, &a.title, NULL },
        { "log-run", 0, &a.log_run, NULL },
        { "step", 0, &a.step, NULL },
        { "profile", 'p', &a.profile, NULL },
        { "alpha", 0, &a.alpha, NULL },
        { "json", 0, NULL, &a.as_json },
        { "fail-on-drift", 0, NULL, &a.fail_on_drift },
    };
    int rc = cli_parse(ctx, argc, argv, opts, sizeof opts / sizeof opts[0], 1, 2, &npos);
    if (rc) return rc;
    if (a.profile) {
        if (npos != 1) return cli_usage(ctx, "with --profile, give one CSV file (the current data)");
        return compare_profile(ctx, &a, argv[0]);
    }
    if (npos != 2) return cli_usage(ctx, "give the reference and the current CSV files");
    if (a.alpha) return cli_usage(ctx, "--alpha applies with --profile (use --threshold)");
    if (a.step && !a.log_run) return cli_usage(ctx, "--step applies with --log-run");
    return compare_files(ctx, &a, argv[0], argv[1]);
}

const cli_command cli_drift_commands[] = {
    { "drift", NULL, "", "Drift between a reference and current data", "" },
    { "drift compare", cmd_drift_compare, "REF.csv CUR.csv | --profile DIGEST CUR.csv",
      "Test every column for drift (table, JSON, HTML)",
      "The CSV files need a header. A column is numeric when all its non-empty cells\n"
      "are numbers, else categorical; empty cells are missing values. Quoted fields\n"
      "may hold commas, quotes (doubled) and line breaks. Without --columns, both\n"
      "files must have the same columns. Methods follow Evidently's default rules\n"
      "unless --method says otherwise. Comparing two CSV files needs no store.\n\n"
      "Options:\n"
      "  -c, --columns A,B        compare only these columns\n"
      "  --numeric A,B            treat these columns as numeric\n"
      "  --categorical A,B        treat these columns as categorical\n"
      "  -m, --method M | COL=M,...  ks, wasserstein, jensenshannon, chisquare, z, psi,\n"
      "                           kl, hellinger, cvm, energy or auto (default)\n"
      "  --threshold X            threshold for every column (default: the method's)\n"
      "  --drift-share X          dataset drift when this share of columns drift (0.5)\n"
      "  --correction bh|none     Benjamini-Hochberg over the p-values (default none)\n"
      "  --bins N                 quantile bins for binned methods (default 10)\n"
      "  --html FILE              write a self-contained HTML report\n"
      "  --title TEXT             the HTML report's title\n"
      "  --log-run RUN [--step N] log the figures as metrics of a running run\n"
      "  -p, --profile DIGEST|REF compare CUR.csv with a stored dataset profile\n"
      "  --alpha X                with --profile: significance level (default 0.05)\n"
      "  --json                   print the report as JSON\n"
      "  --fail-on-drift          exit 1 when the dataset drifted\n" },
    { "drift test", cmd_drift_test, "TEST REF.csv CUR.csv -c COLUMN",
      "One statistic on one column, with scipy's options",
      "TEST is ks, cvm, wasserstein, energy, js or kl; the column is read as numbers\n"
      "on both sides (empty cells are missing). Each figure equals scipy's: KS as\n"
      "ks_2samp, CvM as cramervonmises_2samp, the distances with u_weights and\n"
      "v_weights, JS as jensenshannon and KL as entropy on the reference's quantile\n"
      "bins (see doc/drift.md).\n\n"
      "Options:\n"
      "  -c, --column COL         the column to test (in both files)\n"
      "  --alternative A          ks: two-sided (default), less or greater\n"
      "  -m, --method M           ks, cvm: auto (default), exact or asymptotic\n"
      "  -w, --weights COL        wasserstein, energy: weights of each file's values\n"
      "  --base B                 js: logarithm base (default e)\n"
      "  --no-kl-floor            kl: no 1e-4 floor (inf where scipy gives inf)\n"
      "  --bins N                 js, kl: reference quantile bins (default 10)\n"
      "  --json                   print JSON\n" },
    { "drift chi2", cmd_drift_chi2, "TABLE.csv",
      "Chi-square test of independence on a table of counts",
      "TABLE.csv holds counts, one row per row of the contingency table (a first\n"
      "column of labels is skipped). The test equals scipy.stats.chi2_contingency:\n"
      "Yates' correction when the table has one degree of freedom, and the\n"
      "Cressie-Read statistic of power_divergence.\n\n"
      "Options:\n"
      "  --no-correction          no Yates correction (scipy's correction=False)\n"
      "  --lambda L               pearson (default), log-likelihood, freeman-tukey,\n"
      "                           mod-log-likelihood, neyman, cressie-read or a number\n"
      "  --json                   print JSON\n" },
    { "drift profile", cmd_drift_profile, "DATA.csv",
      "Store a profile of every column; print its digest",
      "A profile summarises each column (counts, moments, quantile sketch, bins or\n"
      "category counts) without keeping the data; compare new data with it later\n"
      "using 'mlops drift compare --profile DIGEST CUR.csv'. Like any content, it is\n"
      "kept by gc only while something refers to it: give it a reference with --ref.\n\n"
      "Options:\n"
      "  -c, --columns A,B        profile only these columns\n"
      "  --numeric A,B            treat these columns as numeric\n"
      "  --categorical A,B        treat these columns as categorical\n"
      "  -r, --ref NAME           point reference NAME at the profile\n"
      "  --json                   print JSON\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
