/* Shared helpers of the `mlops` command: options, errors, the store,
 * argument parsing and formatting (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- Errors ------------------------------------------------------------------ */

/* The library's messages are one line; keep ours so even if one is not
 * (a message may quote a CSV cell, which may hold a line break). */
static void one_line(const char *msg, char *out, size_t cap)
{
    size_t n = 0;
    for (; *msg && n + 1 < cap; msg++) out[n++] = (*msg == '\n' || *msg == '\r') ? ' ' : *msg;
    out[n] = '\0';
}

static void vreport(const cli_ctx *ctx, const char *fmt, va_list ap)
{
    char msg[2048], line[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    one_line(msg, line, sizeof line);
    fprintf(stderr, "mlops%s%s: %s", ctx && ctx->cmd ? " " : "", ctx && ctx->cmd ? ctx->cmd : "",
            line);
}

int cli_error(const cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_FAIL;
}

int cli_check_output(const cli_ctx *ctx, int rc, int code)
{
    if (fflush(stdout) == 0 && !ferror(stdout)) return rc;
    if (rc != CLI_OK) return rc;
    cli_error(ctx, "cannot write the output");
    return code;
}

int cli_usage(const cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'mlops help%s%s')\n", ctx && ctx->cmd ? " " : "",
            ctx && ctx->cmd ? ctx->cmd : "");
    return CLI_USAGE;
}


int cli_fail(const cli_ctx *ctx, int rc, const char *what)
{
    char msg[1024];
    one_line(mlops_last_error(), msg, sizeof msg);
    if (msg[0])
        return cli_error(ctx, "%s: %s (%s)", what, msg, mlops_strerror(rc));
    return cli_error(ctx, "%s: %s", what, mlops_strerror(rc));
}

/* ---- Options --------------------------------------------------------------- */

static const cli_opt *find_long(const cli_opt *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) return &opts[i];
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_name && opts[i].short_name == c) return &opts[i];
    return NULL;
}

int cli_parse(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts, size_t n, int min_pos,
              int max_pos, int *npos)
{
    int pos = 0, only_positional = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            argv[pos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        const cli_opt *o;
        const char *inline_value = NULL;
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            o = find_long(opts, n, name, len);
            if (!o) return cli_usage(ctx, "unknown option '--%.*s'", (int)len, name);
            if (eq) inline_value = eq + 1;
        } else {
            /* A negative number is a positional argument ("-0.5"). */
            if ((a[1] >= '0' && a[1] <= '9') || a[1] == '.') {
                argv[pos++] = a;
                continue;
            }
            o = find_short(opts, n, a[1]);
            if (!o) return cli_usage(ctx, "unknown option '-%c'", a[1]);
            if (a[2]) {
                if (!o->value) return cli_usage(ctx, "option '-%c' takes no value", a[1]);
                inline_value = a + 2;
            }
        }
        if (o->value) {
            if (inline_value) {
                *o->value = inline_value;
            } else {
                if (i + 1 >= argc) return cli_usage(ctx, "option '--%s' needs a value", o->name);
                *o->value = argv[++i];
            }
        } else {
            if (inline_value) return cli_usage(ctx, "option '--%s' takes no value", o->name);
            *o->flag = 1;
        }
    }
    if (pos < min_pos)
        return cli_usage(ctx, "missing argument: usage: mlops %s %s", ctx->cmd ? ctx->cmd : "",
                         ctx->synopsis ? ctx->synopsis : "");
    if (max_pos >= 0 && pos > max_pos)
        return cli_usage(ctx, "unexpected argument '%s'", argv[max_pos]);
    *npos = pos;
    ctx->args = argv;
    ctx->nargs = pos;
    return CLI_OK;
}

int cli_parse_json(cli_ctx *ctx, int argc, char **argv, int min_pos, int max_pos, int *as_json,
                   int *npos)
{
    *as_json = 0;
    const cli_opt opts[] = { { "json", 0, NULL, as_json } };
    return cli_parse(ctx, argc, argv, opts, 1, min_pos, max_pos, npos);
}

/* ---- The store ------------------------------------------------------------- */

/* Whether dir holds a store's files: then a store that does not open
 * (missing S3 credentials are MLOPS_ENOTFOUND too) is not "no store". */
static int holds_a_store(const char *dir)
{
    static const char *const names[] = { "mlops.conf", "mlops.db" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path &&
            access(path, F_OK) == 0)
            return 1;
    }
    return 0;
}

/* Opens the existing store of ctx (never creates one). On failure prints
 * the error and returns CLI_FAIL. */
static int cli_open_store(const cli_ctx *ctx, int mode, mlops_store **out)
{
    mlops_store_opts opts = MLOPS_STORE_OPTS_INIT;
    opts.create_if_missing = 0;
    opts.read_only = mode == CLI_STORE_READ;
    int rc = mlops_store_open(ctx->store_dir, &opts, out);
    if (rc == MLOPS_OK) return CLI_OK;
    char what[600];
    if (rc == MLOPS_ENOTFOUND && !holds_a_store(ctx->store_dir))
        snprintf(what, sizeof what, "no store at '%s' (create one with 'mlops init', or use -C DIR)",
                 ctx->store_dir);
    else
        snprintf(what, sizeof what, "cannot open the store '%s'", ctx->store_dir);
    return cli_fail(ctx, rc, what);
}

int cli_with_store(const cli_ctx *ctx, int mode, cli_store_fn fn, void *arg)
{
    mlops_store *s;
    int rc = cli_open_store(ctx, mode, &s);
    if (rc) return rc;
    rc = fn(ctx, s, arg);
    mlops_store_close(s);
    return rc;
}

int cli_run(cli_ctx *ctx, int argc, char **argv, const cli_opt *opts, size_t n, int min_pos,
            int max_pos, int mode, cli_store_fn fn, void *arg)
{
    int npos;
    int rc = cli_parse(ctx, argc, argv, opts, n, min_pos, max_pos, &npos);
    if (rc) return rc;
    return cli_with_store(ctx, mode, fn, arg);
}

int cli_run_json(cli_ctx *ctx, int argc, char **argv, int min_pos, int max_pos, int mode,
                 cli_store_fn fn)
{
    int as_json = 0;
    const cli_opt opts[] = { { "json", 0, NULL, &as_json } };
    return cli_run(ctx, argc, argv, opts, 1, min_pos, max_pos, mode, fn, &as_json);
}

typedef struct run_call {
    const char *id;
    cli_run_fn fn;
    void *arg;
} run_call;

static int run_call_open(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const run_call *c = arg;
    mlops_run *run = NULL;
    int rc = cli_check(ctx, mlops_run_open(s, c->id, &run), c->id);
    if (rc) return rc;
    rc = c->fn(ctx, run, c->arg);
    mlops_run_free(run);
    return rc;
}

int cli_with_run(const cli_ctx *ctx, const char *run_id, cli_run_fn fn, void *arg)
{
    run_call c = { run_id, fn, arg };
    return cli_with_store(ctx, CLI_STORE_WRITE, run_call_open, &c);
}

int cli_check(const cli_ctx *ctx, int rc, const char *what)
{
    return rc == MLOPS_OK ? CLI_OK : cli_fail(ctx, rc, what);
}

/* ---- Arguments --------------------------------------------------------------- */

int cli_parse_digest(const cli_ctx *ctx, const char *text, mlops_digest *out)
{
    if (mlops_digest_parse(text, out) == MLOPS_OK) return CLI_OK;
    return cli_usage(ctx, "'%s' is not a digest (expected sha256: and 64 lowercase hex digits)",
                     text);
}

int cli_resolve_content(const cli_ctx *ctx, mlops_store *s, const char *text, mlops_digest *d)
{
    if (strncmp(text, "sha256:", 7) == 0) return cli_parse_digest(ctx, text, d);
    int rc = mlops_ref_get(s, text, d);
    if (rc == MLOPS_ENOTFOUND)
        return cli_error(ctx, "'%s' is neither a digest (sha256:...) nor a reference", text);
    return rc ? cli_fail(ctx, rc, text) : CLI_OK;
}

int cli_resolve_version(const cli_ctx *ctx, mlops_store *s, int npos, char **argv, char **model,
                        int64_t *version)
{
    int rc;
    if (npos == 2) {
        if ((rc = cli_parse_int(ctx, "VERSION", argv[1], version))) return rc;
        *model = strdup(argv[0]);
    } else {
        const char *ref = argv[0];
        const char *at = strrchr(ref, '@');
        const char *slash = strrchr(ref, '/');
        size_t len;
        if (at) {
            len = (size_t)(at - ref);
        } else if (slash && slash[1] && strspn(slash + 1, "0123456789") == strlen(slash + 1)) {
            len = (size_t)(slash - ref);
        } else {
            return cli_usage(ctx, "'%s' names no version: use NAME VERSION, NAME@ALIAS or NAME/N",
                             ref);
        }
        rc = mlops_model_resolve(s, ref, version, NULL);
        if (rc) return cli_fail(ctx, rc, ref);
        *model = strndup(ref, len);
    }
    return *model ? CLI_OK : cli_error(ctx, "out of memory");
}

int cli_parse_int(const cli_ctx *ctx, const char *what, const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end) return cli_usage(ctx, "%s '%s' is not an integer", what, text);
    *out = v;
    return CLI_OK;
}

int cli_parse_double(const cli_ctx *ctx, const char *what, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || (errno == ERANGE && isinf(v)))
        return cli_usage(ctx, "%s '%s' is not a number", what, text);
    *out = v;
    return CLI_OK;
}

int cli_read_file(const cli_ctx *ctx, const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cli_error(ctx, "cannot read '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        /* buf is not NULL here: the loop's condition and the break above */
        // cppcheck-suppress nullPointerArithmeticRedundantCheck
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    int saved = errno;
    fclose(f);
    if (!buf) return cli_error(ctx, "cannot read '%s': out of memory", path);
    if (err) {
        free(buf);
        return cli_error(ctx, "cannot read '%s': %s", path, strerror(saved));
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return CLI_OK;
}

/* Writes len bytes to path through a temporary file and a rename, so that
 * path never holds a partial report. */
int cli_write_output(const cli_ctx *ctx, const char *path, const char *text)
{
    if (strcmp(path, "-") != 0) return cli_write_file_atomic(ctx, path, text, strlen(text));
    if (fputs(text, stdout) == EOF || fflush(stdout)) return cli_error(ctx, "cannot write to stdout");
    return CLI_OK;
}

int cli_write_file_atomic(const cli_ctx *ctx, const char *path, const char *data, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) return cli_error(ctx, "out of memory");
    snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return cli_error(ctx, "cannot write '%s': %s", path, strerror(e));
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;
        }
        done += (size_t)w;
    }
    int e = errno;
    int ok = done == len;
    /* mkstemp makes the file private; a report is an ordinary file. */
    if (ok && (fchmod(fd, 0644) != 0 || fsync(fd) != 0)) ok = 0, e = errno;
    if (close(fd) != 0 && ok) ok = 0, e = errno;
    if (ok && rename(tmp, path) == 0) {
        free(tmp);
        return CLI_OK;
    }
    if (ok) e = errno;
    unlink(tmp);
    free(tmp);
    return cli_error(ctx, "cannot write '%s': %s", path, strerror(e));
}

/* ---- Formatting -------------------------------------------------------------- */

void cli_fmt_time(int64_t ms, char *buf, size_t cap)
{
    if (ms == 0) {
        snprintf(buf, cap, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "%lld", (long long)ms);
        return;
    }
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

void cli_fmt_size(uint64_t bytes, char *buf, size_t cap)
{
    const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double x = (double)bytes;
    int u = 0;
    while (x >= 1024.0 && u < 4) {
        x /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%llu B", (unsigned long long)bytes);
    else
        snprintf(buf, cap, "%.1f %s", x, units[u]);
}

void cli_fmt_double(double v, char *buf, size_t cap)
{
    if (isnan(v)) {
        snprintf(buf, cap, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void cli_fmt_digest(const mlops_digest *d, char buf[MLOPS_DIGEST_STRLEN])
{
    if (mlops_digest_format(d, buf) != MLOPS_OK) buf[0] = '\0';
}
