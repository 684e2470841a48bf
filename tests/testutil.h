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
/* The backend the stores of this run use: MLOPS_TEST_BACKEND=postgres
 * makes every directory tu_tmpdir, tu_mkdtemp and tu_store_dir create a
 * PostgreSQL store-to-be (an mlops.conf naming $MLOPS_TEST_PG and a fresh
 * schema); otherwise they stay plain folders (SQLite stores). */
/* 1 when MLOPS_TEST_OBJECTS=s3: store directories from tu_tmpdir and
 * tu_store_dir keep their objects under a fresh prefix of $MLOPS_TEST_S3
 * (scripts/with-s3.sh sets it). */
int tu_objects_s3(void);
int tu_backend_postgres(void);
/* The audit actor a store records for `name`: name itself on SQLite; on
 * PostgreSQL the database role the test server's connections log in as
 * (the library refuses any other actor there). */
const char *tu_actor(const char *name);
/* "" on SQLite, " on PostgreSQL": for the "# figure:" lines, so the two
 * runs of a program tell their figures apart. */
const char *tu_backend_label(void);
/* As tu_tmpdir, but always a plain folder: for tests of local behaviour
 * only a SQLite store has (a file as the database, its journal, ...). */
char *tu_tmpdir_local(void);
/* A store directory "parent/name" made now (mode 0700), with the backend's
 * mlops.conf; malloc'd, aborts the test on failure. */
char *tu_store_dir(const char *parent, const char *name);
/* The same for programs outside Check: makes dir and its parents (they
 * may exist); malloc'd copy, NULL on failure. */
char *tu_store_dir_at(const char *dir);
/* malloc'd "dir/name". */
char *tu_path(const char *dir, const char *name);
/* malloc'd "dir/ab/<62 hex digits>": where a store (its objects, a read
 * cache, a remote) files the object of SHA-256 `digest` under dir, e.g.
 * "<store>/objects/sha256". */
char *tu_fanout_path(const char *dir, const unsigned char digest[32]);
/* A file of the tests folder ($MLOPS_TEST_SRCDIR, set by meson, else
 * "tests"), NAME relative to it, open for reading; aborts the test when it
 * cannot be opened. */
FILE *tu_open_src(const char *name);
/* rm -rf. */
void tu_rmrf(const char *path);
/* Writes len bytes to a new file; aborts the test on failure. */
void tu_write_file(const char *path, const void *data, size_t len);
/* Lets this process map at most `extra` more bytes of address space than
 * it has now (RLIMIT_AS; Check runs each test in a child of its own): an
 * allocation far larger than that fails, under AddressSanitizer as well
 * (its shadow memory is mapped already), so a test shows that a claim of
 * gigabytes was refused before anything of its size was asked for. */
void tu_limit_address_space(size_t extra);
/* Lifts that limit again (to the hard limit): a suite run with
 * CK_FORK=no (valgrind) goes on in the same process. */
void tu_unlimit_address_space(void);
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
