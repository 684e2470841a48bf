/*
 * Dataset profiles: `drift profile DATA.csv` stores the reference profiles
 * of every column as one blob (dsprofile.h), and `drift compare --profile
 * DIGEST CUR.csv` compares current data with it.
 */
#include "cli.h"
#include "dataset.h"
#include "drift_input.h"
#include "dsprofile.h"
#include "json.h"
#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Stored dataset profiles ------------------------------------------------------------ */

int drift_load_profile(const cli_ctx *ctx, mlops_store *s, const char *text, dsprofile *p,
                       char digest_text[MLOPS_DIGEST_STRLEN])
{
    mlops_digest d;
    int rc = cli_resolve_content(ctx, s, text, &d);
    if (rc) return rc;
    cli_fmt_digest(&d, digest_text);
    void *data = NULL;
    size_t len = 0;
    rc = mlops_blob_get(s, &d, &data, &len);
    if (rc) return cli_fail(ctx, rc, text);
    char err[512];
    rc = dsprofile_decode(data, len, p, err, sizeof err);
    mlops_free(data);
    if (rc) return cli_error(ctx, "%s: %s (%s)", text, err, mlops_strerror(rc));
    return CLI_OK;
}

typedef struct load_args {
    const char *text;
    dsprofile *p;
    char *digest_text;
} load_args;

static int load_stored(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const load_args *a = arg;
    return drift_load_profile(ctx, s, a->text, a->p, a->digest_text);
}

static const char *verdict_name(int v)
{
    return v == MLOPS_VERDICT_DRIFT ? "DRIFT" : v == MLOPS_VERDICT_INCONCLUSIVE ? "inconclusive" : "ok";
}

/* Compares one column of the current table with its profile. */
static int compare_column(const cli_ctx *ctx, const char *path, const csv_table *t, size_t c,
                          dsprofile_column *pc, mlops_profile_comparison *cmp)
{
    int rc;
    if (pc->kind == MLOPS_PROFILE_CATEGORICAL) {
        const char **v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
        if (!v) return cli_error(ctx, "out of memory");
        for (size_t r = 0; r < t->nrows; r++) v[r] = t->cells[r * t->ncols + c];
        rc = mlops_profile_compare_strings(pc->profile, v, t->nrows, cmp);
        free(v);
    } else {
        double *v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
        if (!v) return cli_error(ctx, "out of memory");
        for (size_t r = 0; r < t->nrows; r++) {
            const char *cell = t->cells[r * t->ncols + c];
            /* blanks only: missing, as in 'drift compare' of two files */
            if (!cell || cell[strspn(cell, " \t")] == '\0') {
                v[r] = NAN;
            } else if (!ds_parse_number(cell, &v[r])) {
                free(v);
                return cli_error(ctx, "%s line %zu, column '%s': '%.40s' is not a number (the profile says the column is numeric)",
                                 path, t->lines[r], pc->name, cell);
            }
        }
        rc = mlops_profile_compare_values(pc->profile, v, t->nrows, cmp);
        free(v);
    }
    if (rc) {
        char what[300];
        snprintf(what, sizeof what, "column '%s'", pc->name);
        return cli_fail(ctx, rc, what);
    }
    return CLI_OK;
}

int compare_profile(cli_ctx *ctx, const compare_args *a, const char *cur_path)
{
    if (a->html) return cli_usage(ctx, "--html needs two CSV files (a profile keeps no raw data to draw)");
    if (a->numeric || a->categorical || a->method || a->threshold || a->correction || a->bins || a->log_run)
        return cli_usage(ctx, "with --profile, the profile decides kinds and methods (only --columns, --alpha, --drift-share, --json and --fail-on-drift apply)");
    double alpha = 0.05, share = 0.5;
    int rc;
    if (a->alpha && (rc = cli_parse_double(ctx, "--alpha", a->alpha, &alpha))) return rc;
    if (!(alpha > 0.0 && alpha < 1.0)) return cli_usage(ctx, "--alpha must be in (0, 1)");
    if (a->share && (rc = cli_parse_double(ctx, "--drift-share", a->share, &share))) return rc;
    if (!(share > 0.0 && share <= 1.0)) return cli_usage(ctx, "--drift-share must be in (0, 1]");
    dsprofile prof;
    char digest[MLOPS_DIGEST_STRLEN];
    load_args la = { a->profile, &prof, digest };
    if ((rc = cli_with_store(ctx, CLI_STORE_READ, load_stored, &la))) return rc;
    loaded cur;
    if ((rc = load_csv(ctx, cur_path, &cur))) {
        dsprofile_clear(&prof);
        return rc;
    }
    /* Which profile columns: all, or the selection; each must be in the CSV. */
    size_t n = prof.ncols;
    size_t *which = calloc(n ? n : 1, sizeof *which);
    size_t *csv_col = calloc(n ? n : 1, sizeof *csv_col);
    mlops_profile_comparison *cmp = calloc(n ? n : 1, sizeof *cmp);
    size_t m = 0;
    if (!which || !csv_col || !cmp) {
        rc = cli_error(ctx, "out of memory");
        goto done;
    }
    if (a->columns) {
        char *copy = strdup(a->columns), *save = NULL;
        if (!copy) {
            rc = cli_error(ctx, "out of memory");
            goto done;
        }
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            size_t k = 0;
            while (k < n && strcmp(prof.cols[k].name, tok) != 0) k++;
            if (k == n) {
                rc = cli_error(ctx, "no column '%s' in the profile %s", tok, a->profile);
                free(copy);
                goto done;
            }
            if (m < n) which[m++] = k;
        }
        free(copy);
    } else {
        for (size_t k = 0; k < n; k++) which[m++] = k;
    }
    for (size_t i = 0; i < m; i++) {
        long c = csv_column(cur.table, prof.cols[which[i]].name);
        if (c < 0) {
            rc = cli_error(ctx, "column '%s' is in the profile but not in %s (select columns with --columns)",
                           prof.cols[which[i]].name, cur_path);
            goto done;
        }
        csv_col[i] = (size_t)c;
    }
    if (!a->columns)
        for (size_t c = 0; c < cur.table->ncols; c++) {
            size_t k = 0;
            while (k < n && strcmp(prof.cols[k].name, cur.table->header[c]) != 0) k++;
            if (k == n) {
                rc = cli_error(ctx, "column '%s' is in %s but not in the profile (select columns with --columns)",
                               cur.table->header[c], cur_path);
                goto done;
            }
        }
    size_t drifted = 0;
    for (size_t i = 0; i < m; i++) {
        mlops_profile_comparison_init(&cmp[i], MLOPS_PROFILE_COMPARISON_VERSION);
        cmp[i].alpha = alpha;
        if ((rc = compare_column(ctx, cur_path, cur.table, csv_col[i], &prof.cols[which[i]], &cmp[i])))
            goto done;
        drifted += cmp[i].ks_verdict == MLOPS_VERDICT_DRIFT;
    }
    double frac = m ? (double)drifted / (double)m : 0.0;
    int dataset_drift = m && frac >= share;
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "profile", digest);
        json_kv_uint(&j, "profile_rows", prof.rows);
        json_kv_double(&j, "alpha", alpha);
        json_kv_uint(&j, "n_columns", m);
        json_kv_uint(&j, "n_drifted", drifted);
        json_kv_double(&j, "share_drifted", frac);
        json_kv_double(&j, "drift_share", share);
        json_kv_bool(&j, "dataset_drift", dataset_drift);
        json_key(&j, "columns");
        json_begin_array(&j);
        for (size_t i = 0; i < m; i++) {
            const mlops_profile_comparison *c = &cmp[i];
            json_begin_object(&j);
            json_kv_string(&j, "name", prof.cols[which[i]].name);
            json_kv_string(&j, "kind", prof.cols[which[i]].kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical");
            json_kv_uint(&j, "n_ref", c->n_ref);
            json_kv_uint(&j, "n_cur", c->n_cur);
            json_kv_double(&j, "ks_statistic", c->ks_statistic);
            json_kv_double(&j, "ks_error", c->ks_error);
            json_kv_double(&j, "ks_p_value", c->ks_p_value);
            json_kv_double(&j, "ks_p_low", c->ks_p_low);
            json_kv_double(&j, "ks_p_high", c->ks_p_high);
            json_kv_double(&j, "chisq_statistic", c->chisq.statistic);
            json_kv_double(&j, "chisq_p_value", c->chisq.p_value);
            json_kv_double(&j, "psi", c->psi);
            json_kv_double(&j, "jensen_shannon", c->jensen_shannon);
            json_kv_double(&j, "kl", c->kl);
            json_kv_double(&j, "hellinger", c->hellinger);
            json_kv_string(&j, "verdict", c->ks_verdict == MLOPS_VERDICT_DRIFT ? "drift"
                                          : c->ks_verdict == MLOPS_VERDICT_INCONCLUSIVE ? "inconclusive"
                                                                                       : "no_drift");
            json_end_object(&j);
        }
        json_end_array(&j);
        json_end_object(&j);
        json_finish(&j);
    } else {
        static const char *const h[] = { "COLUMN", "KIND", "TEST", "STATISTIC", "P-VALUE", "PSI",
                                          "JS", "REF", "CUR", "DRIFT" };
        table *t = table_new(10, h);
        for (size_t c = 3; c < 9; c++) table_align_right(t, c);
        for (size_t i = 0; i < m; i++) {
            const mlops_profile_comparison *c = &cmp[i];
            int numeric = prof.cols[which[i]].kind == MLOPS_PROFILE_NUMERIC;
            table_cell(t, prof.cols[which[i]].name);
            table_cell(t, numeric ? "numeric" : "categorical");
            table_cell(t, numeric ? "ks (sketch)" : "chisquare");
            if (numeric) {
                table_cellf(t, c->ks_error > 0 ? "%.4g±%.2g" : "%.4g", c->ks_statistic, c->ks_error);
                table_cellf(t, "%.3g", c->ks_p_value);
            } else {
                table_cellf(t, "%.4g", c->chisq.statistic);
                table_cellf(t, "%.3g", c->chisq.p_value);
            }
            table_cellf(t, "%.4g", c->psi);
            table_cellf(t, "%.4g", c->jensen_shannon);
            table_cellf(t, "%llu", (unsigned long long)c->n_ref);
            table_cellf(t, "%llu", (unsigned long long)c->n_cur);
            table_cell(t, verdict_name(c->ks_verdict));
        }
        table_print(t, stdout);
        table_free(t);
        printf("\ndataset drift: %s (%zu of %zu columns drifted at alpha %g, %.0f%%; the rule is >= %.0f%%)\n",
               dataset_drift ? "YES" : "no", drifted, m, alpha, 100.0 * frac, 100.0 * share);
    }
    rc = CLI_OK;
    if (a->fail_on_drift && dataset_drift) rc = cli_error(ctx, "dataset drift detected");
done:
    free(which);
    free(csv_col);
    free(cmp);
    unload(&cur);
    dsprofile_clear(&prof);
    return rc;
}

/* ---- drift profile DATA.csv ------------------------------------------------------------- */

typedef struct profile_args {
    ds_spec spec;
    const char *ref;
    int as_json;
} profile_args;

static int profile_store(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const profile_args *a = arg;
    const char *ref = a->ref;
    char **argv = ctx->args;
    int rc;
    loaded data;
    if ((rc = load_csv(ctx, argv[0], &data))) return rc;
    ds_spec spec = a->spec;
    ds_input in = { data.table, argv[0] };
    ds_column *cols = NULL;
    size_t n = 0;
    char err[512];
    dsprofile prof;
    memset(&prof, 0, sizeof prof);
    unsigned char *bytes = NULL;
    const char **strs = NULL;
    if (ds_build(&spec, &in, 1, &cols, &n, err, sizeof err) != 0) {
        rc = cli_error(ctx, "%s", err);
        goto done;
    }
    prof.rows = data.table->nrows;
    prof.cols = calloc(n ? n : 1, sizeof *prof.cols);
    strs = malloc((data.table->nrows ? data.table->nrows : 1) * sizeof *strs);
    if (!prof.cols || !strs) {
        rc = cli_error(ctx, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        dsprofile_column *pc = &prof.cols[i];
        prof.ncols++;
        pc->name = strdup(cols[i].name);
        pc->kind = cols[i].kind == DS_NUMERIC ? MLOPS_PROFILE_NUMERIC : MLOPS_PROFILE_CATEGORICAL;
        if (!pc->name) {
            rc = cli_error(ctx, "out of memory");
            goto done;
        }
        rc = mlops_profile_new(pc->kind, NULL, &pc->profile);
        if (rc == MLOPS_OK) {
            if (pc->kind == MLOPS_PROFILE_NUMERIC) {
                rc = mlops_profile_add(pc->profile, cols[i].side[0], cols[i].n[0]);
            } else {
                for (size_t r = 0; r < cols[i].n[0]; r++) {
                    double code = cols[i].side[0][r];
                    strs[r] = isnan(code) ? NULL : cols[i].labels[(size_t)code];
                }
                rc = mlops_profile_add_strings(pc->profile, strs, cols[i].n[0]);
            }
        }
        if (rc) {
            char what[300];
            snprintf(what, sizeof what, "column '%s'", pc->name);
            rc = cli_fail(ctx, rc, what);
            goto done;
        }
    }
    size_t len = 0;
    rc = dsprofile_encode(&prof, &bytes, &len);
    if (rc) {
        rc = cli_fail(ctx, rc, "cannot encode the profile");
        goto done;
    }
    mlops_digest d;
    rc = mlops_blob_put(s, bytes, len, &d);
    if (rc == MLOPS_OK && ref) rc = mlops_ref_set(s, ref, &d);
    if (rc) {
        rc = cli_fail(ctx, rc, "cannot store the profile");
        goto done;
    }
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(&d, hex);
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "digest", hex);
        json_kv_uint(&j, "rows", prof.rows);
        if (ref) json_kv_string(&j, "ref", ref);
        json_key(&j, "columns");
        json_begin_array(&j);
        for (size_t i = 0; i < prof.ncols; i++) {
            json_begin_object(&j);
            json_kv_string(&j, "name", prof.cols[i].name);
            json_kv_string(&j, "kind", prof.cols[i].kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical");
            json_end_object(&j);
        }
        json_end_array(&j);
        json_end_object(&j);
        json_finish(&j);
    } else {
        printf("%s\n", hex);
    }
    rc = CLI_OK;
done:
    free(strs);
    free(bytes);
    dsprofile_clear(&prof);
    ds_free(cols, n);
    unload(&data);
    return rc;
}

int cmd_drift_profile(cli_ctx *ctx, int argc, char **argv)
{
    profile_args a = { { NULL, NULL, NULL }, NULL, 0 };
    const cli_opt opts[] = {
        { "columns", 'c', &a.spec.columns, NULL },
        { "numeric", 0, &a.spec.numeric, NULL },
        { "categorical", 0, &a.spec.categorical, NULL },
        { "ref", 'r', &a.ref, NULL },
        { "json", 0, NULL, &a.as_json },
    };
    return cli_run(ctx, argc, argv, opts, 5, 1, 1, CLI_STORE_WRITE, profile_store, &a);
}
