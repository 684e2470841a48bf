/* libFuzzer target: monitor windows' packed records (lib/monitor/packed.c,
 * doc/format.md "Monitors"). Packed windows (the window asked for and its
 * column count taken from the input's first entry, at most
 * MLOPS_MONITOR_COLUMNS_MAX columns): what the decoder accepts packs
 * again, each profile serialised again, into bytes that decode and pack to
 * the same bytes; anything else is refused with MLOPS_EFORMAT or
 * MLOPS_EUNSUPPORTED. Judged figures (the column count
 * the length implies): what decodes packs back to the input's bytes;
 * anything else is MLOPS_ECORRUPT. */
#include "monitor/monitor_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int pack_all(int64_t start, mlops_profile **profs, size_t n, void **out, size_t *len)
{
    void **bufs = calloc(n ? n : 1, sizeof *bufs);
    size_t *lens = calloc(n ? n : 1, sizeof *lens);
    if (!bufs || !lens) abort();
    for (size_t i = 0; i < n; i++)
        if (mlops_profile_serialize(profs[i], &bufs[i], &lens[i]) != MLOPS_OK) abort();
    void *entry = NULL;
    size_t elen = 0;
    if (mlops__monitor_pack_entry("fuzz", start, bufs, lens, n, &entry, &elen) != MLOPS_OK) abort();
    if (mlops__monitor_pack_windows("fuzz", &entry, &elen, 1, out, len) != MLOPS_OK) abort();
    free(entry);
    for (size_t i = 0; i < n; i++) mlops_free(bufs[i]);
    free(bufs);
    free(lens);
    return 0;
}

static void packed_profiles(const uint8_t *data, size_t size)
{
    size_t n = 1;
    int64_t start = 0;
    const uint8_t *e = data + MLOPS__MONITOR_PACK_HEADER;
    if (size >= MLOPS__MONITOR_PACK_HEADER + MLOPS__MONITOR_ENTRY_HEADER) {
        uint64_t u = 0;
        for (int i = 0; i < 8; i++) u |= (uint64_t)e[i] << (8 * i);
        start = (int64_t)u;
        n = (size_t)e[8] | (size_t)e[9] << 8 | (size_t)e[10] << 16 | (size_t)e[11] << 24;
    }
    if (n > MLOPS_MONITOR_COLUMNS_MAX) n = MLOPS_MONITOR_COLUMNS_MAX;
    mlops_profile **p = calloc(n ? n : 1, sizeof *p), **q = calloc(n ? n : 1, sizeof *q);
    if (!p || !q) abort();
    int rc = mlops__monitor_unpack_window(data, size, start, n, p);
    if (rc != MLOPS_OK) {
        for (size_t i = 0; i < n; i++)
            if (p[i]) abort();
        if (rc != MLOPS_EFORMAT && rc != MLOPS_EUNSUPPORTED) abort();
    } else {
        void *a = NULL, *b = NULL;
        size_t alen = 0, blen = 0;
        pack_all(start, p, n, &a, &alen);
        if (mlops__monitor_unpack_window(a, alen, start, n, q) != MLOPS_OK) abort();
        pack_all(start, q, n, &b, &blen);
        if (alen != blen || memcmp(a, b, alen) != 0) abort();
        for (size_t i = 0; i < n; i++) {
            mlops_profile_free(p[i]);
            mlops_profile_free(q[i]);
        }
        free(a);
        free(b);
    }
    free(p);
    free(q);
}

static void judged(const uint8_t *data, size_t size)
{
    size_t n = size ? (size - 1) / MLOPS__MONITOR_JUDGED_CELL : 0;
    mlops_monitor_window_column *cells = calloc(n ? n : 1, sizeof *cells);
    double *stat = calloc(n ? n : 1, sizeof *stat), *p = calloc(n ? n : 1, sizeof *p);
    int *drifted = calloc(n ? n : 1, sizeof *drifted);
    if (!cells || !stat || !p || !drifted) abort();
    int rc = size ? mlops__monitor_unpack_judged(data, size, n, cells) : MLOPS_ECORRUPT;
    if (rc == MLOPS_OK) {
        unsigned char *out = malloc(mlops__monitor_judged_len(n));
        if (!out) abort();
        for (size_t i = 0; i < n; i++) {
            stat[i] = cells[i].statistic;
            p[i] = cells[i].p_value;
            drifted[i] = cells[i].drifted;
        }
        mlops__monitor_pack_judged(stat, p, drifted, n, out);
        if (mlops__monitor_judged_len(n) != size || memcmp(out, data, size) != 0) abort();
        free(out);
    } else if (rc != MLOPS_ECORRUPT) {
        abort();
    }
    free(cells);
    free(stat);
    free(p);
    free(drifted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    packed_profiles(data, size);
    judged(data, size);
    return 0;
}
