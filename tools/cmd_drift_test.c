/*
 * `drift test STAT REF.csv CUR.csv -c COL`: one statistic on one column with
 * the options scipy users set (KS alternative and method, CvM method,
 * weights, Jensen-Shannon base, KL without the floor), and `drift chi2
 * TABLE.csv`: chi2_contingency on a table of counts (Yates, lambda_).
 */
#include "cli.h"
#include "csv.h"
#include "dataset.h"
#include "drift_input.h"
#include "json.h"
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct named {
    const char *name;
    int value;
} named;

/* The value of name in list (n entries), or -1 after a usage error. */
static int lookup(const cli_ctx *ctx, const char *what, const char *name, const named *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].name, name)) return list[i].value;
    cli_usage(ctx, "unknown %s '%s'", what, name);
    return -1;
}

enum { T_KS, T_CVM, T_WASSERSTEIN, T_ENERGY, T_JS, T_KL };

static const named stats[] = {
    { "ks", T_KS },          { "cvm", T_CVM },         { "cramer_von_mises", T_CVM },
    { "wasserstein", T_WASSERSTEIN }, { "energy", T_ENERGY }, { "energy_distance", T_ENERGY },
    { "js", T_JS },          { "jensenshannon", T_JS }, { "kl", T_KL },
    { "kl_div", T_KL },
};
static const named alternatives[] = { { "two-sided", MLOPS_KS_TWO_SIDED },
                                      { "less", MLOPS_KS_LESS },
                                      { "greater", MLOPS_KS_GREATER } };
/* KS and CvM share the names and values of their methods */
static const named test_methods[] = { { "auto", MLOPS_KS_AUTO },
                                      { "exact", MLOPS_KS_EXACT },
                                      { "asymptotic", MLOPS_KS_ASYMPTOTIC },
                                      { "asymp", MLOPS_KS_ASYMPTOTIC } };

typedef struct test_args {
    const char *column, *alternative, *method, *weights, *base, *bins;
    int no_kl_floor, as_json;
} test_args;

typedef struct test_out {
    double statistic, p_value, log_p_value;
    const char *method; /* the KS method that ran, or NULL */
} test_out;

/* Checks that an option applies to the statistic. */
static int only_for(const cli_ctx *ctx, const char *value, const char *option, int ok, const char *which)
{
    if (value && !ok) return cli_usage(ctx, "%s applies to %s", option, which);
    return CLI_OK;
}

static int run_stat(const cli_ctx *ctx, int stat, const test_args *a, const ds_column *col,
                    const ds_column *w, test_out *o)
{
    const double *r = col->side[0], *c = col->side[1];
    size_t nr = col->n[0], nc = col->n[1];
    int method = a->method ? lookup(ctx, "method", a->method, test_methods, 4) : MLOPS_KS_AUTO;
    if (method < 0) return CLI_USAGE;
    o->p_value = o->log_p_value = NAN;
    o->method = NULL;
    int rc;
    if (stat == T_KS) {
        mlops_ks_opts ko = MLOPS_KS_OPTS_INIT;
        ko.method = method;
        if (a->alternative) {
            ko.alternative = lookup(ctx, "alternative", a->alternative, alternatives, 3);
            if (ko.alternative < 0) return CLI_USAGE;
        }
        mlops_ks_result kr = MLOPS_KS_RESULT_INIT;
        rc = mlops_drift_ks_opts(r, nr, c, nc, &ko, &kr);
        o->statistic = kr.statistic;
        o->p_value = kr.p_value;
        o->log_p_value = kr.log_p_value;
        o->method = kr.method == MLOPS_KS_EXACT ? "exact" : "asymptotic";
    } else if (stat == T_CVM) {
        mlops_cvm_opts co = MLOPS_CVM_OPTS_INIT;
        co.method = method; /* MLOPS_CVM_* has the values of MLOPS_KS_* */
        mlops_test_result t = { 0.0, 0.0 };
        rc = mlops_drift_cramer_von_mises_opts(r, nr, c, nc, &co, &t);
        o->statistic = t.statistic;
        o->p_value = t.p_value;
    } else if (stat == T_WASSERSTEIN || stat == T_ENERGY) {
        mlops_distance_opts d = MLOPS_DISTANCE_OPTS_INIT;
        if (w) {
            d.ref_weights = w->side[0];
            d.cur_weights = w->side[1];
        }
        rc = stat == T_ENERGY ? mlops_drift_energy_opts(r, nr, c, nc, &d, &o->statistic)
                              : mlops_drift_wasserstein_opts(r, nr, c, nc, &d, &o->statistic);
    } else {
        mlops_binned_opts bo = MLOPS_BINNED_OPTS_INIT;
        int64_t bins = 10;
        if (a->bins && (rc = cli_parse_int(ctx, "--bins", a->bins, &bins))) return rc;
        if (a->base && (rc = cli_parse_double(ctx, "--base", a->base, &bo.base))) return rc;
        bo.kl_floor = !a->no_kl_floor;
        mlops_binned_result br = MLOPS_BINNED_RESULT_INIT;
        rc = bins < 0 ? MLOPS_EINVAL : mlops_drift_binned_opts(r, nr, c, nc, (size_t)bins, &bo, &br);
        o->statistic = stat == T_JS ? br.jensen_shannon : br.kl;
    }
    return cli_check(ctx, rc, col->name);
}

static void print_test(const char *stat, const char *column, const test_out *o, int as_json)
{
    if (as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "test", stat);
        json_kv_string(&j, "column", column);
        json_kv_double(&j, "statistic", o->statistic);
        json_kv_double(&j, "p_value", o->p_value);
        json_kv_double(&j, "log_p_value", o->log_p_value);
        if (o->method) json_kv_string(&j, "method", o->method);
        json_end_object(&j);
        json_finish(&j);
        return;
    }
    printf("%s of %s: %.17g", stat, column, o->statistic);
    if (!isnan(o->p_value)) printf(", p-value %.17g", o->p_value);
    if (o->method) printf(" (%s)", o->method);
    printf("\n");
}

int cmd_drift_test(cli_ctx *ctx, int argc, char **argv)
{
    test_args a;
    memset(&a, 0, sizeof a);
    int npos;
    const cli_opt opts[] = {
        { "column", 'c', &a.column, NULL },         { "alternative", 0, &a.alternative, NULL },
        { "method", 'm', &a.method, NULL },         { "weights", 'w', &a.weights, NULL },
        { "base", 0, &a.base, NULL },               { "bins", 0, &a.bins, NULL },
        { "no-kl-floor", 0, NULL, &a.no_kl_floor }, { "json", 0, NULL, &a.as_json },
    };
    int rc = cli_parse(ctx, argc, argv, opts, sizeof opts / sizeof opts[0], 3, 3, &npos);
    if (rc) return rc;
    int stat = lookup(ctx, "test", argv[0], stats, sizeof stats / sizeof stats[0]);
    if (stat < 0) return CLI_USAGE;
    if (!a.column) return cli_usage(ctx, "name the column with --column");
    if ((rc = only_for(ctx, a.alternative, "--alternative", stat == T_KS, "ks")) ||
        (rc = only_for(ctx, a.method, "--method", stat == T_KS || stat == T_CVM, "ks and cvm")) ||
        (rc = only_for(ctx, a.weights, "--weights", stat == T_WASSERSTEIN || stat == T_ENERGY,
                       "wasserstein and energy")) ||
        (rc = only_for(ctx, a.base, "--base", stat == T_JS, "js")) ||
        (rc = only_for(ctx, a.no_kl_floor ? "" : NULL, "--no-kl-floor", stat == T_KL, "kl")) ||
        (rc = only_for(ctx, a.bins, "--bins", stat == T_JS || stat == T_KL, "js and kl")))
        return rc;
    if (a.weights && !strcmp(a.weights, a.column))
        return cli_usage(ctx, "--weights names the tested column");
    loaded ref, cur;
    if ((rc = load_csv(ctx, argv[1], &ref))) return rc;
    if ((rc = load_csv(ctx, argv[2], &cur))) {
        unload(&ref);
        return rc;
    }
    /* the column and its weights, both read as numbers */
    char list[1024];
    snprintf(list, sizeof list, "%s%s%s", a.column, a.weights ? "," : "", a.weights ? a.weights : "");
    ds_spec spec = { list, list, NULL };
    ds_input inputs[2] = { { ref.table, argv[1] }, { cur.table, argv[2] } };
    ds_column *cols = NULL;
    size_t n = 0;
    char err[512];
    if (strchr(a.column, ',') || (a.weights && strchr(a.weights, ',')))
        rc = cli_usage(ctx, "--column and --weights name one column each");
    else if (ds_build(&spec, inputs, 2, &cols, &n, err, sizeof err) != 0)
        rc = cli_error(ctx, "%s", err);
    else {
        test_out o;
        rc = run_stat(ctx, stat, &a, &cols[0], n > 1 ? &cols[1] : NULL, &o);
        if (!rc) print_test(argv[0], cols[0].name, &o, a.as_json);
    }
    ds_free(cols, n);
    unload(&ref);
    unload(&cur);
    return rc;
}

static const struct {
    const char *name;
    double value;
} lambdas[] = {
    { "pearson", MLOPS_LAMBDA_PEARSON },
    { "log-likelihood", MLOPS_LAMBDA_LOG_LIKELIHOOD },
    { "freeman-tukey", MLOPS_LAMBDA_FREEMAN_TUKEY },
    { "mod-log-likelihood", MLOPS_LAMBDA_MOD_LOG_LIKELIHOOD },
    { "neyman", MLOPS_LAMBDA_NEYMAN },
    { "cressie-read", MLOPS_LAMBDA_CRESSIE_READ },
};

/* The counts of a table CSV: every column numeric, except a first column
 * of labels. */
static int table_counts(const cli_ctx *ctx, const char *path, const csv_table *t, double **out,
                        size_t *rows, size_t *cols)
{
    size_t first = 0;
    double v;
    for (size_t r = 0; r < t->nrows && !first; r++) {
        const char *cell = t->cells[r * t->ncols];
        if (cell && !ds_parse_number(cell, &v)) first = 1;
    }
    if (t->nrows == 0 || t->ncols <= first) return cli_error(ctx, "%s: no counts", path);
    *rows = t->nrows;
    *cols = t->ncols - first;
    double *c = malloc(*rows * *cols * sizeof *c);
    if (!c) return cli_error(ctx, "out of memory");
    for (size_t r = 0; r < *rows; r++)
        for (size_t j = first; j < t->ncols; j++) {
            const char *cell = t->cells[r * t->ncols + j];
            if (!cell || !ds_parse_number(cell, &c[r * *cols + j - first])) {
                free(c);
                return cli_error(ctx, "%s line %zu: column '%s' is not a count", path, t->lines[r],
                                 t->header[j]);
            }
        }
    *out = c;
    return CLI_OK;
}

int cmd_drift_chi2(cli_ctx *ctx, int argc, char **argv)
{
    const char *lambda = NULL;
    int no_correction = 0, as_json = 0, npos;
    const cli_opt opts[] = {
        { "lambda", 0, &lambda, NULL },
        { "no-correction", 0, NULL, &no_correction },
        { "json", 0, NULL, &as_json },
    };
    int rc = cli_parse(ctx, argc, argv, opts, sizeof opts / sizeof opts[0], 1, 1, &npos);
    if (rc) return rc;
    mlops_chisq_opts o = MLOPS_CHISQ_OPTS_INIT;
    o.correction = !no_correction;
    if (lambda) {
        size_t i = 0;
        while (i < sizeof lambdas / sizeof lambdas[0] && strcmp(lambdas[i].name, lambda)) i++;
        if (i < sizeof lambdas / sizeof lambdas[0])
            o.lambda = lambdas[i].value;
        else if ((rc = cli_parse_double(ctx, "--lambda", lambda, &o.lambda)))
            return rc;
    }
    loaded in;
    if ((rc = load_csv(ctx, argv[0], &in))) return rc;
    double *counts = NULL;
    size_t rows = 0, cols = 0;
    rc = table_counts(ctx, argv[0], in.table, &counts, &rows, &cols);
    mlops_chisq_result r = MLOPS_CHISQ_RESULT_INIT;
    if (!rc) rc = cli_check(ctx, mlops_drift_chisq_table(counts, rows, cols, &o, &r), argv[0]);
    if (!rc && as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_double(&j, "statistic", r.statistic);
        json_kv_double(&j, "p_value", r.p_value);
        json_kv_double(&j, "log_p_value", r.log_p_value);
        json_kv_uint(&j, "dof", r.dof);
        json_end_object(&j);
        json_finish(&j);
    } else if (!rc) {
        printf("chi2 %.17g, p-value %.17g, dof %llu\n", r.statistic, r.p_value,
               (unsigned long long)r.dof);
    }
    free(counts);
    unload(&in);
    return rc;
}
