/* Rebuilding the golden samples of tests/drift/gen_golden.py in C: the same
 * splitmix64 stream and the same arithmetic give the same doubles. */
#ifndef MLOPS_DRIFT_GOLDEN_H
#define MLOPS_DRIFT_GOLDEN_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct dg_rng {
    uint64_t x;
} dg_rng;

static inline double dg_uniform(dg_rng *r)
{
    r->x += 0x9E3779B97F4A7C15ull;
    uint64_t z = r->x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

/* Parses a generator spec; *out is malloc'd. Returns 0, or -1 on a bad spec. */
static inline int dg_generate(const char *spec, double **out, size_t *n_out)
{
    char kind[16];
    unsigned long long seed = 0, n;
    const char *p = strchr(spec, ':');
    if (!p || (size_t)(p - spec) >= sizeof kind) return -1;
    memcpy(kind, spec, (size_t)(p - spec));
    kind[p - spec] = 0;
    char *end;
    int seeded = strcmp(kind, "lin") && strcmp(kind, "bin");
    if (seeded) {
        seed = strtoull(p + 1, &end, 10);
        if (*end != ':') return -1;
        p = end;
    }
    n = strtoull(p + 1, &end, 10);
    dg_rng r = { seed };
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return -1;
    if (!strcmp(kind, "lin")) {
        /* numpy.linspace(start, stop, n) + offset, step by step as numpy */
        if (n < 2) {
            free(v);
            return -1;
        }
        double start = strtod(end + 1, &end);
        double stop = strtod(end + 1, &end);
        double off = strtod(end + 1, &end);
        double step = (stop - start) / (double)(n - 1);
        for (size_t i = 0; i < n; i++) v[i] = (double)i * step + start;
        v[n - 1] = stop;
        for (size_t i = 0; i < n; i++) v[i] += off;
    } else if (!strcmp(kind, "bin")) {
        unsigned long long ones = strtoull(end + 1, &end, 10);
        for (size_t i = 0; i < n; i++) v[i] = i < n - ones ? 0.0 : 1.0;
    } else if (!strcmp(kind, "irwin") || !strcmp(kind, "nan")) {
        double shift = strtod(end + 1, &end);
        double scale = strtod(end + 1, &end);
        for (size_t i = 0; i < n; i++) {
            /* operands one at a time: C leaves their order unspecified */
            double u1 = dg_uniform(&r);
            double u2 = dg_uniform(&r);
            double s = u1 + u2;
            s = s + dg_uniform(&r);
            s = s + dg_uniform(&r);
            v[i] = (s - 2.0) * scale + shift;
        }
        if (!strcmp(kind, "nan")) {
            unsigned long m = strtoul(end + 1, &end, 10);
            for (size_t i = 0; i < n; i++)
                if (i % m == 0) v[i] = NAN;
            for (size_t i = 0; i < n; i++)
                if (i % (m + 1) == 1) v[i] = INFINITY;
        }
    } else if (!strcmp(kind, "ties")) {
        double k = strtod(end + 1, &end);
        double shift = strtod(end + 1, &end);
        for (size_t i = 0; i < n; i++) v[i] = floor(dg_uniform(&r) * k) + shift;
    } else {
        free(v);
        return -1;
    }
    *out = v;
    *n_out = (size_t)n;
    return 0;
}

#endif
