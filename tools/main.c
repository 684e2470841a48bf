/*
 * mlops — the command-line program of libmlops: git-style subcommands over
 * the store's artifacts, records, registry and drift statistics.
 *
 * This file finds the store, dispatches to a command by its words and
 * prints help. The commands live in cmd_*.c, one file per group.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct group {
    const char *title;
    const cli_command *commands;
} group;

static const group groups[] = {
    { "Artifacts", cli_artifact_commands },
    { "Records", cli_record_commands },
    { "Registry", cli_registry_commands },
    { "Delivery", cli_delivery_commands },
    { "Weighted aliases", cli_routing_commands },
    { "Drift", cli_drift_commands },
    { "Evaluation", cli_eval_commands },
    { "Validation", cli_schema_commands },
    { "Stores", cli_store_commands },
    { "Remotes", cli_remote_commands },
    { "Monitors", cli_monitor_commands },
};
#define NGROUPS (sizeof groups / sizeof groups[0])

static const char overview_tail[] =
    "Options before the command:\n"
    "  -C DIR        use the store in DIR (default: $MLOPS_STORE, else ./.mlops)\n"
    "  --version     print the versions of mlops and libmlops\n"
    "  --help        print this help\n"
    "\n"
    "Environment: MLOPS_THREADS=N bounds the threads doing work at once\n"
    "(the calling one included; 1: no extra thread; default: online CPUs).\n"
    "\n"
    "Every command takes --help; 'mlops help COMMAND' says the same.\n"
    "Commands that read print aligned tables, or JSON with --json.\n"
    "\n"
    "Exit status: 0 success, 1 the work failed (the reason is on stderr),\n"
    "2 the command line is wrong ('model promote': 1 refused by the gate,\n"
    "3 any other error).\n";

static void print_overview(FILE *f)
{
    fputs("usage: mlops [-C DIR] COMMAND [ARGS...]\n\n"
          "libmlops from the shell: content-addressed artifacts, experiment records,\n"
          "a model registry and drift statistics, in one store directory.\n",
          f);
    for (size_t g = 0; g < NGROUPS; g++) {
        fprintf(f, "\n%s:\n", groups[g].title);
        for (const cli_command *c = groups[g].commands; c->path; c++) {
            if (!c->run) continue;
            /* A long synopsis goes on a line of its own, whole. */
            size_t width = strlen(c->path) + 1 + strlen(c->synopsis);
            if (width > 24)
                fprintf(f, "  %s %s\n  %-24s  %s\n", c->path, c->synopsis, "", c->summary);
            else
                fprintf(f, "  %s %s%*s  %s\n", c->path, c->synopsis, (int)(24 - width), "", c->summary);
        }
    }
    fputc('\n', f);
    fputs(overview_tail, f);
}

/* The command whose words are the longest prefix of argv; *used receives
 * how many words matched. */
static const cli_command *lookup(int argc, char **argv, int *used)
{
    const cli_command *best = NULL;
    int best_words = 0;
    for (size_t g = 0; g < NGROUPS; g++) {
        for (const cli_command *c = groups[g].commands; c->path; c++) {
            const char *p = c->path;
            int words = 0, ok = 1;
            while (*p && ok) {
                const char *sp = strchr(p, ' ');
                size_t len = sp ? (size_t)(sp - p) : strlen(p);
                if (words >= argc || strlen(argv[words]) != len || strncmp(argv[words], p, len) != 0)
                    ok = 0;
                else
                    words++;
                p += len;
                if (*p == ' ') p++;
            }
            if (ok && words > best_words) {
                best = c;
                best_words = words;
            }
        }
    }
    *used = best_words;
    return best;
}

static void print_help(const cli_command *c, FILE *f)
{
    if (c->run) {
        fprintf(f, "usage: mlops %s %s\n\n%s\n", c->path, c->synopsis, c->summary);
        if (c->help && c->help[0]) fprintf(f, "\n%s", c->help);
        return;
    }
    fprintf(f, "usage: mlops %s COMMAND ...\n\n%s\n\nCommands:\n", c->path, c->summary);
    size_t plen = strlen(c->path);
    for (size_t g = 0; g < NGROUPS; g++)
        for (const cli_command *s = groups[g].commands; s->path; s++)
            if (s->run && strncmp(s->path, c->path, plen) == 0 && s->path[plen] == ' ')
                fprintf(f, "  mlops %s %s\n      %s\n", s->path, s->synopsis, s->summary);
    if (c->help && c->help[0]) fprintf(f, "\n%s", c->help);
}

static int wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    }
    return 0;
}

static int help_command(cli_ctx *ctx, int argc, char **argv)
{
    if (argc == 0) {
        print_overview(stdout);
        return CLI_OK;
    }
    /* For scripts (scripts/cli-doc.py): every command, "GROUP<TAB>WORDS". */
    if (argc == 1 && strcmp(argv[0], "--commands") == 0) {
        for (size_t g = 0; g < NGROUPS; g++)
            for (const cli_command *c = groups[g].commands; c->path; c++)
                if (c->run) printf("%s\t%s\n", groups[g].title, c->path);
        return CLI_OK;
    }
    int used;
    const cli_command *c = lookup(argc, argv, &used);
    if (!c || used != argc) {
        ctx->cmd = "help";
        return cli_usage(ctx, "no command '%s'", argv[used]);
    }
    print_help(c, stdout);
    return CLI_OK;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = { 0 };
    ctx.stderr_tty = isatty(STDERR_FILENO);
    const char *dir = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-C") == 0) {
            if (i + 1 >= argc) return cli_usage(&ctx, "option '-C' needs a directory");
            dir = argv[++i];
        } else if (strncmp(a, "-C", 2) == 0) {
            dir = a + 2;
        } else if (strcmp(a, "--version") == 0) {
            printf("mlops %s (libmlops %s)\n", MLOPS_VERSION_STRING, mlops_version());
            return CLI_OK;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_overview(stdout);
            return CLI_OK;
        } else {
            return cli_usage(&ctx, "unknown option '%s'", a);
        }
    }
    if (!dir || !dir[0]) dir = getenv("MLOPS_STORE");
    if (!dir || !dir[0]) dir = ".mlops";
    ctx.store_dir = dir;
    /* The embedder's thread limit (mlops_set_thread_limit): here, the user's. */
    const char *threads = getenv("MLOPS_THREADS");
    if (threads && threads[0]) {
        int64_t n = 0;
        if (cli_parse_int(&ctx, "MLOPS_THREADS", threads, &n) != CLI_OK) return CLI_USAGE;
        if (n < 0 || n > 256) return cli_usage(&ctx, "MLOPS_THREADS must be 0 to 256, not %s", threads);
        mlops_set_thread_limit((unsigned)n);
    }

    if (i >= argc) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) return help_command(&ctx, argc - i - 1, argv + i + 1);

    int used;
    const cli_command *c = lookup(argc - i, argv + i, &used);
    if (!c) return cli_usage(&ctx, "no command '%s'", argv[i]);
    ctx.cmd = c->path;
    ctx.synopsis = c->synopsis;
    int rest = argc - i - used;
    char **args = argv + i + used;
    if (wants_help(rest, args)) {
        print_help(c, stdout);
        return CLI_OK;
    }
    if (!c->run) {
        if (rest > 0 && args[0][0] != '-') return cli_usage(&ctx, "no command '%s %s'", c->path, args[0]);
        print_help(c, stderr);
        return CLI_USAGE;
    }
    return cli_check_output(&ctx, c->run(&ctx, rest, args), CLI_FAIL);
}
