/* The `mlops` command's shared helpers (tools/cli.c, tools/table.c):
 * cli_run / cli_with_store / cli_with_run, the one way a command reaches
 * the store, and `listing`, the one way it prints a table or its --json
 * twin. Linked in directly; stdout and stderr are captured in files. */
#include "testutil.h"

#include "cli.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs with stdout (fd 1) or stderr (fd 2) sent to a file; capture_end
 * returns what was written (malloc'd). */
typedef struct capture {
    int fd, saved;
    char *path;
} capture;

static void capture_begin(capture *c, int fd, const char *dir, const char *name)
{
    fflush(fd == 1 ? stdout : stderr);
    c->fd = fd;
    c->path = tu_path(dir, name);
    FILE *f = fopen(c->path, "w");
    ck_assert_ptr_nonnull(f);
    c->saved = dup(fd);
    ck_assert_int_ge(c->saved, 0);
    ck_assert_int_eq(dup2(fileno(f), fd), fd);
    fclose(f);
}

static char *capture_end(capture *c)
{
    fflush(c->fd == 1 ? stdout : stderr);
    ck_assert_int_eq(dup2(c->saved, c->fd), c->fd);
    close(c->saved);
    FILE *f = fopen(c->path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 1 << 16);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    free(c->path);
    return buf;
}

typedef struct seen {
    int calls;
    int nargs;
    const char *first;
    int ret;
} seen;

static int record_call(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    seen *w = arg;
    ck_assert_ptr_nonnull(s);
    w->calls++;
    w->nargs = ctx->nargs;
    w->first = ctx->nargs ? ctx->args[0] : NULL;
    return w->ret;
}

START_TEST(with_store)
{
    char *dir = tu_tmpdir();
    char *store = tu_path(dir, "store");
    cli_ctx ctx = { 0 };
    ctx.store_dir = store;
    ctx.cmd = "x y";
    seen w = { 0, 0, NULL, CLI_OK };

    /* No store: the open error, and fn is not run. */
    capture err;
    capture_begin(&err, 2, dir, "err1");
    ck_assert_int_eq(cli_with_store(&ctx, CLI_STORE_READ, record_call, &w), CLI_FAIL);
    char *text = capture_end(&err);
    ck_assert_int_eq(w.calls, 0);
    ck_assert_msg(strncmp(text, "mlops x y: no store at '", 24) == 0, "got '%s'", text);
    ck_assert_ptr_nonnull(strstr(text, "(create one with 'mlops init', or use -C DIR)"));
    free(text);

    mlops_store *s = NULL;
    ck_assert_int_eq(mlops_store_open(store, NULL, &s), MLOPS_OK);
    mlops_store_close(s);

    /* cli_run: options out, positional arguments in ctx, fn's code back. */
    int flag = 0;
    const cli_opt opts[] = { { "flag", 'f', NULL, &flag } };
    char a0[] = "one", a1[] = "--flag", a2[] = "two";
    char *argv[] = { a0, a1, a2 };
    w.ret = CLI_USAGE;
    ck_assert_int_eq(cli_run(&ctx, 3, argv, opts, 1, 1, 2, CLI_STORE_WRITE, record_call, &w),
                     CLI_USAGE);
    ck_assert_int_eq(w.calls, 1);
    ck_assert_int_eq(flag, 1);
    ck_assert_int_eq(w.nargs, 2);
    ck_assert_str_eq(w.first, "one");

    /* A usage error stops before the store is opened. */
    char b0[] = "--nope";
    char *bad[] = { b0 };
    capture_begin(&err, 2, dir, "err2");
    ck_assert_int_eq(cli_run(&ctx, 1, bad, opts, 1, 0, 0, CLI_STORE_READ, record_call, &w), CLI_USAGE);
    text = capture_end(&err);
    ck_assert_int_eq(w.calls, 1);
    ck_assert_str_eq(text, "mlops x y: unknown option '--nope' (see 'mlops help x y')\n");
    free(text);

    /* cli_with_run: an unknown run is reported under its id. */
    capture_begin(&err, 2, dir, "err3");
    ck_assert_int_eq(cli_with_run(&ctx, "nosuchrun", NULL, NULL), CLI_FAIL);
    text = capture_end(&err);
    ck_assert_msg(strncmp(text, "mlops x y: nosuchrun: ", 22) == 0, "got '%s'", text);
    free(text);
    free(store);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static void fill(listing *l)
{
    static const char *const names[] = { "alpha", "b" };
    for (int i = 0; i < 2; i++) {
        json *j = listing_object(l);
        if (j) {
            json_kv_string(j, "name", names[i]);
            json_kv_int(j, "n", 10 * i + 5);
            json_end_object(j);
        } else {
            table_cell(l->t, names[i]);
            table_cellf(l->t, "%d", 10 * i + 5);
        }
    }
}

START_TEST(listings)
{
    char *dir = tu_tmpdir();
    static const char *const h[] = { "NAME", "N" };
    static const int right[] = { 1, -1 };
    cli_ctx ctx = { 0 };
    ctx.cmd = "ls";
    listing l;
    capture out;

    capture_begin(&out, 1, dir, "table");
    listing_begin(&l, 0, 2, h, right);
    fill(&l);
    ck_assert_int_eq(listing_close(&l, &ctx, MLOPS_ITEROVER, MLOPS_ITEROVER, "cannot list"), CLI_OK);
    char *text = capture_end(&out);
    ck_assert_str_eq(text, "NAME    N\nalpha   5\nb      15\n");
    free(text);

    capture_begin(&out, 1, dir, "json");
    listing_begin(&l, 1, 2, h, right);
    fill(&l);
    ck_assert_int_eq(listing_close(&l, &ctx, MLOPS_OK, MLOPS_OK, "cannot list"), CLI_OK);
    text = capture_end(&out);
    ck_assert_str_eq(text, "[{\"name\":\"alpha\",\"n\":5},{\"name\":\"b\",\"n\":15}]\n");
    free(text);

    /* No headers: the command prints its own text form; listing writes
     * only the --json array. */
    for (int as_json = 0; as_json < 2; as_json++) {
        capture_begin(&out, 1, dir, "free");
        listing_begin(&l, as_json, 0, NULL, NULL);
        ck_assert_ptr_null(l.t);
        json *j = listing_object(&l);
        if (j) {
            json_kv_int(j, "n", 1);
            json_end_object(j);
        } else {
            printf("line 1\n");
        }
        listing_end(&l);
        text = capture_end(&out);
        ck_assert_str_eq(text, as_json ? "[{\"n\":1}]\n" : "line 1\n");
        free(text);
    }

    /* An error after some rows: the message on stderr, no table on stdout
     * (JSON rows are streamed: what was written before the error stays,
     * without the closing bracket, as in 1.0). */
    for (int as_json = 0; as_json < 2; as_json++) {
        capture err;
        capture_begin(&out, 1, dir, "out");
        capture_begin(&err, 2, dir, "err");
        listing_begin(&l, as_json, 2, h, NULL);
        fill(&l);
        ck_assert_int_eq(listing_close(&l, &ctx, MLOPS_EIO, MLOPS_ITEROVER, "cannot list"),
                         CLI_FAIL);
        char *e = capture_end(&err);
        text = capture_end(&out);
        if (!as_json) ck_assert_str_eq(text, "");
        ck_assert_msg(strncmp(e, "mlops ls: cannot list: ", 23) == 0, "got '%s'", e);
        free(e);
        free(text);
    }
    tu_rmrf(dir);
    free(dir);
}
END_TEST

/* Columns line up on a terminal: a wide (CJK) character takes two
 * columns, a combining accent none. */
START_TEST(wide_characters)
{
    static const char *const h[] = { "COLUMN", "N" };
    table *t = table_new(2, h);
    ck_assert_ptr_nonnull(t);
    table_align_right(t, 1);
    static const char *const names[] = { "\xE6\xB8\xA9\xE5\xBA\xA6", /* two CJK ideographs */
                                         "e\xCC\x81",                 /* e and U+0301 */
                                         "ab" };
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(table_cell(t, names[i]), 0);
        ck_assert_int_eq(table_cellf(t, "%d", i + 1), 0);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    table_print(t, f);
    fclose(f);
    ck_assert_str_eq(text, "COLUMN  N\n"
                           "\xE6\xB8\xA9\xE5\xBA\xA6    1\n"
                           "e\xCC\x81       2\n"
                           "ab      3\n");
    free(text);
    table_free(t);
}
END_TEST

static Suite *helpers_suite(void)
{
    Suite *s = suite_create("cli_helpers");
    TCase *t = tcase_create("helpers");
    tcase_add_test(t, with_store);
    tcase_add_test(t, listings);
    tcase_add_test(t, wide_characters);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return tu_run(helpers_suite());
}
