/* libFuzzer target: the drift profile decoder (mlops_profile_deserialize).
 * Oracle: a profile it accepts serialises to bytes that decode again and
 * serialise to the same bytes (one canonical form), and can be compared
 * with itself; anything else is refused with MLOPS_EFORMAT or
 * MLOPS_EUNSUPPORTED. Running out of memory is a finding too: the options a
 * profile records bound what it may allocate (well under the 1 GiB cap of
 * the replays and libFuzzer), so it would mean an amplification. */
#include <mlops.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_profile *p = NULL;
    int rc = mlops_profile_deserialize(data, size, &p);
    if (rc != MLOPS_OK) {
        if (p != NULL) abort();
        if (rc != MLOPS_EFORMAT && rc != MLOPS_EUNSUPPORTED) abort();
        return 0;
    }
    void *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    if (mlops_profile_serialize(p, &a, &alen) != MLOPS_OK) abort();
    mlops_profile *q = NULL;
    if (mlops_profile_deserialize(a, alen, &q) != MLOPS_OK) abort();
    if (mlops_profile_serialize(q, &b, &blen) != MLOPS_OK) abort();
    if (alen != blen || memcmp(a, b, alen) != 0) abort();
    if (mlops_profile_kind(q) != mlops_profile_kind(p)) abort();

    /* Comparing a profile with itself must not misbehave whatever the
     * decoded numbers are; it may refuse (e.g. an empty side). */
    mlops_profile_comparison c = MLOPS_PROFILE_COMPARISON_INIT;
    rc = mlops_profile_compare(p, q, &c);
    if (rc != MLOPS_OK && rc != MLOPS_EINVAL) abort();

    mlops_free(a);
    mlops_free(b);
    mlops_profile_free(p);
    mlops_profile_free(q);
    return 0;
}
