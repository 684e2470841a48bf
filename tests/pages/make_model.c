/* Fills a store with a model to draw: `make_model DIR NAME` creates (or
 * opens) the store DIR and model NAME with a run (named NAME too) that
 * read two datasets, versions 1 and 3 from the run and 2 without one,
 * alias "champion" set to 1, split 1:80,2:20 then 1:50,2:50, a gate
 * (metrics.auc >= 0.95) that refuses version 3 and a forced promotion of
 * it, and alias "shadow-test" with a shadow. Used by the pages' browser
 * check (tests/pages/test_pages_render.py). */
#include <mlops.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int rc, const char *what)
{
    if (rc == MLOPS_OK) return;
    fprintf(stderr, "make_model: %s: %s\n", what, mlops_last_error());
    exit(1);
}

static mlops_digest put(mlops_store *s, const char *text)
{
    mlops_digest d;
    check(mlops_blob_put(s, text, strlen(text), &d), "put");
    return d;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_model DIR NAME\n");
        return 2;
    }
    const char *name = argv[2];
    mlops_store *s = NULL;
    check(mlops_store_open(argv[1], NULL, &s), "open");
    int64_t exp_id = 0, v = 0;
    check(mlops_experiment_create(s, "model-pages", &exp_id), "experiment");
    mlops_run_start_opts ro = MLOPS_RUN_START_OPTS_INIT;
    ro.name = name;
    mlops_run *r = NULL;
    check(mlops_run_start_ex(s, exp_id, &ro, &r), "run");
    char run_id[MLOPS_RUN_ID_LEN + 1];
    strcpy(run_id, mlops_run_id(r));
    mlops_digest train = put(s, "x,y\n1,0\n2,1\n"), holdout = put(s, "x,y\n3,1\n");
    check(mlops_run_log_input(r, &train, "train.csv", "dataset"), "input");
    check(mlops_run_log_input(r, &holdout, name, "dataset"), "input");
    const mlops_metric m = { "auc", 0.91, 1, 0 };
    check(mlops_run_log_metrics(r, &m, 1), "metric");
    check(mlops_run_end(r, MLOPS_RUN_FINISHED), "end");
    mlops_run_free(r);

    mlops_digest art = put(s, "weights");
    check(mlops_model_create_ex(s, name, name, NULL), "model");
    check(mlops_model_version_create(s, name, &art, run_id, &v), "version 1");
    check(mlops_model_version_create(s, name, &art, NULL, &v), "version 2");
    check(mlops_model_version_create(s, name, &art, run_id, &v), "version 3");
    check(mlops_model_alias_set(s, name, "champion", 1), "alias");
    check(mlops_model_alias_split_set(s, name, "champion", "1:80,2:20", NULL), "split");
    check(mlops_model_alias_split_set(s, name, "champion", "1:50,2:50", NULL), "split");
    check(mlops_model_alias_split_set(s, name, "shadow-test", "2+shadow:3", NULL), "shadow");
    const char *conds[] = { "metrics.auc >= 0.95" };
    check(mlops_model_gate_set(s, name, "champion", conds, 1, NULL, NULL), "gate");
    if (mlops_model_promote(s, name, 3, "champion", NULL, NULL, NULL) != MLOPS_EPOLICY)
        check(MLOPS_EINVAL, "the gate let version 3 through");
    mlops_promote_opts po = MLOPS_PROMOTE_OPTS_INIT;
    po.force = 1;
    mlops_change_opts c = MLOPS_CHANGE_OPTS_INIT;
    c.reason = name;
    check(mlops_model_promote(s, name, 3, "champion", &po, &c, NULL), "forced promotion");
    mlops_store_close(s);
    return 0;
}
