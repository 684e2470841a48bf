/* Errors, versions, memory and digests (include/mlops/common.h). */
#include "testutil.h"

#include <mlops.h>
#include "util/arena.h"
#include "util/hash.h"
#include "util/sha256_pair.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

START_TEST(version_matches_headers)
{
    ck_assert_str_eq(mlops_version(), MLOPS_VERSION_STRING);
    ck_assert_int_eq(mlops_version_number(), MLOPS_VERSION_NUMBER);
    ck_assert_int_eq(MLOPS_VERSION_NUMBER, MLOPS_VERSION_MAJOR * 10000 + MLOPS_VERSION_MINOR * 100 +
                                               MLOPS_VERSION_PATCH);
}
END_TEST

START_TEST(error_codes_are_pinned)
{
    /* These values are ABI: a change here is a break, never a fix. */
    ck_assert_int_eq(MLOPS_OK, 0);
    ck_assert_int_eq(MLOPS_EINVAL, 1);
    ck_assert_int_eq(MLOPS_ENOTFOUND, 2);
    ck_assert_int_eq(MLOPS_EEXIST, 3);
    ck_assert_int_eq(MLOPS_ECONFLICT, 4);
    ck_assert_int_eq(MLOPS_ECORRUPT, 5);
    ck_assert_int_eq(MLOPS_EIO, 6);
    ck_assert_int_eq(MLOPS_ENOMEM, 7);
    ck_assert_int_eq(MLOPS_EBUSY, 8);
    ck_assert_int_eq(MLOPS_EFORMAT, 9);
    ck_assert_int_eq(MLOPS_EUNSUPPORTED, 10);
    ck_assert_int_eq(MLOPS_EREADONLY, 11);
    ck_assert_int_eq(MLOPS_EPOLICY, 12);
    ck_assert_int_eq(MLOPS_ESIGNATURE, 13);
    ck_assert_int_eq(MLOPS_ITEROVER, 14);
    ck_assert_int_eq(MLOPS_EPERM, 15);
}
END_TEST

START_TEST(strerror_names_every_code)
{
    for (int code = 0; code <= MLOPS_EPERM; code++) {
        const char *s = mlops_strerror(code);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_ne(s, "unknown error");
    }
    ck_assert_str_eq(mlops_strerror(MLOPS_ENOTFOUND), "not found");
    ck_assert_str_eq(mlops_strerror(-1), "unknown error");
    ck_assert_str_eq(mlops_strerror(9999), "unknown error");
}
END_TEST

static void *fail_in_thread(void *arg)
{
    (void)arg;
    mlops_digest d;
    mlops_digest_parse("sha256:bad-in-thread", &d);
    return NULL;
}

START_TEST(last_error_is_thread_local)
{
    mlops_digest d;
    TU_RC(MLOPS_EINVAL, mlops_digest_parse("nope", &d));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'nope'"));
    pthread_t t;
    pthread_create(&t, NULL, fail_in_thread, NULL);
    pthread_join(t, NULL);
    /* The other thread's failure did not overwrite this thread's message. */
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "'nope'"));
    ck_assert_ptr_null(strstr(mlops_last_error(), "bad-in-thread"));
}
END_TEST

START_TEST(free_accepts_null)
{
    mlops_free(NULL);
}
END_TEST

static const char EMPTY_SHA[] =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char ABC_SHA[] =
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

START_TEST(digest_known_answers)
{
    mlops_digest d;
    char text[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_compute(NULL, 0, &d));
    TU_OK(mlops_digest_format(&d, text));
    ck_assert_str_eq(text, EMPTY_SHA);
    TU_OK(mlops_digest_compute("abc", 3, &d));
    TU_OK(mlops_digest_format(&d, text));
    ck_assert_str_eq(text, ABC_SHA);
    ck_assert_int_eq(strlen(text), MLOPS_DIGEST_STRLEN - 1);
}
END_TEST

START_TEST(digest_round_trip)
{
    mlops_digest d, back;
    for (int i = 0; i < 32; i++) d.bytes[i] = (unsigned char)(i * 37 + 11);
    char text[MLOPS_DIGEST_STRLEN];
    TU_OK(mlops_digest_format(&d, text));
    TU_OK(mlops_digest_parse(text, &back));
    ck_assert_mem_eq(d.bytes, back.bytes, 32);
}
END_TEST

START_TEST(digest_parse_is_strict)
{
    static const char *const bad[] = {
        "",
        "sha256:",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85 ",
        " sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    };
    mlops_digest d;
    memset(&d, 0xAB, sizeof d);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mlops_digest_parse(bad[i], &d);
        ck_assert_msg(rc == MLOPS_EINVAL, "'%s' parsed (rc %d)", bad[i], rc);
        ck_assert_msg(strlen(mlops_last_error()) > 0, "no message for '%s'", bad[i]);
    }
    for (size_t i = 0; i < 32; i++) ck_assert_int_eq(d.bytes[i], 0xAB); /* untouched */
    /* Embedded NUL: the text ends early, so it is too short. */
    char with_nul[80];
    memcpy(with_nul, EMPTY_SHA, sizeof EMPTY_SHA);
    with_nul[20] = '\0';
    TU_RC(MLOPS_EINVAL, mlops_digest_parse(with_nul, &d));
}
END_TEST

START_TEST(digest_null_arguments)
{
    mlops_digest d;
    char text[MLOPS_DIGEST_STRLEN];
    TU_RC(MLOPS_EINVAL, mlops_digest_parse(NULL, &d));
    TU_RC(MLOPS_EINVAL, mlops_digest_parse(EMPTY_SHA, NULL));
    TU_RC(MLOPS_EINVAL, mlops_digest_format(NULL, text));
    TU_RC(MLOPS_EINVAL, mlops_digest_format(&d, NULL));
    TU_RC(MLOPS_EINVAL, mlops_digest_compute(NULL, 1, &d));
    TU_RC(MLOPS_EINVAL, mlops_digest_compute("x", 1, NULL));
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "out"));
}
END_TEST

/* The SHA-NI hashes (util/sha256_pair.h) give OpenSSL's digests: one
 * lane, and two lanes fed the same bytes from different starting points
 * (a chunk's hash starting fresh, the blob's in the middle of a block),
 * in pieces of every awkward length. Skipped on a CPU without SHA-NI. */
START_TEST(sha256_pair_matches_openssl)
{
    if (!mlops__sha256_pair_available()) return;
    size_t n = 300000;
    unsigned char *data = malloc(n);
    ck_assert_ptr_nonnull(data);
    unsigned x = 12345;
    for (size_t i = 0; i < n; i++) data[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 16);
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4096, 65537, 299999};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        mlops_digest want, got;
        mlops__sha256s h;
        TU_OK(mlops__sha256_oneshot(data, lens[i], &want));
        mlops__sha256s_init(&h);
        mlops__sha256s_update(&h, data, lens[i]);
        mlops__sha256s_final(&h, &got);
        ck_assert_mem_eq(got.bytes, want.bytes, 32);
    }
    /* Lane b has first seen `lead` bytes; then both take the same pieces. */
    static const size_t leads[] = {0, 1, 13, 63, 64, 100};
    static const size_t pieces[] = {1, 7, 64, 63, 129, 4000, 65, 0, 50000, 3};
    for (size_t l = 0; l < sizeof leads / sizeof leads[0]; l++) {
        mlops__sha256s a, b;
        mlops__sha256s_init(&a);
        mlops__sha256s_init(&b);
        mlops__sha256s_update(&b, data + n - leads[l], leads[l]);
        size_t at = 0;
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            mlops__sha256s_update_pair(&a, &b, data + at, pieces[k]);
            at += pieces[k];
        }
        mlops_digest want_a, want_b, got_a, got_b;
        TU_OK(mlops__sha256_oneshot(data, at, &want_a));
        unsigned char *joined = malloc(leads[l] + at + 1);
        ck_assert_ptr_nonnull(joined);
        memcpy(joined, data + n - leads[l], leads[l]);
        memcpy(joined + leads[l], data, at);
        TU_OK(mlops__sha256_oneshot(joined, leads[l] + at, &want_b));
        free(joined);
        mlops__sha256s_final(&a, &got_a);
        mlops__sha256s_final(&b, &got_b);
        ck_assert_mem_eq(got_a.bytes, want_a.bytes, 32);
        ck_assert_mem_eq(got_b.bytes, want_b.bytes, 32);
    }
    free(data);
}
END_TEST

/* A size the arena cannot round up to its alignment is refused: rounding
 * it wrapped to a few bytes, and the caller got a pointer to them. */
START_TEST(arena_refuses_sizes_that_wrap)
{
    mlops__arena a = {.head = NULL};
    ck_assert_ptr_nonnull(mlops__arena_alloc(&a, 10));
    for (size_t k = 0; k < 16; k++) ck_assert_ptr_null(mlops__arena_alloc(&a, SIZE_MAX - k));
    mlops__arena_free(&a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("common");
    tcase_add_test(tc, version_matches_headers);
    tcase_add_test(tc, error_codes_are_pinned);
    tcase_add_test(tc, strerror_names_every_code);
    tcase_add_test(tc, last_error_is_thread_local);
    tcase_add_test(tc, free_accepts_null);
    tcase_add_test(tc, digest_known_answers);
    tcase_add_test(tc, digest_round_trip);
    tcase_add_test(tc, digest_parse_is_strict);
    tcase_add_test(tc, digest_null_arguments);
    tcase_add_test(tc, sha256_pair_matches_openssl);
    tcase_add_test(tc, arena_refuses_sizes_that_wrap);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
