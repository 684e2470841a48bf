/* libFuzzer target: the chunk manifest decoder (lib/cas/manifest.c).
 * Oracle: a manifest it accepts lists chunks whose sizes really add up to
 * its size (no wrap-around), each non-zero, and encoding what it decoded
 * and decoding that again gives the same chunks. Anything else is refused
 * with MLOPS_ECORRUPT or MLOPS_EUNSUPPORTED. Running out of memory is a
 * finding too: no input is large, so it would mean an allocation far beyond
 * the input's size (the replays and libFuzzer cap allocations at 1 GiB). */
#include "cas/manifest.h"

#include <mlops.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t total = 0;
    mlops__chunk_ref *chunks = NULL;
    size_t n = 0;
    int rc = mlops__manifest_decode(data, size, "fuzz", &total, &chunks, &n);
    if (rc != MLOPS_OK) {
        if (rc != MLOPS_ECORRUPT && rc != MLOPS_EUNSUPPORTED) abort();
        return 0;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (chunks[i].size == 0) abort();
        if (__builtin_add_overflow(sum, chunks[i].size, &sum)) abort();
    }
    if (sum != total) abort();

    void *enc = NULL;
    size_t len = 0;
    if (mlops__manifest_encode(total, chunks, n, &enc, &len) != MLOPS_OK) abort();
    uint64_t total2 = 0;
    mlops__chunk_ref *chunks2 = NULL;
    size_t n2 = 0;
    if (mlops__manifest_decode(enc, len, "fuzz", &total2, &chunks2, &n2) != MLOPS_OK) abort();
    if (total2 != total || n2 != n || (n && memcmp(chunks, chunks2, n * sizeof *chunks) != 0))
        abort();
    free(enc);
    free(chunks);
    free(chunks2);
    return 0;
}
