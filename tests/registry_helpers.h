/* Helpers shared by the registry suites (test_registry*.c). */
#ifndef MLOPS_TEST_REGISTRY_HELPERS_H
#define MLOPS_TEST_REGISTRY_HELPERS_H

#include "testutil.h"
#include "tu_db.h"

#include <mlops.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A fresh store in dir, actor "tester" (tu_actor), no fsync. */
static inline mlops_store *rt_open_in(char *dir, char **dir_out)
{
    mlops_store_opts o;
    TU_OK(mlops_store_opts_init(&o, MLOPS_STORE_OPTS_VERSION));
    o.durability = MLOPS_DURABILITY_NONE;
    o.actor = tu_actor("tester");
    mlops_store *s = NULL;
    TU_OK(mlops_store_open(dir, &o, &s));
    *dir_out = dir;
    return s;
}

/* A fresh store in its own temp dir, on the backend under test. */
static inline mlops_store *rt_open(char **dir_out)
{
    return rt_open_in(tu_tmpdir(), dir_out);
}

/* The same, always a local (SQLite) store: for what only such a store
 * has, as a 1.0 store to migrate. */
static inline mlops_store *rt_open_local(char **dir_out)
{
    return rt_open_in(tu_tmpdir_local(), dir_out);
}

static inline void rt_close(mlops_store *s, char *dir)
{
    mlops_store_close(s);
    tu_rmrf(dir);
    free(dir);
}

/* Runs SQL statements on the store's database, as an attacker with write
 * access to it would (tu_db.h); fails the test if one fails. */
static inline void rt_shell(const char *dir, const char *sql)
{
    tu_sql_exec(dir, sql);
}

/* An integer from the store's database, read outside the library. */
static inline int64_t rt_db_int(const char *dir, const char *sql)
{
    return tu_sql_int64(dir, sql);
}

/* Moves alias `alias` of model between versions a and b until two moves
 * land in the same millisecond (a fast script moving an alias twice; the
 * clock cannot be set, so this retries for up to 30 s). Ends with the
 * alias at b; returns that millisecond. Use a local store: a move on
 * PostgreSQL takes several round trips, rarely two in one millisecond. */
static inline int64_t rt_alias_moves_in_one_ms(mlops_store *s, const char *dir,
                                               const char *model, const char *alias,
                                               int64_t a, int64_t b)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(max(time_ms), 0) FROM (SELECT time_ms FROM audit_events "
             "WHERE key = '%s' AND action IN ('alias.set', 'alias.move') "
             "GROUP BY time_ms HAVING count(*) > 1) t",
             alias);
    int64_t t = 0;
    time_t until = time(NULL) + 30;
    while (!t && time(NULL) < until) {
        TU_OK(mlops_model_alias_set(s, model, alias, a));
        TU_OK(mlops_model_alias_set(s, model, alias, b));
        t = rt_db_int(dir, sql);
    }
    ck_assert_msg(t > 0, "no two moves of alias '%s' in one millisecond", alias);
    return t;
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
