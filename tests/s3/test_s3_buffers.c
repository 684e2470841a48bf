/* The buffers an S3 backend holds objects in (lib/objects/s3/s3_buffers.h):
 * what is given back is reused for the next object of its size class, at
 * most the pool's `keep` bytes of it; the rest and any very large buffer
 * go back to the system; many threads share one pool. */
#include "testutil.h"

#include "objects/s3/s3_buffers.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KiB ((size_t)1024)
#define MiB (1024 * KiB)

START_TEST(buffers_hold_what_was_asked)
{
    mlops__s3_buffers *b = mlops__s3_buffers_new(16 * MiB);
    ck_assert_ptr_nonnull(b);
    const size_t sizes[] = { 0, 1, 100, 64 * KiB, 512 * KiB + 3, 5 * MiB };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        unsigned char *p = mlops__s3_buffer_take(b, sizes[i]);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        size_t cap = mlops__s3_buffer_capacity(p);
        ck_assert_uint_ge(cap, sizes[i]);
        ck_assert_uint_lt(cap, 2 * sizes[i] + 64 * KiB);
        memset(p, 0xa5, cap); /* all of it is writable */
        mlops__s3_buffer_give(b, p);
    }
    mlops__s3_buffer_give(b, NULL);
    mlops__s3_buffers_free(b);
}
END_TEST

START_TEST(given_back_buffers_are_reused_within_keep)
{
    /* Room for one 4 MiB buffer, not two. */
    mlops__s3_buffers *b = mlops__s3_buffers_new(5 * MiB);
    ck_assert_ptr_nonnull(b);
    unsigned char *one = mlops__s3_buffer_take(b, 3 * MiB);
    unsigned char *two = mlops__s3_buffer_take(b, 3 * MiB);
    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(two);
    ck_assert_uint_eq(mlops__s3_buffers_kept(b), 0);
    mlops__s3_buffer_give(b, one);
    size_t kept = mlops__s3_buffers_kept(b);
    ck_assert_uint_ge(kept, 3 * MiB);
    mlops__s3_buffer_give(b, two); /* past keep: unmapped */
    ck_assert_uint_eq(mlops__s3_buffers_kept(b), kept);
    /* An object of the same class gets the kept buffer... */
    unsigned char *again = mlops__s3_buffer_take(b, 2 * MiB + 1);
    ck_assert_ptr_eq(again, one);
    ck_assert_uint_eq(mlops__s3_buffers_kept(b), 0);
    /* ... one of another class a new one. */
    mlops__s3_buffer_give(b, again);
    unsigned char *small = mlops__s3_buffer_take(b, 100 * KiB);
    ck_assert_ptr_nonnull(small);
    ck_assert_ptr_ne(small, one);
    ck_assert_uint_eq(mlops__s3_buffers_kept(b), kept);
    mlops__s3_buffer_give(b, small);
    /* A class with none kept takes one of the next class up, no larger. */
    ck_assert_ptr_eq(mlops__s3_buffer_take(b, 100 * KiB), small); /* its own class first */
    unsigned char *mid = mlops__s3_buffer_take(b, 200 * KiB); /* class 256 KiB */
    mlops__s3_buffer_give(b, mid);
    unsigned char *below = mlops__s3_buffer_take(b, 100 * KiB); /* class 128 KiB */
    ck_assert_ptr_eq(below, mid);
    unsigned char *tiny = mlops__s3_buffer_take(b, 10); /* 64 KiB: 4 MiB is too far */
    ck_assert_ptr_ne(tiny, one);
    mlops__s3_buffer_give(b, tiny);
    mlops__s3_buffer_give(b, below);
    mlops__s3_buffer_give(b, small);
    mlops__s3_buffers_free(b); /* unmaps what it keeps */
}
END_TEST

START_TEST(very_large_buffers_are_never_kept)
{
    mlops__s3_buffers *b = mlops__s3_buffers_new((size_t)1 << 30);
    ck_assert_ptr_nonnull(b);
    unsigned char *p = mlops__s3_buffer_take(b, 200 * MiB);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_ge(mlops__s3_buffer_capacity(p), 200 * MiB);
    p[0] = 1;
    p[200 * MiB - 1] = 2;
    mlops__s3_buffer_give(b, p);
    ck_assert_uint_eq(mlops__s3_buffers_kept(b), 0);
    /* and a size no mapping can have fails instead of wrapping */
    ck_assert_ptr_null(mlops__s3_buffer_take(b, SIZE_MAX - 10));
    mlops__s3_buffers_free(b);
}
END_TEST

START_TEST(without_a_pool_buffers_are_malloc_s)
{
    unsigned char *p = mlops__s3_buffer_take(NULL, 0);
    ck_assert_ptr_nonnull(p);
    mlops__s3_buffer_give(NULL, p);
    p = mlops__s3_buffer_take(NULL, 1000);
    ck_assert_ptr_nonnull(p);
    memset(p, 1, 1000);
    mlops__s3_buffer_give(NULL, p);
}
END_TEST

struct worker {
    mlops__s3_buffers *b;
    unsigned seed;
    int bad;
};

/* Takes buffers of assorted sizes, fills each with a pattern of its own,
 * checks it and gives it back, many times. */
static void *churn(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(rand_r(&w->seed) % 1024) * KiB;
        unsigned char *p = mlops__s3_buffer_take(w->b, n);
        if (!p) {
            w->bad = 1;
            break;
        }
        unsigned char mark = (unsigned char)(w->seed & 0xff);
        memset(p, mark, n);
        for (size_t k = 0; k < n; k += 4096)
            if (p[k] != mark) w->bad = 1;
        mlops__s3_buffer_give(w->b, p);
    }
    return NULL;
}

START_TEST(threads_share_one_pool)
{
    mlops__s3_buffers *b = mlops__s3_buffers_new(8 * MiB);
    ck_assert_ptr_nonnull(b);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){ b, (unsigned)(i + 1) * 2654435761u, 0 };
        ck_assert_int_eq(pthread_create(&t[i], NULL, churn, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(w[i].bad, 0);
    }
    ck_assert_uint_le(mlops__s3_buffers_kept(b), 8 * MiB);
    mlops__s3_buffers_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("s3_buffers");
    TCase *tc = tcase_create("buffers");
    tcase_add_test(tc, buffers_hold_what_was_asked);
    tcase_add_test(tc, given_back_buffers_are_reused_within_keep);
    tcase_add_test(tc, very_large_buffers_are_never_kept);
    tcase_add_test(tc, without_a_pool_buffers_are_malloc_s);
    tcase_add_test(tc, threads_share_one_pool);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
