/* libFuzzer target: the bundle decoder (lib/remote/bundle_import.c,
 * bundle_file.c), of both versions (the seeds model_v1 and blob_v1 of
 * corpus/bundle are version 1, without checksums, so that mutations reach
 * the decoders behind version 2's frame checksums too): the magic, the
 * header and how it tells the versions apart, each frame's and the
 * trailer's checksum, the trailer and table of contents, every
 * record frame (runs, metric points, lineage, versions, signatures,
 * aliases), the audit events with their hashes and links, the signatures
 * over the manifests the records make, and the object and record frames
 * the table names, on a whole file given as bytes (mlops__bundle_check,
 * everything an import checks before it writes). Oracle: it answers OK or
 * one of the codes an import returns for a bad file (MLOPS_EFORMAT,
 * MLOPS_ECORRUPT, MLOPS_EUNSUPPORTED, MLOPS_ESIGNATURE), with a message;
 * running out of memory is a finding (no frame may make it allocate far
 * beyond the input: the replays and libFuzzer cap allocations at 1 GiB). */
#include "remote/bundle_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen(size ? (void *)data : (void *)"", size ? size : 1, "rb");
    if (!f) abort();
    int rc = mlops__bundle_check("fuzz_bundle", f);
    if (rc != MLOPS_OK && rc != MLOPS_EFORMAT && rc != MLOPS_ECORRUPT &&
        rc != MLOPS_EUNSUPPORTED && rc != MLOPS_ESIGNATURE)
        abort();
    if (rc != MLOPS_OK && !*mlops_last_error()) abort();
    /* and each record frame alone */
    if (size > 4) {
        int frc = mlops__bundle_frame_check("fuzz_bundle", data + 4, size - 4);
        if (frc != MLOPS_OK && frc != MLOPS_ECORRUPT && frc != MLOPS_EUNSUPPORTED &&
            frc != MLOPS_ESIGNATURE)
            abort();
    }
    return 0;
}
