/*
 * mlops remote add|ls|rm, mlops push, mlops pull (doc/remotes.md).
 */
#include "cli.h"
#include "json.h"
#include "table.h"

#include <stdio.h>

static int remote_add(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    (void)arg;
    return cli_check(ctx, mlops_remote_add(s, ctx->args[0], ctx->args[1]), "cannot add the remote");
}

static int cmd_remote_add(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run(ctx, argc, argv, NULL, 0, 2, 2, CLI_STORE_WRITE, remote_add, NULL);
}

static int remote_rm(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    (void)arg;
    return cli_check(ctx, mlops_remote_remove(s, ctx->args[0]), "cannot remove the remote");
}

static int cmd_remote_rm(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run(ctx, argc, argv, NULL, 0, 1, 1, CLI_STORE_WRITE, remote_rm, NULL);
}

static int remote_ls(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    mlops_remotes *l = NULL;
    int rc = mlops_remote_list(s, &l);
    if (rc) return cli_fail(ctx, rc, "cannot list the remotes");
    static const char *const headers[] = { "NAME", "URL" };
    listing out;
    listing_begin(&out, *(const int *)arg, 2, headers, NULL);
    for (size_t i = 0; i < mlops_remotes_count(l); i++) {
        const char *name = NULL, *url = NULL;
        mlops_remotes_at(l, i, &name, &url);
        json *j = listing_object(&out);
        if (j) {
            json_kv_string(j, "name", name);
            json_kv_string(j, "url", url);
            json_end_object(j);
        } else {
            table_cell(out.t, name);
            table_cell(out.t, url);
        }
    }
    mlops_remotes_free(l);
    return listing_close(&out, ctx, MLOPS_OK, MLOPS_OK, "cannot list the remotes");
}

static int cmd_remote_ls(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 0, 0, CLI_STORE_READ, remote_ls);
}

typedef struct transfer_arg {
    int pull;
    int as_json;
} transfer_arg;

static void print_report(const mlops_transfer_report *r, int pull, int as_json)
{
    if (as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_uint(&j, "contents", r->contents);
        json_kv_uint(&j, "objects", r->objects);
        json_kv_uint(&j, "objects_sent", r->objects_sent);
        json_kv_uint(&j, "objects_present", r->objects_present);
        json_kv_uint(&j, "bytes_sent", r->bytes_sent);
        json_kv_uint(&j, "lookups", r->lookups);
        json_kv_uint(&j, "listed", r->listed);
        json_end_object(&j);
        json_finish(&j);
        return;
    }
    char size[32];
    cli_fmt_size(r->bytes_sent, size, sizeof size);
    printf("contents: %llu blobs and trees\n", (unsigned long long)r->contents);
    printf("objects:  %llu %s (%s), %llu already there\n", (unsigned long long)r->objects_sent,
           pull ? "fetched" : "sent", size, (unsigned long long)r->objects_present);
    if (!pull)
        printf("checked:  %llu one by one, %llu listed\n", (unsigned long long)r->lookups,
               (unsigned long long)r->listed);
}

static int transfer(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const transfer_arg *a = arg;
    mlops_transfer_report r = MLOPS_TRANSFER_REPORT_INIT;
    const char *const *sels = (const char *const *)(ctx->args + 1);
    size_t n = (size_t)ctx->nargs - 1;
    int rc = a->pull ? mlops_remote_pull(s, ctx->args[0], sels, n, &r)
                     : mlops_remote_push(s, ctx->args[0], sels, n, &r);
    if (rc) return cli_fail(ctx, rc, a->pull ? "pull failed" : "push failed");
    print_report(&r, a->pull, a->as_json);
    return CLI_OK;
}

static int run_transfer(cli_ctx *ctx, int argc, char **argv, int pull)
{
    transfer_arg a = { pull, 0 };
    const cli_opt opts[] = { { "json", 0, NULL, &a.as_json } };
    return cli_run(ctx, argc, argv, opts, 1, 2, -1, pull ? CLI_STORE_WRITE : CLI_STORE_READ,
                   transfer, &a);
}

static int cmd_push(cli_ctx *ctx, int argc, char **argv)
{
    return run_transfer(ctx, argc, argv, 0);
}

static int cmd_pull(cli_ctx *ctx, int argc, char **argv)
{
    return run_transfer(ctx, argc, argv, 1);
}

#define SELECTIONS_HELP                                                                  \
    "SELECTION is one of (doc/remotes.md):\n"                                            \
    "  sha256:HEX        a blob or a tree and all it holds\n"                            \
    "  ref:NAME          the content a ref names (pull sets the ref)\n"                  \
    "  run:ID            a run's outputs and inputs (its lineage)\n"                     \
    "  model:NAME@ALIAS  the version an alias names: its artifact and the lineage\n"     \
    "  model:NAME/N      of the run that made it\n\n"                                    \
    "Options:\n"                                                                         \
    "  --json            print the counts as JSON\n"

const cli_command cli_remote_commands[] = {
    { "remote", NULL, "", "Places to push to and pull from", "" },
    { "remote add", cmd_remote_add, "NAME URL", "Add a remote",
      "Records the remote NAME (letters, digits, '.', '_', '-') at URL: an\n"
      "s3://BUCKET[/PREFIX] location (credentials and endpoint from the AWS\n"
      "environment, doc/s3.md) or a directory (made on the first push). Nothing is\n"
      "sent. The list lives in remotes.conf in the store directory.\n" },
    { "remote ls", cmd_remote_ls, "", "List the remotes",
      "Prints each remote's name and URL.\n\n"
      "Options:\n"
      "  --json            print a JSON array\n" },
    { "remote rm", cmd_remote_rm, "NAME", "Forget a remote",
      "Removes NAME from the store's remotes. Nothing on the remote changes.\n" },
    { "push", cmd_push, "REMOTE SELECTION...", "Send content to a remote",
      "Sends to REMOTE every object the selections reach (trees, manifests, chunks)\n"
      "that REMOTE lacks, each checked as it is read, then records each selection\n"
      "there so that 'mlops pull' finds it. Whether REMOTE has an object is asked\n"
      "one by one or by listing REMOTE, whichever takes fewer requests. An\n"
      "interrupted push sends only what is missing when run again.\n\n" SELECTIONS_HELP },
    { "pull", cmd_pull, "REMOTE SELECTION...", "Fetch content from a remote",
      "Fetches what the selections named on REMOTE when they were last pushed: each\n"
      "object the store lacks, checked; each blob proven by its digest; then the\n"
      "content (and for ref:NAME the ref) becomes visible at once. Runs, models and\n"
      "their history do not travel by push and pull: only content and refs.\n\n" SELECTIONS_HELP },
    { NULL, NULL, NULL, NULL, NULL },
};
