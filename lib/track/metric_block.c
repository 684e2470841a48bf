/* The encoding of a block of metric points (metric_internal.h). */
#include "track/metric_internal.h"

#include <string.h>

uint64_t mlops__value_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

double mlops__bits_value(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

int mlops__point_cmp(const mlops_metric_point *a, const mlops_metric_point *b)
{
    if (a->step != b->step) return a->step < b->step ? -1 : 1;
    if (a->ts_ms != b->ts_ms) return a->ts_ms < b->ts_ms ? -1 : 1;
    uint64_t x = mlops__value_bits(a->value), y = mlops__value_bits(b->value);
    return x == y ? 0 : x < y ? -1 : 1;
}

size_t mlops__block_bound(size_t n)
{
    return 1 + 10 + n * (10 + 10 + 8);
}

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* Maps small negative and positive differences to small unsigned values. */
static uint64_t zigzag(uint64_t diff)
{
    return (diff << 1) ^ (uint64_t)-(int64_t)(diff >> 63);
}

static uint64_t unzigzag(uint64_t z)
{
    return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
}

size_t mlops__block_encode(const mlops_metric_point *p, size_t n, unsigned char *out)
{
    unsigned char *o = out;
    *o++ = MLOPS__BLOCK_VERSION;
    o = put_varint(o, n);
    uint64_t step = 0, ts = 0;
    for (size_t i = 0; i < n; i++) {
        o = put_varint(o, zigzag((uint64_t)p[i].step - step));
        o = put_varint(o, zigzag((uint64_t)p[i].ts_ms - ts));
        step = (uint64_t)p[i].step;
        ts = (uint64_t)p[i].ts_ms;
        uint64_t bits = mlops__value_bits(p[i].value);
        for (int k = 0; k < 8; k++) *o++ = (unsigned char)(bits >> (8 * k));
    }
    return (size_t)(o - out);
}

/* Reads a varint; NULL when it runs past end or over 10 bytes. */
static const unsigned char *get_varint(const unsigned char *p, const unsigned char *end,
                                       uint64_t *v)
{
    if (p < end && !(*p & 0x80)) { /* one byte: steps and times a constant apart */
        *v = *p;
        return p + 1;
    }
    uint64_t r = 0;
    for (int shift = 0; shift < 70 && p < end; shift += 7) {
        unsigned char b = *p++;
        r |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return p;
        }
    }
    return NULL;
}

int mlops__block_count(const void *data, size_t len, size_t *n)
{
    const unsigned char *p = data, *end = p + len;
    uint64_t count;
    if (len < 2 || p[0] != MLOPS__BLOCK_VERSION || !(p = get_varint(p + 1, end, &count)) ||
        count == 0 || count > MLOPS__BLOCK_MAX)
        return MLOPS_ECORRUPT;
    *n = (size_t)count;
    return MLOPS_OK;
}

int mlops__block_decode(const void *data, size_t len, mlops_metric_point *out, size_t *n)
{
    const unsigned char *p = data, *end = p + len;
    uint64_t count;
    if (len < 2 || p[0] != MLOPS__BLOCK_VERSION || !(p = get_varint(p + 1, end, &count)) ||
        count == 0 || count > MLOPS__BLOCK_MAX)
        return MLOPS_ECORRUPT;
    uint64_t step = 0, ts = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t ds, dt;
        if (!(p = get_varint(p, end, &ds)) || !(p = get_varint(p, end, &dt)) || end - p < 8)
            return MLOPS_ECORRUPT;
        step += unzigzag(ds);
        ts += unzigzag(dt);
        uint64_t bits = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&bits, p, 8); /* stored little-endian: the bytes as they are */
#else
        for (int k = 0; k < 8; k++) bits |= (uint64_t)p[k] << (8 * k);
#endif
        p += 8;
        out[i].step = (int64_t)step;
        out[i].ts_ms = (int64_t)ts;
        out[i].value = mlops__bits_value(bits);
    }
    if (p != end) return MLOPS_ECORRUPT;
    *n = (size_t)count;
    return MLOPS_OK;
}

int mlops__tail_decode(mlops__stmt *st, int col, mlops_metric_point *out, size_t *n)
{
    *n = 0;
    if (mlops__col_null(st, col)) return MLOPS_OK;
    const void *data = mlops__col_blob(st, col);
    size_t len = (size_t)mlops__col_bytes(st, col), count = 0;
    if (mlops__block_count(data, len, &count) || count >= MLOPS__TAIL_MAX)
        return MLOPS_ECORRUPT;
    return mlops__block_decode(data, len, out, n);
}
