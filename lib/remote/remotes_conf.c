/* remotes.conf: the remotes a store knows, one "remote NAME URL" a line
 * after "format 1" (doc/format.md, "remotes.conf"). A file of its own
 * beside mlops.conf rather than keys in it: mlops.conf is written once
 * and names where the store itself lives, and a library that predates
 * remotes refuses unknown keys there, while it never reads this file. */
#include "remote/remote_internal.h"
#include "objects/local/local.h"
#ifdef MLOPS_HAVE_S3
#include "objects/s3/s3_objects.h"
#endif
#include "util/buf.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REMOTES_FORMAT 1
#define REMOTES_MAX (256 * 1024)
#define URL_MAX 1024

struct mlops_remotes {
    mlops__remote_entry *e;
    size_t n;
};

void mlops__remotes_free(mlops__remote_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].url);
    }
    free(e);
}

static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > MLOPS__REMOTE_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int url_ok(const char *url)
{
    size_t n = strlen(url);
    if (n == 0 || n > URL_MAX || !mlops__utf8_valid(url, n)) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] < 0x20) return 0;
    return 1;
}

static int bad(const char *path, int line, const char *why)
{
    return mlops__err(MLOPS_EFORMAT, "remotes file '%s', line %d: %s", path, line, why);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const mlops__remote_entry *)a)->name, ((const mlops__remote_entry *)b)->name);
}

static int parse(char *text, const char *path, mlops__remote_entry **out, size_t *nout)
{
    mlops__remote_entry *e = NULL;
    size_t n = 0, cap = 0;
    int line = 0, have_format = 0, rc = MLOPS_OK;
    for (char *p = text; *p && !rc;) {
        char *eol = strchr(p, '\n');
        if (eol) *eol = '\0';
        line++;
        char *key = p;
        p = eol ? eol + 1 : p + strlen(p);
        if (!key[0] || key[0] == '#') continue;
        char *sp = strchr(key, ' ');
        if (!sp || !sp[1]) {
            rc = bad(path, line, "expected \"key value\"");
            break;
        }
        *sp = '\0';
        char *value = sp + 1;
        if (!have_format) {
            if (strcmp(key, "format")) rc = bad(path, line, "the first key must be \"format\"");
            else if (strcmp(value, "1"))
                rc = mlops__err(MLOPS_EUNSUPPORTED,
                                "remotes file '%s' has format %.20s; this library (%s) reads "
                                "format %d",
                                path, value, MLOPS_VERSION_STRING, REMOTES_FORMAT);
            have_format = 1;
            continue;
        }
        if (strcmp(key, "remote")) {
            rc = mlops__err(MLOPS_EUNSUPPORTED,
                            "remotes file '%s', line %d: unknown key \"%.40s\" (written by a "
                            "newer libmlops?)",
                            path, line, key);
            break;
        }
        char *url = strchr(value, ' ');
        if (!url) {
            rc = bad(path, line, "expected \"remote NAME URL\"");
            break;
        }
        *url++ = '\0';
        if (!name_ok(value) || !url_ok(url)) {
            rc = bad(path, line, "a remote's name or URL is not valid");
            break;
        }
        for (size_t i = 0; i < n; i++)
            if (!strcmp(e[i].name, value)) rc = bad(path, line, "a remote's name appears twice");
        if (rc) break;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            mlops__remote_entry *ne = realloc(e, nc * sizeof *ne);
            if (!ne) {
                rc = mlops__err_nomem("reading the remotes");
                break;
            }
            e = ne;
            cap = nc;
        }
        e[n].name = mlops__strdup(value);
        e[n].url = mlops__strdup(url);
        n++;
        if (!e[n - 1].name || !e[n - 1].url) rc = mlops__err_nomem("reading the remotes");
    }
    if (!rc && !have_format && line) rc = bad(path, line, "no \"format\" line");
    if (rc) {
        mlops__remotes_free(e, n);
        return rc;
    }
    if (n) qsort(e, n, sizeof *e, cmp_entry);
    *out = e;
    *nout = n;
    return MLOPS_OK;
}

int mlops__remotes_read(const char *dir, mlops__remote_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *path = mlops__path_join(dir, MLOPS__REMOTES_NAME);
    if (!path) return mlops__err_nomem("reading the remotes");
    char *text;
    int rc = mlops__read_text_file(path, REMOTES_MAX, "remotes file", &text);
    if (!rc && text) rc = parse(text, path, out, n);
    free(text);
    free(path);
    return rc;
}

/* Replaces remotes.conf with e[0..n): a temp file renamed over it. */
static int remotes_write(const char *dir, const mlops__remote_entry *e, size_t n)
{
    mlops__buf b = MLOPS__BUF_INIT;
    mlops__buf_addf(&b,
                    "# libmlops: the remotes of this store (doc/remotes.md). No secrets here:\n"
                    "# S3 credentials come from the AWS environment (doc/s3.md).\n"
                    "format %d\n",
                    REMOTES_FORMAT);
    for (size_t i = 0; i < n; i++) mlops__buf_addf(&b, "remote %s %s\n", e[i].name, e[i].url);
    char *text = NULL;
    int rc = mlops__buf_take(&b, &text, "the remotes file");
    if (rc) return rc;
    int fd = -1;
    char *tmp = NULL;
    char *path = mlops__path_join(dir, MLOPS__REMOTES_NAME);
    if (!path) rc = mlops__err_nomem("writing the remotes");
    if (!rc) rc = mlops__tmpfile(dir, &fd, &tmp);
    if (!rc) rc = mlops__write_all(fd, text, strlen(text), tmp);
    if (!rc) rc = mlops__fsync_fd(fd, tmp);
    if (fd >= 0) close(fd);
    if (!rc && rename(tmp, path) != 0)
        rc = mlops__err_os(MLOPS_EIO, errno, "cannot rename '%s' to '%s'", tmp, path);
    if (!rc) rc = mlops__fsync_dir(dir);
    if (rc && tmp) unlink(tmp);
    free(tmp);
    free(path);
    free(text);
    return rc;
}

/* Whether url has a "user:password@" before its host or bucket. */
static int has_userinfo(const char *url)
{
    const char *a = strstr(url, "://");
    if (!a) return 0;
    a += 3;
    return memchr(a, '@', strcspn(a, "/")) != NULL;
}

/* url as recorded: s3:// as given, a folder made absolute. */
static int canonical_url(const char *fn, const char *url, char **out)
{
    *out = NULL;
    /* Before anything quotes it: the part before '@' may be a secret. */
    if (has_userinfo(url))
        return mlops__err(MLOPS_EINVAL,
                          "%s: the remote URL holds a user name or password before '@' (not "
                          "repeated here); it would be written into remotes.conf. Give S3 "
                          "credentials through AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
                          "~/.aws (doc/remotes.md)",
                          fn);
    if (!url_ok(url) || strchr(url, ' ') == url)
        return mlops__err(MLOPS_EINVAL, "%s: '%.80s' is not a remote URL", fn, url);
    if (mlops__objects_is_s3_url(url) || url[0] == '/') {
        *out = mlops__strdup(url);
    } else if (strstr(url, "://")) {
        return mlops__err(MLOPS_EINVAL,
                          "%s: '%.80s': a remote is s3://BUCKET[/PREFIX] or a directory", fn,
                          url);
    } else {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            return mlops__err_os(MLOPS_EIO, errno, "%s: cannot read the current directory", fn);
        *out = mlops__path_join(cwd, url);
        /* What is recorded must read back: the current directory in
         * front may take it past URL_MAX (or bring a control character). */
        if (*out && !url_ok(*out)) {
            int rc = mlops__err(MLOPS_EINVAL, "%s: '%.80s' taken from the current directory is not "
                                              "a remote URL of at most %d bytes without control "
                                              "characters", fn, url, URL_MAX);
            free(*out);
            *out = NULL;
            return rc;
        }
    }
    return *out ? MLOPS_OK : mlops__err_nomem("adding a remote");
}

MLOPS_API int mlops_remote_add(mlops_store *s, const char *name, const char *url)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!name) return mlops__err_null(__func__, "name");
    if (!url) return mlops__err_null(__func__, "url");
    if (!name_ok(name))
        return mlops__err(MLOPS_EINVAL,
                          "%s: remote name '%.80s' is not valid (1 to %d of A-Z a-z 0-9 . _ -)",
                          __func__, name, MLOPS__REMOTE_NAME_MAX);
    int rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    char *canon = NULL;
    rc = canonical_url(__func__, url, &canon);
    if (rc) return rc;
    mlops__remote_entry *e = NULL;
    size_t n = 0;
    rc = mlops__remotes_read(s->path, &e, &n);
    for (size_t i = 0; !rc && i < n; i++)
        if (!strcmp(e[i].name, name))
            rc = mlops__err(MLOPS_EEXIST, "%s: the store has a remote '%s' already (%s)",
                            __func__, name, e[i].url);
    mlops__remote_entry *ne = NULL;
    if (!rc && !(ne = realloc(e, (n + 1) * sizeof *ne))) rc = mlops__err_nomem("adding a remote");
    if (!rc) {
        e = ne;
        e[n].name = (char *)name;
        e[n].url = canon;
        rc = remotes_write(s->path, e, n + 1);
        e[n].name = NULL;
        e[n].url = NULL;
    }
    mlops__remotes_free(e, n);
    free(canon);
    return rc;
}

MLOPS_API int mlops_remote_remove(mlops_store *s, const char *name)
{
    if (!s) return mlops__err_null(__func__, "s");
    if (!name) return mlops__err_null(__func__, "name");
    int rc = mlops__store_check_writable(s, __func__);
    if (rc) return rc;
    mlops__remote_entry *e = NULL;
    size_t n = 0;
    rc = mlops__remotes_read(s->path, &e, &n);
    size_t at = n;
    for (size_t i = 0; !rc && i < n; i++)
        if (!strcmp(e[i].name, name)) at = i;
    if (!rc && at == n)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: the store has no remote '%.80s'", __func__, name);
    if (!rc) {
        mlops__remote_entry gone = e[at];
        memmove(e + at, e + at + 1, (n - at - 1) * sizeof *e);
        e[n - 1] = gone;
        rc = remotes_write(s->path, e, n - 1);
    }
    mlops__remotes_free(e, n);
    return rc;
}

MLOPS_API int mlops_remote_list(mlops_store *s, mlops_remotes **out)
{
    if (out) *out = NULL;
    if (!s) return mlops__err_null(__func__, "s");
    if (!out) return mlops__err_null(__func__, "out");
    mlops_remotes *l = calloc(1, sizeof *l);
    if (!l) return mlops__err_nomem("listing remotes");
    int rc = mlops__remotes_read(s->path, &l->e, &l->n);
    if (rc) {
        free(l);
        return rc;
    }
    *out = l;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_remotes_count(const mlops_remotes *l)
{
    return l ? l->n : 0;
}

MLOPS_API int mlops_remotes_at(const mlops_remotes *l, size_t i, const char **name,
                               const char **url)
{
    if (!l) return mlops__err_null(__func__, "l");
    if (i >= l->n)
        return mlops__err(MLOPS_EINVAL, "%s: index %zu is past the %zu remotes", __func__, i,
                          l->n);
    if (name) *name = l->e[i].name;
    if (url) *url = l->e[i].url;
    return MLOPS_OK;
}

MLOPS_API void mlops_remotes_free(mlops_remotes *l)
{
    if (!l) return;
    mlops__remotes_free(l->e, l->n);
    free(l);
}

int mlops__remote_open(const char *fn, mlops_store *s, const char *name, int create,
                       mlops__objects **out)
{
    *out = NULL;
    mlops__remote_entry *e = NULL;
    size_t n = 0;
    int rc = mlops__remotes_read(s->path, &e, &n);
    const char *url = NULL;
    for (size_t i = 0; !rc && i < n; i++)
        if (!strcmp(e[i].name, name)) url = e[i].url;
    if (!rc && !url)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: the store has no remote '%.80s' (mlops remote add)",
                        fn, name);
    if (!rc && mlops__objects_is_s3_url(url)) {
#ifdef MLOPS_HAVE_S3
        rc = mlops__objects_s3_open(fn, url, NULL, NULL, NULL, 0, out);
        /* A push into a store's prefix: that store's gc would take what
         * it wrote for orphans and remove it. */
        int store = 0;
        if (!rc && create) rc = mlops__objects_s3_is_store(fn, *out, &store);
        if (!rc && store)
            rc = mlops__err(MLOPS_EEXIST, "%s: remote '%s' (%s) is a store's S3 prefix: a remote "
                                          "needs a prefix of its own (doc/remotes.md)",
                            fn, name, url);
        if (rc && *out) {
            (*out)->free(*out);
            *out = NULL;
        }
#else
        rc = mlops__err(MLOPS_EUNSUPPORTED, "%s: remote '%s' is on S3, and this libmlops was "
                                            "built without S3 support", fn, name);
#endif
    } else if (!rc && !create && access(url, F_OK) != 0) {
        /* A pull from a mistyped folder must not leave an empty remote. */
        rc = mlops__err_os(errno == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, errno,
                           "%s: remote '%s' is the folder '%s', which cannot be read", fn, name,
                           url);
    } else if (!rc) {
        rc = mlops__objects_local_open(url, 1, mlops__store_fsync_enabled(s), out);
    }
    mlops__remotes_free(e, n);
    return rc;
}
