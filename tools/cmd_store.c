/*
 * mlops store copy: a whole store into another (doc/import.md).
 */
#include "cli.h"
#include "json.h"

#include <stdio.h>

/* Opens the store at path: the source read-only, the destination made
 * when missing (a new SQLite store; `mlops init --metadata` makes one on
 * PostgreSQL). */
static int open_store(const cli_ctx *ctx, const char *path, int dest, mlops_store **out)
{
    mlops_store_opts opts = MLOPS_STORE_OPTS_INIT;
    opts.create_if_missing = dest;
    opts.read_only = !dest;
    int rc = mlops_store_open(path, &opts, out);
    if (rc == MLOPS_OK) return CLI_OK;
    char what[600];
    snprintf(what, sizeof what, "cannot open the %s store '%s'", dest ? "destination" : "source",
             path);
    return cli_fail(ctx, rc, what);
}

static void print_report(const mlops_store_copy_report *r, int as_json)
{
    char head[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(&r->head_hash, head);
    if (as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_uint(&j, "objects_copied", r->objects_copied);
        json_kv_uint(&j, "objects_present", r->objects_present);
        json_kv_uint(&j, "bytes_copied", r->bytes_copied);
        json_kv_uint(&j, "records_written", r->rows_written);
        json_kv_uint(&j, "events_copied", r->events_copied);
        json_kv_int(&j, "audit_head_seq", r->head_seq);
        json_kv_string(&j, "audit_head_hash", r->head_seq ? head : NULL);
        json_end_object(&j);
        json_finish(&j);
        return;
    }
    char size[32];
    cli_fmt_size(r->bytes_copied, size, sizeof size);
    printf("objects:  %llu copied (%s), %llu already there\n",
           (unsigned long long)r->objects_copied, size, (unsigned long long)r->objects_present);
    printf("records:  %llu written\n", (unsigned long long)r->rows_written);
    printf("audit:    %llu events copied; head %lld:%s\n", (unsigned long long)r->events_copied,
           (long long)r->head_seq, r->head_seq ? head : "-");
}

static int cmd_store_copy(cli_ctx *ctx, int argc, char **argv)
{
    int as_json = 0, npos = 0;
    int rc = cli_parse_json(ctx, argc, argv, 2, 2, &as_json, &npos);
    if (rc) return rc;
    mlops_store *src = NULL, *dst = NULL;
    rc = open_store(ctx, argv[0], 0, &src);
    if (!rc) rc = open_store(ctx, argv[1], 1, &dst);
    if (!rc) {
        mlops_store_copy_report r = MLOPS_STORE_COPY_REPORT_INIT;
        int err = mlops_store_copy(src, dst, NULL, &r);
        rc = err ? cli_fail(ctx, err, "copying the store") : CLI_OK;
        if (!rc) print_report(&r, as_json);
    }
    mlops_store_close(dst);
    mlops_store_close(src);
    return rc;
}

const cli_command cli_store_commands[] = {
    { "store", NULL, "", "Whole stores", "" },
    { "store copy", cmd_store_copy, "SRC DST", "Copy a store, its ids and audit chain kept",
      "Copies everything of the store SRC into DST: objects by digest (only those\n"
      "DST lacks, each verified), experiments and runs with their ids, metric points,\n"
      "models with their version numbers, aliases, signatures, refs, and the audit\n"
      "chain event for event, so DST then verifies with the same audit head. SRC and\n"
      "DST are store directories on either backend (DST is made when missing; use\n"
      "'mlops init --metadata URI DST' first for PostgreSQL). DST must be empty or an\n"
      "earlier copy of SRC; anything else is refused. Running it again adds only\n"
      "what SRC gained since, and an interrupted copy completes on the next run.\n\n"
      "Options:\n"
      "  --json                   print the counts as JSON\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
