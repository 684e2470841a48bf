/*
 * Artifact commands: init, put, get, cat, stat, ls, fsck, gc and ref.
 */
#include "cli.h"
#include "json.h"
#include "progress.h"
#include "table.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_name(int kind)
{
    return kind == MLOPS_KIND_TREE ? "tree" : "blob";
}

static const char *encoding_name(int encoding)
{
    switch (encoding) {
    case MLOPS_ENCODING_RAW: return "raw";
    case MLOPS_ENCODING_ZSTD: return "zstd";
    case MLOPS_ENCODING_CHUNKED: return "chunked";
    default: return "unknown";
    }
}

/* ---- init -------------------------------------------------------------------- */

static int is_s3_url(const char *s)
{
    return s && strncasecmp(s, "s3://", 5) == 0;
}

/* A store whose parts are elsewhere: the metadata in PostgreSQL (else
 * SQLite in DIR), the objects on S3 or in a folder (made absolute here,
 * so the configuration does not depend on where the command ran). */
static int init_shared(cli_ctx *ctx, const char *metadata, const char *schema, const char *objects)
{
    char objects_abs[PATH_MAX];
    int s3 = is_s3_url(objects), made = 0;
    if (s3) {
        snprintf(objects_abs, sizeof objects_abs, "%s", objects);
    } else if (objects) {
        made = mkdir(objects, 0700) == 0;
        if (!made && errno != EEXIST)
            return cli_error(ctx, "cannot create '%s': %s", objects, strerror(errno));
        if (!realpath(objects, objects_abs)) {
            int e = errno;
            if (made) rmdir(objects);
            return cli_error(ctx, "cannot resolve '%s': %s", objects, strerror(e));
        }
    }
    mlops_store_location loc = MLOPS_STORE_LOCATION_INIT;
    loc.metadata = metadata;
    loc.schema = schema;
    loc.objects = objects ? objects_abs : NULL;
    mlops_store *s = NULL;
    int rc = mlops_store_create(ctx->store_dir, &loc, NULL, &s);
    if (rc) {
        /* A refused store leaves no folder of ours behind (rmdir: only
         * while nothing was put in it). */
        if (made) rmdir(objects_abs);
        return cli_fail(ctx, rc, "cannot create the store");
    }
    int format = 0;
    mlops_store_format_version(s, &format);
    if (metadata)
        printf("initialised %s: metadata in PostgreSQL schema %s, objects in %s (format version "
               "%d)\n",
               mlops_store_path(s), schema ? schema : "mlops",
               objects ? objects_abs : mlops_store_path(s), format);
    else
        printf("initialised %s: metadata in %s/mlops.db, objects in %s (format version %d)\n",
               mlops_store_path(s), mlops_store_path(s), objects_abs, format);
    mlops_store_close(s);
    return CLI_OK;
}

static int cmd_init(cli_ctx *ctx, int argc, char **argv)
{
    const char *metadata = NULL, *schema = NULL, *objects = NULL;
    cli_opt opts[] = {
        { "metadata", 0, &metadata, NULL },
        { "schema", 0, &schema, NULL },
        { "objects", 0, &objects, NULL },
    };
    int npos;
    int rc = cli_parse(ctx, argc, argv, opts, sizeof opts / sizeof opts[0], 0, 1, &npos);
    if (rc) return rc;
    if (npos == 1) ctx->store_dir = argv[0];
    if ((schema || (objects && !is_s3_url(objects))) && !metadata)
        return cli_usage(ctx, "--schema and --objects DIR go with --metadata (--objects "
                              "s3://BUCKET/PREFIX may go alone)");
    if (metadata || objects) return init_shared(ctx, metadata, schema, objects);
    char db[4096];
    snprintf(db, sizeof db, "%s/mlops.db", ctx->store_dir);
    struct stat st;
    int existed = stat(db, &st) == 0;
    mlops_store *s = NULL;
    rc = mlops_store_open(ctx->store_dir, NULL, &s);
    if (rc) return cli_fail(ctx, rc, "cannot create the store");
    int format = 0;
    mlops_store_format_version(s, &format);
    if (existed)
        printf("store already in %s (format version %d)\n", mlops_store_path(s), format);
    else
        printf("initialised an empty store in %s (format version %d)\n", mlops_store_path(s),
               format);
    mlops_store_close(s);
    return CLI_OK;
}

/* ---- put --------------------------------------------------------------------- */

/* Streams a file into the store through a blob writer so that a progress
 * bar can follow the bytes (only when stderr is a terminal: otherwise the
 * one-pass mlops_blob_put_file is used). */
static int put_with_progress(const cli_ctx *ctx, mlops_store *s, const char *path, uint64_t size,
                             mlops_digest *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cli_error(ctx, "cannot read '%s': %s", path, strerror(errno));
    mlops_blob_writer *w = NULL;
    int rc = mlops_blob_writer_open(s, &w);
    if (rc) {
        fclose(f);
        return cli_fail(ctx, rc, path);
    }
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        mlops_blob_writer_abort(w);
        return cli_error(ctx, "%s: out of memory", path);
    }
    progress *p = progress_start(1, "put", size, 1);
    uint64_t done = 0;
    size_t got;
    while ((got = fread(buf, 1, cap, f)) > 0) {
        rc = mlops_blob_writer_write(w, buf, got);
        if (rc) break;
        done += got;
        progress_set(p, done);
    }
    int read_error = ferror(f);
    int saved = errno;
    fclose(f);
    free(buf);
    progress_end(p);
    if (rc) {
        mlops_blob_writer_abort(w);
        return cli_fail(ctx, rc, path);
    }
    if (read_error) {
        mlops_blob_writer_abort(w);
        return cli_error(ctx, "cannot read '%s': %s", path, strerror(saved));
    }
    rc = mlops_blob_writer_commit(w, d);
    if (rc) return cli_fail(ctx, rc, path);
    return CLI_OK;
}

typedef struct tree_job {
    mlops_store *s;
    const char *dir;
    unsigned flags;
    mlops_digest *out;
    char err[1024];
} tree_job;

/* Runs on the spinner's thread: the library's message is thread-local, so
 * it is copied for the main thread. */
static int tree_put_job(void *arg)
{
    tree_job *j = arg;
    int rc = mlops_tree_put(j->s, j->dir, j->flags, j->out);
    if (rc) snprintf(j->err, sizeof j->err, "%s", mlops_last_error());
    return rc;
}

static int put_one(const cli_ctx *ctx, mlops_store *s, const char *path, int follow,
                   mlops_digest *d, int *is_tree)
{
    *is_tree = 0;
    if (strcmp(path, "-") == 0) {
        int rc = mlops_blob_put_file(s, "/dev/stdin", d);
        return rc ? cli_fail(ctx, rc, "standard input") : CLI_OK;
    }
    struct stat st;
    if (stat(path, &st) != 0) return cli_error(ctx, "cannot read '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        *is_tree = 1;
        tree_job job = { s, path, follow ? MLOPS_TREE_FOLLOW_SYMLINKS : 0u, d, "" };
        int rc = progress_spin(ctx->stderr_tty, "put", tree_put_job, &job);
        if (rc) return cli_error(ctx, "%s: %s (%s)", path, job.err, mlops_strerror(rc));
        return CLI_OK;
    }
    if (ctx->stderr_tty && S_ISREG(st.st_mode) && st.st_size >= (1 << 22))
        return put_with_progress(ctx, s, path, (uint64_t)st.st_size, d);
    int rc = mlops_blob_put_file(s, path, d);
    return rc ? cli_fail(ctx, rc, path) : CLI_OK;
}

typedef struct put_args {
    const char *ref;
    int as_json, follow;
} put_args;

static int put_all(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const put_args *a = arg;
    const char *ref = a->ref;
    int as_json = a->as_json, npos = ctx->nargs, rc;
    char **argv = ctx->args;
    listing out; /* the text form is a line per path */
    listing_begin(&out, as_json, 0, NULL, NULL);
    int status = CLI_OK;
    for (int i = 0; i < npos; i++) {
        mlops_digest d;
        int is_tree;
        if (put_one(ctx, s, argv[i], a->follow, &d, &is_tree) != CLI_OK) {
            status = CLI_FAIL;
            continue;
        }
        if (ref) {
            rc = mlops_ref_set(s, ref, &d);
            if (rc) {
                status = cli_fail(ctx, rc, "cannot set the reference");
                continue;
            }
        }
        char hex[MLOPS_DIGEST_STRLEN];
        cli_fmt_digest(&d, hex);
        json *j = listing_object(&out);
        if (j) {
            json_kv_string(j, "path", argv[i]);
            json_kv_string(j, "digest", hex);
            json_kv_string(j, "kind", is_tree ? "tree" : "blob");
            if (ref) json_kv_string(j, "ref", ref);
            json_end_object(j);
        } else {
            printf("%s  %s\n", hex, argv[i]);
        }
    }
    listing_end(&out);
    return status;
}

static int cmd_put(cli_ctx *ctx, int argc, char **argv)
{
    put_args a = { NULL, 0, 0 };
    int npos;
    const cli_opt opts[] = {
        { "ref", 'r', &a.ref, NULL },
        { "json", 0, NULL, &a.as_json },
        { "follow-symlinks", 'L', NULL, &a.follow },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 3, 1, -1, &npos);
    if (rc) return rc;
    if (a.ref && npos != 1) return cli_usage(ctx, "--ref names one PATH, not %d", npos);
    return cli_with_store(ctx, CLI_STORE_WRITE, put_all, &a);
}

/* ---- get and cat ------------------------------------------------------------- */

typedef struct get_job {
    mlops_store *s;
    const mlops_digest *d;
    const char *path;
    int tree;
    unsigned flags;
    const mlops_tree_get_opts *topts;
    char err[1024];
} get_job;

static int get_job_run(void *arg)
{
    get_job *j = arg;
    int rc = j->tree ? mlops_tree_get_ex(j->s, j->d, j->path, j->topts)
                     : mlops_blob_get_file_ex(j->s, j->d, j->path, j->flags);
    if (rc) snprintf(j->err, sizeof j->err, "%s", mlops_last_error());
    return rc;
}

/* A tree restore limit: a positive integer, or "none". */
static int parse_limit(const cli_ctx *ctx, const char *what, const char *text, uint64_t *out)
{
    if (!strcmp(text, "none")) {
        *out = UINT64_MAX;
        return CLI_OK;
    }
    int64_t v = 0;
    int rc = cli_parse_int(ctx, what, text, &v);
    if (rc) return rc;
    if (v < 1) return cli_usage(ctx, "%s must be at least 1 (or none)", what);
    *out = (uint64_t)v;
    return CLI_OK;
}

typedef struct get_args {
    const char *out, *max_entries, *max_bytes;
    int force, keep_modes, any_links;
    mlops_tree_get_opts topts;
} get_args;

static int get_one(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const get_args *a = arg;
    const char *name = ctx->args[0];
    mlops_digest d;
    int rc = cli_resolve_content(ctx, s, name, &d);
    if (rc) return rc;
    mlops_blob_info info = MLOPS_BLOB_INFO_INIT;
    if ((rc = cli_check(ctx, mlops_blob_stat(s, &d, &info), name))) return rc;
    int tree = info.kind == MLOPS_KIND_TREE;
    if (tree && a->force)
        return cli_usage(ctx, "--force applies to blobs only: a tree is restored into a new directory");
    if (!tree && (a->keep_modes || a->any_links || a->max_entries || a->max_bytes))
        return cli_usage(ctx, "--keep-modes, --any-links, --max-entries and --max-bytes apply to "
                              "trees only");
    get_job job = { s, &d, a->out, tree, a->force ? MLOPS_GET_REPLACE : 0u, &a->topts, "" };
    rc = progress_spin(ctx->stderr_tty, "get", get_job_run, &job);
    if (rc) return cli_error(ctx, "%s: %s (%s)", name, job.err, mlops_strerror(rc));
    return CLI_OK;
}

static int cmd_get(cli_ctx *ctx, int argc, char **argv)
{
    get_args a = { NULL, NULL, NULL, 0, 0, 0, MLOPS_TREE_GET_OPTS_INIT };
    int npos;
    const cli_opt opts[] = {
        { "output", 'o', &a.out, NULL },
        { "force", 'f', NULL, &a.force },
        { "keep-modes", 0, NULL, &a.keep_modes },
        { "any-links", 0, NULL, &a.any_links },
        { "max-entries", 0, &a.max_entries, NULL },
        { "max-bytes", 0, &a.max_bytes, NULL },
    };
    int rc = cli_parse(ctx, argc, argv, opts, sizeof opts / sizeof opts[0], 1, 1, &npos);
    if (rc) return rc;
    if (!a.out) return cli_usage(ctx, "missing -o PATH");
    /* The CLI restores what others sent: links stay inside PATH unless
     * asked otherwise (the library's default keeps every link). */
    a.topts.keep_modes = a.keep_modes;
    a.topts.links = a.any_links ? MLOPS_TREE_LINKS_KEEP : MLOPS_TREE_LINKS_CONTAINED;
    if (a.max_entries &&
        (rc = parse_limit(ctx, "--max-entries", a.max_entries, &a.topts.max_entries)))
        return rc;
    if (a.max_bytes && (rc = parse_limit(ctx, "--max-bytes", a.max_bytes, &a.topts.max_bytes)))
        return rc;
    return cli_with_store(ctx, CLI_STORE_READ, get_one, &a);
}

/* Bytes of the output per write() at most. */
#define CAT_PIECE ((size_t)64 << 10)

static int cat_one(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    (void)arg;
    char **argv = ctx->args;
    int rc;
    mlops_digest d;
    mlops_blob_reader *r = NULL;
    char *buf = NULL;
    if ((rc = cli_resolve_content(ctx, s, argv[0], &d))) goto done;
    mlops_blob_info info = MLOPS_BLOB_INFO_INIT;
    if ((rc = cli_check(ctx, mlops_blob_stat(s, &d, &info), argv[0]))) goto done;
    /* A tree's bytes are its encoding, no file's: it used to be written
     * out as if it were one. */
    if (info.kind == MLOPS_KIND_TREE) {
        rc = cli_error(ctx, "'%s' is a tree, not a blob: 'mlops get %s -o DIR' restores it",
                       argv[0], argv[0]);
        goto done;
    }
    rc = mlops_blob_reader_open(s, &d, &r);
    if (rc) {
        rc = cli_fail(ctx, rc, argv[0]);
        goto done;
    }
    size_t cap = 1 << 20, got;
    buf = malloc(cap);
    if (!buf) {
        rc = cli_error(ctx, "out of memory");
        goto done;
    }
    if (fflush(stdout) != 0) {
        rc = cli_error(ctx, "cannot write the output: %s", strerror(errno));
        goto done;
    }
    for (;;) {
        rc = mlops_blob_reader_read(r, buf, cap, &got);
        /* 64 KiB per write(), as the library writes files (lib/util/fs.c:
         * a large write makes the kernel find large pages for a file),
         * and past stdio, which would split each into 4 KiB and the rest. */
        for (size_t at = 0; at < got;) {
            ssize_t n = write(STDOUT_FILENO, buf + at, got - at < CAT_PIECE ? got - at : CAT_PIECE);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                rc = cli_error(ctx, "cannot write the output: %s", strerror(errno));
                goto done;
            }
            at += (size_t)n;
        }
        if (rc) {
            rc = cli_fail(ctx, rc, argv[0]);
            goto done;
        }
        if (got == 0) break;
    }
    rc = CLI_OK;
done:
    free(buf);
    mlops_blob_reader_close(r);
    return rc;
}

static int cmd_cat(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run(ctx, argc, argv, NULL, 0, 1, 1, CLI_STORE_READ, cat_one, NULL);
}

/* ---- stat and ls ---------------------------------------------------------------- */

static void json_info(json *j, const char *digest, const mlops_blob_info *info)
{
    json_begin_object(j);
    json_kv_string(j, "digest", digest);
    json_kv_string(j, "kind", kind_name(info->kind));
    json_kv_uint(j, "size", info->size);
    json_kv_uint(j, "stored", info->stored);
    json_kv_uint(j, info->kind == MLOPS_KIND_TREE ? "entries" : "chunks", info->chunks);
    json_kv_string(j, "encoding", encoding_name(info->encoding));
    json_kv_uint(j, "zstd_chunks", info->zstd_chunks);
    json_kv_int(j, "created_ms", info->created_ms);
    json_end_object(j);
}

static int stat_store(const cli_ctx *ctx, mlops_store *s, int as_json)
{
    mlops_blob_iter *it = NULL;
    int rc = mlops_blob_list_open(s, 0, &it);
    if (rc) return cli_fail(ctx, rc, "cannot list the store");
    uint64_t blobs = 0, trees = 0, size = 0, stored = 0;
    mlops_digest d;
    mlops_blob_info info = MLOPS_BLOB_INFO_INIT;
    while ((rc = mlops_blob_list_next(it, &d, &info)) == MLOPS_OK) {
        if (info.kind == MLOPS_KIND_TREE) {
            trees++;
        } else {
            blobs++;
            size += info.size;
        }
        stored += info.stored;
    }
    mlops_blob_list_close(it);
    if (rc != MLOPS_ITEROVER) return cli_fail(ctx, rc, "cannot list the store");
    int format = 0;
    mlops_store_format_version(s, &format);
    if (as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "path", mlops_store_path(s));
        json_kv_int(&j, "format_version", format);
        json_kv_uint(&j, "blobs", blobs);
        json_kv_uint(&j, "trees", trees);
        json_kv_uint(&j, "blob_bytes", size);
        json_kv_uint(&j, "stored_bytes", stored);
        json_end_object(&j);
        json_finish(&j);
        return CLI_OK;
    }
    char a[32], b[32];
    cli_fmt_size(size, a, sizeof a);
    cli_fmt_size(stored, b, sizeof b);
    printf("store:           %s\n", mlops_store_path(s));
    printf("format version:  %d\n", format);
    printf("blobs:           %llu (%s)\n", (unsigned long long)blobs, a);
    printf("trees:           %llu\n", (unsigned long long)trees);
    printf("stored:          %s (object files; chunks shared by blobs counted in each)\n", b);
    return CLI_OK;
}

static int stat_all(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    int as_json = *(const int *)arg, npos = ctx->nargs, rc;
    char **argv = ctx->args;
    if (npos == 0) return stat_store(ctx, s, as_json);
    listing out; /* the text form is a block per digest */
    listing_begin(&out, as_json, 0, NULL, NULL);
    int status = CLI_OK;
    for (int i = 0; i < npos; i++) {
        mlops_digest d;
        if (cli_resolve_content(ctx, s, argv[i], &d) != CLI_OK) {
            status = CLI_FAIL;
            continue;
        }
        mlops_blob_info info = MLOPS_BLOB_INFO_INIT;
        rc = mlops_blob_stat(s, &d, &info);
        if (rc) {
            status = cli_fail(ctx, rc, argv[i]);
            continue;
        }
        char hex[MLOPS_DIGEST_STRLEN], size[32], stored[32], when[32];
        cli_fmt_digest(&d, hex);
        if (as_json) {
            json_info(&out.j, hex, &info);
            continue;
        }
        cli_fmt_size(info.size, size, sizeof size);
        cli_fmt_size(info.stored, stored, sizeof stored);
        cli_fmt_time(info.created_ms, when, sizeof when);
        printf("digest:    %s\n", hex);
        printf("kind:      %s\n", kind_name(info.kind));
        printf("size:      %llu bytes (%s)\n", (unsigned long long)info.size, size);
        printf("stored:    %llu bytes (%s)\n", (unsigned long long)info.stored, stored);
        if (info.kind == MLOPS_KIND_TREE)
            printf("entries:   %llu\n", (unsigned long long)info.chunks);
        else
            printf("chunks:    %llu (%llu compressed), %s\n", (unsigned long long)info.chunks,
                   (unsigned long long)info.zstd_chunks, encoding_name(info.encoding));
        printf("created:   %s UTC\n", when);
        if (i + 1 < npos) putchar('\n');
    }
    listing_end(&out);
    return status;
}

static int cmd_stat(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 0, -1, CLI_STORE_READ, stat_all);
}

typedef struct ls_args {
    int as_json, blobs, trees;
} ls_args;

static int ls_all(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const ls_args *a = arg;
    mlops_blob_iter *it = NULL;
    int rc = mlops_blob_list_open(s, a->blobs ? MLOPS_KIND_BLOB : a->trees ? MLOPS_KIND_TREE : 0, &it);
    if (rc) return cli_fail(ctx, rc, "cannot list the store");
    static const char *const headers[] = { "DIGEST", "KIND", "SIZE", "STORED", "CREATED" };
    static const int right[] = { 2, 3, -1 };
    listing out;
    listing_begin(&out, a->as_json, 5, headers, right);
    mlops_digest d;
    mlops_blob_info info = MLOPS_BLOB_INFO_INIT;
    while ((rc = mlops_blob_list_next(it, &d, &info)) == MLOPS_OK) {
        char hex[MLOPS_DIGEST_STRLEN], size[32], stored[32], when[32];
        cli_fmt_digest(&d, hex);
        if (a->as_json) {
            json_info(&out.j, hex, &info);
            continue;
        }
        cli_fmt_size(info.size, size, sizeof size);
        cli_fmt_size(info.stored, stored, sizeof stored);
        cli_fmt_time(info.created_ms, when, sizeof when);
        table_cell(out.t, hex);
        table_cell(out.t, kind_name(info.kind));
        table_cell(out.t, size);
        table_cell(out.t, stored);
        table_cell(out.t, when);
    }
    mlops_blob_list_close(it);
    return listing_close(&out, ctx, rc, MLOPS_ITEROVER, "cannot list the store");
}

static int cmd_ls(cli_ctx *ctx, int argc, char **argv)
{
    ls_args a = { 0, 0, 0 };
    int npos;
    const cli_opt opts[] = {
        { "json", 0, NULL, &a.as_json },
        { "blobs", 0, NULL, &a.blobs },
        { "trees", 0, NULL, &a.trees },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 3, 0, 0, &npos);
    if (rc) return rc;
    if (a.blobs && a.trees) return cli_usage(ctx, "--blobs and --trees exclude each other");
    return cli_with_store(ctx, CLI_STORE_READ, ls_all, &a);
}

/* ---- fsck and gc ------------------------------------------------------------------ */

typedef struct fsck_job {
    mlops_store *s;
    mlops_fsck_opts opts;
    mlops_fsck_report report;
    int as_json;
    char err[1024];
} fsck_job;

static int fsck_job_run(void *arg)
{
    fsck_job *j = arg;
    int rc = mlops_store_fsck(j->s, &j->opts, &j->report);
    if (rc && rc != MLOPS_ECORRUPT) snprintf(j->err, sizeof j->err, "%s", mlops_last_error());
    return rc;
}

/* Runs fsck behind a spinner and prints its report. */
static int fsck_run(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    fsck_job *job = arg;
    job->s = s;
    int rc = progress_spin(ctx->stderr_tty, "fsck", fsck_job_run, job);
    int as_json = job->as_json;
    if (rc && rc != MLOPS_ECORRUPT)
        return cli_error(ctx, "%s (%s)", job->err, mlops_strerror(rc));
    const mlops_fsck_report *r = &job->report;
    if (as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_bool(&j, "ok", rc == MLOPS_OK);
        json_kv_uint(&j, "objects", r->objects);
        json_kv_uint(&j, "checked", r->checked);
        json_kv_uint(&j, "bytes_checked", r->bytes_checked);
        json_kv_uint(&j, "corrupt", r->corrupt);
        json_kv_uint(&j, "missing", r->missing);
        json_kv_uint(&j, "quarantined", r->quarantined);
        json_kv_uint(&j, "orphans", r->orphans);
        json_key(&j, "issues");
        json_begin_array(&j);
        for (size_t i = 0; i < r->nissues; i++) {
            char hex[MLOPS_DIGEST_STRLEN];
            cli_fmt_digest(&r->issues[i].digest, hex);
            json_begin_object(&j);
            json_kv_string(&j, "digest", hex);
            json_kv_string(&j, "problem",
                           r->issues[i].problem == MLOPS_FSCK_MISSING ? "missing" : "corrupt");
            json_end_object(&j);
        }
        json_end_array(&j);
        json_end_object(&j);
        json_finish(&j);
    } else {
        char bytes[32];
        cli_fmt_size(r->bytes_checked, bytes, sizeof bytes);
        printf("checked %llu of %llu objects (%s): %llu corrupt, %llu missing, %llu quarantined",
               (unsigned long long)r->checked, (unsigned long long)r->objects, bytes,
               (unsigned long long)r->corrupt, (unsigned long long)r->missing,
               (unsigned long long)r->quarantined);
        if (r->orphans) printf(", %llu orphan files (gc removes them)", (unsigned long long)r->orphans);
        putchar('\n');
        for (size_t i = 0; i < r->nissues; i++) {
            char hex[MLOPS_DIGEST_STRLEN];
            cli_fmt_digest(&r->issues[i].digest, hex);
            printf("%-8s %s\n", r->issues[i].problem == MLOPS_FSCK_MISSING ? "missing" : "corrupt",
                   hex);
        }
    }
    mlops_free(job->report.issues);
    if (rc == MLOPS_ECORRUPT)
        return cli_error(ctx, "the store is damaged: %llu corrupt, %llu missing objects",
                         (unsigned long long)r->corrupt, (unsigned long long)r->missing);
    return CLI_OK;
}

static int cmd_fsck(cli_ctx *ctx, int argc, char **argv)
{
    const char *sample = NULL;
    int no_quarantine = 0, as_json = 0, npos;
    const cli_opt opts[] = {
        { "sample", 0, &sample, NULL },
        { "no-quarantine", 0, NULL, &no_quarantine },
        { "json", 0, NULL, &as_json },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 3, 0, 0, &npos);
    if (rc) return rc;
    fsck_job job;
    memset(&job, 0, sizeof job);
    mlops_fsck_opts_init(&job.opts, MLOPS_FSCK_OPTS_VERSION);
    mlops_fsck_report_init(&job.report, MLOPS_FSCK_REPORT_VERSION);
    if (sample) {
        if ((rc = cli_parse_double(ctx, "--sample", sample, &job.opts.sample))) return rc;
        if (!(job.opts.sample > 0.0 && job.opts.sample <= 1.0))
            return cli_usage(ctx, "--sample must be in (0, 1], not %s", sample);
    }
    job.opts.quarantine = !no_quarantine;
    job.as_json = as_json;
    return cli_with_store(ctx, no_quarantine ? CLI_STORE_READ : CLI_STORE_WRITE, fsck_run, &job);
}

typedef struct gc_job {
    mlops_store *s;
    mlops_gc_opts opts;
    mlops_gc_report report;
    int as_json;
    char err[1024];
} gc_job;

static int gc_job_run(void *arg)
{
    gc_job *j = arg;
    int rc = mlops_store_gc(j->s, &j->opts, &j->report);
    if (rc) snprintf(j->err, sizeof j->err, "%s", mlops_last_error());
    return rc;
}

/* Runs gc behind a spinner and prints its report. */
static int gc_run(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    gc_job *job = arg;
    job->s = s;
    int rc = progress_spin(ctx->stderr_tty, "gc", gc_job_run, job);
    if (rc) return cli_error(ctx, "%s (%s)", job->err, mlops_strerror(rc));
    const mlops_gc_report *r = &job->report;
    int dry_run = job->opts.dry_run;
    if (job->as_json) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_bool(&j, "dry_run", dry_run);
        json_kv_uint(&j, "contents", r->contents);
        json_kv_uint(&j, "objects", r->objects);
        json_kv_uint(&j, "bytes", r->bytes);
        json_kv_uint(&j, "orphans", r->orphans);
        json_kv_uint(&j, "kept_contents", r->kept_contents);
        json_kv_uint(&j, "kept_objects", r->kept_objects);
        json_end_object(&j);
        json_finish(&j);
        return CLI_OK;
    }
    char bytes[32];
    cli_fmt_size(r->bytes, bytes, sizeof bytes);
    printf("%s %llu blobs and trees (%llu object files, %s) and %llu orphan files; kept %llu "
           "blobs and trees (%llu object files)\n",
           dry_run ? "would delete" : "deleted", (unsigned long long)r->contents,
           (unsigned long long)r->objects, bytes, (unsigned long long)r->orphans,
           (unsigned long long)r->kept_contents, (unsigned long long)r->kept_objects);
    return CLI_OK;
}

static int cmd_gc(cli_ctx *ctx, int argc, char **argv)
{
    const char *grace = NULL;
    int dry_run = 0, as_json = 0, npos;
    const cli_opt opts[] = {
        { "dry-run", 'n', NULL, &dry_run },
        { "grace", 0, &grace, NULL },
        { "json", 0, NULL, &as_json },
    };
    int rc = cli_parse(ctx, argc, argv, opts, 3, 0, 0, &npos);
    if (rc) return rc;
    gc_job job;
    memset(&job, 0, sizeof job);
    mlops_gc_opts_init(&job.opts, MLOPS_GC_OPTS_VERSION);
    mlops_gc_report_init(&job.report, MLOPS_GC_REPORT_VERSION);
    job.opts.dry_run = dry_run;
    job.as_json = as_json;
    if (grace) {
        double seconds;
        if ((rc = cli_parse_double(ctx, "--grace", grace, &seconds))) return rc;
        if (!(seconds >= 0.0 && seconds < 1e12))
            return cli_usage(ctx, "--grace is a number of seconds >= 0, not %s", grace);
        job.opts.grace_ms = (int64_t)(seconds * 1000.0);
    }
    return cli_with_store(ctx, dry_run ? CLI_STORE_READ : CLI_STORE_WRITE, gc_run, &job);
}

/* ---- ref -------------------------------------------------------------------------- */

static int ref_set(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    return cli_check(ctx, mlops_ref_set(s, ctx->args[0], arg), ctx->args[0]);
}

static int cmd_ref_set(cli_ctx *ctx, int argc, char **argv)
{
    int npos;
    int rc = cli_parse(ctx, argc, argv, NULL, 0, 2, 2, &npos);
    if (rc) return rc;
    mlops_digest d;
    if ((rc = cli_parse_digest(ctx, argv[1], &d))) return rc;
    return cli_with_store(ctx, CLI_STORE_WRITE, ref_set, &d);
}

static int ref_get(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    const char *name = ctx->args[0];
    mlops_digest d;
    int rc = cli_check(ctx, mlops_ref_get(s, name, &d), name);
    if (rc) return rc;
    char hex[MLOPS_DIGEST_STRLEN];
    cli_fmt_digest(&d, hex);
    if (*(const int *)arg) {
        json j;
        json_init(&j, stdout);
        json_begin_object(&j);
        json_kv_string(&j, "name", name);
        json_kv_string(&j, "digest", hex);
        json_end_object(&j);
        json_finish(&j);
    } else {
        printf("%s\n", hex);
    }
    return CLI_OK;
}

static int cmd_ref_get(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 1, 1, CLI_STORE_READ, ref_get);
}

static int ref_ls(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    mlops_ref_iter *it = NULL;
    int rc = mlops_ref_list_open(s, ctx->nargs ? ctx->args[0] : NULL, &it);
    if (rc) return cli_fail(ctx, rc, "cannot list the references");
    static const char *const headers[] = { "NAME", "DIGEST" };
    listing out;
    listing_begin(&out, *(const int *)arg, 2, headers, NULL);
    const char *name;
    mlops_digest d;
    while ((rc = mlops_ref_list_next(it, &name, &d)) == MLOPS_OK) {
        char hex[MLOPS_DIGEST_STRLEN];
        cli_fmt_digest(&d, hex);
        json *j = listing_object(&out);
        if (j) {
            json_kv_string(j, "name", name);
            json_kv_string(j, "digest", hex);
            json_end_object(j);
        } else {
            table_cell(out.t, name);
            table_cell(out.t, hex);
        }
    }
    mlops_ref_list_close(it);
    return listing_close(&out, ctx, rc, MLOPS_ITEROVER, "cannot list the references");
}

static int cmd_ref_ls(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run_json(ctx, argc, argv, 0, 1, CLI_STORE_READ, ref_ls);
}

static int ref_rm(const cli_ctx *ctx, mlops_store *s, void *arg)
{
    (void)arg;
    return cli_check(ctx, mlops_ref_delete(s, ctx->args[0]), ctx->args[0]);
}

static int cmd_ref_rm(cli_ctx *ctx, int argc, char **argv)
{
    return cli_run(ctx, argc, argv, NULL, 0, 1, 1, CLI_STORE_WRITE, ref_rm, NULL);
}

const cli_command cli_artifact_commands[] = {
    { "init", cmd_init, "[--metadata URI [--schema NAME]] [--objects DIR|s3://BUCKET/PREFIX] [DIR]",
      "Create a store",
      "Creates the store DIR (default: the -C directory, else $MLOPS_STORE, else\n"
      "./.mlops) and its layout. On an existing store it changes nothing and says so.\n"
      "  --metadata URI   keep the metadata in PostgreSQL (postgresql://USER@HOST/DB or\n"
      "                   a libpq \"key=value\" string, without a password: libpq reads\n"
      "                   it from PGPASSWORD, ~/.pgpass or PGSERVICEFILE); DIR must be\n"
      "                   new or empty and gets an mlops.conf naming the backends, so\n"
      "                   every program that opens DIR uses them\n"
      "  --schema NAME    the PostgreSQL schema that is this store (default mlops;\n"
      "                   several stores can share a database)\n"
      "  --objects DIR    the folder for the objects (default: the store directory;\n"
      "                   with --metadata only); every host of the team must reach\n"
      "                   it at the same path\n"
      "  --objects s3://BUCKET/PREFIX\n"
      "                   keep the objects on S3 or an S3-compatible server (with\n"
      "                   either metadata); endpoint, region and credentials come\n"
      "                   from the AWS environment (AWS_ENDPOINT_URL_S3,\n"
      "                   AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or\n"
      "                   AWS_PROFILE), never from the store (doc/s3.md)\n" },
    { "put", cmd_put, "PATH...", "Store files or directories; print their digests",
      "Stores each PATH (a file, a directory, or - for standard input) and prints\n"
      "\"DIGEST  PATH\" per line. A directory is stored as a tree. Content already in\n"
      "the store is not stored again.\n\n"
      "Options:\n"
      "  -r, --ref NAME           point reference NAME at the content (one PATH only)\n"
      "  -L, --follow-symlinks    store what symlinks in directories point to\n"
      "  --json                   print a JSON array of {path, digest, kind}\n" },
    { "get", cmd_get, "DIGEST|REF -o PATH", "Write a blob to a file, a tree to a directory",
      "Writes blob DIGEST to the new file PATH, or restores tree DIGEST into the new\n"
      "directory PATH. Every byte is verified first; PATH never holds partial content.\n\n"
      "Options:\n"
      "  -o, --output PATH        where to write (required)\n"
      "  -f, --force              replace an existing file (blobs only)\n\n"
      "Trees: each distinct subtree is checked once and the expanded tree is refused\n"
      "beyond the limits or the free space of PATH's file system, before anything is\n"
      "written. Permission bits are restored less the umask, and a symlink that is\n"
      "absolute, climbs above PATH or has '..' after a name is refused.\n"
      "  --max-entries N          entries the restore may create (default 10000000;\n"
      "                           none: no limit)\n"
      "  --max-bytes N            file bytes it may write (default 1 TiB; none)\n"
      "  --keep-modes             restore permission bits as stored, ignoring the umask\n"
      "  --any-links              restore every symlink as stored\n" },
    { "cat", cmd_cat, "DIGEST|REF", "Write a blob to standard output",
      "Streams the blob's verified bytes to standard output.\n" },
    { "stat", cmd_stat, "[DIGEST|REF...]", "Describe blobs and trees, or the store",
      "With digests: kind, size, bytes on disk, chunks and encoding of each. Without:\n"
      "the store's path, format version and totals.\n\n"
      "Options:\n"
      "  --json                   print JSON\n" },
    { "ls", cmd_ls, "", "List the blobs and trees in the store",
      "Options:\n"
      "  --blobs                  only blobs\n"
      "  --trees                  only trees\n"
      "  --json                   print a JSON array\n" },
    { "fsck", cmd_fsck, "", "Verify every object of the store",
      "Re-hashes the store's objects and reports corrupt and missing ones; corrupt\n"
      "object files are moved to <store>/quarantine/. Exits 1 when any is damaged.\n\n"
      "Options:\n"
      "  --sample F               check a random fraction F in (0, 1] of the objects\n"
      "  --no-quarantine          only report (opens the store read-only)\n"
      "  --json                   print JSON\n" },
    { "gc", cmd_gc, "", "Delete content nothing refers to",
      "Deletes blobs and trees that no reference, run output or model version\n"
      "reaches, except what was stored or referenced within the grace period.\n\n"
      "Options:\n"
      "  -n, --dry-run            report what would be deleted, delete nothing\n"
      "  --grace SECONDS          keep what is newer than this (default 3600)\n"
      "  --json                   print JSON\n" },
    { "ref", NULL, "", "Named references to content (kept by gc)", "" },
    { "ref set", cmd_ref_set, "NAME DIGEST", "Point reference NAME at DIGEST", "" },
    { "ref get", cmd_ref_get, "NAME", "Print the digest NAME points at",
      "Options:\n  --json                   print JSON\n" },
    { "ref ls", cmd_ref_ls, "[PREFIX]", "List references (starting with PREFIX)",
      "Options:\n  --json                   print a JSON array\n" },
    { "ref rm", cmd_ref_rm, "NAME", "Remove reference NAME (content stays until gc)", "" },
    { NULL, NULL, NULL, NULL, NULL },
};
