/* What the evaluation benchmarks (bench_eval, bench_fairness) share beside
 * ../bench_util.h (the clock, the median): reading a raw array their Python
 * twin wrote. One copy per program (static). */
#ifndef MLOPS_BENCH_EVAL_UTIL_H
#define MLOPS_BENCH_EVAL_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "../bench_util.h"

/* DIR/NAME whole, as *n elements of elem bytes; exits 2 when unreadable. */
static void *slurp(const char *dir, const char *name, size_t elem, size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc((size_t)size);
    if (!p || fread(p, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *n = (size_t)size / elem;
    return p;
}

#endif
