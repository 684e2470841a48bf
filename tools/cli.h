/*
 * The `mlops` command: what every command file shares.
 *
 * The program uses only the public API (<mlops.h>) and links the shared
 * library, like any user of libmlops would.
 *
 * Exit codes: CLI_OK (0) success, CLI_FAIL (1) the work failed (the
 * library's message is on stderr), CLI_USAGE (2) the command line is wrong.
 */
#ifndef MLOPS_CLI_H
#define MLOPS_CLI_H

#include <mlops.h>

#include <stdint.h>
#include <stdio.h>

#define CLI_OK    0
#define CLI_FAIL  1
#define CLI_USAGE 2
/* model promote only: 1 means "refused by the gate" there, so the other
 * failures exit with this (doc/cli.md). */
#define CLI_ERROR 3

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* What a command runs with. */
typedef struct cli_ctx {
    const char *store_dir;    /* -C DIR, else $MLOPS_STORE, else ".mlops" */
    const char *cmd;          /* the command's words, "model alias set" */
    const char *synopsis;     /* its arguments, for usage errors */
    int stderr_tty;           /* progress bars only on a terminal */
    char **args;              /* the positional arguments, set by cli_parse */
    int nargs;
} cli_ctx;

/* A command: its words, its handler (NULL for a group of commands), the
 * synopsis of its arguments, a one-line summary and its help text (the
 * options, one per line, and what it prints). The handler receives the
 * arguments after the command's words. */
typedef int (*cli_handler)(cli_ctx *ctx, int argc, char **argv);
typedef struct cli_command {
    const char *path;
    cli_handler run;
    const char *synopsis;
    const char *summary;
    const char *help;
} cli_command;

/* The command tables, one per file, each ended by an entry with a NULL
 * path. */
extern const cli_command cli_artifact_commands[];
extern const cli_command cli_record_commands[];
extern const cli_command cli_registry_commands[];
extern const cli_command cli_delivery_commands[];
extern const cli_command cli_routing_commands[];
extern const cli_command cli_drift_commands[];
extern const cli_command cli_eval_commands[];
extern const cli_command cli_schema_commands[];
extern const cli_command cli_store_commands[];
extern const cli_command cli_remote_commands[];
extern const cli_command cli_monitor_commands[];

/* ---- Command-line options ------------------------------------------------ */

/* One option of a command: --name (and -c when short_name is not 0). An
 * option that takes a value stores it in *value (the last one given wins);
 * a flag sets *flag to 1. */
typedef struct cli_opt {
    const char *name;
    char short_name;
    const char **value;
    int *flag;
} cli_opt;

/* Parses argv against opts (n entries). Options may come anywhere; "--"
 * ends them. The positional arguments are moved to the front of argv in
 * order and counted in *npos (and kept in ctx->args, ctx->nargs, for the
 * function cli_with_store runs). Checks that there are between min_pos and
 * max_pos (-1: any number) of them. Returns CLI_OK, or CLI_USAGE after
 * printing a one-line error. */
int cli_parse(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts, size_t n, int min_pos,
              int max_pos, int *npos);

/* cli_parse for commands whose only option is --json. */
int cli_parse_json(cli_ctx *ctx, int argc, char **argv, int min_pos, int max_pos, int *as_json,
                   int *npos);

/* ---- Errors ----------------------------------------------------------------- */

/* Prints "mlops <cmd>: <what>: <library message>" on stderr (one line) and
 * returns CLI_FAIL. */
int cli_fail(const cli_ctx *ctx, int rc, const char *what);

/* Prints "mlops <cmd>: <message>" on stderr and returns CLI_FAIL. */
CLI_PRINTF(2, 3) int cli_error(const cli_ctx *ctx, const char *fmt, ...);

/* rc, unless rc is CLI_OK and stdout cannot be written (flushed): then
 * "cannot write the output" on stderr and code (CLI_FAIL; CLI_ERROR where
 * 1 means something else: model promote, monitor check). */
int cli_check_output(const cli_ctx *ctx, int rc, int code);

/* Prints "mlops <cmd>: <message> (see 'mlops help <cmd>')" on stderr and
 * returns CLI_USAGE. */
CLI_PRINTF(2, 3) int cli_usage(const cli_ctx *ctx, const char *fmt, ...);

/* ---- The store -------------------------------------------------------------- */

#define CLI_STORE_READ  0 /* a read-only handle */
#define CLI_STORE_WRITE 1

/* The body of a command: runs against the open store s, with the parsed
 * arguments in ctx->args and the command's own options in arg. Prints its
 * own errors and returns CLI_OK, CLI_FAIL or CLI_USAGE. */
typedef int (*cli_store_fn)(const cli_ctx *ctx, mlops_store *s, void *arg);

/* How every command uses the store: opens the existing store of ctx in
 * mode (never creates one; 'mlops init' does; the open error is printed
 * and returned), runs fn, closes the store whatever fn returned,
 * and returns fn's exit code. */
int cli_with_store(const cli_ctx *ctx, int mode, cli_store_fn fn, void *arg);

/* A whole command: cli_parse (see there), then cli_with_store(ctx, mode,
 * fn, arg). Returns the usage error or fn's exit code. */
int cli_run(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts, size_t n, int min_pos,
            int max_pos, int mode, cli_store_fn fn, void *arg);

/* cli_run for commands whose only option is --json: fn's arg points at
 * the flag (an int). */
int cli_run_json(cli_ctx *ctx, int argc, char **argv, int min_pos, int max_pos, int mode,
                 cli_store_fn fn);

/* The body of a command that changes one run. */
typedef int (*cli_run_fn)(const cli_ctx *ctx, mlops_run *run, void *arg);

/* cli_with_store for the run run_id: opens the store for writing and the
 * run (an error is printed as "run_id: ..."), runs fn, frees the run and
 * closes the store. */
int cli_with_run(const cli_ctx *ctx, const char *run_id, cli_run_fn fn, void *arg);

/* The end of a library call: CLI_OK when rc is MLOPS_OK, else
 * cli_fail(ctx, rc, what). */
int cli_check(const cli_ctx *ctx, int rc, const char *what);

/* ---- Parsing arguments -------------------------------------------------------- */

/* Parses a digest argument; prints a usage error on failure. */
int cli_parse_digest(const cli_ctx *ctx, const char *text, mlops_digest *out);

/* A digest in its text form (sha256:...), or the name of a reference to
 * one, into *d; prints the error ("neither a digest nor a reference") and
 * returns CLI_FAIL or CLI_USAGE when it is neither. */
int cli_resolve_content(const cli_ctx *ctx, mlops_store *s, const char *text, mlops_digest *d);
/* One model version from the positional arguments "NAME VERSION" (npos 2),
 * "NAME@ALIAS" or "NAME/N" (npos 1): the model's name (malloc'd, for the
 * caller to free) and the version's number. Prints the error and returns
 * CLI_USAGE or CLI_FAIL when they name none. */
int cli_resolve_version(const cli_ctx *ctx, mlops_store *s, int npos, char **argv, char **model,
                        int64_t *version);
/* Parses a whole decimal int64 (what names the argument in the error). */
int cli_parse_int(const cli_ctx *ctx, const char *what, const char *text, int64_t *out);
/* Parses a finite or non-finite double ("nan", "inf" accepted). */
int cli_parse_double(const cli_ctx *ctx, const char *what, const char *text, double *out);
/* Reads a whole file into a NUL-terminated malloc'd buffer. Prints the
 * error and returns CLI_FAIL on failure. */
int cli_read_file(const cli_ctx *ctx, const char *path, char **data, size_t *len);

/* Writes len bytes to path through a temporary file beside it (mode
 * 0644), fsync and rename, so path never holds a partial file. Prints the
 * error and returns CLI_FAIL on failure. */
int cli_write_file_atomic(const cli_ctx *ctx, const char *path, const char *data, size_t len);
/* Writes text to stdout when path is "-", else atomically to path (as
 * cli_write_file_atomic). Prints the error and returns CLI_FAIL on
 * failure. */
int cli_write_output(const cli_ctx *ctx, const char *path, const char *text);

/* ---- Formatting --------------------------------------------------------------- */

/* "2024-05-01 12:34:56" (UTC) of ms since the epoch, or "-" for 0. */
void cli_fmt_time(int64_t ms, char *buf, size_t cap);
/* "12.3 MiB"-style sizes. */
void cli_fmt_size(uint64_t bytes, char *buf, size_t cap);
/* A double in its shortest form that reads back exactly ("nan", "inf"). */
void cli_fmt_double(double v, char *buf, size_t cap);
/* The digest's text form. */
void cli_fmt_digest(const mlops_digest *d, char buf[MLOPS_DIGEST_STRLEN]);

#endif
