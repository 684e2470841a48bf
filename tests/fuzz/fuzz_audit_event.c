/* libFuzzer target: the audit event decoder (mlops__audit_decode), formats
 * 1 and 2. Oracle: an event it accepts encodes back to exactly the input
 * bytes (one encoding per event, so one hash), is of a kind the verifier
 * understands, and when it is a checkpoint, reads back as one whose
 * signature check runs to an answer (OpenSSL given the payload's key);
 * anything else is refused with MLOPS_ECORRUPT or MLOPS_EUNSUPPORTED.
 * Running out of memory is a finding too: no input is large, so it would
 * mean an allocation far beyond the input's size (the replays and
 * libFuzzer cap allocations at 1 GiB). */
#include "registry/alias_move.h"
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
    char why[300];
    if (mlops__audit_check_kind(&row, why, sizeof why) != 0) abort();
    if (row.format == MLOPS__AUDIT_FORMAT_V1 && row.payload) abort();
    if (!strcmp(row.action, MLOPS__AUDIT_CHECKPOINT)) {
        mlops__audit_checkpoint cp;
        if (mlops__audit_checkpoint_read(&row, &cp, why, sizeof why) != 0) abort();
        if (cp.covered_seq != row.seq - 1) abort();
        int ok = mlops__audit_checkpoint_signed(&cp);
        if (ok != 0 && ok != 1) abort();
    } else if (row.payload && !strcmp(row.action, "alias.gate.decision")) {
        /* A gate's decision (format 4 stores). */
        if (mlops__decision_payload_check(row.payload, row.payload_len, why, sizeof why) != 0)
            abort();
    } else if (row.payload) {
        /* An import payload, on the kinds that take one, or the split of an
         * alias event (format 4 stores). */
        mlops__split sp;
        if (mlops__import_payload_read(row.payload, row.payload_len, NULL, why, sizeof why) != 0 &&
            !(!strncmp(row.action, "alias.", 6) &&
              mlops__alias_payload_split(row.payload, row.payload_len, &sp)))
            abort();
    }
    free(mem);
    return 0;
}
