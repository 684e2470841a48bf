/* The `mlops` command's CSV reader (tools/csv.c) and column typing
 * (tools/dataset.c), linked in directly. */
#include "testutil.h"

#include "csv.h"
#include "dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static csv_table *parse_ok(const char *text)
{
    csv_table *t = NULL;
    csv_error err;
    int rc = csv_parse(text, strlen(text), NULL, NULL, &t, &err);
    ck_assert_msg(rc == 0, "parse failed: line %zu: %s", err.line, err.message);
    return t;
}

static void parse_bad(const char *text, size_t len, size_t line, const char *message)
{
    csv_table *t = (csv_table *)1;
    csv_error err;
    ck_assert_int_eq(csv_parse(text, len, NULL, NULL, &t, &err), -1);
    ck_assert_ptr_null(t);
    ck_assert_uint_eq(err.line, line);
    ck_assert_msg(strstr(err.message, message) != NULL, "'%s' lacks '%s'", err.message, message);
    ck_assert_ptr_null(strchr(err.message, '\n'));
}

/* A literal's bytes, without the NUL the compiler adds. */
#define BAD(lit, line, message) parse_bad(lit, sizeof(lit) - 1, line, message)

#define CELL(t, r, c) ((t)->cells[(r) * (t)->ncols + (c)])

START_TEST(csv_fields)
{
    csv_table *t = parse_ok("\xEF\xBB\xBF"
                            "name,note,n\r\n"
                            "plain,\"with, comma\",1\r\n"
                            "\"multi\nline\",\"say \"\"hi\"\"\",\n"
                            "\n"
                            ",\"\",3\n"
                            "S\xC3\xA3o,x,4");
    ck_assert_uint_eq(t->ncols, 3);
    ck_assert_uint_eq(t->nrows, 4);
    ck_assert_str_eq(t->header[0], "name"); /* the byte-order mark is skipped */
    ck_assert_str_eq(t->header[2], "n");
    ck_assert_str_eq(CELL(t, 0, 1), "with, comma");
    ck_assert_str_eq(CELL(t, 1, 0), "multi\nline");
    ck_assert_str_eq(CELL(t, 1, 1), "say \"hi\"");
    ck_assert_ptr_null(CELL(t, 1, 2)); /* empty: missing */
    ck_assert_ptr_null(CELL(t, 2, 0));
    ck_assert_ptr_null(CELL(t, 2, 1)); /* quoted empty: missing too */
    ck_assert_str_eq(CELL(t, 2, 2), "3");
    ck_assert_str_eq(CELL(t, 3, 0), "S\xC3\xA3o"); /* the last line has no line end */
    ck_assert_str_eq(CELL(t, 3, 2), "4");
    ck_assert_uint_eq(t->lines[0], 2);
    ck_assert_uint_eq(t->lines[1], 3); /* a record spanning lines 3-4 */
    ck_assert_uint_eq(t->lines[2], 6); /* after a skipped empty line */
    ck_assert_uint_eq(t->lines[3], 7);
    ck_assert_uint_eq(csv_column(t, "note"), 1);
    ck_assert_int_eq(csv_column(t, "nope"), -1);
    csv_free(t);

    /* A trailing comma is one more, empty, field: in a header, a nameless one. */
    BAD("a,b,\n1,2,\n", 1, "column 3 of the header has no name");
    t = parse_ok("only\n");
    ck_assert_uint_eq(t->nrows, 0);
    csv_free(t);
    t = parse_ok("x,y\n1,\n");
    ck_assert_ptr_null(CELL(t, 0, 1));
    csv_free(t);
}
END_TEST

START_TEST(csv_refusals)
{
    BAD("", 0, "empty");
    BAD("a,b\n1,2\n3\n", 3, "1 field, the header has 2");
    BAD("a,b\n1,2,3\n", 2, "3 fields, the header has 2");
    BAD("a,b\n\"1,2\n", 2, "never closed");
    BAD("a,b\n\"1\"x,2\n", 2, "after a closing quote");
    BAD("a,b\n1\"x,2\n", 2, "quote inside");
    BAD("a,a\n1,2\n", 1, "appears twice");
    BAD("a,,c\n", 1, "column 2 of the header has no name");
    /* The leftmost problem of the header is the one named. */
    BAD("b,a,a,,b\n", 1, "column name 'a' appears twice");
    BAD("a,,a\n", 1, "column 2 of the header has no name");
    BAD("\"\",a,a\n", 1, "column 1 of the header has no name");
    BAD("a,b\n1,\xFF\n", 2, "not UTF-8");
    BAD("a,b\n1,\xC3\n", 2, "not UTF-8");       /* truncated sequence */
    BAD("a,b\n1,\xED\xA0\x80\n", 2, "not UTF-8"); /* a surrogate */
    BAD("a,b\n1,\xC0\xAF\n", 2, "not UTF-8");   /* overlong */
    BAD("a,b\n1,x\0y\n", 2, "NUL");
    /* Not NUL-terminated: only len bytes are read. */
    char buf[8] = { 'a', ',', 'b', '\n', '1', ',', '"', '2' };
    parse_bad(buf, sizeof buf, 2, "never closed");
}
END_TEST

static ds_column *build(const char *ref, const char *cur, const char *columns, const char *numeric,
                        const char *categorical, size_t *n, csv_table **a, csv_table **b,
                        char *err, size_t errlen)
{
    *a = parse_ok(ref);
    *b = cur ? parse_ok(cur) : NULL;
    ds_input in[2] = { { *a, "ref.csv" }, { *b, "cur.csv" } };
    ds_spec spec = { columns, numeric, categorical };
    ds_column *cols = NULL;
    if (ds_build(&spec, in, cur ? 2 : 1, &cols, n, err, errlen) != 0) return NULL;
    return cols;
}

START_TEST(dataset_typing)
{
    csv_table *a, *b;
    size_t n;
    char err[256];
    ds_column *c = build("x,city,z\n1.5,Paris,1\n ,Rome,2\nnan,Paris,3\n",
                         "z,x,city\n4,-2e3,Lisbon\n5,inf,Rome\n6.5,,\n", NULL, NULL, NULL, &n, &a, &b,
                         err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(c[0].name, "x");
    ck_assert_int_eq(c[0].kind, DS_NUMERIC);
    ck_assert_double_eq(c[0].side[0][0], 1.5);
    ck_assert(isnan(c[0].side[0][1])); /* blank: a missing number */
    ck_assert(isnan(c[0].side[0][2]));
    ck_assert_double_eq(c[0].side[1][0], -2000.0);
    ck_assert(isinf(c[0].side[1][1]));
    ck_assert(isnan(c[0].side[1][2]));
    ck_assert_int_eq(c[1].kind, DS_CATEGORICAL);
    /* One code book for both sides, in order of first appearance. */
    ck_assert_uint_eq(c[1].nlabels, 3);
    ck_assert_str_eq(c[1].labels[0], "Paris");
    ck_assert_str_eq(c[1].labels[1], "Rome");
    ck_assert_str_eq(c[1].labels[2], "Lisbon");
    ck_assert_double_eq(c[1].side[0][2], 0.0);
    ck_assert_double_eq(c[1].side[1][0], 2.0);
    ck_assert_double_eq(c[1].side[1][1], 1.0);
    ck_assert(isnan(c[1].side[1][2]));
    ck_assert_int_eq(c[2].kind, DS_NUMERIC);
    ds_free(c, n);
    csv_free(a);
    csv_free(b);

    /* Evidently's integer rule: integer literals with at most 10 distinct
     * values in the current data are categorical (a missing cell allowed);
     * 11 values, a decimal point, or --numeric keep a column numeric. */
    c = build("i,j,k,m\n1,1,1.0,1\n2,2,2,2\n,3,3,3\n",
              "i,j,k,m\n3,1,1,1\n+4,2,2,2\n5,3,3,3\n6,4,4,4\n7,5,5,5\n8,6,6,6\n9,7,7,7\n"
              "10,8,8,8\n11,9,9,9\n12,10,10,10\n13,11,11,11\n",
              NULL, "m", NULL, &n, &a, &b, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(c[0].kind, DS_NUMERIC);     /* 11 distinct current values */
    ck_assert_int_eq(c[1].kind, DS_NUMERIC);
    ck_assert_int_eq(c[2].kind, DS_NUMERIC);     /* "1.0": a float column */
    ck_assert_int_eq(c[3].kind, DS_NUMERIC);     /* forced */
    ds_free(c, n);
    csv_free(a);
    csv_free(b);
    c = build("i\n1\n\n5\n", "i\n -3 \n1\n2\n", NULL, NULL, NULL, &n, &a, &b, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(c[0].kind, DS_CATEGORICAL);
    ds_free(c, n);
    csv_free(a);
    csv_free(b);

    /* Selection and overrides. */
    c = build("x,city,z\n1.5,Paris,1\n", "x,city,z\n2,Rome,2\n", "z,x", NULL, "z", &n, &a, &b, err,
              sizeof err);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(c[0].name, "z");
    ck_assert_int_eq(c[0].kind, DS_CATEGORICAL);
    ck_assert_int_eq(c[1].kind, DS_NUMERIC);
    ds_free(c, n);
    csv_free(a);
    csv_free(b);
}
END_TEST

static void build_bad(const char *ref, const char *cur, const char *columns, const char *numeric,
                      const char *categorical, const char *message)
{
    csv_table *a, *b;
    size_t n = 99;
    char err[256];
    ds_column *c = build(ref, cur, columns, numeric, categorical, &n, &a, &b, err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(n, 0);
    ck_assert_msg(strstr(err, message) != NULL, "'%s' lacks '%s'", err, message);
    csv_free(a);
    csv_free(b);
}

START_TEST(dataset_refusals)
{
    build_bad("x,y\n1,2\n", "x\n1\n", NULL, NULL, NULL, "column 'y' is in ref.csv but not in cur.csv");
    build_bad("x\n1\n", "x,y\n1,2\n", NULL, NULL, NULL, "column 'y' is in cur.csv but not in ref.csv");
    build_bad("x,y\n1,2\n", "x,y\n1,2\n", "x,q", NULL, NULL, "no column 'q' in ref.csv");
    build_bad("x,y\n1,2\n", "x,y\n1,2\n", "x,x", NULL, NULL, "selected twice");
    build_bad("x,y\n1,a\n", "x,y\n1,2\n", NULL, "y", NULL, "ref.csv line 2, column 'y': 'a' is not a number");
    build_bad("x,y\n1,2\n", "x,y\n1,2\n", NULL, "x", "x", "both numeric and categorical");
    build_bad("x,y\n1,2\n", "x,y\n1,2\n", "x", "y", NULL, "not a selected column");
}
END_TEST

START_TEST(numbers)
{
    double v;
    ck_assert_int_eq(ds_parse_number(" 12.5 ", &v), 1);
    ck_assert_double_eq(v, 12.5);
    ck_assert_int_eq(ds_parse_number("-1e-3", &v), 1);
    ck_assert_int_eq(ds_parse_number("1e999", &v), 1);
    ck_assert(isinf(v));
    ck_assert_int_eq(ds_parse_number("12abc", &v), 0);
    ck_assert_int_eq(ds_parse_number("", &v), 0);
    ck_assert_int_eq(ds_parse_number("  ", &v), 0);
    ck_assert_int_eq(ds_parse_number("1 2", &v), 0);
}
END_TEST

/* Many rows and a large categorical column: codes stay consistent. */
START_TEST(large_table)
{
    size_t rows = getenv("MLOPS_TEST_SMALL") ? 20000 : 200000;
    size_t cap = rows * 32 + 64, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "id,cat,val\n");
    for (size_t i = 0; i < rows; i++)
        len += (size_t)snprintf(text + len, cap - len, "%zu,\"c%zu\",%zu.5\n", i, i % 5000, i);
    csv_table *t = NULL;
    csv_error err;
    ck_assert_int_eq(csv_parse(text, len, NULL, NULL, &t, &err), 0);
    ck_assert_uint_eq(t->nrows, rows);
    ds_input in = { t, "big.csv" };
    ds_spec spec = { NULL, NULL, NULL };
    ds_column *c;
    size_t n;
    char e[256];
    ck_assert_int_eq(ds_build(&spec, &in, 1, &c, &n, e, sizeof e), 0);
    ck_assert_int_eq(c[1].kind, DS_CATEGORICAL);
    ck_assert_uint_eq(c[1].nlabels, 5000);
    for (size_t i = 0; i < rows; i += 997) {
        ck_assert_double_eq(c[1].side[0][i], (double)(i % 5000));
        ck_assert_double_eq(c[2].side[0][i], (double)i + 0.5);
    }
    ds_free(c, n);
    csv_free(t);
    free(text);
}
END_TEST

/* A header of n columns c0..c{n-1} (then extra, if any, as one more
 * column) and one row of ones. */
static char *wide_csv(size_t n, const char *extra, size_t *len)
{
    size_t cap = n * 12 + 64, at = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i++) at += (size_t)snprintf(text + at, cap - at, "%sc%zu", i ? "," : "", i);
    if (extra) at += (size_t)snprintf(text + at, cap - at, ",%s", extra);
    text[at++] = '\n';
    for (size_t i = 0; i < n + (extra != NULL); i++) {
        text[at++] = '1';
        text[at++] = ',';
    }
    text[at - 1] = '\n';
    *len = at;
    return text;
}

/* Issue 13 finding 9: checking and looking up the names of a wide header
 * was quadratic (40,000 columns took 18.5 s, a million did not finish in
 * a minute). Now the names are sorted once: at most n * ceil(log2 n)
 * comparisons, counted by the reader, so this holds however fast the
 * machine or the build; a quadratic reader also runs into the timeout. */
START_TEST(wide_header)
{
    size_t n = getenv("MLOPS_TEST_SMALL") ? 200000 : 1000000;
    size_t log2n = 0;
    while (((size_t)1 << log2n) < n) log2n++;
    size_t len;
    char *text = wide_csv(n, NULL, &len);
    csv_table *t = NULL;
    csv_error err;
    int rc = csv_parse(text, len, NULL, NULL, &t, &err);
    ck_assert_msg(rc == 0, "line %zu: %s", err.line, err.message);
    ck_assert_uint_eq(t->ncols, n);
    ck_assert_uint_eq(t->nrows, 1);
    ck_assert_msg(t->name_compares <= n * log2n, "%zu name comparisons for %zu columns",
                  t->name_compares, n);
    ck_assert_int_eq(csv_column(t, "c0"), 0);
    ck_assert_int_eq(csv_column(t, "c12345"), 12345);
    char last[32];
    snprintf(last, sizeof last, "c%zu", n - 1);
    ck_assert_int_eq(csv_column(t, last), (long)(n - 1));
    ck_assert_int_eq(csv_column(t, "c"), -1);
    ck_assert_int_eq(csv_column(t, "c01"), -1);
    ck_assert_int_eq(csv_column(t, "d"), -1);
    /* The drift commands match every column by name across the inputs. */
    ds_input in[2] = { { t, "ref.csv" }, { t, "cur.csv" } };
    ds_spec spec = { NULL, NULL, NULL };
    ds_column *cols;
    size_t ncols;
    char msg[256];
    ck_assert_int_eq(ds_build(&spec, in, 2, &cols, &ncols, msg, sizeof msg), 0);
    ck_assert_uint_eq(ncols, n);
    ck_assert_str_eq(cols[n - 1].name, last);
    ds_free(cols, ncols);
    csv_free(t);
    free(text);

    /* A repeated name is still found, with the same message. */
    char twice[32];
    snprintf(twice, sizeof twice, "c%zu", n / 2);
    text = wide_csv(n, twice, &len);
    char want[80];
    snprintf(want, sizeof want, "column name '%s' appears twice in the header", twice);
    parse_bad(text, len, 1, want);
    free(text);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("cli_csv");
    TCase *t = tcase_create("csv");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, csv_fields);
    tcase_add_test(t, csv_refusals);
    tcase_add_test(t, dataset_typing);
    tcase_add_test(t, dataset_refusals);
    tcase_add_test(t, numbers);
    tcase_add_test(t, large_table);
    suite_add_tcase(s, t);
    TCase *w = tcase_create("wide");
    tcase_set_timeout(w, 60);
    tcase_add_test(w, wide_header);
    suite_add_tcase(s, w);
    return s;
}

int main(void)
{
    return tu_run(csv_suite());
}
