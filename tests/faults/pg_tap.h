/* What the PostgreSQL fault programs (pg_faults_test, pg_restart_test)
 * share: TAP lines counted as they go, the plan at the end, and the clock
 * their "# figure:" lines and timings read. One copy per program. */
#ifndef MLOPS_TEST_PG_TAP_H
#define MLOPS_TEST_PG_TAP_H

#include <stdio.h>
#include <time.h>

static int tap_n, tap_failed;

/* One TAP line: what, and the detail when there is one. */
static inline void ok(int cond, const char *what, const char *detail)
{
    printf("%s %d - %s%s%s\n", cond ? "ok" : "not ok", ++tap_n, what, detail ? ": " : "",
           detail ? detail : "");
    fflush(stdout);
    if (!cond) tap_failed++;
}

/* Prints the plan; the program's exit status. */
static inline int tap_end(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

/* Milliseconds on the monotonic clock. */
static inline double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

#endif
