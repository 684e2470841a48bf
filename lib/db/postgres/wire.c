/* PostgreSQL's binary formats (pg.h): integers and floats travel in
 * network byte order; numeric is a sign, a weight and base-10000 digits. */
#include "db/postgres/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlops__pg_put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

uint64_t mlops__pg_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

uint32_t mlops__pg_get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint16_t mlops__pg_get16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* numeric_send: int16 ndigits, int16 weight (of the first digit, in
 * powers of 10000), uint16 sign, int16 dscale (decimal digits after the
 * point), then ndigits uint16 digits 0..9999. */
#define NUMERIC_POS 0x0000
#define NUMERIC_NEG 0x4000
#define NUMERIC_NAN 0xC000
#define NUMERIC_PINF 0xD000
#define NUMERIC_NINF 0xF000

struct numeric {
    int ndigits, weight, dscale;
    unsigned sign;
    const unsigned char *digits;
};

static int numeric_parse(const unsigned char *p, int len, struct numeric *n)
{
    if (len < 8) return 0;
    n->ndigits = (int16_t)mlops__pg_get16(p);
    n->weight = (int16_t)mlops__pg_get16(p + 2);
    n->sign = mlops__pg_get16(p + 4);
    n->dscale = (int16_t)mlops__pg_get16(p + 6);
    n->digits = p + 8;
    if (n->ndigits < 0 || n->dscale < 0 || len != 8 + 2 * n->ndigits) return 0;
    for (int i = 0; i < n->ndigits; i++)
        if (mlops__pg_get16(n->digits + 2 * i) > 9999) return 0;
    return 1;
}

static int digit(const struct numeric *n, int i)
{
    return i >= 0 && i < n->ndigits ? mlops__pg_get16(n->digits + 2 * i) : 0;
}

char *mlops__pg_numeric_text(const unsigned char *p, int len)
{
    struct numeric n;
    if (!numeric_parse(p, len, &n)) return NULL;
    if (n.sign == NUMERIC_NAN) return strdup("NaN");
    if (n.sign == NUMERIC_PINF) return strdup("Infinity");
    if (n.sign == NUMERIC_NINF) return strdup("-Infinity");
    int intgroups = n.weight >= 0 ? n.weight + 1 : 1;
    size_t cap = 2 + 4 * (size_t)intgroups + 1 + (size_t)n.dscale + 4 + 1;
    char *s = malloc(cap);
    if (!s) return NULL;
    size_t k = 0;
    if (n.sign == NUMERIC_NEG) s[k++] = '-';
    if (n.weight < 0) {
        s[k++] = '0';
    } else {
        for (int i = 0; i <= n.weight; i++)
            k += (size_t)snprintf(s + k, cap - k, i == 0 ? "%d" : "%04d", digit(&n, i));
    }
    if (n.dscale > 0) {
        s[k++] = '.';
        int written = 0;
        for (int i = n.weight + 1; written < n.dscale; i++) {
            int g = digit(&n, i);
            for (int div = 1000; div > 0 && written < n.dscale; div /= 10, written++)
                s[k++] = (char)('0' + g / div % 10);
        }
    }
    s[k] = '\0';
    return s;
}

int mlops__pg_numeric_int64(const unsigned char *p, int len, int64_t *v)
{
    struct numeric n;
    if (!numeric_parse(p, len, &n)) return 0;
    if (n.sign != NUMERIC_POS && n.sign != NUMERIC_NEG) return 0;
    /* Integral when no nonzero digit lies after the point. */
    for (int i = n.weight + 1; i < n.ndigits; i++)
        if (digit(&n, i) != 0) return 0;
    /* Accumulate as a negative number: INT64_MIN fits, INT64_MAX's
     * negation too. */
    int64_t acc = 0;
    for (int i = 0; i <= n.weight; i++) {
        int d = digit(&n, i);
        if (acc < (INT64_MIN + d) / 10000) return 0;
        acc = acc * 10000 - d;
    }
    if (n.sign == NUMERIC_POS) {
        if (acc == INT64_MIN) return 0;
        acc = -acc;
    }
    *v = acc;
    return 1;
}
