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

typedef struct bundle_arg {
    int import;
    int as_json;
    const char *rename;
} bundle_arg;

static void print_bundle(const mlops_bundle_report *r, int import, int as_json)
{
    char head[MLOPS_DIGEST_STRLEN];
    mlops_digest_format(&r->origin_head_hash, head);
    if (as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_uint(&j, "runs", r->runs);
        json_kv_uint(&j, "metric_points", r->metric_points);
        json_kv_uint(&j, "versions", r->versions);
        json_kv_uint(&j, "alias_entries", r->alias_entries);
        json_kv_uint(&j, "signatures", r->signatures);
        json_kv_uint(&j, "events", r->events);
        json_kv_uint(&j, "objects", r->objects);
        json_kv_uint(&j, "bytes", r->bytes);
        if (import) {
            json_kv_uint(&j, "objects_added", r->objects_added);
            json_kv_uint(&j, "records_added", r->records_added);
            json_kv_uint(&j, "renumbered", r->renumbered);
            json_kv_uint(&j, "renamed", r->renamed);
            json_kv_uint(&j, "signatures_skipped", r->signatures_skipped);
        }
        json_kv_int(&j, "origin_head_seq", r->origin_head_seq);
        json_kv_string(&j, "origin_head_hash", head);
        json_end_object(&j);
        json_finish(&j);
        return;
    }
    char size[32];
    cli_fmt_size(r->bytes, size, sizeof size);
    printf("runs:     %llu (%llu metric points)\n", (unsigned long long)r->runs,
           (unsigned long long)r->metric_points);
    printf("models:   %llu versions, %llu alias entries, %llu signatures\n",
           (unsigned long long)r->versions, (unsigned long long)r->alias_entries,
           (unsigned long long)r->signatures);
    printf("events:   %llu of the origin, head %lld %s\n", (unsigned long long)r->events,
           (long long)r->origin_head_seq, head);
    if (!import) {
        printf("objects:  %llu (%s)\n", (unsigned long long)r->objects, size);
        return;
    }
    printf("objects:  %llu added (%s) of %llu\n", (unsigned long long)r->objects_added, size,
           (unsigned long long)r->objects);
    printf("added:    %llu records\n", (unsigned long long)r->records_added);
    if (r->renumbered || r->renamed || r->signatures_skipped)
        printf("renamed:  %llu versions renumbered, %llu aliases renamed, %llu signatures "
               "skipped\n", (unsigned long long)r->renumbered, (unsigned long long)r->renamed,
               (unsigned long long)r->signatures_skipped);
}

static int bundle_body(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const bundle_arg *a = arg;
    mlops_bundle_report r = MLOPS_BUNDLE_REPORT_INIT;
    int rc;
    if (a->import) {
        mlops_bundle_import_opts o = MLOPS_BUNDLE_IMPORT_OPTS_INIT;
        o.rename_prefix = a->rename;
        rc = mlops_bundle_import(s, ctx->args[0], &o, &r);
    } else {
        rc = mlops_bundle_export(s, ctx->args[0], (const char *const *)(ctx->args + 1),
                                 (size_t)ctx->nargs - 1, &r);
    }
    if (rc) return cli_fail(ctx, rc, a->import ? "bundle import failed" : "bundle export failed");
    print_bundle(&r, a->import, a->as_json);
    return CLI_OK;
}

static int cmd_bundle_export(cli_ctx *ctx, int argc, char **argv)
{
    bundle_arg a = { 0, 0, NULL };
    const cli_opt opts[] = { { "json", 0, NULL, &a.as_json } };
    return cli_run(ctx, argc, argv, opts, 1, 2, -1, CLI_STORE_READ, bundle_body, &a);
}

static int cmd_bundle_import(cli_ctx *ctx, int argc, char **argv)
{
    bundle_arg a = { 1, 0, NULL };
    const cli_opt opts[] = { { "json", 0, NULL, &a.as_json }, { "rename", 0, &a.rename, NULL } };
    return cli_run(ctx, argc, argv, opts, 2, 1, 1, CLI_STORE_WRITE, bundle_body, &a);
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
    { "bundle", NULL, "", "Runs, models and content in one file", "" },
    { "bundle export", cmd_bundle_export, "FILE SELECTION...", "Write a bundle",
      "Writes to FILE (replaced when done) the runs, model versions, alias\n"
      "histories and signatures the selections name, the audit events about them\n"
      "with the origin store's id and audit head, and every object they reach\n"
      "(doc/remotes.md, \"Bundles\"). A run selection carries its record, metrics\n"
      "and lineage (and its parents' records); a model selection the version, its\n"
      "run, and the aliases naming it.\n\n" SELECTIONS_HELP },
    { "bundle import", cmd_bundle_import, "FILE", "Bring a bundle in",
      "Checks all of FILE first (every frame's checksum, every object's digest,\n"
      "every signature, every audit event's hash and link), then every\n"
      "collision with this store, and only then brings it in: objects, then\n"
      "records through the import calls, each recorded as an import from\n"
      "bundle:<store id>@<head seq>:<head hash>.\n"
      "Importing the same bundle again adds nothing. A version number or alias\n"
      "name taken here by other content stops the import (exit 1, nothing\n"
      "added) unless --rename is given.\n\n"
      "Options:\n"
      "  --rename PREFIX   give a colliding version the next free number (or the\n"
      "                    number of the version here that matches it), and a\n"
      "                    colliding alias the name PREFIX+ALIAS\n"
      "  --json            print the counts as JSON\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
