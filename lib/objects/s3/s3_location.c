/* s3://bucket/prefix URLs, S3's bucket name rules, and where a request
 * for a key goes (path-style or virtual-host style; aws_config.h). */
#include "objects/s3/aws_config.h"

#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PREFIX_MAX 512 /* S3 keys are at most 1024 bytes; our names after the prefix need ~80 */

static int has_prefix(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

static int has_suffix(const char *s, size_t n, const char *x)
{
    size_t xn = strlen(x);
    return n >= xn && !memcmp(s + n - xn, x, xn);
}

/* Four dot-separated groups of digits: S3 refuses such names. */
static int looks_like_ipv4(const char *s)
{
    int groups = 1, digits = 0;
    for (; *s; s++) {
        if (*s == '.') {
            if (!digits) return 0;
            groups++;
            digits = 0;
        } else if (*s >= '0' && *s <= '9') {
            digits++;
        } else {
            return 0;
        }
    }
    return groups == 4 && digits > 0;
}

static int alnum_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int mlops__s3_check_bucket(const char *fn, const char *bucket)
{
    if (!bucket) return mlops__err_null(fn, "bucket");
    size_t n = strlen(bucket);
    if (n < 3 || n > 63)
        return mlops__err(MLOPS_EINVAL, "%s: S3 bucket name '%.80s' is not 3 to 63 characters "
                          "long", fn, bucket);
    for (size_t i = 0; i < n; i++)
        if (!alnum_lower(bucket[i]) && bucket[i] != '.' && bucket[i] != '-')
            return mlops__err(MLOPS_EINVAL, "%s: S3 bucket name '%s' may hold only lower-case "
                              "letters, digits, '.' and '-'", fn, bucket);
    if (!alnum_lower(bucket[0]) || !alnum_lower(bucket[n - 1]))
        return mlops__err(MLOPS_EINVAL, "%s: S3 bucket name '%s' must start and end with a "
                          "letter or digit", fn, bucket);
    if (strstr(bucket, ".."))
        return mlops__err(MLOPS_EINVAL, "%s: S3 bucket name '%s' has two adjacent periods", fn,
                          bucket);
    if (looks_like_ipv4(bucket))
        return mlops__err(MLOPS_EINVAL, "%s: S3 bucket name '%s' is formatted as an IP address",
                          fn, bucket);
    static const char *const prefixes[] = { "xn--", "sthree-", "amzn-s3-demo-" };
    static const char *const suffixes[] = { "-s3alias", "--ol-s3", ".mrap", "--x-s3",
                                            "--table-s3" };
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (has_prefix(bucket, prefixes[i]))
            return mlops__err(MLOPS_EINVAL, "%s: S3 bucket name '%s' starts with '%s', which S3 "
                              "reserves", fn, bucket, prefixes[i]);
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
        if (has_suffix(bucket, n, suffixes[i]))
            return mlops__err(MLOPS_EINVAL, "%s: S3 bucket name '%s' ends with '%s', which S3 "
                              "reserves", fn, bucket, suffixes[i]);
    return MLOPS_OK;
}

/* The prefix [s, s+n) after its outer '/' were dropped. */
static int check_prefix(const char *fn, const char *s, size_t n)
{
    if (n > PREFIX_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 prefix is longer than %d bytes", fn,
                          PREFIX_MAX);
    if (!mlops__utf8_valid(s, n))
        return mlops__err(MLOPS_EINVAL, "%s: the S3 prefix is not valid UTF-8", fn);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '?' || c == '#' || c == '\\')
            return mlops__err(MLOPS_EINVAL, "%s: the S3 prefix holds a control character, '?', "
                              "'#' or '\\'", fn);
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '/') j++;
        size_t len = j - i;
        if (len == 0 || (len == 1 && s[i] == '.') || (len == 2 && s[i] == '.' && s[i + 1] == '.'))
            return mlops__err(MLOPS_EINVAL, "%s: the S3 prefix '%.*s' has an empty, '.' or '..' "
                              "segment", fn, (int)n, s);
        i = j + 1;
    }
    return MLOPS_OK;
}

int mlops__s3_location_parse(const char *fn, const char *url, mlops__s3_location *out)
{
    if (!out) return mlops__err_null(fn, "out");
    memset(out, 0, sizeof *out);
    if (!url) return mlops__err_null(fn, "url");
    if (strncasecmp(url, "s3://", 5) != 0)
        return mlops__err(MLOPS_EINVAL, "%s: the objects URL does not start with s3:// (the form "
                          "is s3://bucket/prefix)", fn);
    const char *b = url + 5;
    size_t bn = strcspn(b, "/");
    if (bn == 0)
        return mlops__err(MLOPS_EINVAL, "%s: the objects URL names no bucket (the form is "
                          "s3://bucket/prefix)", fn);
    char *bucket = malloc(bn + 1);
    if (!bucket) return mlops__err_nomem("parsing an s3:// URL");
    memcpy(bucket, b, bn);
    bucket[bn] = '\0';
    int rc = mlops__s3_check_bucket(fn, bucket);
    const char *p = b + bn;
    while (*p == '/') p++;
    size_t pn = strlen(p);
    while (pn > 0 && p[pn - 1] == '/') pn--;
    if (rc == MLOPS_OK) rc = check_prefix(fn, p, pn);
    char *prefix = NULL;
    if (rc == MLOPS_OK) {
        prefix = malloc(pn + 1);
        if (!prefix) rc = mlops__err_nomem("parsing an s3:// URL");
    }
    if (rc != MLOPS_OK) {
        free(bucket);
        return rc;
    }
    memcpy(prefix, p, pn);
    prefix[pn] = '\0';
    out->bucket = bucket;
    out->prefix = prefix;
    return MLOPS_OK;
}

void mlops__s3_location_free(mlops__s3_location *loc)
{
    if (!loc) return;
    free(loc->bucket);
    free(loc->prefix);
    loc->bucket = loc->prefix = NULL;
}

int mlops__s3_target_make(const char *fn, const mlops__aws_settings *s, const char *bucket,
                          const char *key, mlops__s3_target *out)
{
    if (!out) return mlops__err_null(fn, "out");
    memset(out, 0, sizeof *out);
    if (!s || !s->host) return mlops__err_null(fn, "settings");
    int rc = mlops__s3_check_bucket(fn, bucket);
    if (rc != MLOPS_OK) return rc;
    if (!key) key = "";
    /* A dotted bucket under https would not match *.s3.REGION.amazonaws.com. */
    int vhost = !s->path_style && !(s->https && strchr(bucket, '.'));
    if (vhost) {
        out->host = mlops__strcat3(bucket, ".", s->host);
        out->path = mlops__strcat3("/", key, NULL);
    } else {
        out->host = mlops__strdup(s->host);
        out->path = *key ? mlops__strcat3("/", bucket, "/") : mlops__strcat3("/", bucket, NULL);
        if (out->path && *key) {
            char *full = mlops__strcat3(out->path, key, NULL);
            free(out->path);
            out->path = full;
        }
    }
    if (out->host) out->base_url = mlops__strcat3(s->https ? "https://" : "http://", out->host, NULL);
    if (!out->host || !out->path || !out->base_url) {
        mlops__s3_target_free(out);
        return mlops__err_nomem("naming an S3 request's target");
    }
    return MLOPS_OK;
}

void mlops__s3_target_free(mlops__s3_target *t)
{
    if (!t) return;
    free(t->base_url);
    free(t->host);
    free(t->path);
    t->base_url = t->host = t->path = NULL;
}
