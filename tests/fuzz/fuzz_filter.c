/* libFuzzer target: run search over untrusted text (the filter parser, the
 * ORDER BY parser and page tokens), end to end through mlops_run_search on
 * a small store made at start-up, so that whatever the parser accepts is
 * also compiled and run by SQLite.
 *
 * Input: filter, then optionally NUL + order_by, then optionally NUL + page
 * token. Oracle: the call returns MLOPS_OK or MLOPS_EINVAL (a text that
 * does not parse: the message names the position or the reason), never
 * another code (a parsed filter that SQLite refuses would be MLOPS_EIO or
 * MLOPS_ECORRUPT); a filter and order that the parser accepts (the tree
 * of track/filter.h) run, so EINVAL without a page token is a finding
 * too; and a page returned is within the limit and the next one does not
 * repeat it. */
#include <mlops.h>

#include "track/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mlops_store *store;
static char store_dir[256];

static void cleanup(void)
{
    mlops_store_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store_dir);
    if (system(cmd) != 0) fprintf(stderr, "fuzz_filter: could not remove %s\n", store_dir);
}

static void must(int rc, const char *what)
{
    if (rc == MLOPS_OK) return;
    fprintf(stderr, "fuzz_filter: %s: %s\n", what, mlops_last_error());
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(store_dir, sizeof store_dir, "%s/fuzz-filter-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(store_dir)) abort();
    mlops_store_opts o = MLOPS_STORE_OPTS_INIT;
    o.durability = MLOPS_DURABILITY_NONE;
    must(mlops_store_open(store_dir, &o, &store), "open");
    atexit(cleanup);
    int64_t exp;
    must(mlops_experiment_create(store, "fuzz", &exp), "experiment");
    static const char *const lrs[] = { "0.01", "0.02", "abc", "1e-3" };
    for (int i = 0; i < 6; i++) {
        mlops_run *r;
        char name[32];
        snprintf(name, sizeof name, "run-%d", i);
        must(mlops_run_start(store, exp, i % 3 ? name : NULL, &r), "run");
        must(mlops_run_log_param(r, "lr", lrs[i % 4]), "param");
        must(mlops_run_log_param(r, "weird key-1", "x"), "param");
        must(mlops_run_set_tag(r, "team", i % 2 ? "vision" : "nlp"), "tag");
        for (int step = 0; step < 4; step++) {
            must(mlops_run_log_metric(r, "acc", 0.1 * i + 0.01 * step, step, 1000 + step), "metric");
            if (i % 2) must(mlops_run_log_metric(r, "loss", 1.0 / (1 + step + i), step, 1000), "metric");
        }
        if (i % 3 == 0) must(mlops_run_end(r, MLOPS_RUN_FINISHED), "end");
        mlops_run_free(r);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 2);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = text[size + 1] = '\0';
    const char *filter = text;
    const char *order_by = NULL, *token = NULL;
    size_t n0 = strlen(filter);
    if (n0 < size) {
        order_by = text + n0 + 1;
        size_t n1 = strlen(order_by);
        if (n0 + 1 + n1 < size) token = order_by + n1 + 1;
    }

    mlops_search_opts o = MLOPS_SEARCH_OPTS_INIT;
    o.filter = filter;
    o.order_by = order_by;
    o.page_token = token;
    o.max_results = 3;
    o.lifecycle = MLOPS_LIFECYCLE_ALL;
    mlops_run_info **runs = NULL;
    size_t count = 0;
    char *next = NULL;
    int rc = mlops_run_search(store, &o, &runs, &count, &next);
    if (rc == MLOPS_OK) {
        if (count > 3) abort();
        if (next) {
            /* The next page must be accepted with the same query. */
            mlops_run_info **more = NULL;
            size_t nmore = 0;
            o.page_token = next;
            if (mlops_run_search(store, &o, &more, &nmore, NULL) != MLOPS_OK) {
                fprintf(stderr, "next page refused: %s\n", mlops_last_error());
                abort();
            }
            for (size_t i = 0; i < nmore; i++)
                for (size_t j = 0; j < count; j++)
                    if (!strcmp(mlops_run_info_id(more[i]), mlops_run_info_id(runs[j]))) abort();
            mlops_run_info_list_free(more, nmore);
        }
    } else if (rc != MLOPS_EINVAL) {
        fprintf(stderr, "unexpected code %d: %s\n", rc, mlops_last_error());
        abort();
    } else if (!mlops_last_error()[0]) {
        abort();
    } else if (!token) {
        /* Refused: only the parser may refuse a search without a token. */
        char why[512];
        snprintf(why, sizeof why, "%s", mlops_last_error());
        mlops__search_tree tree;
        memset(&tree, 0, sizeof tree);
        int parsed = mlops__search_parse("fuzz", filter, order_by, &tree);
        mlops__search_tree_free(&tree);
        if (parsed == MLOPS_OK) {
            fprintf(stderr, "a search that parses was refused: %s\n", why);
            abort();
        }
    }
    mlops_run_info_list_free(runs, count);
    mlops_free(next);
    free(text);
    return 0;
}
