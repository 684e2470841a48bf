/* libFuzzer target: the pack index decoder (lib/remote/pack.c). The first
 * byte chooses what the rest is: odd, a whole pack; even, an index record
 * (a pack's header, index and footer alone). Oracle: what it accepts lists
 * objects lying one after the other from the header on, each at least an
 * object header long and below the pack limit, inside the input for a
 * whole pack; the index record made from an accepted pack (its header and
 * its tail from the index on) is accepted too, with the same entries.
 * Anything else is refused with MLOPS_ECORRUPT or MLOPS_EUNSUPPORTED. */
#include "remote/remote_internal.h"

#include <mlops.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int whole = data[0] & 1;
    const uint8_t *buf = data + 1;
    size_t len = size - 1;
    mlops__pack_entry *e = NULL;
    size_t n = 0;
    int rc = mlops__pack_index_decode("fuzz", buf, len, whole, &e, &n);
    if (rc != MLOPS_OK) {
        if (rc != MLOPS_ECORRUPT && rc != MLOPS_EUNSUPPORTED) abort();
        if (e || n) abort();
        return 0;
    }
    uint64_t at = MLOPS__PACK_HEADER;
    for (size_t i = 0; i < n; i++) {
        if (e[i].offset != at || e[i].len < 16 || e[i].len >= MLOPS__PACK_OBJ_MAX) abort();
        at += e[i].len;
    }
    if (whole) {
        size_t tail = n * MLOPS__PACK_ENTRY + MLOPS__PACK_FOOTER;
        if (at + tail != len) abort();
        unsigned char *idx = malloc(MLOPS__PACK_HEADER + tail);
        if (!idx) abort();
        memcpy(idx, buf, MLOPS__PACK_HEADER);
        memcpy(idx + MLOPS__PACK_HEADER, buf + at, tail);
        mlops__pack_entry *e2 = NULL;
        size_t n2 = 0;
        if (mlops__pack_index_decode("fuzz", idx, MLOPS__PACK_HEADER + tail, 0, &e2, &n2) !=
                MLOPS_OK ||
            n2 != n || (n && memcmp(e, e2, n * sizeof *e) != 0))
            abort();
        free(e2);
        free(idx);
    }
    free(e);
    return 0;
}
