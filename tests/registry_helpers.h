/* Helpers shared by the registry suites (test_registry*.c). */
#ifndef MLOPS_TEST_REGISTRY_HELPERS_H
#define MLOPS_TEST_REGISTRY_HELPERS_H

#include "testutil.h"

#include <mlops.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

/* A fresh store in its own temp dir, actor "tester", no fsync. */
static inline mlops_store *rt_open(char **dir_out)
{
    char *dir = tu_tmpdir();
    mlops_store_opts o;
    TU_OK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    o.durability = MLOPS_DURABILITY_NONE;
    o.actor = "tester";
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    *dir_out = dir;
    return s;
}

static inline void rt_close(mlops_store *s, char *dir)
{
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}

/* Runs the sqlite3 shell on the store's database, as an attacker with
 * write access to the file would; fails the test if the shell fails. */
static inline void rt_shell(const char *dir, const char *sql)
{
    char *db = tu_path(dir, "mlops.db");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 1);
        execlp("sqlite3", "sqlite3", "-bail", db, sql, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "sqlite3 shell failed (status %d) on: %s", status, sql);
    free(db);
}

/* An integer from the store's database, read outside the library. */
static inline int64_t rt_db_int(const char *dir, const char *sql)
{
    char *p = tu_path(dir, "mlops.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(p);
    return v;
}

/* Stores text as a blob and returns its digest. */
static inline mlops_digest rt_put(mlops_store *s, const char *text)
{
    mlops_digest d;
    TU_OK(mlops_blob_put(s, text, strlen(text), &d));
    return d;
}

static inline int64_t rt_audit_count(mlops_store *s)
{
    int64_t seq;
    mlops_digest h;
    TU_OK(mlops_audit_head(s, &seq, &h));
    return seq;
}

/* A new key pair of `type` ("ED25519", or "EC" for a wrong type) as PEM
 * texts, malloc'd. */
static inline void rt_keypair(const char *type, char **priv, char **pub)
{
    EVP_PKEY *k = !strcmp(type, "EC") ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                                      : EVP_PKEY_Q_keygen(NULL, NULL, type);
    ck_assert_ptr_nonnull(k);
    BIO *b = BIO_new(BIO_s_mem());
    ck_assert_int_eq(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    *priv = calloc(1, (size_t)n + 1);
    memcpy(*priv, data, (size_t)n);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    ck_assert_int_eq(PEM_write_bio_PUBKEY(b, k), 1);
    n = BIO_get_mem_data(b, &data);
    *pub = calloc(1, (size_t)n + 1);
    memcpy(*pub, data, (size_t)n);
    BIO_free(b);
    EVP_PKEY_free(k);
}

#endif
