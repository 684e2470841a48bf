/* The golden file of the drift suites (tests/drift/golden.txt, written by
 * tests/drift/gen_golden.py): its lines as tokens, the samples its specs
 * name, and the comparison every golden check uses. One copy per test
 * program (static). */
#ifndef MLOPS_DRIFT_GOLDEN_FILE_H
#define MLOPS_DRIFT_GOLDEN_FILE_H

#include "testutil.h"
#include "drift_golden.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- golden file ------------------------------------------------------------ */

typedef struct gline {
    int lineno;
    int ntok;
    char *tok[256];
    char *buf;
} gline;

static gline *g_lines;
static size_t g_n;

static inline void load_golden(void)
{
    if (g_lines) return;
    FILE *f = tu_open_src("drift/golden.txt");
    size_t cap = 512;
    g_lines = calloc(cap, sizeof *g_lines);
    char *line = NULL;
    size_t lcap = 0;
    int lineno = 0;
    while (getline(&line, &lcap, f) > 0) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (g_n == cap) {
            cap *= 2;
            g_lines = realloc(g_lines, cap * sizeof *g_lines);
        }
        gline *g = &g_lines[g_n++];
        memset(g, 0, sizeof *g);
        g->lineno = lineno;
        g->buf = strdup(line);
        char *save = NULL;
        for (char *t = strtok_r(g->buf, " \n", &save); t && g->ntok < 256;
             t = strtok_r(NULL, " \n", &save))
            g->tok[g->ntok++] = t;
    }
    free(line);
    fclose(f);
    ck_assert_uint_gt(g_n, 100);
}

static inline double num(const gline *g, int i)
{
    ck_assert_int_lt(i, g->ntok);
    char *end;
    double v = strtod(g->tok[i], &end);
    ck_assert_msg(*end == 0, "line %d: bad number '%s'", g->lineno, g->tok[i]);
    return v;
}

static inline double *sample(const char *spec, size_t *n)
{
    double *v;
    ck_assert_msg(dg_generate(spec, &v, n) == 0, "bad spec %s", spec);
    return v;
}

/* |got - want| <= rel * |want|, or both zero, or |got - want| <= abs_tol. */
static inline void close_to(const gline *g, const char *what, double got, double want, double rel,
                     double abs_tol)
{
    double diff = fabs(got - want);
    int ok = (got == want) || diff <= rel * fabs(want) || diff <= abs_tol;
    ck_assert_msg(ok, "line %d %s: got %.17g want %.17g (rel %.3g)", g->lineno, what, got, want,
                  want != 0 ? diff / fabs(want) : diff);
}

static inline int count_kind(const char *kind)
{
    int c = 0;
    for (size_t i = 0; i < g_n; i++) c += !strcmp(g_lines[i].tok[0], kind);
    return c;
}

#define FOR_GOLDEN(kind, g)                                                         \
    load_golden();                                                                  \
    ck_assert_int_gt(count_kind(kind), 0);                                          \
    for (size_t gi_ = 0; gi_ < g_n; gi_++)                                          \
        for (const gline *g = &g_lines[gi_]; g && !strcmp(g->tok[0], kind); g = NULL)

#endif
