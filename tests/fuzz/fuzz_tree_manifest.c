/* libFuzzer target: the tree manifest decoder (lib/cas/tree_format.c).
 * Oracle: a tree it accepts has only safe entry names (no "", ".", "..",
 * '/' or NUL: a restore cannot leave its directory), strictly increasing,
 * and encoding the entries then decoding them gives the same entries;
 * anything else is refused with MLOPS_ECORRUPT, MLOPS_EINVAL (an unsafe
 * name) or MLOPS_EUNSUPPORTED. Running out of memory is a finding too
 * (allocations far beyond the input's size). */
#include "cas/tree_format.h"

#include <mlops.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops__tree_entry *e = NULL;
    size_t n = 0;
    int rc = mlops__tree_decode(data, size, "fuzz", &e, &n);
    if (rc != MLOPS_OK) {
        if (rc != MLOPS_ECORRUPT && rc != MLOPS_EINVAL && rc != MLOPS_EUNSUPPORTED) abort();
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(e[i].name);
        if (!mlops__tree_name_ok(e[i].name, len) || !strcmp(e[i].name, ".") ||
            !strcmp(e[i].name, "..") || strchr(e[i].name, '/'))
            abort();
        if (i > 0 && strcmp(e[i - 1].name, e[i].name) >= 0) abort();
    }
    void *enc = NULL;
    size_t len = 0;
    if (mlops__tree_encode(e, n, &enc, &len) != MLOPS_OK) abort();
    mlops__tree_entry *e2 = NULL;
    size_t n2 = 0;
    if (mlops__tree_decode(enc, len, "fuzz", &e2, &n2) != MLOPS_OK || n2 != n) abort();
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].name, e2[i].name) || e[i].type != e2[i].type || e[i].mode != e2[i].mode ||
            e[i].size != e2[i].size || memcmp(&e[i].digest, &e2[i].digest, sizeof e[i].digest))
            abort();
    free(enc);
    mlops__tree_entries_free(e, n);
    mlops__tree_entries_free(e2, n2);
    return 0;
}
