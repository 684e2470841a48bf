/* The S3 object backend (s3_objects.h): the seam's members as requests of
 * the S3 client. Staged objects wait in memory (an object is at most a few
 * MiB); the client's pool of connections makes requests from several
 * threads run at once. */
#include "objects/s3/s3_objects.h"
#include "objects/s3/aws_config.h"
#include "objects/s3/s3_http.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJECTS_DIR "objects/sha256/"
#define QUARANTINE_DIR "quarantine/sha256/"
/* "objects/sha256/" or "quarantine/sha256/", "ab/", 62 digits, NUL */
#define KEY_CAP 96

/* The name messages give: the seam's members get no caller's name. */
static const char FN[] = "S3 objects";

struct s3objects {
    mlops__objects be; /* first: the seam */
    mlops__s3 *client;
    char *base; /* "s3://bucket/prefix/": what messages name objects by */
};

struct mlops__obj_staged {
    mlops_digest d;
    size_t len;
    unsigned char data[];
};

struct mlops__obj_in {
    unsigned char *data;
    size_t len, at;
};

static mlops__s3 *client_of(mlops__objects *be)
{
    return ((struct s3objects *)be)->client;
}

/* "<dir>ab/<62 digits>" into key (KEY_CAP bytes). */
static void object_key(const char *dir, const mlops_digest *d, char *key)
{
    char hex[65];
    mlops__hex_encode(d->bytes, sizeof d->bytes, hex);
    snprintf(key, KEY_CAP, "%s%.2s/%s", dir, hex, hex + 2);
}

static void s_describe(mlops__objects *be, const mlops_digest *d, char *buf, size_t n)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    snprintf(buf, n, "%s%s", ((struct s3objects *)be)->base, key);
}

/* ---- writing ------------------------------------------------------------ */

static int s_stage(mlops__objects *be, const mlops_digest *d, const mlops__obj_piece *pieces,
                   size_t n, mlops__obj_staged **out)
{
    (void)be;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += pieces[i].len;
    mlops__obj_staged *st = malloc(sizeof *st + len);
    if (!st) return mlops__err_nomem("staging an object");
    st->d = *d;
    st->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (pieces[i].len) memcpy(st->data + st->len, pieces[i].data, pieces[i].len);
        st->len += pieces[i].len;
    }
    *out = st;
    return MLOPS_OK;
}

static int s_place(mlops__objects *be, mlops__obj_staged *st, int *placed)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, &st->d, key);
    int created = 0;
    int rc = mlops__s3_put(FN, client_of(be), key, st->data, st->len, &created);
    *placed = rc == MLOPS_OK && created;
    if (rc || created) free(st); /* else the caller keeps it as a spare */
    return rc;
}

static void s_discard(mlops__objects *be, mlops__obj_staged *st)
{
    (void)be;
    free(st);
}

/* A PUT that returned is durable on the server: nothing to wait for. */
static int s_sync(mlops__objects *be, const mlops_digest *d, size_t n)
{
    (void)be;
    (void)d;
    (void)n;
    return MLOPS_OK;
}

/* ---- reading ------------------------------------------------------------ */

static int s_open(mlops__objects *be, const mlops_digest *d, mlops__obj_in **out, uint64_t *len)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    mlops__obj_in *in = calloc(1, sizeof *in);
    if (!in) return mlops__err_nomem("opening an object");
    int rc = mlops__s3_get(FN, client_of(be), key, &in->data, &in->len);
    if (rc) {
        free(in);
        return rc;
    }
    *out = in;
    *len = in->len;
    return MLOPS_OK;
}

static int s_read(mlops__objects *be, mlops__obj_in *in, void *buf, size_t len, size_t *got)
{
    (void)be;
    size_t n = in->len - in->at < len ? in->len - in->at : len;
    if (n) memcpy(buf, in->data + in->at, n);
    in->at += n;
    *got = n;
    return MLOPS_OK;
}

static void s_close(mlops__objects *be, mlops__obj_in *in)
{
    (void)be;
    if (!in) return;
    free(in->data);
    free(in);
}

static int s_exists(mlops__objects *be, const mlops_digest *d, int *yes)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    int rc = mlops__s3_head(FN, client_of(be), key, NULL);
    *yes = rc == MLOPS_OK;
    return rc == MLOPS_ENOTFOUND ? MLOPS_OK : rc;
}

/* S3 answers a DELETE the same whether the key was there or not, so
 * whether this call removed it is asked first. */
static int s_remove(mlops__objects *be, const mlops_digest *d, int *removed)
{
    char key[KEY_CAP];
    object_key(OBJECTS_DIR, d, key);
    *removed = 0;
    int rc = mlops__s3_head(FN, client_of(be), key, NULL);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK;
    if (!rc) rc = mlops__s3_delete(FN, client_of(be), key);
    *removed = rc == MLOPS_OK;
    return rc;
}

/* ---- walking and quarantine --------------------------------------------- */

struct walk {
    mlops__objects_each_fn fn;
    void *arg;
    int64_t now_ms;
};

/* key: "objects/sha256/ab/<62 digits>"; anything else is skipped. */
static int walk_one(void *ctx, const char *key, uint64_t size, int64_t mtime_ms)
{
    (void)size;
    struct walk *w = ctx;
    const char *rest = key + strlen(OBJECTS_DIR);
    char hex[65];
    mlops_digest d;
    if (strlen(rest) != 65 || rest[2] != '/') return 0;
    memcpy(hex, rest, 2);
    memcpy(hex + 2, rest + 3, 63);
    if (mlops__hex_decode(hex, 64, d.bytes)) return 0;
    /* A server that gives no time: take the object as just written, so
     * that gc's grace period keeps it. */
    return w->fn(&d, mtime_ms >= 0 ? mtime_ms : w->now_ms, w->arg);
}

static int s_foreach(mlops__objects *be, mlops__objects_each_fn fn, void *arg)
{
    struct walk w = { fn, arg, mlops__now_ms() };
    return mlops__s3_list(FN, client_of(be), OBJECTS_DIR, walk_one, &w);
}

/* S3 has no rename: the object is copied under quarantine/ (through
 * this process: objects are small) and then removed. */
static int s_quarantine(mlops__objects *be, const mlops_digest *d)
{
    char from[KEY_CAP], to[KEY_CAP];
    object_key(OBJECTS_DIR, d, from);
    object_key(QUARANTINE_DIR, d, to);
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = mlops__s3_get(FN, client_of(be), from, &data, &len);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK;
    if (!rc) rc = mlops__s3_put(FN, client_of(be), to, data, len, NULL);
    if (!rc) rc = mlops__s3_delete(FN, client_of(be), from);
    free(data);
    return rc;
}

static void s_free(mlops__objects *be)
{
    if (!be) return;
    mlops__s3_close(client_of(be));
    free(((struct s3objects *)be)->base);
    free(be);
}

/* ---- opening ------------------------------------------------------------ */

int mlops__objects_s3_open(const char *fn, const char *url, const char *endpoint,
                           const char *region, mlops__objects **out)
{
    *out = NULL;
    mlops__s3_location loc = { 0 };
    mlops__aws_settings aws = { 0 };
    mlops__aws_sources src = { .store_endpoint = endpoint, .store_region = region };
    int rc = mlops__s3_location_parse(fn, url, &loc);
    if (!rc) rc = mlops__aws_resolve(fn, &src, &aws);
    char *prefix = NULL;
    if (!rc && loc.prefix[0] && !(prefix = mlops__strcat3(loc.prefix, "/", NULL)))
        rc = mlops__err_nomem("opening S3 objects");
    struct s3objects *o = NULL;
    if (!rc && !(o = calloc(1, sizeof *o))) rc = mlops__err_nomem("opening S3 objects");
    if (!rc && !(o->base = mlops__strcat3("s3://", loc.bucket, "/")))
        rc = mlops__err_nomem("opening S3 objects");
    if (!rc && prefix) {
        char *with_prefix = mlops__strcat3(o->base, prefix, NULL);
        free(o->base);
        if (!(o->base = with_prefix)) rc = mlops__err_nomem("opening S3 objects");
    }
    if (!rc) {
        mlops__s3_settings set = { .endpoint = aws.endpoint,
                                   .region = aws.region,
                                   .bucket = loc.bucket,
                                   .prefix = prefix ? prefix : "",
                                   .path_style = aws.path_style,
                                   .access_key = aws.access_key,
                                   .secret_key = aws.secret_key,
                                   .session_token = aws.session_token };
        rc = mlops__s3_open(fn, &set, NULL, &o->client);
    }
    free(prefix);
    mlops__s3_location_free(&loc);
    mlops__aws_settings_free(&aws);
    if (rc) {
        if (o) free(o->base);
        free(o);
        return rc;
    }
    o->be = (mlops__objects){
        .version = MLOPS__OBJECTS_VERSION,
        .name = "S3",
        .stage = s_stage,
        .place = s_place,
        .discard = s_discard,
        .sync = s_sync,
        .open = s_open,
        .read = s_read,
        .close = s_close,
        .exists = s_exists,
        .remove = s_remove,
        .foreach = s_foreach,
        .quarantine = s_quarantine,
        .describe = s_describe,
        .free = s_free,
    };
    *out = &o->be;
    return MLOPS_OK;
}
