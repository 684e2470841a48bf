/* libFuzzer target: the signing manifest decoder
 * (mlops__sign_manifest_decode). Oracle: a manifest it accepts has sorted,
 * unique inputs and encodes back to exactly the input bytes; anything else
 * is refused with MLOPS_ECORRUPT or MLOPS_EUNSUPPORTED. Running out of
 * memory is a finding too (allocations far beyond the input's size). */
#include "registry/registry_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops__sign_manifest m;
    int rc = mlops__sign_manifest_decode(data, size, &m);
    if (rc != MLOPS_OK) {
        if (rc != MLOPS_ECORRUPT && rc != MLOPS_EUNSUPPORTED) abort();
        mlops__sign_manifest_free(&m);
        return 0;
    }
    for (size_t i = 1; i < m.ninputs; i++)
        if (memcmp(&m.inputs[i - 1], &m.inputs[i], sizeof m.inputs[i]) >= 0) abort();
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    if (mlops__sign_manifest_encode(m.model, &m.v, m.inputs, m.ninputs, &sb) != MLOPS_OK) abort();
    if (sb.size != size || memcmp(sb.data, data, size) != 0) abort();
    msgpack_sbuffer_destroy(&sb);
    mlops__sign_manifest_free(&m);
    return 0;
}
