/*
 * Data validation: `schema infer` makes a schema from a stored dataset
 * profile (`drift profile`), `schema show` prints its JSON text form,
 * `schema load` stores an edited text form, and `schema validate` checks a
 * CSV file against a stored schema (exit 1 when it finds anomalies, as
 * `fsck` does when it finds damage).
 */
#include "cli.h"
#include "dataset.h"
#include "drift_input.h"
#include "dsprofile.h"
#include "json.h"
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A schema named by a digest or a reference. */
static int load_schema(const cli_ctx *ctx, mlops_store *s, const char *text, mlops_schema **out)
{
    mlops_digest d;
    int rc = cli_resolve_content(ctx, s, text, &d);
    if (rc) return rc;
    return cli_check(ctx, mlops_schema_get(s, &d, out), text);
}

/* Stores sc, points ref at it when asked, prints its digest (or JSON). */
static int store_schema(const cli_ctx *ctx, mlops_store *s, const mlops_schema *sc, const char *ref,
                        int as_json)
{
    mlops_digest d;
    int rc = mlops_schema_put(s, sc, &d);
    if (rc == MLOPS_OK && ref) rc = mlops_ref_set(s, ref, &d);
    if (rc) return cli_fail(ctx, rc, "cannot store the schema");
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(&d, hex);
    if (!as_json) {
        printf("%s\n", hex);
        return CLI_OK;
    }
    json j;
    json_init(&j, stdout);
    json_begin_object(&j);
    json_kv_string(&j, "digest", hex);
    if (ref) json_kv_string(&j, "ref", ref);
    json_kv_uint(&j, "columns", mlops_schema_column_count(sc));
    json_end_object(&j);
    json_finish(&j);
    return CLI_OK;
}

/* Writes the JSON text form of sc to path, or to stdout for NULL. */
static int write_text(const cli_ctx *ctx, const mlops_schema *sc, const char *path)
{
    char *text = NULL;
    int rc = cli_check(ctx, mlops_schema_to_json(sc, &text), "cannot write the schema as JSON");
    if (rc) return rc;
    if (path)
        rc = cli_write_file_atomic(ctx, path, text, strlen(text));
    else
        fputs(text, stdout);
    mlops_free(text);
    return rc;
}

/* ---- schema infer PROFILE ------------------------------------------------------------------ */

typedef struct infer_args {
    const char *out, *ref, *missing_slack, *range_slack, *max_categories;
    int as_json;
    mlops_schema_infer_opts opts;
} infer_args;

static int infer_run(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const infer_args *a = arg;
    dsprofile prof;
    memset(&prof, 0, sizeof prof);
    char hex[MLOPS_DIGEST_STRLEN];
    int rc = drift_load_profile(ctx, s, ctx->args[0], &prof, hex);
    if (rc) return rc;
    const char **names = malloc((prof.ncols ? prof.ncols : 1) * sizeof *names);
    mlops_profile **profiles = malloc((prof.ncols ? prof.ncols : 1) * sizeof *profiles);
    mlops_schema *sc = NULL;
    if (!names || !profiles) {
        rc = cli_error(ctx, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < prof.ncols; i++) {
        names[i] = prof.cols[i].name;
        profiles[i] = prof.cols[i].profile;
    }
    rc = cli_check(ctx, mlops_schema_infer(prof.ncols, names, profiles, &a->opts, &sc), ctx->args[0]);
    if (!rc && a->out) rc = write_text(ctx, sc, a->out);
    if (!rc) rc = store_schema(ctx, s, sc, a->ref, a->as_json);
done:
    mlops_schema_free(sc);
    free(names);
    free(profiles);
    dsprofile_clear(&prof);
    return rc;
}

static int cmd_schema_infer(cli_ctx *ctx, int argc, char **argv)
{
    infer_args a;
    memset(&a, 0, sizeof a);
    mlops_schema_infer_opts_init(&a.opts, MLOPS_SCHEMA_INFER_OPTS_VERSION);
    const cli_opt opts[] = {
        { "output", 'o', &a.out, NULL },
        { "ref", 'r', &a.ref, NULL },
        { "missing-slack", 0, &a.missing_slack, NULL },
        { "range-slack", 0, &a.range_slack, NULL },
        { "max-categories", 0, &a.max_categories, NULL },
        { "json", 0, NULL, &a.as_json },
    };
    int npos;
    int rc = cli_parse(ctx, argc, argv, opts, 6, 1, 1, &npos);
    if (rc) return rc;
    if (a.missing_slack && (rc = cli_parse_double(ctx, "--missing-slack", a.missing_slack, &a.opts.missing_slack)))
        return rc;
    if (a.range_slack && (rc = cli_parse_double(ctx, "--range-slack", a.range_slack, &a.opts.range_slack)))
        return rc;
    if (a.max_categories) {
        int64_t v;
        if ((rc = cli_parse_int(ctx, "--max-categories", a.max_categories, &v))) return rc;
        if (v < 1 || v > MLOPS_SCHEMA_CATEGORIES_MAX)
            return cli_usage(ctx, "--max-categories must be in 1..%d", MLOPS_SCHEMA_CATEGORIES_MAX);
        a.opts.max_categories = (uint32_t)v;
    }
    return cli_with_store(ctx, CLI_STORE_WRITE, infer_run, &a);
}

/* ---- schema show SCHEMA / schema load FILE.json ---------------------------------------------- */

typedef struct text_args {
    const char *out, *ref;
    int as_json;
} text_args;

static int show_run(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const text_args *a = arg;
    mlops_schema *sc = NULL;
    int rc = load_schema(ctx, s, ctx->args[0], &sc);
    if (!rc) rc = write_text(ctx, sc, a->out);
    mlops_schema_free(sc);
    return rc;
}

static int cmd_schema_show(cli_ctx *ctx, int argc, char **argv)
{
    text_args a = { NULL, NULL, 0 };
    const cli_opt opts[] = { { "output", 'o', &a.out, NULL } };
    return cli_run(ctx, argc, argv, opts, 1, 1, 1, CLI_STORE_READ, show_run, &a);
}

static int load_run(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const text_args *a = arg;
    char *text = NULL;
    size_t len = 0;
    int rc = cli_read_file(ctx, ctx->args[0], &text, &len);
    if (rc) return rc;
    mlops_schema *sc = NULL;
    rc = cli_check(ctx, mlops_schema_from_json(text, len, &sc), ctx->args[0]);
    free(text);
    if (!rc) rc = store_schema(ctx, s, sc, a->ref, a->as_json);
    mlops_schema_free(sc);
    return rc;
}

static int cmd_schema_load(cli_ctx *ctx, int argc, char **argv)
{
    text_args a = { NULL, NULL, 0 };
    const cli_opt opts[] = { { "ref", 'r', &a.ref, NULL }, { "json", 0, NULL, &a.as_json } };
    return cli_run(ctx, argc, argv, opts, 2, 1, 1, CLI_STORE_WRITE, load_run, &a);
}

/* ---- schema validate SCHEMA FILE.csv ----------------------------------------------------------- */

/* The batch of a CSV file: a column the schema says is numeric, or that
 * the schema does not know, is numeric when every non-blank cell reads as
 * a number (blank cells are missing), else categorical (empty cells
 * missing), as `drift profile` reads it; so text in a numeric column shows
 * as a kind change. */
typedef struct csv_batch {
    size_t ncols, nrows;
    const char **names;
    int *kinds;
    double **numbers;
    const char ***strings;
} csv_batch;

static void batch_free(csv_batch *b)
{
    for (size_t i = 0; i < b->ncols; i++) {
        if (b->numbers) free(b->numbers[i]);
        if (b->strings) free(b->strings[i]);
    }
    free(b->names);
    free(b->kinds);
    free(b->numbers);
    free(b->strings);
}

static int blank(const char *cell)
{
    return cell[strspn(cell, " \t")] == '\0';
}

static int batch_build(const csv_table *t, const mlops_schema *sc, csv_batch *b)
{
    memset(b, 0, sizeof *b);
    b->ncols = t->ncols;
    b->nrows = t->nrows;
    size_t n = t->ncols ? t->ncols : 1, rows = t->nrows ? t->nrows : 1;
    b->names = malloc(n * sizeof *b->names);
    b->kinds = malloc(n * sizeof *b->kinds);
    b->numbers = calloc(n, sizeof *b->numbers);
    b->strings = calloc(n, sizeof *b->strings);
    if (!b->names || !b->kinds || !b->numbers || !b->strings) return -1;
    for (size_t c = 0; c < t->ncols; c++) {
        b->names[c] = t->header[c];
        size_t at;
        mlops_schema_column col = MLOPS_SCHEMA_COLUMN_INIT;
        int want = MLOPS_PROFILE_NUMERIC;
        if (mlops_schema_column_find(sc, t->header[c], &at) == MLOPS_OK &&
            mlops_schema_column_get(sc, at, &col) == MLOPS_OK)
            want = col.kind;
        int kind = MLOPS_PROFILE_CATEGORICAL;
        if (want == MLOPS_PROFILE_NUMERIC) {
            double *x = malloc(rows * sizeof *x);
            if (!x) return -1;
            kind = MLOPS_PROFILE_NUMERIC;
            for (size_t r = 0; r < t->nrows && kind == MLOPS_PROFILE_NUMERIC; r++) {
                const char *cell = t->cells[r * t->ncols + c];
                if (!cell || blank(cell))
                    x[r] = NAN;
                else if (!ds_parse_number(cell, &x[r]))
                    kind = MLOPS_PROFILE_CATEGORICAL;
            }
            if (kind == MLOPS_PROFILE_NUMERIC)
                b->numbers[c] = x;
            else
                free(x);
        }
        b->kinds[c] = kind;
        if (kind == MLOPS_PROFILE_CATEGORICAL) {
            const char **x = malloc(rows * sizeof *x);
            if (!x) return -1;
            for (size_t r = 0; r < t->nrows; r++) x[r] = t->cells[r * t->ncols + c];
            b->strings[c] = x;
        }
    }
    return 0;
}

static const char *anomaly_name(int kind)
{
    switch (kind) {
    case MLOPS_ANOMALY_UNKNOWN_COLUMN: return "unknown_column";
    case MLOPS_ANOMALY_MISSING_COLUMN: return "missing_column";
    case MLOPS_ANOMALY_KIND_CHANGE: return "kind_change";
    case MLOPS_ANOMALY_OUT_OF_RANGE: return "out_of_range";
    case MLOPS_ANOMALY_UNSEEN_CATEGORY: return "unseen_category";
    default: return "missing_values";
    }
}

static const char *kind_name(int kind)
{
    return kind == MLOPS_PROFILE_NUMERIC ? "numeric" : kind == MLOPS_PROFILE_CATEGORICAL ? "categorical" : NULL;
}

/* "row 3: 'x', row 9: 'y'" in the table (rows counted from 1, as the
 * data lines after the header). */
static void examples_text(const mlops_anomaly *a, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < a->n_examples && used + 1 < cap; i++) {
        int w = snprintf(buf + used, cap - used, "%s%llu:%s", i ? ", " : "",
                         (unsigned long long)a->example_rows[i] + 1, a->example_values[i]);
        if (w < 0) break;
        used += (size_t)w;
    }
}

typedef struct validate_args {
    const char *examples;
    int as_json;
    mlops_validate_opts opts;
} validate_args;

static int validate_run(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const validate_args *a = arg;
    mlops_schema *sc = NULL;
    int rc = load_schema(ctx, s, ctx->args[0], &sc);
    if (rc) return rc;
    loaded data;
    if ((rc = load_csv(ctx, ctx->args[1], &data))) {
        mlops_schema_free(sc);
        return rc;
    }
    csv_batch b;
    mlops_anomalies *l = NULL;
    if (batch_build(data.table, sc, &b) != 0) {
        rc = cli_error(ctx, "out of memory");
        goto done;
    }
    rc = cli_check(ctx,
                   mlops_schema_validate(sc, b.ncols, b.names, b.kinds, (const double *const *)b.numbers,
                                         (const char *const *const *)b.strings, b.nrows, &a->opts, &l),
                   ctx->args[1]);
    if (rc) goto done;
    size_t n = mlops_anomalies_count(l);
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_bool(&j, "ok", n == 0);
        json_kv_uint(&j, "rows", b.nrows);
        json_key(&j, "anomalies");
        json_begin_array(&j);
        for (size_t i = 0; i < n; i++) {
            const mlops_anomaly *an = mlops_anomalies_at(l, i);
            json_begin_object(&j);
            json_kv_string(&j, "column", an->column);
            json_kv_string(&j, "anomaly", anomaly_name(an->kind));
            json_kv_string(&j, "expected_kind", kind_name(an->expected_kind));
            json_kv_string(&j, "actual_kind", kind_name(an->actual_kind));
            json_kv_uint(&j, "count", an->count);
            json_kv_uint(&j, "total", an->total);
            json_kv_double(&j, "share", an->share);
            json_kv_double(&j, "limit", an->limit);
            json_key(&j, "examples");
            json_begin_array(&j);
            for (size_t k = 0; k < an->n_examples; k++) {
                json_begin_object(&j);
                json_kv_uint(&j, "row", an->example_rows[k] + 1);
                json_kv_string(&j, "value", an->example_values[k]);
                json_end_object(&j);
            }
            json_end_array(&j);
            json_end_object(&j);
        }
        json_end_array(&j);
        json_end_object(&j);
        json_finish(&j);
    } else if (n == 0) {
        printf("ok: %zu rows, %zu columns match the schema\n", b.nrows, b.ncols);
    } else {
        static const char *const h[] = { "COLUMN", "ANOMALY", "COUNT", "SHARE", "LIMIT", "EXAMPLES (ROW:VALUE)" };
        static const int right[] = { 2, 3, 4, -1 };
        listing out;
        listing_begin(&out, 0, 6, h, right);
        for (size_t i = 0; i < n; i++) {
            const mlops_anomaly *an = mlops_anomalies_at(l, i);
            char share[32], limit[32], ex[512];
            cli_fmt_double(an->share, share, sizeof share);
            cli_fmt_double(an->limit, limit, sizeof limit);
            examples_text(an, ex, sizeof ex);
            table_cell(out.t, an->column);
            if (an->kind == MLOPS_ANOMALY_KIND_CHANGE)
                table_cellf(out.t, "kind_change (%s, not %s)", kind_name(an->actual_kind),
                            kind_name(an->expected_kind));
            else
                table_cell(out.t, anomaly_name(an->kind));
            table_cellf(out.t, "%llu/%llu", (unsigned long long)an->count, (unsigned long long)an->total);
            table_cell(out.t, share);
            table_cell(out.t, limit);
            table_cell(out.t, ex[0] ? ex : NULL);
        }
        listing_end(&out);
    }
    rc = n ? CLI_FAIL : CLI_OK;
done:
    mlops_anomalies_free(l);
    batch_free(&b);
    unload(&data);
    mlops_schema_free(sc);
    return rc;
}

static int cmd_schema_validate(cli_ctx *ctx, int argc, char **argv)
{
    validate_args a;
    memset(&a, 0, sizeof a);
    mlops_validate_opts_init(&a.opts, MLOPS_VALIDATE_OPTS_VERSION);
    const cli_opt opts[] = { { "examples", 0, &a.examples, NULL }, { "json", 0, NULL, &a.as_json } };
    int npos;
    int rc = cli_parse(ctx, argc, argv, opts, 2, 2, 2, &npos);
    if (rc) return rc;
    if (a.examples) {
        int64_t v;
        if ((rc = cli_parse_int(ctx, "--examples", a.examples, &v))) return rc;
        if (v < 0 || v > 100) return cli_usage(ctx, "--examples must be in 0..100");
        a.opts.max_examples = (uint32_t)v;
    }
    return cli_with_store(ctx, CLI_STORE_READ, validate_run, &a);
}

const cli_command cli_schema_commands[] = {
    { "schema", NULL, "", "Data validation against a schema", "" },
    { "schema infer", cmd_schema_infer, "PROFILE",
      "Infer a schema from a stored dataset profile and store it",
      "PROFILE is the digest or reference of a dataset profile ('mlops drift profile').\n"
      "Every column must be present, with at most its reference share of missing\n"
      "values plus a slack; a numeric column within its reference's [min, max]; a\n"
      "categorical column among its reference's categories (when there were at most\n"
      "--max-categories, all counted exactly). Prints the schema's digest.\n\n"
      "Options:\n"
      "  -o, --output FILE        also write the schema's JSON text form, to edit\n"
      "  -r, --ref NAME           point reference NAME at the schema\n"
      "  --missing-slack X        added to each reference missing share (0.05)\n"
      "  --range-slack X          widen each range by X times its width per side (0)\n"
      "  --max-categories N       largest allowed set inferred (1000)\n"
      "  --json                   print JSON\n" },
    { "schema show", cmd_schema_show, "SCHEMA", "Print a stored schema as JSON text",
      "SCHEMA is a digest or a reference. The text is the form 'schema load' reads\n"
      "(doc/validate.md).\n\n"
      "Options:\n"
      "  -o, --output FILE        write it to FILE instead\n" },
    { "schema load", cmd_schema_load, "FILE.json", "Store a schema from its JSON text form",
      "Reads an edited schema (doc/validate.md), checks it and stores it. Prints its\n"
      "digest.\n\n"
      "Options:\n"
      "  -r, --ref NAME           point reference NAME at the schema\n"
      "  --json                   print JSON\n" },
    { "schema validate", cmd_schema_validate, "SCHEMA FILE.csv",
      "Check a CSV file against a stored schema",
      "Reports unknown and missing columns, kind changes, values out of range,\n"
      "unseen categories and missing shares above their limits, with counts and the\n"
      "first rows (counted from 1 after the header) and values. A column the schema\n"
      "calls numeric is read as numbers when every non-blank cell is one; other\n"
      "columns as text (empty cells are missing). Exits 1 when there is an anomaly.\n\n"
      "Options:\n"
      "  --examples N             examples per anomaly, 0..100 (default 5)\n"
      "  --json                   print JSON\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
