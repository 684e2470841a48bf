/* A fuzz target for the `mlops` command's time parser (tools/timestamp.c:
 * `monitor ingest`'s time column, --at, --from, --to). The oracle: it
 * never crashes or reads past the text, and a time it accepts, written in
 * its canonical form and parsed again, is the same time. Seeds:
 * corpus/time/. Built like fuzz_csv (tests/fuzz/meson.build). */
#include "timestamp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256) return 0; /* a time is short; longer texts say nothing new */
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    int64_t t = 0, again = 0;
    if (ts_parse(s, &t) == 0) {
        char text[TS_TEXT_MAX];
        ts_format(t, text, sizeof text);
        if (ts_parse(text, &again) != 0 || again != t) abort();
        /* the canonical text is a fixed point */
        char text2[TS_TEXT_MAX];
        ts_format(again, text2, sizeof text2);
        if (strcmp(text, text2)) abort();
    }
    free(s);
    return 0;
}
