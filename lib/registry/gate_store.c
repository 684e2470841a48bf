/* Reading an alias's gate back from reg_gates (format 4): its conditions
 * are stored as canonical text, one per line, and parsed again here, so
 * the stored text is the one thing a gate is (what the audit log
 * records). */
#include "registry/gate_store.h"
#include "util/buf.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlops__gate_rules_free(mlops__gate_rules *g)
{
    for (size_t i = 0; i < g->n; i++) {
        mlops__gate_cond_free(&g->conds[i]);
        free(g->texts[i]);
    }
    free(g->conds);
    free(g->texts);
    memset(g, 0, sizeof *g);
}

char *mlops__gate_event_text(const char *const *texts, size_t n, const mlops_digest *dataset)
{
    mlops__buf b = MLOPS__BUF_INIT;
    if (dataset) {
        char d[MLOPS_DIGEST_STRLEN];
        mlops__reg_digest_text(dataset, d);
        mlops__buf_addf(&b, "dataset %s\n", d);
    }
    for (size_t i = 0; i < n; i++) {
        if (i) mlops__buf_add(&b, "\n");
        mlops__buf_add(&b, texts[i]);
    }
    char *out = NULL;
    return mlops__buf_take(&b, &out, "writing a gate") ? NULL : out;
}

/* Parses the stored lines into g. */
static int parse_lines(const char *fn, const char *model_alias, const char *text,
                       mlops__gate_rules *g)
{
    size_t lines = 1;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    g->conds = calloc(lines, sizeof *g->conds);
    g->texts = calloc(lines, sizeof *g->texts);
    if (!g->conds || !g->texts) return mlops__err_nomem("reading a gate");
    const char *p = text;
    while (g->n < lines) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *line = malloc(len + 1);
        if (!line) return mlops__err_nomem("reading a gate");
        memcpy(line, p, len);
        line[len] = '\0';
        g->texts[g->n] = line;
        int rc = mlops__gate_cond_parse(fn, line, g->has_dataset, &g->conds[g->n]);
        g->n++;
        if (rc == MLOPS_ENOMEM) return rc;
        if (rc)
            return mlops__err(MLOPS_ECORRUPT, "%s: the stored gate of %s holds a condition that "
                                              "does not parse: '%.200s'",
                              fn, model_alias, line);
        if (!end) break;
        p = end + 1;
    }
    return MLOPS_OK;
}

int mlops__gate_load(mlops__conn *c, const char *fn, int64_t model_id, const char *alias,
                     mlops__gate_rules *g, int *found)
{
    memset(g, 0, sizeof *g);
    *found = 0;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT conditions, dataset FROM reg_gates "
                              "WHERE model_id = ?1 AND alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (rc) return rc;
    int step = mlops__step(st);
    char *text = NULL;
    int oom = 0;
    if (step == MLOPS__ROW) {
        *found = 1;
        text = mlops__reg_column_dup(st, 0, &oom);
        if (mlops__col_bytes(st, 1) == 32) {
            g->has_dataset = 1;
            memcpy(g->dataset.bytes, mlops__col_blob(st, 1), 32);
        }
    }
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE) return mlops__conn_error(c, step, "reading a gate");
    if (oom) return mlops__err_nomem("reading a gate");
    if (!*found) return MLOPS_OK;
    char what[300];
    snprintf(what, sizeof what, "alias '%.255s'", alias);
    rc = text ? parse_lines(fn, what, text, g) : mlops__err(MLOPS_ECORRUPT, "%s: a gate without conditions", fn);
    free(text);
    return rc;
}
