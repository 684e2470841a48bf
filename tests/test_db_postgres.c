/* The PostgreSQL backend of the data-access layer (lib/db/postgres),
 * through its driver table, against a real server: the test command runs
 * this suite under scripts/with-pg.sh, which starts a throwaway server and
 * sets MLOPS_TEST_PG to its conninfo. Without it the suite fails: a
 * backend that is built must be tested. Each test works in schemas of its
 * own (Check runs tests in separate processes, one server for all). */
#include "db/driver.h"
#include "db/postgres/pg.h"
#include "testutil.h"

#include <math.h>
#include <mlops.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const mlops__db_driver *drv = &mlops__postgres_driver;

static const char *server(void)
{
    const char *uri = getenv("MLOPS_TEST_PG");
    ck_assert_msg(uri && *uri, "MLOPS_TEST_PG is not set: run this suite through "
                               "scripts/with-pg.sh (meson test does)");
    return uri;
}

/* A connection as db.c makes one; the schema is created when missing. */
static mlops__conn *open_conn(const char *schema, int read_only, uint32_t busy_ms)
{
    mlops__db_target t = {.dialect = MLOPS__POSTGRES,
                          .uri = server(),
                          .schema = schema,
                          .read_only = read_only,
                          .busy_ms = busy_ms};
    mlops__conn *c = NULL;
    TU_OK(drv->open(&t, &c));
    c->drv = drv;
    c->target = NULL; /* db.c's, for the store-level functions: not used here */
    c->nslots = 0;
    if (!read_only) {
        char sql[128];
        snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS \"%s\"", schema);
        TU_OK(drv->exec(c, sql));
    }
    return c;
}

static mlops__stmt *prep(mlops__conn *c, const char *sql, int persistent)
{
    mlops__stmt *st = NULL;
    TU_OK(drv->prepare(c, sql, persistent, &st));
    st->conn = c;
    return st;
}

/* Steps st expecting want; on a driver code shows its message. */
static void step_is(mlops__conn *c, mlops__stmt *st, int want)
{
    int rc = drv->step(st);
    if (rc != MLOPS__ROW && rc != MLOPS__DONE) drv->error(c, rc, "step");
    ck_assert_msg(rc == want, "step -> %d, expected %d (%s)", rc, want, mlops_last_error());
}

/* The single integer of a query without parameters. */
static int64_t scalar(mlops__conn *c, const char *sql)
{
    mlops__stmt *st = prep(c, sql, 0);
    step_is(c, st, MLOPS__ROW);
    int64_t v = drv->col_int64(st, 0);
    step_is(c, st, MLOPS__DONE);
    drv->finalize(st);
    return v;
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

START_TEST(rewrite_placeholders)
{
    char *out = NULL;
    int n = 0;
    TU_OK(mlops__pg_rewrite("SELECT ?1, '?1', \"?2\", -- ?3\n ?10 /* ?4 /* ?5 */ */ "
                            "E'\\'?6' $$?7$$ $t$?8$t$ a ? b, ?2",
                            &out, &n));
    ck_assert_str_eq(out, "SELECT $1, '?1', \"?2\", -- ?3\n $10 /* ?4 /* ?5 */ */ "
                          "E'\\'?6' $$?7$$ $t$?8$t$ a ? b, $2");
    ck_assert_int_eq(n, 10);
    free(out);
    TU_OK(mlops__pg_rewrite("SELECT 'it''s ?1', ?3", &out, &n));
    ck_assert_str_eq(out, "SELECT 'it''s ?1', $3");
    ck_assert_int_eq(n, 3);
    free(out);
    TU_RC(MLOPS_EINVAL, mlops__pg_rewrite("SELECT ?0", &out, &n));
    TU_RC(MLOPS_EINVAL, mlops__pg_rewrite("SELECT ?65536", &out, &n));
    TU_RC(MLOPS_EINVAL, mlops__pg_rewrite("SELECT ?99999999999999999999", &out, &n));

    /* On the server: ?10 is the tenth parameter, not ?1 followed by 0,
     * and the literal '?1' stays text. */
    mlops__conn *c = open_conn("t_rewrite", 0, 5000);
    mlops__stmt *st = prep(c, "SELECT ?1 || '?1' || ?10 || ?2 || ?3 || ?4 || ?5 || ?6 || ?7 "
                              "|| ?8 || ?9", 1);
    for (int i = 1; i <= 10; i++) {
        char v[8];
        snprintf(v, sizeof v, "p%d", i);
        ck_assert_int_eq(drv->bind_text(st, i, v), 0);
    }
    int range = drv->bind_text(st, 11, "x");
    ck_assert_int_ne(range, 0);
    ck_assert_int_eq(drv->code_of(c, range), MLOPS_EINVAL);
    ck_assert_int_eq(drv->like_max(c), INT32_MAX);
    ck_assert_int_eq(drv->max_params(c), 65535);
    ck_assert_int_ne(drv->bind_int64(st, 0, 1), 0);
    step_is(c, st, MLOPS__ROW);
    ck_assert_str_eq(drv->col_text(st, 0), "p1?1p10p2p3p4p5p6p7p8p9");
    step_is(c, st, MLOPS__DONE);
    drv->finalize(st);
    drv->close(c);
}
END_TEST

START_TEST(null_binds)
{
    mlops__conn *c = open_conn("t_null", 0, 5000);
    TU_OK(drv->exec(c, "CREATE TABLE t (id BIGINT, name TEXT);"
                       "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL)"));
    /* Cached: prepared with an inferred type for the NULL, again for
     * text, and the text one takes a NULL. */
    mlops__stmt *st = prep(c, "SELECT count(*) FROM t WHERE ?1 IS NULL OR name = ?1", 1);
    const char *names[] = {NULL, "a", NULL, "b", "zz"};
    const int64_t want[] = {3, 1, 3, 1, 0};
    for (int i = 0; i < 5; i++) {
        drv->reset(st);
        drv->clear_bindings(st);
        if (names[i]) ck_assert_int_eq(drv->bind_text(st, 1, names[i]), 0);
        step_is(c, st, MLOPS__ROW);
        ck_assert_int_eq(drv->col_int64(st, 0), want[i]);
    }
    drv->finalize(st);
    /* The same inside transactions, where a failed parse would abort
     * them: both stay usable. */
    for (int persistent = 0; persistent <= 1; persistent++) {
        TU_OK(drv->begin(c, persistent));
        st = prep(c, "SELECT count(*) FROM t WHERE ?1 IS NULL OR name = ?1", persistent);
        step_is(c, st, MLOPS__ROW);
        ck_assert_int_eq(drv->col_int64(st, 0), 3);
        drv->finalize(st);
        TU_OK(drv->exec(c, "SELECT 1"));
        TU_OK(drv->commit(c));
    }
    /* An insert's NULLs take the columns' types. */
    st = prep(c, "INSERT INTO t VALUES (?1, ?2)", 1);
    step_is(c, st, MLOPS__DONE);
    drv->finalize(st);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM t WHERE id IS NULL AND name IS NULL"), 1);
    /* bind_text(NULL) and a NULL blob pointer are NULL too. */
    st = prep(c, "SELECT ?1::text IS NULL, ?2::bytea IS NULL", 0);
    ck_assert_int_eq(drv->bind_text(st, 1, NULL), 0);
    ck_assert_int_eq(drv->bind_blob(st, 2, NULL, 0), 0);
    step_is(c, st, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(st, 0), 1);
    ck_assert_int_eq(drv->col_int64(st, 1), 1);
    drv->finalize(st);
    drv->close(c);
}
END_TEST

START_TEST(values_round_trip)
{
    mlops__conn *c = open_conn("t_values", 0, 5000);
    TU_OK(drv->exec(c, "CREATE TABLE v (k INT, i BIGINT, d DOUBLE PRECISION, s TEXT, b BYTEA)"));
    const int64_t ints[] = {INT64_MIN, INT64_MAX, 0, -1, 4294967296};
    /* The last NaN: sign bit and a payload set. */
    uint64_t odd_nan_bits = 0xfff8000000000123u;
    double odd_nan;
    memcpy(&odd_nan, &odd_nan_bits, sizeof odd_nan);
    const double dbls[] = {NAN, INFINITY, -INFINITY, -0.0, 5e-324, 1.7976931348623157e308, 0.1,
                           odd_nan};
    const char *texts[] = {"", "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x8e\x89",
                           "it's \"quoted\""};
    size_t big_n = 1 << 20;
    unsigned char *big = malloc(big_n);
    ck_assert_ptr_nonnull(big);
    for (size_t i = 0; i < big_n; i++) big[i] = (unsigned char)(i * 2654435761u >> 13);
    static const unsigned char empty[1] = {0};
    const void *blobs[] = {empty, big, "\0\1\2\377"};
    const int blob_n[] = {0, (int)big_n, 4};

    int rows = 8;
    for (int persistent = 0; persistent <= 1; persistent++) {
        TU_OK(drv->exec(c, "DELETE FROM v"));
        mlops__stmt *ins = prep(c, "INSERT INTO v VALUES (?1, ?2, ?3, ?4, ?5)", persistent);
        for (int k = 0; k < rows; k++) {
            drv->reset(ins);
            drv->clear_bindings(ins);
            ck_assert_int_eq(drv->bind_int64(ins, 1, k), 0);
            ck_assert_int_eq(drv->bind_int64(ins, 2, ints[k % 5]), 0);
            ck_assert_int_eq(drv->bind_double(ins, 3, dbls[k]), 0);
            ck_assert_int_eq(drv->bind_text(ins, 4, texts[k % 3]), 0);
            ck_assert_int_eq(drv->bind_blob(ins, 5, blobs[k % 3], blob_n[k % 3]), 0);
            step_is(c, ins, MLOPS__DONE);
            ck_assert_int_eq(drv->changes(c), 1);
        }
        drv->finalize(ins);
        mlops__stmt *sel = prep(c, "SELECT k, i, d, s, b FROM v ORDER BY k", persistent);
        for (int k = 0; k < rows; k++) {
            step_is(c, sel, MLOPS__ROW);
            ck_assert_int_eq(drv->col_int64(sel, 0), k);
            ck_assert_int_eq(drv->col_int64(sel, 1), ints[k % 5]);
            ck_assert_msg(bits(drv->col_double(sel, 2)) == bits(dbls[k]),
                          "row %d: %016llx, expected %016llx", k,
                          (unsigned long long)bits(drv->col_double(sel, 2)),
                          (unsigned long long)bits(dbls[k]));
            ck_assert_str_eq(drv->col_text(sel, 3), texts[k % 3]);
            ck_assert_int_eq(drv->col_bytes(sel, 3), (int)strlen(texts[k % 3]));
            ck_assert_int_eq(drv->col_null(sel, 4), 0);
            ck_assert_int_eq(drv->col_bytes(sel, 4), blob_n[k % 3]);
            ck_assert_ptr_nonnull(drv->col_blob(sel, 4));
            ck_assert_int_eq(
                memcmp(drv->col_blob(sel, 4), blobs[k % 3], (size_t)blob_n[k % 3]), 0);
        }
        step_is(c, sel, MLOPS__DONE);
        drv->finalize(sel);
    }
    /* The bits went through the server unchanged, not only back to us. */
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM v WHERE d = 'NaN' OR d = 'Infinity' "
                               "OR d = '-Infinity'"),
                     4);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM v WHERE octet_length(b) = 1048576"), 3);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM v WHERE b = ''::bytea"), 3);
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM v WHERE s LIKE 'h_llo%'"), 3);
    free(big);
    drv->close(c);
}
END_TEST

START_TEST(column_types)
{
    mlops__conn *c = open_conn("t_types", 0, 5000);
    mlops__stmt *st = prep(c, "SELECT 7::int4, (-3)::int2, true, 1.5::float4, 'x'::varchar, "
                              "'ab'::char(3), 12::oid, NULL::text, 'lit', 42::int8, 2.5::float8, "
                              "'{\"a\": [1]}'::jsonb, '[2]'::json, 0.1::float8, 3::float8",
                           0);
    step_is(c, st, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(st, 0), 7);
    ck_assert_int_eq(drv->col_int64(st, 1), -3);
    ck_assert_int_eq(drv->col_int64(st, 2), 1);
    ck_assert(drv->col_double(st, 3) == 1.5);
    ck_assert(drv->col_double(st, 0) == 7.0);
    ck_assert_str_eq(drv->col_text(st, 4), "x");
    ck_assert_str_eq(drv->col_text(st, 5), "ab ");
    ck_assert_int_eq(drv->col_int64(st, 6), 12);
    ck_assert_int_eq(drv->col_null(st, 7), 1);
    ck_assert_ptr_null(drv->col_text(st, 7));
    ck_assert_int_eq(drv->col_bytes(st, 7), 0);
    ck_assert_int_eq(drv->col_null(st, 0), 0);
    ck_assert_str_eq(drv->col_text(st, 8), "lit");
    /* Integers as text, as SQLite gives them; both stay valid. */
    const char *a = drv->col_text(st, 9), *b = drv->col_text(st, 0);
    ck_assert_str_eq(a, "42");
    ck_assert_str_eq(b, "7");
    ck_assert_int_eq(drv->col_bytes(st, 9), 2);
    ck_assert(drv->col_double(st, 10) == 2.5);
    ck_assert_int_eq(drv->col_int64(st, 10), 2);
    ck_assert_str_eq(drv->col_text(st, 11), "{\"a\": [1]}");
    ck_assert_int_eq(drv->col_bytes(st, 11), 10);
    ck_assert_str_eq(drv->col_text(st, 12), "[2]");
    ck_assert_str_eq(drv->col_text(st, 13), "0.1");
    ck_assert_str_eq(drv->col_text(st, 14), "3.0");
    ck_assert_str_eq(drv->col_text(st, 10), "2.5");
    const enum mlops__col_kind kinds[] = {
        MLOPS__COL_INT,  MLOPS__COL_INT,  MLOPS__COL_INT,  MLOPS__COL_REAL, MLOPS__COL_TEXT,
        MLOPS__COL_TEXT, MLOPS__COL_INT,  MLOPS__COL_NULL, MLOPS__COL_TEXT, MLOPS__COL_INT,
        MLOPS__COL_REAL, MLOPS__COL_TEXT, MLOPS__COL_TEXT, MLOPS__COL_REAL, MLOPS__COL_REAL};
    for (int i = 0; i < 15; i++)
        ck_assert_msg(drv->col_type(st, i) == kinds[i], "column %d: kind %d", i,
                      (int)drv->col_type(st, i));
    /* Out of range columns read as NULL. */
    ck_assert_int_eq(drv->col_null(st, 15), 1);
    ck_assert_int_eq(drv->col_int64(st, -1), 0);
    step_is(c, st, MLOPS__DONE);
    drv->finalize(st);
    drv->close(c);
}
END_TEST

START_TEST(numeric_aggregates)
{
    mlops__conn *c = open_conn("t_numeric", 0, 5000);
    TU_OK(drv->exec(c, "CREATE TABLE n (x BIGINT);"
                       "INSERT INTO n VALUES (4611686018427387904), (4611686018427387903)"));
    /* sum(bigint) is numeric: exact to the last digit. */
    mlops__stmt *st = prep(c, "SELECT sum(x), count(*), avg(x), sum(x) + 1, -sum(x) - 1 FROM n", 1);
    step_is(c, st, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(st, 0), INT64_MAX);
    ck_assert_str_eq(drv->col_text(st, 0), "9223372036854775807");
    ck_assert_int_eq(drv->col_int64(st, 1), 2);
    ck_assert_str_eq(drv->col_text(st, 1), "2");
    ck_assert(drv->col_double(st, 2) == 4611686018427387903.5);
    ck_assert_int_eq(drv->col_int64(st, 3), INT64_MAX); /* past int64: clamped */
    ck_assert(drv->col_double(st, 3) == 9223372036854775808.0);
    ck_assert_int_eq(drv->col_int64(st, 4), INT64_MIN);
    step_is(c, st, MLOPS__DONE);
    drv->finalize(st);

    st = prep(c, "SELECT -12345.678::numeric, 0.0001::numeric, 100000000::numeric, "
                 "'NaN'::numeric, 1e30::numeric, 0::numeric, (-7)::numeric, 3.10::numeric, "
                 "sum(x) FROM n WHERE false",
              0);
    step_is(c, st, MLOPS__ROW);
    ck_assert(drv->col_double(st, 0) == -12345.678);
    ck_assert_str_eq(drv->col_text(st, 0), "-12345.678");
    ck_assert_int_eq(drv->col_int64(st, 0), -12345);
    ck_assert_str_eq(drv->col_text(st, 1), "0.0001");
    ck_assert(drv->col_double(st, 1) == 0.0001);
    ck_assert_int_eq(drv->col_int64(st, 2), 100000000);
    ck_assert_str_eq(drv->col_text(st, 2), "100000000");
    ck_assert(isnan(drv->col_double(st, 3)));
    ck_assert(drv->col_double(st, 4) == 1e30);
    ck_assert_int_eq(drv->col_int64(st, 4), INT64_MAX);
    ck_assert_int_eq(drv->col_int64(st, 5), 0);
    ck_assert_str_eq(drv->col_text(st, 5), "0");
    ck_assert_int_eq(drv->col_int64(st, 6), -7);
    ck_assert_str_eq(drv->col_text(st, 7), "3.10");
    ck_assert_int_eq(drv->col_null(st, 8), 1); /* sum of no rows */
    ck_assert_int_eq(drv->col_type(st, 2), MLOPS__COL_INT);
    ck_assert_int_eq(drv->col_type(st, 0), MLOPS__COL_REAL);
    ck_assert_int_eq(drv->col_type(st, 4), MLOPS__COL_REAL); /* past int64 */
    ck_assert_int_eq(drv->col_type(st, 8), MLOPS__COL_NULL);
    drv->finalize(st);
    drv->close(c);
}
END_TEST

START_TEST(returning_and_changes)
{
    mlops__conn *c = open_conn("t_returning", 0, 5000);
    TU_OK(drv->exec(c, "CREATE TABLE r (id BIGSERIAL PRIMARY KEY, name TEXT UNIQUE)"));
    mlops__stmt *ins = prep(c, "INSERT INTO r (name) VALUES (?1) RETURNING id", 1);
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        drv->reset(ins);
        drv->clear_bindings(ins);
        ck_assert_int_eq(drv->bind_text(ins, 1, names[i]), 0);
        step_is(c, ins, MLOPS__ROW);
        ck_assert_int_eq(drv->col_int64(ins, 0), i + 1);
        step_is(c, ins, MLOPS__DONE);
        ck_assert_int_eq(drv->changes(c), 1);
    }
    drv->finalize(ins);
    mlops__stmt *up = prep(c, "UPDATE r SET name = name || 'x' WHERE id >= ?1", 1);
    ck_assert_int_eq(drv->bind_int64(up, 1, 2), 0);
    step_is(c, up, MLOPS__DONE);
    ck_assert_int_eq(drv->changes(c), 2);
    /* A SELECT leaves the count, as on SQLite. */
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM r"), 3);
    ck_assert_int_eq(drv->changes(c), 2);
    TU_OK(drv->exec(c, "DELETE FROM r"));
    ck_assert_int_eq(drv->changes(c), 3);
    TU_OK(drv->exec(c, "DELETE FROM r WHERE false"));
    ck_assert_int_eq(drv->changes(c), 0);
    drv->finalize(up);
    drv->close(c);
}
END_TEST

START_TEST(errors_map_to_codes)
{
    mlops__conn *c = open_conn("t_errors", 0, 5000);
    TU_OK(drv->exec(c, "CREATE TABLE u (name TEXT UNIQUE, n BIGINT CHECK (n >= 0))"));
    mlops__stmt *ins = prep(c, "INSERT INTO u VALUES (?1, ?2)", 1);
    ck_assert_int_eq(drv->bind_text(ins, 1, "same"), 0);
    ck_assert_int_eq(drv->bind_int64(ins, 2, 1), 0);
    step_is(c, ins, MLOPS__DONE);
    drv->reset(ins);
    int rc = drv->step(ins);
    ck_assert(rc != MLOPS__ROW && rc != MLOPS__DONE && rc != 0);
    ck_assert_int_eq(drv->code_of(c, rc), MLOPS_ECONFLICT);
    TU_RC(MLOPS_ECONFLICT, drv->error(c, rc, "adding a name"));
    const char *m = mlops_last_error();
    ck_assert_msg(strncmp(m, "adding a name: duplicate key", 28) == 0 &&
                      strstr(m, "(PostgreSQL SQLSTATE 23505)"),
                  "%s", m);
    /* A check constraint is a conflict too; a bad cast is EINVAL. */
    drv->reset(ins);
    ck_assert_int_eq(drv->bind_text(ins, 1, "other"), 0);
    ck_assert_int_eq(drv->bind_int64(ins, 2, -1), 0);
    rc = drv->step(ins);
    TU_RC(MLOPS_ECONFLICT, drv->error(c, rc, "adding"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "SQLSTATE 23514"));
    TU_RC(MLOPS_EINVAL, drv->exec(c, "SELECT 'abc'::bigint"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "SQLSTATE 22P02"));
    drv->finalize(ins);
    /* A syntax error comes from the first step of a cached statement. */
    mlops__stmt *bad = prep(c, "SELEC 1", 1);
    rc = drv->step(bad);
    TU_RC(MLOPS_EIO, drv->error(c, rc, "bad"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "SQLSTATE 42601"));
    drv->finalize(bad);
    /* A failed statement inside a write transaction: COMMIT reports it. */
    TU_OK(drv->begin(c, 1));
    ck_assert_int_eq(drv->in_write(c), 1);
    TU_RC(MLOPS_ECONFLICT, drv->exec(c, "INSERT INTO u VALUES ('same', 2)"));
    TU_RC(MLOPS_EIO, drv->commit(c));
    ck_assert_int_eq(drv->in_write(c), 0);
    drv->rollback(c); /* as db.c does after a failed commit: harmless */
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM u"), 1);
    drv->close(c);
}
END_TEST

START_TEST(read_only_refuses_writes)
{
    mlops__conn *w = open_conn("t_ro", 0, 5000);
    TU_OK(drv->exec(w, "CREATE TABLE t (x BIGINT)"));
    /* A read snapshot refuses a write. */
    TU_OK(drv->begin(w, 0));
    ck_assert_int_eq(drv->in_write(w), 0);
    mlops__stmt *st = prep(w, "INSERT INTO t VALUES (?1)", 1);
    ck_assert_int_eq(drv->bind_int64(st, 1, 1), 0);
    int rc = drv->step(st);
    TU_RC(MLOPS_EREADONLY, drv->error(w, rc, "inserting"));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "SQLSTATE 25006"));
    drv->rollback(w);
    /* A read-only connection refuses writes, in a transaction or not. */
    mlops__conn *r = open_conn("t_ro", 1, 5000);
    TU_RC(MLOPS_EREADONLY, drv->exec(r, "INSERT INTO t VALUES (2)"));
    TU_OK(drv->begin(r, 1));
    TU_RC(MLOPS_EREADONLY, drv->exec(r, "INSERT INTO t VALUES (3)"));
    drv->rollback(r);
    ck_assert_int_eq(drv->in_write(r), 0);
    ck_assert_int_eq(scalar(r, "SELECT count(*) FROM t"), 0);
    /* The read snapshot is one: a commit elsewhere is not seen in it. */
    TU_OK(drv->begin(r, 0));
    ck_assert_int_eq(scalar(r, "SELECT count(*) FROM t"), 0);
    drv->reset(st);
    step_is(w, st, MLOPS__DONE);
    ck_assert_int_eq(scalar(r, "SELECT count(*) FROM t"), 0);
    TU_OK(drv->commit(r));
    ck_assert_int_eq(scalar(r, "SELECT count(*) FROM t"), 1);
    drv->finalize(st);
    drv->close(r);
    drv->close(w);
}
END_TEST

struct writer {
    mlops__conn *c;
    int rc;
    double waited_ms;
    volatile int done;
};

static void *second_writer(void *arg)
{
    struct writer *w = arg;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    w->rc = drv->begin(w->c, 1);
    w->waited_ms = ms_since(&t0);
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

START_TEST(writers_serialise_per_schema)
{
    mlops__conn *a = open_conn("t_lock", 0, 20000);
    mlops__conn *b = open_conn("t_lock", 0, 20000);
    mlops__conn *other = open_conn("t_lock_other", 0, 20000);
    mlops__conn *impatient = open_conn("t_lock", 0, 100);
    TU_OK(drv->begin(a, 1));

    struct writer w = {.c = b};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, second_writer, &w), 0);
    /* Another store in the same database does not wait. */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    TU_OK(drv->begin(other, 1));
    TU_OK(drv->commit(other));
    ck_assert_msg(ms_since(&t0) < 2000, "the other schema waited %.0f ms", ms_since(&t0));
    /* Past busy_ms: MLOPS_EBUSY, and no transaction is left open. */
    TU_RC(MLOPS_EBUSY, drv->begin(impatient, 1));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "SQLSTATE 55P03"));
    ck_assert_int_eq(drv->in_write(impatient), 0);
    TU_OK(drv->exec(impatient, "SELECT 1"));

    usleep(300 * 1000);
    ck_assert_msg(!__atomic_load_n(&w.done, __ATOMIC_SEQ_CST),
                  "the second writer did not wait for the first");
    TU_OK(drv->commit(a));
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    TU_OK(w.rc);
    ck_assert_msg(w.waited_ms >= 250, "the second writer waited only %.0f ms", w.waited_ms);
    ck_assert_int_eq(drv->in_write(b), 1);
    TU_OK(drv->commit(b));
    drv->close(impatient);
    drv->close(other);
    drv->close(b);
    drv->close(a);
}
END_TEST

/* Finalized statements' server-side twins go at the next execution
 * outside a transaction; a statement re-prepared for other types too. */
START_TEST(prepared_statements_are_dropped)
{
    mlops__conn *c = open_conn("t_dealloc", 0, 5000);
    const char *count = "SELECT count(*) FROM pg_prepared_statements";
    mlops__stmt *st = prep(c, "SELECT ?1", 1);
    ck_assert_int_eq(drv->bind_int64(st, 1, 5), 0);
    step_is(c, st, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(st, 0), 5);
    ck_assert_int_eq(scalar(c, count), 1);
    drv->reset(st);
    ck_assert_int_eq(drv->bind_text(st, 1, "five"), 0);
    step_is(c, st, MLOPS__ROW);
    ck_assert_str_eq(drv->col_text(st, 0), "five");
    ck_assert_int_eq(drv->is_busy(st), 1);
    drv->reset(st);
    ck_assert_int_eq(drv->is_busy(st), 0);
    ck_assert_int_eq(scalar(c, count), 1);
    drv->finalize(st);
    ck_assert_int_eq(scalar(c, count), 0);
    drv->close(c);
}
END_TEST

START_TEST(bad_server_is_named_without_password)
{
    mlops__db_target t = {.dialect = MLOPS__POSTGRES,
                          .uri = "postgresql://mlops:s3cr3t-pw@/mlops_db?host=/nonexistent-dir",
                          .schema = "x",
                          .busy_ms = 100};
    mlops__conn *c = NULL;
    TU_RC(MLOPS_EIO, drv->open(&t, &c));
    const char *m = mlops_last_error();
    ck_assert_msg(strstr(m, "/nonexistent-dir") && strstr(m, "mlops_db") && !strstr(m, "s3cr3t"),
                  "%s", m);
    /* Unparsable strings: libpq quotes them whole in its message. */
    const char *bad[] = {"postgresql://mlops:s3cr3t@[::1/db", "host=x password=s3cr3t-pw junk",
                         "postgresql://mlops:s3cr3t%zz@host/db"};
    for (int i = 0; i < 3; i++) {
        t.uri = bad[i];
        TU_RC(MLOPS_EINVAL, drv->open(&t, &c));
        m = mlops_last_error();
        ck_assert_msg(strstr(m, "PostgreSQL connection string") && !strstr(m, "s3cr3t"), "%s", m);
        /* The store's check before it writes a target down: the same. */
        TU_RC(MLOPS_EINVAL, drv->check_target(&t, "fn"));
        m = mlops_last_error();
        ck_assert_msg(strstr(m, "PostgreSQL connection string") && !strstr(m, "s3cr3t"), "%s", m);
    }
}
END_TEST

/* A password may hold a double quote: libpq's message then quotes the
 * string with a quote inside it, and no part of the password after that
 * quote may show either. */
START_TEST(quoted_password_is_not_echoed)
{
    const char *bad[] = {"postgresql://mlops:p\"s3cr3t@[::1/db",
                         "postgresql://mlops:ab\"cd%zzs3cr3t@host/db",
                         "postgresql://mlops:\"x\"s3cr3t\"y\"@[::1/db",
                         "postgresql://mlops:pw@host/db?x\"s3cr3t=1"};
    mlops__db_target t = {.dialect = MLOPS__POSTGRES, .uri = NULL, .schema = "x", .busy_ms = 100};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mlops__conn *c = NULL;
        t.uri = bad[i];
        TU_RC(MLOPS_EINVAL, drv->open(&t, &c));
        const char *m = mlops_last_error();
        ck_assert_msg(strstr(m, "PostgreSQL connection string") && !strstr(m, "s3cr3t"), "%s", m);
        TU_RC(MLOPS_EINVAL, drv->check_target(&t, "fn"));
        m = mlops_last_error();
        ck_assert_msg(strstr(m, "PostgreSQL connection string") && !strstr(m, "s3cr3t"), "%s", m);
    }
    /* The single characters of libpq's own text stay. */
    char *m =
        mlops__pg_redact_conninfo_error("missing \"=\" after \"junk\" in connection info string\n");
    ck_assert_str_eq(m, "missing \"=\" after \"...\" in connection info string");
    free(m);
    m = mlops__pg_redact_conninfo_error("unexpected character \"x\" at position 5 in URI "
                                        "(expected \":\" or \"/\"): \"a\"b\"s3cr3t\"");
    ck_assert_str_eq(m, "unexpected character \"x\" at position 5 in URI (expected \":\" or "
                        "\"/\"): \"...\"");
    free(m);
}
END_TEST

/* One statement's rows stay readable while others run on the connection
 * (all rows come at once), as SQLite code expects. */
START_TEST(statements_interleave)
{
    mlops__conn *c = open_conn("t_interleave", 0, 5000);
    TU_OK(drv->exec(c, "CREATE TABLE src (x BIGINT); CREATE TABLE dst (x BIGINT);"
                       "INSERT INTO src SELECT generate_series(1, 50)"));
    mlops__stmt *rd = prep(c, "SELECT x FROM src ORDER BY x", 1);
    mlops__stmt *wr = prep(c, "INSERT INTO dst VALUES (?1 * 2)", 1);
    TU_OK(drv->begin(c, 1));
    int n = 0;
    int rc;
    while ((rc = drv->step(rd)) == MLOPS__ROW) {
        drv->reset(wr);
        ck_assert_int_eq(drv->bind_int64(wr, 1, drv->col_int64(rd, 0)), 0);
        step_is(c, wr, MLOPS__DONE);
        n++;
    }
    ck_assert_int_eq(rc, MLOPS__DONE);
    TU_OK(drv->commit(c));
    ck_assert_int_eq(n, 50);
    ck_assert_int_eq(scalar(c, "SELECT sum(x) FROM dst"), 2550);
    /* A step after DONE runs it again, as sqlite3_step does. */
    step_is(c, rd, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(rd, 0), 1);
    drv->finalize(rd);
    drv->finalize(wr);
    drv->close(c);
}
END_TEST

#ifdef LIBPQ_HAS_PIPELINING /* libpq 14 and newer (else the driver has no run_ahead) */
/* Bound statements run ahead in one round trip (pipeline mode) are read
 * by their steps as if each had run there: a cached statement prepared
 * in the pipeline, one already prepared, one prepared again for other
 * types, a one-off; a failure is its statement's step's error. */
START_TEST(statements_run_ahead)
{
    mlops__conn *c = open_conn("t_ahead", 0, 5000);
    TU_OK(drv->exec(c, "CREATE TABLE t (x BIGINT); INSERT INTO t SELECT generate_series(1, 40)"));
    mlops__stmt *fresh = prep(c, "SELECT ?1 + 1", 1);
    mlops__stmt *again = prep(c, "SELECT ?1", 1);
    mlops__stmt *once = prep(c, "SELECT x FROM t WHERE x <= ?1 ORDER BY x", 0);
    mlops__stmt *retyped = prep(c, "SELECT CAST(?1 AS text) || 'x'", 1);
    ck_assert_int_eq(drv->bind_int64(again, 1, 7), 0);
    step_is(c, again, MLOPS__ROW); /* prepared for bigint */
    drv->reset(again);
    ck_assert_int_eq(drv->bind_int64(retyped, 1, 3), 0);
    step_is(c, retyped, MLOPS__ROW);
    drv->reset(retyped);
    TU_OK(drv->begin(c, 0));
    ck_assert_int_eq(drv->bind_int64(fresh, 1, 41), 0);
    ck_assert_int_eq(drv->bind_int64(again, 1, 8), 0);
    ck_assert_int_eq(drv->bind_int64(once, 1, 30), 0);
    ck_assert_int_eq(drv->bind_text(retyped, 1, "ab"), 0);
    mlops__stmt *all[] = { fresh, again, once, retyped };
    ck_assert_int_eq(drv->run_ahead(all, 4), 0);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(drv->is_busy(all[i]), 1);
    step_is(c, fresh, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(fresh, 0), 42);
    step_is(c, fresh, MLOPS__DONE);
    step_is(c, again, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(again, 0), 8);
    int64_t sum = 0;
    int rc;
    while ((rc = drv->step(once)) == MLOPS__ROW) sum += drv->col_int64(once, 0);
    ck_assert_int_eq(rc, MLOPS__DONE);
    ck_assert_int_eq(sum, 465);
    step_is(c, retyped, MLOPS__ROW);
    ck_assert_str_eq(drv->col_text(retyped, 0), "abx");
    TU_OK(drv->commit(c));
    /* the three cached ones, each prepared once for the types it now has */
    ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_prepared_statements"), 3);
    /* A step after the rows runs the statement again, as without. */
    drv->reset(once);
    ck_assert_int_eq(drv->bind_int64(once, 1, 2), 0);
    step_is(c, once, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(once, 0), 1);
    drv->reset(once);

    /* A failure: its statement's step returns it; the transaction is
     * aborted, as after any failed statement. */
    mlops__stmt *bad = prep(c, "SELECT 1 / ?1", 0);
    ck_assert_int_eq(drv->bind_int64(bad, 1, 0), 0);
    ck_assert_int_eq(drv->bind_int64(once, 1, 5), 0);
    TU_OK(drv->begin(c, 0));
    mlops__stmt *failing[] = { bad, once };
    ck_assert_int_eq(drv->run_ahead(failing, 2), 0);
    rc = drv->step(bad);
    ck_assert_int_ne(rc, MLOPS__ROW);
    ck_assert_int_ne(rc, MLOPS__DONE);
    ck_assert_int_ne(drv->error(c, rc, "step"), MLOPS_OK);
    ck_assert_msg(strstr(mlops_last_error(), "division by zero"), "%s", mlops_last_error());
    rc = drv->step(once);
    ck_assert_int_ne(rc, MLOPS__ROW);
    drv->rollback(c);

    /* A NULL of no known type needs the one-by-one path: nothing is sent
     * ahead, and the steps run them as always. */
    mlops__stmt *untyped = prep(c, "SELECT ?1 IS NULL", 0);
    ck_assert_int_eq(drv->bind_null(untyped, 1), 0);
    drv->reset(once);
    ck_assert_int_eq(drv->bind_int64(once, 1, 3), 0);
    mlops__stmt *mixed[] = { untyped, once };
    ck_assert_int_eq(drv->run_ahead(mixed, 2), 0);
    ck_assert_int_eq(drv->is_busy(untyped), 0);
    step_is(c, untyped, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(untyped, 0), 1);
    step_is(c, once, MLOPS__ROW);
    ck_assert_int_eq(drv->col_int64(once, 0), 1);
    mlops__stmt *made[] = { fresh, again, once, retyped, bad, untyped };
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) drv->finalize(made[i]);
    drv->close(c);
}
END_TEST
#endif

int main(void)
{
    Suite *s = suite_create("db_postgres");
    TCase *tc = tcase_create("db_postgres");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rewrite_placeholders);
    tcase_add_test(tc, null_binds);
    tcase_add_test(tc, values_round_trip);
    tcase_add_test(tc, column_types);
    tcase_add_test(tc, numeric_aggregates);
    tcase_add_test(tc, returning_and_changes);
    tcase_add_test(tc, errors_map_to_codes);
    tcase_add_test(tc, read_only_refuses_writes);
    tcase_add_test(tc, writers_serialise_per_schema);
    tcase_add_test(tc, prepared_statements_are_dropped);
    tcase_add_test(tc, bad_server_is_named_without_password);
    tcase_add_test(tc, quoted_password_is_not_echoed);
    tcase_add_test(tc, statements_interleave);
#ifdef LIBPQ_HAS_PIPELINING
    tcase_add_test(tc, statements_run_ahead);
#endif
    suite_add_tcase(s, tc);
    return tu_run(s);
}
