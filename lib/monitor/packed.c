/* Format 6's packed window records (doc/format.md, "Monitors"):
 * - windows' profiles: a blob holds, for one or more windows of one
 *   ingest, every column's serialised profile in column order, so that an
 *   ingest costs about one object per store chunk of profiles instead of
 *   one per window and column;
 * - a window's judged figures: one value of mon_windows.judged holding
 *   every column's statistic, p-value and verdict, so that a series reads
 *   one row per window.
 * Both are little-endian and start with their own tag and version. */
#include "monitor/monitor_internal.h"
#include "util/err.h"
#include "util/le.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char PROFILES_MAGIC[4] = { 'M', 'L', 'W', 'P' };

static void put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    mlops__put_le64(p, v);
}

static double get_f64(const unsigned char *p)
{
    uint64_t v = mlops__get_le64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

int mlops__monitor_pack_entry(const char *fn, int64_t start, void *const *bufs, const size_t *lens,
                              size_t n, void **out, size_t *out_len)
{
    size_t total = MLOPS__MONITOR_ENTRY_HEADER;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] > UINT32_MAX) return mlops__err(MLOPS_EINVAL, "%s: a window's profile is over 4 GiB", fn);
        total += 4 + lens[i];
    }
    unsigned char *b = malloc(total);
    if (!b) return mlops__err_nomem(fn);
    mlops__put_le64(b, (uint64_t)start);
    mlops__put_le32(b + 8, (uint32_t)n);
    size_t o = MLOPS__MONITOR_ENTRY_HEADER;
    for (size_t i = 0; i < n; i++) {
        mlops__put_le32(b + o, (uint32_t)lens[i]);
        if (lens[i]) memcpy(b + o + 4, bufs[i], lens[i]);
        o += 4 + lens[i];
    }
    *out = b;
    *out_len = total;
    return MLOPS_OK;
}

int mlops__monitor_pack_windows(const char *fn, void *const *entries, const size_t *lens, size_t n,
                                void **out, size_t *out_len)
{
    size_t total = MLOPS__MONITOR_PACK_HEADER;
    for (size_t i = 0; i < n; i++) total += lens[i];
    unsigned char *b = malloc(total);
    if (!b) return mlops__err_nomem(fn);
    memcpy(b, PROFILES_MAGIC, 4);
    b[4] = MLOPS__MONITOR_PACK_VERSION;
    b[5] = b[6] = b[7] = 0;
    mlops__put_le32(b + 8, (uint32_t)n);
    size_t o = MLOPS__MONITOR_PACK_HEADER;
    for (size_t i = 0; i < n; i++) {
        memcpy(b + o, entries[i], lens[i]);
        o += lens[i];
    }
    *out = b;
    *out_len = total;
    return MLOPS_OK;
}

/* Checks one entry at b + o and returns its length in *elen. */
static int walk_entry(const unsigned char *b, size_t len, size_t o, size_t *elen)
{
    if (len - o < MLOPS__MONITOR_ENTRY_HEADER)
        return mlops__err(MLOPS_EFORMAT, "packed windows end inside a window's header");
    uint32_t nc = mlops__get_le32(b + o + 8);
    size_t p = o + MLOPS__MONITOR_ENTRY_HEADER;
    for (uint32_t i = 0; i < nc; i++) {
        if (len - p < 4) return mlops__err(MLOPS_EFORMAT, "packed windows end inside column %u", i);
        size_t plen = mlops__get_le32(b + p);
        p += 4;
        if (len - p < plen) return mlops__err(MLOPS_EFORMAT, "packed windows end inside column %u", i);
        p += plen;
    }
    *elen = p - o;
    return MLOPS_OK;
}

/* The n profiles of the entry at e, already walked. */
static int unpack_columns(const unsigned char *e, size_t n, mlops_profile **profs)
{
    size_t p = MLOPS__MONITOR_ENTRY_HEADER;
    int rc = MLOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        size_t plen = mlops__get_le32(e + p);
        rc = mlops_profile_deserialize(e + p + 4, plen, &profs[i]);
        p += 4 + plen;
    }
    if (rc) {
        for (size_t i = 0; i < n; i++) mlops_profile_free(profs[i]);
        memset(profs, 0, n * sizeof *profs);
    }
    return rc;
}

int mlops__monitor_unpack_window(const void *buf, size_t len, int64_t start, size_t n,
                                 mlops_profile **profs)
{
    const unsigned char *b = buf;
    memset(profs, 0, n * sizeof *profs);
    if (len < MLOPS__MONITOR_PACK_HEADER || memcmp(b, PROFILES_MAGIC, 4) || b[5] || b[6] || b[7])
        return mlops__err(MLOPS_EFORMAT, "not a monitor's packed windows");
    if (b[4] != MLOPS__MONITOR_PACK_VERSION)
        return mlops__err(MLOPS_EUNSUPPORTED, "packed windows of version %u (this library reads %u)", b[4],
                          MLOPS__MONITOR_PACK_VERSION);
    uint32_t nw = mlops__get_le32(b + 8);
    size_t o = MLOPS__MONITOR_PACK_HEADER, found = SIZE_MAX;
    for (uint32_t w = 0; w < nw; w++) {
        size_t elen = 0;
        int rc = walk_entry(b, len, o, &elen);
        if (rc) return rc;
        if ((int64_t)mlops__get_le64(b + o) == start) {
            if (found != SIZE_MAX) return mlops__err(MLOPS_EFORMAT, "packed windows hold window %lld twice",
                                                     (long long)start);
            found = o;
        }
        o += elen;
    }
    if (o != len) return mlops__err(MLOPS_EFORMAT, "%zu bytes after the packed windows", len - o);
    if (found == SIZE_MAX)
        return mlops__err(MLOPS_EFORMAT, "the packed windows do not hold window %lld", (long long)start);
    if (mlops__get_le32(b + found + 8) != n)
        return mlops__err(MLOPS_EFORMAT, "a packed window of %u columns, the monitor has %zu",
                          mlops__get_le32(b + found + 8), n);
    return unpack_columns(b + found, n, profs);
}

int mlops__monitor_unpack_entry(const void *entry, size_t len, size_t n, mlops_profile **profs)
{
    const unsigned char *b = entry;
    memset(profs, 0, n * sizeof *profs);
    size_t elen = 0;
    int rc = walk_entry(b, len, 0, &elen);
    if (rc) return rc;
    if (elen != len) return mlops__err(MLOPS_EFORMAT, "%zu bytes after a window's entry", len - elen);
    if (mlops__get_le32(b + 8) != n)
        return mlops__err(MLOPS_EFORMAT, "a window's entry of %u columns, the monitor has %zu", mlops__get_le32(b + 8), n);
    return unpack_columns(b, n, profs);
}

size_t mlops__monitor_judged_len(size_t n)
{
    return 1 + n * MLOPS__MONITOR_JUDGED_CELL;
}

void mlops__monitor_pack_judged(const double *stat, const double *p, const int *drifted, size_t n,
                                unsigned char *out)
{
    out[0] = MLOPS__MONITOR_PACK_VERSION;
    for (size_t i = 0; i < n; i++) {
        unsigned char *c = out + 1 + i * MLOPS__MONITOR_JUDGED_CELL;
        put_f64(c, stat[i]);
        put_f64(c + 8, p[i]);
        c[16] = drifted[i] ? 1 : 0;
    }
}

int mlops__monitor_unpack_judged(const void *buf, size_t len, size_t n, mlops_monitor_window_column *cells)
{
    const unsigned char *b = buf;
    if (len != mlops__monitor_judged_len(n) || b[0] != MLOPS__MONITOR_PACK_VERSION)
        return mlops__err(MLOPS_ECORRUPT, "a window's judged figures are malformed (%zu bytes for %zu "
                                          "columns)", len, n);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *c = b + 1 + i * MLOPS__MONITOR_JUDGED_CELL;
        if (c[16] > 1) return mlops__err(MLOPS_ECORRUPT, "a window's judged figures are malformed");
        cells[i].statistic = get_f64(c);
        cells[i].p_value = get_f64(c + 8);
        cells[i].drifted = c[16];
    }
    return MLOPS_OK;
}
