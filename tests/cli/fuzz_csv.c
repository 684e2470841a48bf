/* A fuzz target for the `mlops` command's CSV reader and column typing
 * (tools/csv.c, tools/dataset.c). With clang and libFuzzer:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Itools -Iinclude \
 *       tests/cli/fuzz_csv.c tools/csv.c tools/dataset.c -lm -o fuzz_csv
 *   ./fuzz_csv tests/cli/csv-seeds/
 *
 * Built without -DMLOPS_LIBFUZZER (as the test suite does), it is a
 * program that runs the target once on each file named on its command
 * line, so the seeds are replayed by every test run. */
#include "csv.h"
#include "dataset.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_table *t = NULL;
    csv_error err;
    if (csv_parse((const char *)data, size, NULL, NULL, &t, &err) != 0) {
        /* A refusal is one line with a message. */
        if (!err.message[0] || strchr(err.message, '\n')) abort();
        return 0;
    }
    /* Every cell is a NUL-terminated string inside the text or NULL. */
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        if (t->cells[i] && strlen(t->cells[i]) > size) abort();
    ds_input in[2] = { { t, "a.csv" }, { t, "b.csv" } };
    ds_spec spec = { NULL, NULL, NULL };
    ds_column *cols = NULL;
    size_t n = 0;
    char msg[256];
    if (ds_build(&spec, in, 2, &cols, &n, msg, sizeof msg) == 0) {
        if (n != t->ncols) abort();
        for (size_t c = 0; c < n; c++)
            if (cols[c].n[0] != t->nrows || cols[c].n[1] != t->nrows) abort();
        ds_free(cols, n);
    }
    csv_free(t);
    return 0;
}

#ifndef MLOPS_LIBFUZZER
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        printf("ok %d - %s\n", i, argv[i]);
    }
    printf("1..%d\n", argc - 1);
    return 0;
}
#endif
