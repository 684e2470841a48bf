/* What the benchmark programs share: the clock, the median of the repeats
 * and, for a program that defines BENCH_PROG (its name, for the messages)
 * before including this, die() and CHECK() for calls that must succeed.
 * Each program gets its own copy (static inline: unused ones cost nothing). */
#ifndef MLOPS_BENCH_UTIL_H
#define MLOPS_BENCH_UTIL_H

#include <mlops.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of the n values in v (sorts v); of an even count, the mean of
 * the two middle ones. */
static inline double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#ifdef BENCH_PROG
/* Stops the program: the call what returned rc, with the library's message. */
static inline void die(const char *what, int rc)
{
    fprintf(stderr, BENCH_PROG ": %s failed: %d (%s)\n", what, rc, mlops_last_error());
    exit(1);
}

#define CHECK(expr)               \
    do {                          \
        int rc_ = (expr);         \
        if (rc_) die(#expr, rc_); \
    } while (0)
#endif

#endif
