/* libFuzzer target: the decoder of a weighted alias's split text
 * (registry/split.h), over untrusted bytes.
 *
 * Oracle: MLOPS_OK or MLOPS_EINVAL, nothing else; a refusal carries a
 * message naming the caller and the split, and leaves the split zeroed;
 * an accepted split passes mlops__split_check unchanged (1..16 legs,
 * sorted, distinct, weights 1..100 summing to 100, shadow not routed),
 * its canonical text decodes to the same split and encodes to the same
 * text, the primary is one of its legs, and a snapshot built from it
 * routes the input itself (as a key) to one of its legs, as the
 * table-free route does. */
#include <mlops.h>

#include "registry/route.h"
#include "registry/split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops__split s;
    int rc = mlops__split_decode_n("fuzz_split", (const char *)data, size, &s);
    if (rc != MLOPS_OK) {
        static const mlops__split zero;
        if (rc != MLOPS_EINVAL || strncmp(mlops_last_error(), "fuzz_split: split", 17) != 0 ||
            memcmp(&s, &zero, sizeof s) != 0) {
            fprintf(stderr, "refusal %d: %s\n", rc, mlops_last_error());
            abort();
        }
        return 0;
    }
    mlops__split checked = s;
    if (mlops__split_check("fuzz_split", &checked) != MLOPS_OK || !mlops__split_equal(&checked, &s)) {
        fprintf(stderr, "accepted split fails the check: %s\n", mlops_last_error());
        abort();
    }
    char text[MLOPS__SPLIT_TEXT_MAX], again[MLOPS__SPLIT_TEXT_MAX];
    size_t n = mlops__split_encode(&s, text);
    mlops__split back;
    if (n >= sizeof text || mlops__split_decode("fuzz_split", text, &back) != MLOPS_OK ||
        !mlops__split_equal(&back, &s)) {
        fprintf(stderr, "canonical text '%s' does not decode to the split\n", text);
        abort();
    }
    mlops__split_encode(&back, again);
    if (strcmp(text, again) != 0) abort();
    if (mlops__split_weight(&s, mlops__split_primary(&s)) == 0) abort();
    static mlops__route_snapshot snap; /* 10 KB: not on the stack */
    if (mlops__route_snapshot_init("fuzz_split", &snap, &s, "fuzz", 4) != MLOPS_OK) abort();
    int64_t v = mlops__route_key(&snap, data, size);
    if (mlops__split_weight(&s, v) == 0 || v != mlops__route_split(&s, "fuzz", 4, data, size)) abort();
    return 0;
}
