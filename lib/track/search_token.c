/* Page tokens for keyset paging: the sort key values and seq of the last
 * run of a page. The next page starts strictly after that position in the
 * sort order, so runs inserted meanwhile never shift the pages (they show
 * up only if they sort after the position).
 *
 * Layout (before hex encoding), version 1:
 *   1 byte   version (1)
 *   8 bytes  fingerprint of the query (filter, order, experiments, lifecycle)
 *   1 byte   number of keys n
 *   n times  1 byte type (MLOPS__VAL_*), then INT: 8 bytes, REAL: 8 bytes of
 *            IEEE bits, TEXT: 4-byte length and the bytes, NULL: nothing
 *   8 bytes  seq of the run
 * Integers are little-endian. */
#include "track/search_internal.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/le.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_VERSION 1

int mlops__page_token_encode(const uint8_t fingerprint[8], const mlops__value *keys, size_t n,
                             int64_t seq, char **out)
{
    size_t size = 1 + 8 + 1 + 8;
    for (size_t i = 0; i < n; i++)
        size += 1 + (keys[i].type == MLOPS__VAL_TEXT ? 4 + keys[i].slen
                     : keys[i].type == MLOPS__VAL_NULL ? 0 : 8);
    unsigned char *raw = malloc(size);
    char *hex = malloc(2 * size + 1);
    if (!raw || !hex) {
        free(raw);
        free(hex);
        return mlops__err_nomem("making a page token");
    }
    unsigned char *p = raw;
    *p++ = TOKEN_VERSION;
    memcpy(p, fingerprint, 8);
    p += 8;
    *p++ = (unsigned char)n;
    for (size_t i = 0; i < n; i++) {
        const mlops__value *v = &keys[i];
        *p++ = (unsigned char)v->type;
        if (v->type == MLOPS__VAL_INT) {
            mlops__put_le64(p, (uint64_t)v->i);
            p += 8;
        } else if (v->type == MLOPS__VAL_REAL) {
            uint64_t bits;
            memcpy(&bits, &v->d, 8);
            mlops__put_le64(p, bits);
            p += 8;
        } else if (v->type == MLOPS__VAL_TEXT) {
            for (int k = 0; k < 4; k++) *p++ = (unsigned char)(v->slen >> (8 * k));
            memcpy(p, v->s, v->slen);
            p += v->slen;
        }
    }
    mlops__put_le64(p, (uint64_t)seq);
    mlops__hex_encode(raw, size, hex);
    free(raw);
    *out = hex;
    return MLOPS_OK;
}

static int bad(const char *func, const char *why)
{
    return mlops__err(MLOPS_EINVAL, "%s: page token %s (pass back the token the previous page "
                                    "returned, with the same filter, order and experiments)",
                      func, why);
}

int mlops__page_token_decode(const char *func, const char *token, const uint8_t fingerprint[8],
                             mlops__value *keys, size_t n, int64_t *seq)
{
    size_t hexlen = strnlen(token, 2 * 1024 * 1024 + 1);
    if (hexlen < 2 * 18 || hexlen % 2 || hexlen > 2 * 1024 * 1024) return bad(func, "is malformed");
    size_t len = hexlen / 2;
    unsigned char *raw = malloc(len);
    if (!raw) return mlops__err_nomem("reading a page token");
    int rc = MLOPS_OK;
    memset(keys, 0, n * sizeof *keys);
    if (mlops__hex_decode(token, hexlen, raw)) rc = bad(func, "is malformed");
    else if (raw[0] != TOKEN_VERSION) rc = bad(func, "has an unknown version");
    else if (memcmp(raw + 1, fingerprint, 8) || raw[9] != n)
        rc = bad(func, "belongs to another query");
    const unsigned char *p = raw + 10, *end = raw + len - 8;
    for (size_t i = 0; !rc && i < n; i++) {
        mlops__value *v = &keys[i];
        if (p >= end) {
            rc = bad(func, "is truncated");
            break;
        }
        v->type = *p++;
        if (v->type == MLOPS__VAL_INT || v->type == MLOPS__VAL_REAL) {
            if (end - p < 8) {
                rc = bad(func, "is truncated");
                break;
            }
            uint64_t u = mlops__get_le64(p);
            p += 8;
            if (v->type == MLOPS__VAL_INT) v->i = (int64_t)u;
            else memcpy(&v->d, &u, 8);
        } else if (v->type == MLOPS__VAL_TEXT) {
            if (end - p < 4) {
                rc = bad(func, "is truncated");
                break;
            }
            size_t sl = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            p += 4;
            if ((size_t)(end - p) < sl) {
                rc = bad(func, "is truncated");
                break;
            }
            v->s = malloc(sl + 1);
            if (!v->s) {
                rc = mlops__err_nomem("reading a page token");
                break;
            }
            memcpy(v->s, p, sl);
            v->s[sl] = '\0';
            v->slen = sl;
            p += sl;
            if (!mlops__utf8_valid(v->s, sl) || memchr(v->s, 0, sl)) rc = bad(func, "is malformed");
        } else if (v->type != MLOPS__VAL_NULL) {
            rc = bad(func, "is malformed");
        }
    }
    if (!rc && p != end) rc = bad(func, "is malformed");
    if (!rc) *seq = (int64_t)mlops__get_le64(end);
    if (rc)
        for (size_t i = 0; i < n; i++) mlops__value_clear(&keys[i]);
    free(raw);
    return rc;
}

int mlops__page_token_fits(const char *func, const mlops__value *keys, const mlops__query *q)
{
    for (size_t i = 0; i < q->nkeys; i++)
        if (keys[i].type != MLOPS__VAL_NULL && !(q->keys[i].types & 1u << keys[i].type))
            return bad(func, "belongs to another query");
    return MLOPS_OK;
}
