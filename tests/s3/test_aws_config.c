/* The S3 settings (lib/objects/s3/aws_config.h): the order in which the
 * endpoint, region and credentials are found, the AWS shared files'
 * dialect, s3:// URLs and bucket names, request targets, and that no
 * secret ever reaches a message. The environment is a table given to the
 * resolver and HOME a fresh folder, so the machine's own AWS settings play
 * no part. */
#include "testutil.h"

#include "objects/s3/aws_config.h"

#include <mlops.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Every secret of these tests contains this, so one search finds any. */
#define MARK "SeCrEt"
#define ENV_SECRET "env-" MARK "-key"
#define FILE_SECRET "file-" MARK "-key"
#define TOKEN "token-" MARK "-value"

typedef struct fake_env {
    const char *k[32], *v[32];
    size_t n;
} fake_env;

static const char *fake_get(void *ctx, const char *name)
{
    const fake_env *e = ctx;
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->k[i], name)) return e->v[i];
    return NULL;
}

static void set(fake_env *e, const char *k, const char *v)
{
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->k[i], k)) {
            e->v[i] = v;
            return;
        }
    ck_assert_uint_lt(e->n, 32);
    e->k[e->n] = k;
    e->v[e->n++] = v;
}

static char *home;

static void setup(void)
{
    home = tu_tmpdir();
    char *aws = tu_path(home, ".aws");
    ck_assert_int_eq(mkdir(aws, 0700), 0);
    free(aws);
}

static void teardown(void)
{
    tu_rmrf(home);
    free(home);
    home = NULL;
}

static void write_aws(const char *name, const char *text)
{
    char *dir = tu_path(home, ".aws");
    char *p = tu_path(dir, name);
    tu_write_file(p, text, strlen(text));
    free(p);
    free(dir);
}

static void no_secret_in_message(void)
{
    const char *m = mlops_last_error();
    ck_assert_msg(strstr(m, MARK) == NULL, "a secret in the message: %s", m);
}

static int resolve(fake_env *e, const char *store_ep, const char *store_region,
                   mlops__aws_settings *s)
{
    mlops__aws_sources src = { fake_get, e, home, store_ep, store_region };
    int rc = mlops__aws_resolve("caller_fn", &src, s);
    if (rc != MLOPS_OK) {
        const char *m = mlops_last_error();
        ck_assert_msg(!strncmp(m, "caller_fn: ", 11), "message '%s'", m);
        no_secret_in_message();
        ck_assert_ptr_null(s->secret_key);
        ck_assert_ptr_null(s->endpoint);
    }
    return rc;
}

/* Resolves with e and expects a failure with code and `part` in the text. */
static void fails(fake_env *e, int code, const char *part)
{
    mlops__aws_settings s;
    TU_RC(code, resolve(e, NULL, NULL, &s));
    ck_assert_msg(strstr(mlops_last_error(), part) != NULL, "'%s' does not say '%s'",
                  mlops_last_error(), part);
}

static void env_keys(fake_env *e)
{
    set(e, "AWS_ACCESS_KEY_ID", "AKIDENV");
    set(e, "AWS_SECRET_ACCESS_KEY", ENV_SECRET);
}

START_TEST(endpoint_order)
{
    fake_env e = { 0 };
    env_keys(&e);
    mlops__aws_settings s;
    /* Nothing set: AWS, virtual-host style, the region's endpoint. */
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.endpoint, "https://s3.us-east-1.amazonaws.com");
    ck_assert_str_eq(s.host, "s3.us-east-1.amazonaws.com");
    ck_assert_int_eq(s.https, 1);
    ck_assert_int_eq(s.aws, 1);
    ck_assert_int_eq(s.path_style, 0);
    mlops__aws_settings_free(&s);
    set(&e, "AWS_REGION", "eu-west-3");
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.endpoint, "https://s3.eu-west-3.amazonaws.com");
    mlops__aws_settings_free(&s);
    /* The store config's endpoint: path-style. */
    TU_OK(resolve(&e, "http://store.example:9000", NULL, &s));
    ck_assert_str_eq(s.endpoint, "http://store.example:9000");
    ck_assert_str_eq(s.endpoint_from, "the store config");
    ck_assert_int_eq(s.path_style, 1);
    ck_assert_int_eq(s.aws, 0);
    mlops__aws_settings_free(&s);
    /* AWS_ENDPOINT_URL beats the store config. */
    set(&e, "AWS_ENDPOINT_URL", "http://generic.example:7000");
    TU_OK(resolve(&e, "http://store.example:9000", NULL, &s));
    ck_assert_str_eq(s.endpoint, "http://generic.example:7000");
    ck_assert_str_eq(s.endpoint_from, "AWS_ENDPOINT_URL");
    mlops__aws_settings_free(&s);
    /* AWS_ENDPOINT_URL_S3 beats both. */
    set(&e, "AWS_ENDPOINT_URL_S3", "https://s3only.example");
    TU_OK(resolve(&e, "http://store.example:9000", NULL, &s));
    ck_assert_str_eq(s.endpoint, "https://s3only.example");
    ck_assert_str_eq(s.endpoint_from, "AWS_ENDPOINT_URL_S3");
    ck_assert_int_eq(s.path_style, 1);
    mlops__aws_settings_free(&s);
    /* Empty counts as unset. */
    set(&e, "AWS_ENDPOINT_URL_S3", "");
    set(&e, "AWS_ENDPOINT_URL", "");
    TU_OK(resolve(&e, "http://store.example:9000", NULL, &s));
    ck_assert_str_eq(s.endpoint, "http://store.example:9000");
    mlops__aws_settings_free(&s);
    /* A bad URL names its source, and stops the resolve. */
    set(&e, "AWS_ENDPOINT_URL", "ftp://x");
    fails(&e, MLOPS_EINVAL, "AWS_ENDPOINT_URL");
}
END_TEST

START_TEST(region_order)
{
    fake_env e = { 0 };
    env_keys(&e);
    mlops__aws_settings s;
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.region, "us-east-1");
    mlops__aws_settings_free(&s);
    TU_OK(resolve(&e, NULL, "store-region", &s));
    ck_assert_str_eq(s.region, "store-region");
    ck_assert_str_eq(s.region_from, "the store config");
    mlops__aws_settings_free(&s);
    write_aws("config", "[default]\nregion = ap-south-1\n[profile other]\nregion=eu-north-1\n");
    TU_OK(resolve(&e, NULL, "store-region", &s));
    ck_assert_str_eq(s.region, "ap-south-1");
    mlops__aws_settings_free(&s);
    set(&e, "AWS_PROFILE", "other");
    TU_OK(resolve(&e, NULL, "store-region", &s));
    ck_assert_str_eq(s.region, "eu-north-1");
    ck_assert_str_eq(s.profile, "other");
    mlops__aws_settings_free(&s);
    set(&e, "AWS_DEFAULT_REGION", "ca-central-1");
    TU_OK(resolve(&e, NULL, "store-region", &s));
    ck_assert_str_eq(s.region, "ca-central-1");
    ck_assert_str_eq(s.region_from, "AWS_DEFAULT_REGION");
    mlops__aws_settings_free(&s);
    set(&e, "AWS_REGION", "sa-east-1");
    TU_OK(resolve(&e, NULL, "store-region", &s));
    ck_assert_str_eq(s.region, "sa-east-1");
    ck_assert_str_eq(s.region_from, "AWS_REGION");
    mlops__aws_settings_free(&s);
    set(&e, "AWS_REGION", "us-east-1.evil.com/");
    fails(&e, MLOPS_EINVAL, "AWS_REGION");
}
END_TEST

START_TEST(credentials_order)
{
    fake_env e = { 0 };
    mlops__aws_settings s;
    write_aws("credentials", "[default]\naws_access_key_id = AKIDFILE\n"
                             "aws_secret_access_key = " FILE_SECRET "\n"
                             "[other]\naws_access_key_id=AKIDOTHER\naws_secret_access_key="
                             FILE_SECRET "2\naws_session_token=" TOKEN "\n");
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDFILE");
    ck_assert_str_eq(s.secret_key, FILE_SECRET);
    ck_assert_ptr_null(s.session_token);
    ck_assert_str_eq(s.credentials_from, "the credentials file");
    mlops__aws_settings_free(&s);
    ck_assert_ptr_null(s.secret_key);

    set(&e, "AWS_PROFILE", "other");
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDOTHER");
    ck_assert_str_eq(s.secret_key, FILE_SECRET "2");
    ck_assert_str_eq(s.session_token, TOKEN);
    mlops__aws_settings_free(&s);

    /* AWS_DEFAULT_PROFILE when AWS_PROFILE is unset. */
    set(&e, "AWS_PROFILE", "");
    set(&e, "AWS_DEFAULT_PROFILE", "other");
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDOTHER");
    mlops__aws_settings_free(&s);

    /* The environment's keys beat any profile, AWS_PROFILE too. */
    set(&e, "AWS_PROFILE", "other");
    env_keys(&e);
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDENV");
    ck_assert_str_eq(s.secret_key, ENV_SECRET);
    ck_assert_ptr_null(s.session_token);
    mlops__aws_settings_free(&s);
    set(&e, "AWS_SESSION_TOKEN", TOKEN);
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.session_token, TOKEN);
    mlops__sigv4_creds cr;
    mlops__aws_sigv4_creds(&s, &cr);
    ck_assert_str_eq(cr.access_key, "AKIDENV");
    ck_assert_str_eq(cr.session_token, TOKEN);
    ck_assert_str_eq(cr.service, "s3");
    ck_assert_str_eq(cr.region, "us-east-1");
    mlops__aws_settings_free(&s);

    /* Keys only in the config file's profile are used after the
     * credentials file's. */
    fake_env f = { 0 };
    set(&f, "AWS_PROFILE", "cfg");
    write_aws("config", "[profile cfg]\naws_access_key_id = AKIDCFG\n"
                        "aws_secret_access_key = " FILE_SECRET "\n");
    TU_OK(resolve(&f, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDCFG");
    ck_assert_str_eq(s.credentials_from, "the config file");
    mlops__aws_settings_free(&s);
    write_aws("credentials", "[cfg]\naws_access_key_id = AKIDCRED\n"
                             "aws_secret_access_key = " FILE_SECRET "\n");
    TU_OK(resolve(&f, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDCRED");
    mlops__aws_settings_free(&s);
}
END_TEST

START_TEST(credential_errors)
{
    fake_env e = { 0 };
    fails(&e, MLOPS_ENOTFOUND,
          "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE");
    set(&e, "AWS_SESSION_TOKEN", TOKEN); /* a token alone is no credential */
    fails(&e, MLOPS_ENOTFOUND, "no S3 credentials");
    set(&e, "AWS_ACCESS_KEY_ID", "AKID");
    fails(&e, MLOPS_EINVAL, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    set(&e, "AWS_ACCESS_KEY_ID", "");
    set(&e, "AWS_SECRET_ACCESS_KEY", ENV_SECRET);
    fails(&e, MLOPS_EINVAL, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    set(&e, "AWS_ACCESS_KEY_ID", "AKID/with,slash");
    fails(&e, MLOPS_EINVAL, "access key from the environment");
    set(&e, "AWS_ACCESS_KEY_ID", "AKID");
    set(&e, "AWS_SESSION_TOKEN", TOKEN "\r\nx-evil: 1");
    fails(&e, MLOPS_EINVAL, "session token");

    fake_env p = { 0 };
    set(&p, "AWS_PROFILE", "missing");
    write_aws("credentials", "[default]\naws_access_key_id=A\naws_secret_access_key=" FILE_SECRET
                             "\n");
    fails(&p, MLOPS_ENOTFOUND, "AWS_PROFILE names profile 'missing'");
    write_aws("credentials", "[missing]\naws_access_key_id=AKIDHALF\n");
    fails(&p, MLOPS_EINVAL, "has aws_access_key_id but no aws_secret_access_key");
    write_aws("credentials", "[missing]\naws_secret_access_key=" FILE_SECRET "\n");
    fails(&p, MLOPS_EINVAL, "has aws_secret_access_key but no aws_access_key_id");
    /* A section with no keys at all, AWS_PROFILE given: the general message. */
    write_aws("credentials", "[missing]\nregion=x\n");
    fails(&p, MLOPS_ENOTFOUND, "no S3 credentials: set AWS_ACCESS_KEY_ID");

    /* Profiles that get their credentials another way. */
    write_aws("credentials", "[missing]\naws_access_key_id=A\naws_secret_access_key="
                             FILE_SECRET "\n");
    write_aws("config", "[profile missing]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile=d\n");
    fails(&p, MLOPS_EUNSUPPORTED, "role_arn");
    write_aws("config", "[profile missing]\nsso_session = corp\n");
    fails(&p, MLOPS_EUNSUPPORTED, "sso_session");
    write_aws("config", "[profile missing]\ncredential_process = /bin/get-keys\n");
    mlops__aws_settings s;
    TU_OK(resolve(&p, NULL, NULL, &s)); /* the credentials file's keys come first */
    mlops__aws_settings_free(&s);
    write_aws("credentials", "");
    fails(&p, MLOPS_EUNSUPPORTED, "credential_process");
}
END_TEST

/* The default profile's key in a credentials file with this text. */
static char *cred_key(const char *text, const char *profile)
{
    write_aws("credentials", text);
    fake_env e = { 0 };
    if (profile) set(&e, "AWS_PROFILE", profile);
    mlops__aws_settings s;
    int rc = resolve(&e, NULL, NULL, &s);
    if (rc != MLOPS_OK) return NULL;
    char *k = strdup(s.access_key);
    ck_assert_str_eq(s.secret_key, FILE_SECRET);
    mlops__aws_settings_free(&s);
    return k;
}

static void key_is(const char *text, const char *profile, const char *want)
{
    char *k = cred_key(text, profile);
    ck_assert_msg(k != NULL, "no key from:\n%s\n(%s)", text, mlops_last_error());
    ck_assert_msg(!strcmp(k, want), "'%s' instead of '%s' from:\n%s", k, want, text);
    free(k);
}

START_TEST(profile_parsing)
{
    const char *sk = "aws_secret_access_key = " FILE_SECRET "\n";
    char t[1024];
    /* Comments, blanks, spaces around '=' and inside the brackets. */
    snprintf(t, sizeof t, "# a comment\n; another\n\n[ default ]\n  # indented comment\n"
             "aws_access_key_id   =   AKID1   \n%s", sk);
    key_is(t, NULL, "AKID1");
    /* Inline comments after a blank; a '#' inside a value stays. */
    snprintf(t, sizeof t, "[default] # the usual\naws_access_key_id = AKID#2 ; note\n%s", sk);
    key_is(t, NULL, "AKID#2");
    /* CRLF line ends and a UTF-8 BOM. */
    snprintf(t, sizeof t, "\xEF\xBB\xBF[default]\r\naws_access_key_id=AKID3\r\n"
             "aws_secret_access_key=" FILE_SECRET "\r\n");
    key_is(t, NULL, "AKID3");
    /* Keys are case-insensitive; the last of a repeated key wins. */
    snprintf(t, sizeof t, "[default]\nAWS_ACCESS_KEY_ID=AKIDOLD\naws_access_key_id=AKID4\n%s",
             sk);
    key_is(t, NULL, "AKID4");
    /* Other sections before and after; a nested block is not the profile's. */
    snprintf(t, sizeof t, "[dev]\naws_access_key_id=AKIDDEV\n%s[default]\ns3 =\n"
             "  aws_access_key_id = AKIDNESTED\n  addressing_style = path\n"
             "aws_access_key_id = AKID5\n%s[prod]\naws_access_key_id=AKIDPROD\n%s", sk, sk, sk);
    key_is(t, NULL, "AKID5");
    key_is(t, "dev", "AKIDDEV");
    key_is(t, "prod", "AKIDPROD");
    /* An indented key outside a nested block is an ordinary key. */
    snprintf(t, sizeof t, "[default]\n  aws_access_key_id = AKID6\n  %s", sk);
    key_is(t, NULL, "AKID6");
    /* A malformed header ends the section; a line without '=' is skipped. */
    snprintf(t, sizeof t, "[default]\nnonsense line\naws_access_key_id=AKID7\n%s[broken\n"
             "aws_access_key_id=AKIDBROKEN\n", sk);
    key_is(t, NULL, "AKID7");
    /* Profile names are exact: [Default] is not [default]. */
    snprintf(t, sizeof t, "[Default]\naws_access_key_id=AKID8\n%s", sk);
    char *k = cred_key(t, NULL);
    ck_assert_ptr_null(k);
    ck_assert_int_eq(mlops_last_error()[0] != '\0', 1);
    /* An empty or missing file: no credentials, no other error. */
    k = cred_key("", NULL);
    ck_assert_ptr_null(k);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "no S3 credentials"));

    /* In the config file, a profile is [profile NAME]; [NAME] is not,
     * except [default] (and [profile default]). */
    write_aws("credentials", "");
    write_aws("config", "[other]\nregion = wrong-1\n[profile other]\nregion = right-1\n"
                        "[sso-session other]\nregion = wrong-2\n");
    fake_env e = { 0 };
    env_keys(&e);
    set(&e, "AWS_PROFILE", "other");
    mlops__aws_settings s;
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.region, "right-1");
    mlops__aws_settings_free(&s);
    write_aws("config", "[profile default]\nregion = pd-1\n");
    set(&e, "AWS_PROFILE", "");
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.region, "pd-1");
    mlops__aws_settings_free(&s);
}
END_TEST

START_TEST(file_locations)
{
    char *dir = tu_path(home, "elsewhere");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    char *cred = tu_path(dir, "creds");
    const char *text = "[default]\naws_access_key_id=AKIDMOVED\naws_secret_access_key="
                       FILE_SECRET "\n";
    tu_write_file(cred, text, strlen(text));
    write_aws("credentials", "[default]\naws_access_key_id=AKIDHOME\naws_secret_access_key="
                             FILE_SECRET "\n");
    fake_env e = { 0 };
    mlops__aws_settings s;
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDHOME");
    mlops__aws_settings_free(&s);
    set(&e, "AWS_SHARED_CREDENTIALS_FILE", cred);
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDMOVED");
    mlops__aws_settings_free(&s);
    set(&e, "AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere/creds");
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDMOVED");
    mlops__aws_settings_free(&s);
    /* A folder where a file should be: named, refused. */
    set(&e, "AWS_SHARED_CREDENTIALS_FILE", dir);
    fails(&e, MLOPS_EINVAL, "not a regular file");
    /* AWS_CONFIG_FILE for the region. */
    char *conf = tu_path(dir, "conf");
    const char *ctext = "[default]\nregion=moved-1\n";
    tu_write_file(conf, ctext, strlen(ctext));
    set(&e, "AWS_SHARED_CREDENTIALS_FILE", cred);
    set(&e, "AWS_CONFIG_FILE", conf);
    TU_OK(resolve(&e, NULL, NULL, &s));
    ck_assert_str_eq(s.region, "moved-1");
    mlops__aws_settings_free(&s);

    /* No HOME at all: "~" names nothing, so only the environment counts. */
    fake_env n = { 0 };
    mlops__aws_sources src = { fake_get, &n, NULL, NULL, NULL };
    TU_RC(MLOPS_ENOTFOUND, mlops__aws_resolve("t", &src, &s));
    set(&n, "HOME", home); /* HOME from the environment when none is given */
    TU_OK(mlops__aws_resolve("t", &src, &s));
    ck_assert_str_eq(s.access_key, "AKIDHOME");
    mlops__aws_settings_free(&s);
    free(conf);
    free(cred);
    free(dir);
}
END_TEST

START_TEST(process_environment)
{
    /* src NULL: the real environment (this test's process only). */
    setenv("HOME", home, 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDPROC", 1);
    setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET, 1);
    setenv("AWS_REGION", "proc-1", 1);
    setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:7070", 1);
    unsetenv("AWS_SESSION_TOKEN");
    mlops__aws_settings s;
    TU_OK(mlops__aws_resolve("t", NULL, &s));
    ck_assert_str_eq(s.access_key, "AKIDPROC");
    ck_assert_str_eq(s.region, "proc-1");
    ck_assert_str_eq(s.host, "127.0.0.1:7070");
    mlops__aws_settings_free(&s);
    TU_RC(MLOPS_EINVAL, mlops__aws_resolve("t", NULL, NULL));
    mlops__aws_settings_free(NULL);
}
END_TEST

static void endpoint_ok(const char *url, int https, const char *host)
{
    int h = -1;
    char *got = NULL;
    TU_OK(mlops__aws_endpoint_parse("t", "X", url, &h, &got));
    ck_assert_int_eq(h, https);
    ck_assert_msg(!strcmp(got, host), "%s -> %s, expected %s", url, got, host);
    free(got);
}

static void endpoint_bad(const char *url, const char *part)
{
    int h = -1;
    char *got = NULL;
    TU_RC(MLOPS_EINVAL, mlops__aws_endpoint_parse("t", "SOURCE", url, &h, &got));
    ck_assert_ptr_null(got);
    const char *m = mlops_last_error();
    ck_assert_msg(strstr(m, part) && strstr(m, "SOURCE"), "%s: '%s' lacks '%s'", url, m, part);
    ck_assert_msg(!strstr(m, MARK), "the URL's secret is in '%s'", m);
}

START_TEST(endpoint_urls)
{
    endpoint_ok("http://127.0.0.1:7070", 0, "127.0.0.1:7070");
    endpoint_ok("http://127.0.0.1:7070/", 0, "127.0.0.1:7070");
    endpoint_ok("HTTPS://S3.Example.COM", 1, "s3.example.com");
    endpoint_ok("https://s3.example.com:443", 1, "s3.example.com");
    endpoint_ok("http://s3.example.com:80/", 0, "s3.example.com");
    endpoint_ok("http://s3.example.com:443", 0, "s3.example.com:443");
    endpoint_ok("http://[::1]:9000", 0, "[::1]:9000");
    endpoint_ok("https://[FD00::1]", 1, "[fd00::1]");
    endpoint_ok("http://host:07070", 0, "host:7070");
    endpoint_bad("ftp://host", "scheme");
    endpoint_bad("127.0.0.1:7070", "scheme");
    endpoint_bad("http://", "host is empty");
    endpoint_bad("http://:80", "host is empty");
    endpoint_bad("http://[]:80", "host is empty");
    endpoint_bad("http://user:" MARK "@host", "user info");
    endpoint_bad("http://host/bucket", "path");
    endpoint_bad("http://host?x=1", "path, query");
    endpoint_bad("http://host:0", "port");
    endpoint_bad("http://host:65536", "port");
    endpoint_bad("http://host:", "port");
    endpoint_bad("http://host:12ab", "port");
    endpoint_bad("http://ho st", "host has a character");
    endpoint_bad("http://[::1", "']'");
    endpoint_bad("http://[::1]x", "follows");
}
END_TEST

static void location_ok(const char *url, const char *bucket, const char *prefix)
{
    mlops__s3_location l;
    TU_OK(mlops__s3_location_parse("t", url, &l));
    ck_assert_str_eq(l.bucket, bucket);
    ck_assert_msg(!strcmp(l.prefix, prefix), "%s: prefix '%s', expected '%s'", url, l.prefix,
                  prefix);
    mlops__s3_location_free(&l);
}

static void location_bad(const char *url, const char *part)
{
    mlops__s3_location l;
    TU_RC(MLOPS_EINVAL, mlops__s3_location_parse("t", url, &l));
    ck_assert_ptr_null(l.bucket);
    ck_assert_ptr_null(l.prefix);
    ck_assert_msg(strstr(mlops_last_error(), part) != NULL, "%s: '%s' lacks '%s'", url,
                  mlops_last_error(), part);
}

START_TEST(s3_urls)
{
    location_ok("s3://bucket", "bucket", "");
    location_ok("s3://bucket/", "bucket", "");
    location_ok("S3://my.bucket-1/team/ml", "my.bucket-1", "team/ml");
    location_ok("s3://bucket//team/ml///", "bucket", "team/ml");
    location_ok("s3://abc/caf\xC3\xA9 models", "abc", "caf\xC3\xA9 models");
    location_bad("https://bucket/x", "s3://");
    location_bad("s3:///x", "no bucket");
    location_bad("s3://ab", "3 to 63");
    location_bad("s3://a123456789012345678901234567890123456789012345678901234567890123",
                 "3 to 63");
    location_bad("s3://Bucket", "lower-case");
    location_bad("s3://buck_et", "lower-case");
    location_bad("s3://-bucket", "start and end");
    location_bad("s3://bucket.", "start and end");
    location_bad("s3://my..bucket", "adjacent");
    location_bad("s3://192.168.5.4", "IP address");
    location_bad("s3://xn--bucket", "reserves");
    location_bad("s3://sthree-bucket", "reserves");
    location_bad("s3://amzn-s3-demo-bucket", "reserves");
    location_bad("s3://bucket-s3alias", "reserves");
    location_bad("s3://bucket--ol-s3", "reserves");
    location_bad("s3://bucket.mrap", "reserves");
    location_bad("s3://bucket--x-s3", "reserves");
    location_bad("s3://bucket--table-s3", "reserves");
    location_bad("s3://bucket/a//b", "empty");
    location_bad("s3://bucket/a/../b", "'..'");
    location_bad("s3://bucket/./b", "'.'");
    location_bad("s3://bucket/a?b", "'?'");
    location_bad("s3://bucket/a#b", "'#'");
    location_bad("s3://bucket/a\tb", "control");
    location_bad("s3://bucket/\xC3\x28", "UTF-8");
    char long_url[700] = "s3://bucket/";
    memset(long_url + 12, 'p', 600);
    location_bad(long_url, "longer than");
    TU_RC(MLOPS_EINVAL, mlops__s3_location_parse("t", NULL, &(mlops__s3_location){ 0 }));
    TU_RC(MLOPS_EINVAL, mlops__s3_location_parse("t", "s3://b", NULL));
    mlops__s3_location_free(NULL);
}
END_TEST

static void target_is(const mlops__aws_settings *s, const char *bucket, const char *key,
                      const char *base, const char *host, const char *path)
{
    mlops__s3_target t;
    TU_OK(mlops__s3_target_make("t", s, bucket, key, &t));
    ck_assert_str_eq(t.base_url, base);
    ck_assert_str_eq(t.host, host);
    ck_assert_str_eq(t.path, path);
    mlops__s3_target_free(&t);
}

START_TEST(targets)
{
    fake_env e = { 0 };
    env_keys(&e);
    set(&e, "AWS_REGION", "eu-west-1");
    mlops__aws_settings s;
    TU_OK(resolve(&e, NULL, NULL, &s));
    target_is(&s, "team-bucket", "p/objects/ab/cd", "https://team-bucket.s3.eu-west-1.amazonaws.com",
              "team-bucket.s3.eu-west-1.amazonaws.com", "/p/objects/ab/cd");
    target_is(&s, "team-bucket", NULL, "https://team-bucket.s3.eu-west-1.amazonaws.com",
              "team-bucket.s3.eu-west-1.amazonaws.com", "/");
    /* A dotted bucket stays path-style under https. */
    target_is(&s, "team.bucket", "k", "https://s3.eu-west-1.amazonaws.com",
              "s3.eu-west-1.amazonaws.com", "/team.bucket/k");
    mlops__s3_target t;
    TU_RC(MLOPS_EINVAL, mlops__s3_target_make("t", &s, "Bad_Bucket", "k", &t));
    mlops__aws_settings_free(&s);

    set(&e, "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:7070");
    TU_OK(resolve(&e, NULL, NULL, &s));
    target_is(&s, "mlops-test", "p/objects/ab/cd", "http://127.0.0.1:7070", "127.0.0.1:7070",
              "/mlops-test/p/objects/ab/cd");
    target_is(&s, "mlops-test", "", "http://127.0.0.1:7070", "127.0.0.1:7070", "/mlops-test");
    mlops__aws_settings_free(&s);
    mlops__s3_target_free(NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("aws_config");
    TCase *tc = tcase_create("aws_config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, endpoint_order);
    tcase_add_test(tc, region_order);
    tcase_add_test(tc, credentials_order);
    tcase_add_test(tc, credential_errors);
    tcase_add_test(tc, profile_parsing);
    tcase_add_test(tc, file_locations);
    tcase_add_test(tc, process_environment);
    tcase_add_test(tc, endpoint_urls);
    tcase_add_test(tc, s3_urls);
    tcase_add_test(tc, targets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(suite());
}
