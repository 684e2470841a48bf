/*
 * Weighted aliases (model alias get / ls / ramp / rollback; 'model alias
 * set' with a split is in cmd_registry.c) and routing keys through them
 * (model route). doc/delivery.md. Gates and promotion: cmd_delivery.c.
 */
#include "cli.h"
#include "json.h"
#include "table.h"
#include "timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANGE_HELP \
    "  --actor NAME             who makes the change (default: the login name)\n" \
    "  --reason TEXT            why, recorded in the audit log\n"

/* A time argument: milliseconds since the epoch, or UTC as
 * YYYY-MM-DD[THH:MM[:SS[.mmm]]][Z] (a space for the T, as 'audit log'
 * prints), read as the monitor commands read theirs (timestamp.h): a day
 * the month does not have is refused, not carried into the next month. */
static int parse_time(const cli_ctx *ctx, const char *what, const char *text, int64_t *ms)
{
    if (ts_parse(text, ms) == 0) return CLI_OK;
    return cli_usage(ctx, "%s '%s' is not a time (YYYY-MM-DDTHH:MM:SSZ or ms)", what, text);
}

/* The members of a split's object (the caller opens and closes it). */
static void json_split(json *j, const char *model, const mlops_alias_split *sp)
{
    if (model) json_kv_string(j, "model", model);
    json_kv_string(j, "alias", mlops_alias_split_alias(sp));
    json_kv_string(j, "split", mlops_alias_split_text(sp));
    json_kv_int(j, "primary", mlops_alias_split_primary(sp));
    json_key(j, "legs");
    json_begin_array(j);
    for (size_t i = 0; i < mlops_alias_split_count(sp); i++) {
        int64_t v = 0;
        int w = 0;
        mlops_alias_split_at(sp, i, &v, &w);
        json_begin_object(j);
        json_kv_int(j, "version", v);
        json_kv_int(j, "weight", w);
        json_end_object(j);
    }
    json_end_array(j);
    json_key(j, "shadow");
    if (mlops_alias_split_shadow(sp))
        json_int(j, mlops_alias_split_shadow(sp));
    else
        json_null(j);
    json_kv_string(j, "salt", mlops_alias_split_salt(sp));
}

/* ---- model alias get ------------------------------------------------------ */

typedef struct get_args {
    const char *at;
    int64_t at_ms;
    int as_json;
} get_args;

static int alias_get(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const get_args *a = arg;
    const char *model = ctx->args[0], *alias = ctx->args[1];
    mlops_alias_split *sp = NULL;
    int rc = a->at ? mlops_audit_alias_split_at(s, model, alias, a->at_ms, &sp)
                   : mlops_model_alias_split_get(s, model, alias, &sp);
    if (rc) return cli_fail(ctx, rc, alias);
    if (a->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_split(&j, model, sp);
        json_end_object(&j);
        json_finish(&j);
    } else {
        printf("%s\n", mlops_alias_split_text(sp));
    }
    mlops_alias_split_free(sp);
    return CLI_OK;
}

static int cmd_alias_get(cli_ctx *ctx, int argc, char **argv)
{
    get_args a = { NULL, 0, 0 };
    int npos;
    const cli_opt opts[] = { { "at", 0, &a.at, NULL }, { "json", 0, NULL, &a.as_json } };
    int rc = cli_parse(ctx, argc, argv, opts, 2, 2, 2, &npos);
    if (!rc && a.at) rc = parse_time(ctx, "--at", a.at, &a.at_ms);
    return rc ? rc : cli_with_store(ctx, CLI_STORE_READ, alias_get, &a);
}

/* ---- model alias ls ------------------------------------------------------- */

static int alias_ls(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const char *model = ctx->args[0];
    mlops_alias_splits *l = NULL;
    int rc = mlops_model_alias_splits(s, model, &l);
    static const char *const h[] = { "ALIAS", "SPLIT", "PRIMARY", "SHADOW" };
    static const int right[] = { 2, 3, -1 };
    listing out;
    listing_begin(&out, *(const int *)arg, 4, h, right);
    for (size_t i = 0; !rc && i < mlops_alias_splits_count(l); i++) {
        const mlops_alias_split *sp = mlops_alias_splits_at(l, i);
        json *j = listing_object(&out);
        if (j) {
            json_split(j, NULL, sp);
            json_end_object(j);
            continue;
        }
        table_cell(out.t, mlops_alias_split_alias(sp));
        table_cell(out.t, mlops_alias_split_text(sp));
        table_cellf(out.t, "%lld", (long long)mlops_alias_split_primary(sp));
        if (mlops_alias_split_shadow(sp))
            table_cellf(out.t, "%lld", (long long)mlops_alias_split_shadow(sp));
        else
            table_cell(out.t, NULL);
    }
    mlops_alias_splits_free(l);
    return listing_close(&out, ctx, rc, MLOPS_OK, model);
}

static int cmd_alias_ls(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 1, 1, CLI_STORE_READ, alias_ls);
}

/* ---- model alias ramp / rollback ------------------------------------------ */

typedef struct move_args {
    const char *actor, *reason, *to;
    int64_t version, weight, to_ms;
} move_args;

/* After a change: the alias's split now, as 'alias get' prints it. */
static int print_split(const cli_ctx *ctx, mlops_store *s, int rc)
{
    if (rc) return cli_fail(ctx, rc, ctx->args[1]);
    mlops_alias_split *sp = NULL;
    rc = mlops_model_alias_split_get(s, ctx->args[0], ctx->args[1], &sp);
    if (rc) return cli_fail(ctx, rc, ctx->args[1]);
    printf("%s\n", mlops_alias_split_text(sp));
    mlops_alias_split_free(sp);
    return CLI_OK;
}

static int alias_ramp(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const move_args *a = arg;
    mlops_change_opts c = MLOPS_CHANGE_OPTS_INIT;
    c.actor = a->actor;
    c.reason = a->reason;
    return print_split(ctx, s,
                       mlops_model_alias_ramp(s, ctx->args[0], ctx->args[1], a->version,
                                              (int)a->weight, &c));
}

static int cmd_alias_ramp(cli_ctx *ctx, int argc, char **argv)
{
    move_args a = { NULL, NULL, NULL, 0, 0, 0 };
    int npos;
    const cli_opt opts[] = { { "actor", 0, &a.actor, NULL }, { "reason", 0, &a.reason, NULL } };
    int rc = cli_parse(ctx, argc, argv, opts, 2, 4, 4, &npos);
    if (!rc) rc = cli_parse_int(ctx, "VERSION", argv[2], &a.version);
    if (!rc) {
        /* "50" or "50%" */
        size_t len = strlen(argv[3]);
        if (len > 1 && argv[3][len - 1] == '%') argv[3][len - 1] = '\0';
        rc = cli_parse_int(ctx, "PERCENT", argv[3], &a.weight);
        if (!rc && (a.weight < 0 || a.weight > 100))
            rc = cli_usage(ctx, "PERCENT must be 0..100, not %lld", (long long)a.weight);
    }
    return rc ? rc : cli_with_store(ctx, CLI_STORE_WRITE, alias_ramp, &a);
}

static int alias_rollback(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const move_args *a = arg;
    mlops_change_opts c = MLOPS_CHANGE_OPTS_INIT;
    c.actor = a->actor;
    c.reason = a->reason;
    return print_split(ctx, s,
                       mlops_model_alias_rollback(s, ctx->args[0], ctx->args[1], a->to_ms, &c));
}

static int cmd_alias_rollback(cli_ctx *ctx, int argc, char **argv)
{
    move_args a = { NULL, NULL, NULL, 0, 0, 0 };
    int npos;
    const cli_opt opts[] = { { "actor", 0, &a.actor, NULL },
                             { "reason", 0, &a.reason, NULL },
                             { "to", 0, &a.to, NULL } };
    int rc = cli_parse(ctx, argc, argv, opts, 3, 2, 2, &npos);
    if (!rc && a.to) {
        rc = parse_time(ctx, "--to", a.to, &a.to_ms);
        if (!rc && a.to_ms <= 0) rc = cli_usage(ctx, "--to must be after 1970");
    }
    return rc ? rc : cli_with_store(ctx, CLI_STORE_WRITE, alias_rollback, &a);
}

/* ---- model route ---------------------------------------------------------- */

/* One output line: the key's bytes, a space, the version. */
static void put_route(const char *key, size_t len, int64_t version)
{
    fwrite(key, 1, len, stdout);
    printf(" %lld\n", (long long)version);
}

static int route_stdin(const cli_ctx *ctx, const mlops_route_snapshot *snap)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = CLI_OK;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n') len--;
        if (len && line[len - 1] == '\r') len--;
        int64_t v = 0;
        int lrc = mlops_route_snapshot_route(snap, line, len, &v);
        if (lrc) {
            rc = cli_fail(ctx, lrc, "stdin");
            break;
        }
        put_route(line, len, v);
    }
    if (!rc && ferror(stdin)) rc = cli_error(ctx, "reading keys from stdin failed");
    free(line);
    return rc;
}

static int model_route(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    (void)arg;
    const char *ref = ctx->args[0];
    const char *at = strrchr(ref, '@');
    if (!at || at == ref || !at[1])
        return cli_usage(ctx, "'%s' is not MODEL@ALIAS", ref);
    char *model = strndup(ref, (size_t)(at - ref));
    if (!model) return cli_error(ctx, "out of memory");
    mlops_route_snapshot *snap = NULL;
    int rc = mlops_model_route_snapshot(s, model, at + 1, &snap);
    free(model);
    if (rc) return cli_fail(ctx, rc, ref);
    /* Lines go out in large blocks: a pipe of millions of keys. */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (ctx->nargs == 2 && !strcmp(ctx->args[1], "-")) {
        rc = route_stdin(ctx, snap);
    } else {
        for (int i = 1; i < ctx->nargs; i++) {
            int64_t v = 0;
            mlops_route_snapshot_route(snap, ctx->args[i], strlen(ctx->args[i]), &v);
            put_route(ctx->args[i], strlen(ctx->args[i]), v);
        }
    }
    mlops_route_snapshot_free(snap);
    if (fflush(stdout) != 0 && !rc) rc = cli_error(ctx, "writing the routes failed");
    return rc;
}

static int cmd_model_route(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run(ctx, argc, argv, NULL, 0, 2, -1, CLI_STORE_READ, model_route, NULL);
}

const cli_command cli_routing_commands[] = {
    { "model alias get", cmd_alias_get, "MODEL ALIAS",
      "Print ALIAS's split (3:90,4:10+shadow:5; a plain N for one version)",
      "Options:\n"
      "  --at TIME                the split it had then (ms since the epoch, or UTC\n"
      "                           YYYY-MM-DDTHH:MM:SSZ), from the audit log\n"
      "  --json                   print {model, alias, split, primary, legs:\n"
      "                           [{version, weight}], shadow, salt}\n" },
    { "model alias ls", cmd_alias_ls, "MODEL", "List MODEL's aliases with their splits",
      "PRIMARY is the version with the largest share (the lower number on a tie):\n"
      "what 1.0 callers of the alias get.\n\n"
      "Options:\n  --json                   print a JSON array\n" },
    { "model alias ramp", cmd_alias_ramp, "MODEL ALIAS VERSION PERCENT",
      "Give VERSION PERCENT of ALIAS's traffic; print the new split",
      "The difference moves from or to the base: the version with the largest\n"
      "share among the others. PERCENT 100 is the full promotion (ALIAS becomes\n"
      "VERSION alone), 0 takes VERSION out. A shadow version ramped starts to\n"
      "serve. No key on the version that gains share moves away from it.\n\n"
      "Options:\n" CHANGE_HELP },
    { "model alias rollback", cmd_alias_rollback, "MODEL ALIAS",
      "Put ALIAS back to its split before its last change; print it",
      "Every key goes back to the version it had then. A second rollback undoes\n"
      "the first.\n\n"
      "Options:\n"
      "  --to TIME                back to the split of that time instead (ms since\n"
      "                           the epoch, or UTC YYYY-MM-DDTHH:MM:SSZ)\n" CHANGE_HELP },
    { "model route", cmd_model_route, "MODEL@ALIAS KEY...|-",
      "Print the version each KEY is routed to by a weighted alias",
      "One line per key: the key, a space, the version. '-' alone reads the keys\n"
      "from stdin, one per line (a trailing \\r is dropped), from one snapshot of\n"
      "the alias. A key goes to the same version every time while the split does\n"
      "not change (doc/delivery.md).\n" },
    { NULL, NULL, NULL, NULL, NULL },
};
