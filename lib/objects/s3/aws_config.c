/* Resolving an S3 store's endpoint, region and credentials from the AWS
 * SDKs' variables and shared files, then the store config (the order is in
 * aws_config.h and doc/s3.md). The shared files are read only when a value
 * is still missing, so an unreadable ~/.aws does not matter to someone who
 * sets everything in the environment. */
#include "objects/s3/aws_config.h"

#include "objects/s3/aws_profile.h"
#include "util/err.h"
#include "util/str.h"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_REGION "us-east-1"
#define HOST_MAX 255
#define ACCESS_KEY_MAX 128
#define SECRET_MAX 4096
#define TOKEN_MAX 16384

typedef struct ctx {
    const char *fn;
    mlops__aws_getenv_fn get;
    void *get_ctx;
    const char *home;
    const char *profile;
    int profile_explicit; /* AWS_PROFILE or AWS_DEFAULT_PROFILE named it */
    mlops__aws_file files[2]; /* credentials, config */
    int loaded[2];
} ctx;

enum { CREDENTIALS = 0, CONFIG = 1 };

static const char *process_getenv(void *unused, const char *name)
{
    (void)unused;
    return secure_getenv(name);
}

/* A variable's value; empty counts as unset, as in the SDKs. */
static const char *env(const ctx *c, const char *name)
{
    const char *v = c->get(c->get_ctx, name);
    return v && *v ? v : NULL;
}

/* The path of a shared file: its variable, else the default, "~/" being
 * HOME. NULL (no file) when "~" is needed and there is no HOME. */
static int file_path(ctx *c, int which)
{
    const char *var = which == CREDENTIALS ? "AWS_SHARED_CREDENTIALS_FILE" : "AWS_CONFIG_FILE";
    const char *dflt = which == CREDENTIALS ? "~/.aws/credentials" : "~/.aws/config";
    const char *p = env(c, var);
    if (!p) p = dflt;
    mlops__aws_file *f = &c->files[which];
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        if (!c->home) return MLOPS_OK;
        f->path = mlops__strcat3(c->home, p + 1, NULL);
    } else {
        f->path = mlops__strdup(p);
    }
    return f->path ? MLOPS_OK : mlops__err_nomem("naming an AWS settings file");
}

static int load(ctx *c, int which)
{
    if (c->loaded[which]) return MLOPS_OK;
    c->loaded[which] = 1;
    int rc = file_path(c, which);
    if (rc == MLOPS_OK) rc = mlops__aws_file_read(c->fn, &c->files[which]);
    return rc;
}

/* key of the profile in one file (loading it first); *v NULL when absent. */
static int get(ctx *c, int which, const char *key, char **v, int *has_section)
{
    int rc = load(c, which);
    if (rc != MLOPS_OK) return rc;
    return mlops__aws_profile_get(&c->files[which], which == CONFIG, c->profile, key, v,
                                  has_section);
}

static const char *file_name(const ctx *c, int which)
{
    return c->files[which].path ? c->files[which].path : c->files[which].what;
}

static int set_copy(char **dst, const char *s)
{
    *dst = mlops__strdup(s);
    return *dst ? MLOPS_OK : mlops__err_nomem("copying S3 settings");
}

/* ---- region ---- */

static int check_region(const ctx *c, const char *region, const char *from)
{
    size_t n = strlen(region);
    int ok = n >= 1 && n <= 64;
    for (size_t i = 0; ok && i < n; i++) {
        char ch = region[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_';
    }
    if (!ok)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 region from %s is not 1..64 letters, digits, "
                          "'-' or '_'", c->fn, from);
    return MLOPS_OK;
}

static int resolve_region(ctx *c, const mlops__aws_sources *src, mlops__aws_settings *out)
{
    const char *v = env(c, "AWS_REGION");
    const char *from = "AWS_REGION";
    if (!v) {
        v = env(c, "AWS_DEFAULT_REGION");
        from = "AWS_DEFAULT_REGION";
    }
    char *profile_region = NULL;
    if (!v) {
        int rc = get(c, CONFIG, "region", &profile_region, NULL);
        if (rc != MLOPS_OK) return rc;
        v = profile_region;
        from = "the config file's profile";
    }
    if (!v && src->store_region && *src->store_region) {
        v = src->store_region;
        from = "the store config";
    }
    if (!v) {
        v = DEFAULT_REGION;
        from = "the default (" DEFAULT_REGION ")";
    }
    int rc = check_region(c, v, from);
    if (rc == MLOPS_OK) rc = set_copy(&out->region, v);
    out->region_from = from;
    free(profile_region);
    return rc;
}

/* ---- endpoint ---- */

static int bad_url(const char *fn, const char *from, const char *why)
{
    /* The URL itself is not repeated: it may carry user info. */
    return mlops__err(MLOPS_EINVAL, "%s: the S3 endpoint URL from %s is not http[s]://host[:port]: "
                      "%s", fn, from, why);
}

int mlops__aws_endpoint_parse(const char *fn, const char *from, const char *url, int *https,
                              char **host)
{
    *host = NULL;
    const char *p;
    if (!strncasecmp(url, "https://", 8)) {
        *https = 1;
        p = url + 8;
    } else if (!strncasecmp(url, "http://", 7)) {
        *https = 0;
        p = url + 7;
    } else {
        return bad_url(fn, from, "the scheme is neither http nor https");
    }
    size_t n = strcspn(p, "/?#");
    const char *rest = p + n;
    if (*rest == '?' || *rest == '#' || (*rest == '/' && rest[1] != '\0'))
        return bad_url(fn, from, "it has a path, query or fragment (the bucket goes in the "
                       "objects URL, s3://bucket/prefix)");
    if (memchr(p, '@', n)) return bad_url(fn, from, "it has user info (credentials go elsewhere)");
    const char *hs = p, *he, *port = NULL;
    if (*p == '[') {
        const char *close = memchr(p, ']', n);
        if (!close) return bad_url(fn, from, "an IPv6 address lacks its ']'");
        for (const char *q = p + 1; q < close; q++)
            if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
                  (*q >= 'A' && *q <= 'F') || *q == ':' || *q == '.'))
                return bad_url(fn, from, "an IPv6 address has a character other than hex "
                               "digits, ':' and '.'");
        he = close + 1;
        if (he < p + n && *he != ':') return bad_url(fn, from, "text follows the IPv6 address");
    } else {
        he = memchr(p, ':', n);
        if (!he) he = p + n;
        for (const char *q = hs; q < he; q++)
            if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') ||
                  (*q >= 'A' && *q <= 'Z') || *q == '.' || *q == '-' || *q == '_'))
                return bad_url(fn, from, "the host has a character other than letters, digits, "
                               "'.', '-' and '_'");
    }
    if (he == hs || (*hs == '[' && he - hs <= 2)) return bad_url(fn, from, "the host is empty");
    if ((size_t)(he - hs) > HOST_MAX) return bad_url(fn, from, "the host is too long");
    long portnum = 0;
    if (he < p + n) { /* ":port" */
        port = he + 1;
        size_t pl = (size_t)(p + n - port);
        if (pl == 0 || pl > 5) return bad_url(fn, from, "the port is not 1..65535");
        for (size_t i = 0; i < pl; i++) {
            if (port[i] < '0' || port[i] > '9') return bad_url(fn, from, "the port is not a number");
            portnum = portnum * 10 + (port[i] - '0');
        }
        if (portnum < 1 || portnum > 65535) return bad_url(fn, from, "the port is not 1..65535");
    }
    int keep_port = port && portnum != (*https ? 443 : 80);
    size_t hl = (size_t)(he - hs);
    char *h = malloc(hl + 7);
    if (!h) return mlops__err_nomem("parsing an S3 endpoint");
    for (size_t i = 0; i < hl; i++) {
        char ch = hs[i];
        h[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    size_t len = hl;
    if (keep_port) {
        h[len++] = ':';
        size_t pl = (size_t)(p + n - port);
        /* Leading zeros dropped, so ":07070" and ":7070" sign alike. */
        while (pl > 1 && *port == '0') {
            port++;
            pl--;
        }
        memcpy(h + len, port, pl);
        len += pl;
    }
    h[len] = '\0';
    *host = h;
    return MLOPS_OK;
}

static int resolve_endpoint(ctx *c, const mlops__aws_sources *src, mlops__aws_settings *out)
{
    const char *v = env(c, "AWS_ENDPOINT_URL_S3"), *from = "AWS_ENDPOINT_URL_S3";
    if (!v) {
        v = env(c, "AWS_ENDPOINT_URL");
        from = "AWS_ENDPOINT_URL";
    }
    if (!v && src->store_endpoint && *src->store_endpoint) {
        v = src->store_endpoint;
        from = "the store config";
    }
    int rc;
    if (v) {
        rc = mlops__aws_endpoint_parse(c->fn, from, v, &out->https, &out->host);
        out->path_style = 1;
    } else {
        from = "AWS (the region's endpoint)";
        out->https = 1;
        out->aws = 1;
        out->host = mlops__strcat3("s3.", out->region, ".amazonaws.com");
        rc = out->host ? MLOPS_OK : mlops__err_nomem("naming the S3 endpoint");
    }
    out->endpoint_from = from;
    if (rc == MLOPS_OK) {
        out->endpoint = mlops__strcat3(out->https ? "https://" : "http://", out->host, NULL);
        if (!out->endpoint) rc = mlops__err_nomem("naming the S3 endpoint");
    }
    return rc;
}

/* ---- credentials ---- */

/* The values are never shown: only where they came from. */
static int check_keys(const ctx *c, const mlops__aws_settings *s, const char *from)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s->access_key; *p; p++, n++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '/' || *p == ',')
            return mlops__err(MLOPS_EINVAL, "%s: the S3 access key from %s has a character a "
                              "credential cannot hold (blank, control, non-ASCII, '/' or ',')",
                              c->fn, from);
    if (n > ACCESS_KEY_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 access key from %s is longer than %d bytes",
                          c->fn, from, ACCESS_KEY_MAX);
    if (strlen(s->secret_key) > SECRET_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: the S3 secret key from %s is longer than %d bytes",
                          c->fn, from, SECRET_MAX);
    if (s->session_token) {
        if (strlen(s->session_token) > TOKEN_MAX)
            return mlops__err(MLOPS_EINVAL, "%s: the S3 session token from %s is longer than %d "
                              "bytes", c->fn, from, TOKEN_MAX);
        for (const unsigned char *p = (const unsigned char *)s->session_token; *p; p++)
            if ((*p < 0x20 && *p != '\t') || *p >= 0x7f)
                return mlops__err(MLOPS_EINVAL, "%s: the S3 session token from %s holds a "
                                  "control or non-ASCII character", c->fn, from);
    }
    return MLOPS_OK;
}

static int from_env(ctx *c, mlops__aws_settings *out, int *found)
{
    const char *ak = env(c, "AWS_ACCESS_KEY_ID"), *sk = env(c, "AWS_SECRET_ACCESS_KEY");
    *found = 0;
    if (!ak && !sk) return MLOPS_OK; /* AWS_SESSION_TOKEN alone is ignored, as by the SDKs */
    if (!sk)
        return mlops__err(MLOPS_EINVAL, "%s: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY "
                          "is not", c->fn);
    if (!ak)
        return mlops__err(MLOPS_EINVAL, "%s: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID "
                          "is not", c->fn);
    const char *tok = env(c, "AWS_SESSION_TOKEN");
    int rc = set_copy(&out->access_key, ak);
    if (rc == MLOPS_OK) rc = set_copy(&out->secret_key, sk);
    if (rc == MLOPS_OK && tok) rc = set_copy(&out->session_token, tok);
    out->credentials_from = "the environment (AWS_ACCESS_KEY_ID)";
    *found = rc == MLOPS_OK;
    return rc;
}

/* Profile keys that mean "the credentials come from elsewhere" (an
 * assumed role, SSO, a web identity, a program), which we do not do. */
static const char *const unsupported_before_keys[] = {
    "role_arn", "web_identity_token_file", "sso_start_url", "sso_session",
};

static int unsupported(ctx *c, int which, const char *key)
{
    return mlops__err(MLOPS_EUNSUPPORTED, "%s: AWS profile '%s' in %s gets its credentials "
                      "through %s, which libmlops does not support: set AWS_ACCESS_KEY_ID and "
                      "AWS_SECRET_ACCESS_KEY, or use a profile with aws_access_key_id and "
                      "aws_secret_access_key", c->fn, c->profile, file_name(c, which), key);
}

/* The static keys of the profile in one file; *found when both are there. */
static int keys_in(ctx *c, int which, mlops__aws_settings *out, int *found, int *had_section)
{
    char *ak = NULL, *sk = NULL, *tok = NULL;
    int has = 0;
    int rc = get(c, which, "aws_access_key_id", &ak, &has);
    if (rc == MLOPS_OK) rc = get(c, which, "aws_secret_access_key", &sk, NULL);
    if (rc == MLOPS_OK) rc = get(c, which, "aws_session_token", &tok, NULL);
    *found = 0;
    if (has) *had_section = 1;
    if (rc == MLOPS_OK && (ak || sk) && !(ak && sk))
        rc = mlops__err(MLOPS_EINVAL, "%s: AWS profile '%s' in %s has %s but no %s", c->fn,
                        c->profile, file_name(c, which),
                        ak ? "aws_access_key_id" : "aws_secret_access_key",
                        ak ? "aws_secret_access_key" : "aws_access_key_id");
    if (rc == MLOPS_OK && ak && sk) {
        out->access_key = ak;
        out->secret_key = sk;
        out->session_token = tok;
        out->credentials_from = which == CREDENTIALS ? "the credentials file" : "the config file";
        *found = 1;
        return MLOPS_OK;
    }
    free(ak);
    if (sk) OPENSSL_cleanse(sk, strlen(sk));
    free(sk);
    if (tok) OPENSSL_cleanse(tok, strlen(tok));
    free(tok);
    return rc;
}

static int from_profile(ctx *c, mlops__aws_settings *out)
{
    /* As the SDKs: an assumed role or SSO in the profile comes before its
     * static keys; credential_process after the credentials file's keys. */
    for (int which = 0; which < 2; which++)
        for (size_t i = 0; i < sizeof unsupported_before_keys / sizeof *unsupported_before_keys;
             i++) {
            char *v = NULL;
            int rc = get(c, which, unsupported_before_keys[i], &v, NULL);
            if (rc != MLOPS_OK) return rc;
            if (v) {
                free(v);
                return unsupported(c, which, unsupported_before_keys[i]);
            }
        }
    int found = 0, had_section = 0;
    int rc = keys_in(c, CREDENTIALS, out, &found, &had_section);
    if (rc != MLOPS_OK || found) return rc;
    for (int which = 0; which < 2; which++) {
        char *v = NULL;
        rc = get(c, which, "credential_process", &v, NULL);
        if (rc != MLOPS_OK) return rc;
        if (v) {
            free(v);
            return unsupported(c, which, "credential_process");
        }
    }
    rc = keys_in(c, CONFIG, out, &found, &had_section);
    if (rc != MLOPS_OK || found) return rc;
    if (c->profile_explicit && !had_section)
        return mlops__err(MLOPS_ENOTFOUND, "%s: no S3 credentials: AWS_PROFILE names profile "
                          "'%s', which neither %s nor %s has", c->fn, c->profile,
                          file_name(c, CREDENTIALS), file_name(c, CONFIG));
    return mlops__err(MLOPS_ENOTFOUND, "%s: no S3 credentials: set AWS_ACCESS_KEY_ID and "
                      "AWS_SECRET_ACCESS_KEY or AWS_PROFILE (profile '%s' has no "
                      "aws_access_key_id in %s or %s)", c->fn, c->profile,
                      file_name(c, CREDENTIALS), file_name(c, CONFIG));
}

static int resolve_credentials(ctx *c, mlops__aws_settings *out)
{
    int found = 0;
    int rc = from_env(c, out, &found);
    if (rc == MLOPS_OK && !found) rc = from_profile(c, out);
    if (rc == MLOPS_OK) rc = check_keys(c, out, out->credentials_from);
    return rc;
}

int mlops__aws_resolve(const char *fn, const mlops__aws_sources *src, mlops__aws_settings *out)
{
    if (!out) return mlops__err_null(fn, "out");
    memset(out, 0, sizeof *out);
    static const mlops__aws_sources none = { 0 };
    if (!src) src = &none;
    ctx c;
    memset(&c, 0, sizeof c);
    c.fn = fn;
    c.get = src->getenv ? src->getenv : process_getenv;
    c.get_ctx = src->getenv ? src->getenv_ctx : NULL;
    c.files[CREDENTIALS].what = "credentials file";
    c.files[CONFIG].what = "config file";
    c.home = src->home ? src->home : env(&c, "HOME");
    c.profile = env(&c, "AWS_PROFILE");
    if (!c.profile) c.profile = env(&c, "AWS_DEFAULT_PROFILE");
    c.profile_explicit = c.profile != NULL;
    if (!c.profile) c.profile = "default";

    int rc = set_copy(&out->profile, c.profile);
    if (rc == MLOPS_OK) rc = resolve_region(&c, src, out);
    if (rc == MLOPS_OK) rc = resolve_endpoint(&c, src, out);
    if (rc == MLOPS_OK) rc = resolve_credentials(&c, out);
    mlops__aws_file_free(&c.files[CREDENTIALS]);
    mlops__aws_file_free(&c.files[CONFIG]);
    if (rc != MLOPS_OK) mlops__aws_settings_free(out);
    return rc;
}

static void wipe_free(char *s)
{
    if (!s) return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

void mlops__aws_settings_free(mlops__aws_settings *s)
{
    if (!s) return;
    free(s->endpoint);
    free(s->host);
    free(s->region);
    free(s->profile);
    wipe_free(s->access_key);
    wipe_free(s->secret_key);
    wipe_free(s->session_token);
    OPENSSL_cleanse(s, sizeof *s);
}

void mlops__aws_sigv4_creds(const mlops__aws_settings *s, mlops__sigv4_creds *out)
{
    out->access_key = s->access_key;
    out->secret_key = s->secret_key;
    out->session_token = s->session_token;
    out->region = s->region;
    out->service = "s3";
}
