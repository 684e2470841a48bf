/* Shared helpers for the Check suites. */
#ifndef MLOPS_TESTUTIL_H
#define MLOPS_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdio.h>

/* A new empty directory for one test, under $MLOPS_TEST_TMPDIR (set by
 * meson to a folder of the build tree), else $TMPDIR, else /tmp.
 * malloc'd; remove it with tu_rmrf. */
char *tu_tmpdir(void);
/* As tu_tmpdir for programs outside Check (crash, stress, fault tests):
 * "<base>/<prefix>-XXXXXX", created; NULL when that fails. */
char *tu_mkdtemp(const char *prefix);
/* malloc'd "dir/name". */
char *tu_path(const char *dir, const char *name);
/* A file of the tests folder ($MLOPS_TEST_SRCDIR, set by meson, else
 * "tests"), NAME relative to it, open for reading; aborts the test when it
 * cannot be opened. */
FILE *tu_open_src(const char *name);
/* rm -rf. */
void tu_rmrf(const char *path);
/* Writes len bytes to a new file; aborts the test on failure. */
void tu_write_file(const char *path, const void *data, size_t len);
/* Runs the suite with TAP on stdout; returns the process exit status. */
int tu_run(Suite *s);

/* ck_assert for MLOPS calls: shows the code and the library's message. */
#define TU_OK(expr)                                                                   \
    do {                                                                              \
        int tu_rc_ = (expr);                                                          \
        ck_assert_msg(tu_rc_ == 0, "%s -> %d (%s)", #expr, tu_rc_, mlops_last_error()); \
    } while (0)
#define TU_RC(expected, expr)                                                          \
    do {                                                                               \
        int tu_rc_ = (expr);                                                           \
        ck_assert_msg(tu_rc_ == (expected), "%s -> %d, expected %d (%s)", #expr, tu_rc_, \
                      (expected), mlops_last_error());                                 \
    } while (0)

#endif
