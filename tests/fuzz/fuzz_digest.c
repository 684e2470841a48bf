/* libFuzzer target: the digest text parser (mlops_digest_parse).
 * Oracle: a text it accepts formats back to exactly the same text; a text
 * it refuses leaves the output untouched and sets a message. */
#include <mlops.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    mlops_digest d, untouched;
    memset(&d, 0xA5, sizeof d);
    untouched = d;
    int rc = mlops_digest_parse(text, &d);
    if (rc == MLOPS_OK) {
        char back[MLOPS_DIGEST_STRLEN];
        if (mlops_digest_format(&d, back) != MLOPS_OK || strcmp(back, text) != 0) abort();
    } else {
        if (rc != MLOPS_EINVAL || memcmp(&d, &untouched, sizeof d) != 0) abort();
        if (mlops_last_error()[0] == '\0') abort();
    }
    free(text);
    return 0;
}
