/* Reading the CSV files of the drift commands (see drift_input.h). */
#include "drift_input.h"
#include "progress.h"

#include <stdlib.h>
#include <string.h>

/* Files smaller than this parse too fast for a progress bar. */
#define PROGRESS_MIN_BYTES (8u << 20)

/* ---- Reading CSV files -------------------------------------------------------------- */

static void parse_progress(void *arg, size_t done)
{
    progress_set(arg, done);
}

int load_csv(const cli_ctx *ctx, const char *path, loaded *out)
{
    memset(out, 0, sizeof *out);
    int rc = cli_read_file(ctx, path, &out->data, &out->len);
    if (rc) return rc;
    progress *p = progress_start(ctx->stderr_tty && out->len >= PROGRESS_MIN_BYTES, "reading CSV",
                                 out->len, 1);
    csv_error err;
    int bad = csv_parse(out->data, out->len, parse_progress, p, &out->table, &err);
    progress_end(p);
    if (bad) {
        free(out->data);
        out->data = NULL;
        if (err.line) return cli_error(ctx, "%s line %zu: %s", path, err.line, err.message);
        return cli_error(ctx, "%s: %s", path, err.message);
    }
    return CLI_OK;
}

void unload(loaded *l)
{
    csv_free(l->table);
    free(l->data);
    memset(l, 0, sizeof *l);
}
