/* libFuzzer target: the audit event decoder (mlops__audit_decode).
 * Oracle: an event it accepts encodes back to exactly the input bytes
 * (one encoding per event, so one hash); anything else is refused with
 * MLOPS_ECORRUPT or MLOPS_EUNSUPPORTED. Running out of memory is a finding
 * too: no input is large, so it would mean an allocation far beyond the
 * input's size (the replays and libFuzzer cap allocations at 1 GiB). */
#include "registry/registry_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops__audit_row row;
    char *mem = NULL;
    int rc = mlops__audit_decode(data, size, &row, &mem);
    if (rc != MLOPS_OK) {
        if (mem) abort();
        if (rc != MLOPS_ECORRUPT && rc != MLOPS_EUNSUPPORTED) abort();
        return 0;
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    if (mlops__audit_encode(&sb, &row) != MLOPS_OK) abort();
    if (sb.size != size || memcmp(sb.data, data, size) != 0) abort();
    msgpack_sbuffer_destroy(&sb);
    free(mem);
    return 0;
}
