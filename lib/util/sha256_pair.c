/* SHA-256 with the x86 SHA extensions, one or two hashes at a time
 * (sha256_pair.h). The state lives in the order the instructions want
 * (ABEF and CDGH) only inside a run of blocks. */
#include "util/sha256_pair.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_SHANI_CODE 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#ifdef HAVE_SHANI_CODE
static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u,
    0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u,
    0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu,
    0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u,
    0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u,
    0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u,
    0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
    0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};
#endif

static const uint32_t H0[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                               0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};

#ifdef HAVE_SHANI_CODE
#define TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* h[0..8) into the instructions' two registers, and back. */
TARGET static void state_in(const uint32_t *h, __m128i *abef, __m128i *cdgh)
{
    __m128i dcba = _mm_loadu_si128((const __m128i *)h);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)(h + 4));
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    *abef = _mm_alignr_epi8(cdab, efgh, 8);
    *cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

TARGET static void state_out(uint32_t *h, __m128i abef, __m128i cdgh)
{
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)h, _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

/* Four rounds of one lane: group g of the message in m[g % 4], the next
 * group's words computed from the four before it. */
#define LANE_GROUP(S0, S1, m, g)                                                         \
    do {                                                                                 \
        __m128i wk = _mm_add_epi32(m[(g) & 3], _mm_loadu_si128((const __m128i *)(K + 4 * (g)))); \
        S1 = _mm_sha256rnds2_epu32(S1, S0, wk);                                          \
        S0 = _mm_sha256rnds2_epu32(S0, S1, _mm_shuffle_epi32(wk, 0x0E));                 \
    } while (0)
/* Group t's words (t = 4..15) into m[t % 4], from groups t-4..t-1. */
#define LANE_SCHEDULE(m, t)                                                              \
    do {                                                                                 \
        __m128i x = _mm_sha256msg1_epu32(m[(t) & 3], m[((t) + 1) & 3]);                  \
        x = _mm_add_epi32(x, _mm_alignr_epi8(m[((t) + 3) & 3], m[((t) + 2) & 3], 4));    \
        m[(t) & 3] = _mm_sha256msg2_epu32(x, m[((t) + 3) & 3]);                          \
    } while (0)

TARGET static void blocks1(uint32_t *h, const unsigned char *p, size_t n)
{
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i S0, S1;
    state_in(h, &S0, &S1);
    for (; n; n--, p += 64) {
        __m128i s0 = S0, s1 = S1, m[4];
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++)
            m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), mask);
        /* Unrolled, so that m[] and the constants stay in registers. */
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            if (g >= 4) LANE_SCHEDULE(m, g);
            LANE_GROUP(S0, S1, m, g);
        }
        S0 = _mm_add_epi32(S0, s0);
        S1 = _mm_add_epi32(S1, s1);
    }
    state_out(h, S0, S1);
}

/* n blocks of each lane, interleaved group by group: while one lane
 * waits on its rounds the other's run. */
TARGET static void blocks2(uint32_t *ha, const unsigned char *pa, uint32_t *hb,
                           const unsigned char *pb, size_t n)
{
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i A0, A1, B0, B1;
    state_in(ha, &A0, &A1);
    state_in(hb, &B0, &B1);
    for (; n; n--, pa += 64, pb += 64) {
        __m128i a0 = A0, a1 = A1, b0 = B0, b1 = B1, ma[4], mb[4];
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) {
            ma[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 16 * i)), mask);
            mb[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 16 * i)), mask);
        }
        /* Unrolled, so that m[] and the constants stay in registers. */
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            if (g >= 4) {
                LANE_SCHEDULE(ma, g);
                LANE_SCHEDULE(mb, g);
            }
            LANE_GROUP(A0, A1, ma, g);
            LANE_GROUP(B0, B1, mb, g);
        }
        A0 = _mm_add_epi32(A0, a0);
        A1 = _mm_add_epi32(A1, a1);
        B0 = _mm_add_epi32(B0, b0);
        B1 = _mm_add_epi32(B1, b1);
    }
    state_out(ha, A0, A1);
    state_out(hb, B0, B1);
}

static int detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
}
#endif

static int allowed = 1;

void mlops__sha256_pair_allow(int yes)
{
    __atomic_store_n(&allowed, yes != 0, __ATOMIC_RELAXED);
}

int mlops__sha256_pair_available(void)
{
    if (!__atomic_load_n(&allowed, __ATOMIC_RELAXED)) return 0;
#ifdef HAVE_SHANI_CODE
    static int known = -1; /* racing first calls compute the same answer */
    int v = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (v < 0) {
        v = detect();
        __atomic_store_n(&known, v, __ATOMIC_RELAXED);
    }
    return v;
#else
    return 0;
#endif
}

#ifndef HAVE_SHANI_CODE
/* Never called: mlops__sha256_pair_available is 0 here. */
static void blocks1(uint32_t *h, const unsigned char *p, size_t n)
{
    (void)h;
    (void)p;
    (void)n;
}
static void blocks2(uint32_t *ha, const unsigned char *pa, uint32_t *hb,
                    const unsigned char *pb, size_t n)
{
    (void)ha;
    (void)pa;
    (void)hb;
    (void)pb;
    (void)n;
}
#endif

void mlops__sha256s_init(mlops__sha256s *h)
{
    memcpy(h->h, H0, sizeof H0);
    h->nbuf = 0;
    h->total = 0;
}

/* Completes h's partial block from p (as much of len as it takes):
 * returns the bytes used. */
static size_t fill(mlops__sha256s *h, const unsigned char *p, size_t len)
{
    if (!h->nbuf) return 0;
    size_t k = 64 - h->nbuf < len ? 64 - h->nbuf : len;
    memcpy(h->buf + h->nbuf, p, k);
    h->nbuf += k;
    if (h->nbuf == 64) {
        blocks1(h->h, h->buf, 1);
        h->nbuf = 0;
    }
    return k;
}

void mlops__sha256s_update(mlops__sha256s *h, const void *data, size_t len)
{
    const unsigned char *p = data;
    h->total += len;
    size_t k = fill(h, p, len);
    p += k;
    len -= k;
    if (len >= 64) {
        blocks1(h->h, p, len / 64);
        p += len / 64 * 64;
        len %= 64;
    }
    if (len) {
        memcpy(h->buf, p, len);
        h->nbuf = len;
    }
}

void mlops__sha256s_update_pair(mlops__sha256s *a, mlops__sha256s *b, const void *data,
                                size_t len)
{
    const unsigned char *p = data;
    size_t at_a = fill(a, p, len), at_b = fill(b, p, len);
    size_t na = (len - at_a) / 64, nb = (len - at_b) / 64;
    size_t both = na < nb ? na : nb;
    if (both) blocks2(a->h, p + at_a, b->h, p + at_b, both);
    /* Each lane's blocks past the common run (at most one), then its tail. */
    mlops__sha256s *lane[2] = {a, b};
    size_t at[2] = {at_a + both * 64, at_b + both * 64};
    for (int i = 0; i < 2; i++) {
        lane[i]->total += len;
        size_t rest = len - at[i];
        if (rest >= 64) {
            blocks1(lane[i]->h, p + at[i], rest / 64);
            at[i] += rest / 64 * 64;
            rest %= 64;
        }
        if (rest) {
            memcpy(lane[i]->buf, p + at[i], rest);
            lane[i]->nbuf = rest;
        }
    }
}

void mlops__sha256s_final(mlops__sha256s *h, mlops_digest *out)
{
    uint64_t bits = h->total * 8;
    unsigned char pad[72] = {0x80};
    size_t padlen = (h->nbuf < 56 ? 56 : 120) - h->nbuf;
    for (int i = 0; i < 8; i++) pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
    mlops__sha256s_update(h, pad, padlen + 8);
    for (int i = 0; i < 8; i++) {
        out->bytes[4 * i] = (unsigned char)(h->h[i] >> 24);
        out->bytes[4 * i + 1] = (unsigned char)(h->h[i] >> 16);
        out->bytes[4 * i + 2] = (unsigned char)(h->h[i] >> 8);
        out->bytes[4 * i + 3] = (unsigned char)h->h[i];
    }
    mlops__sha256s_init(h);
}
