/* mlops.conf: one "key value" per line, '#' comments, first key "format".
 * Small on purpose: it names places, never secrets (libpq reads passwords
 * from PGPASSWORD, ~/.pgpass or PGSERVICEFILE). */
#include "store/config.h"
#include "objects/objects.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_FORMAT 1
#define CONFIG_MAX (64 * 1024)

void mlops__config_free(mlops__store_config *cfg)
{
    free(cfg->metadata);
    free(cfg->schema);
    free(cfg->objects);
    free(cfg->s3_endpoint);
    free(cfg->s3_region);
    memset(cfg, 0, sizeof *cfg);
}

int mlops__config_check_schema(const char *fn, const char *schema)
{
    size_t n = strlen(schema);
    int ok = n > 0 && n <= MLOPS__SCHEMA_MAX && !(schema[0] >= '0' && schema[0] <= '9');
    for (size_t i = 0; ok && i < n; i++) {
        char ch = schema[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    }
    if (ok && !strncmp(schema, "pg_", 3)) ok = 0; /* reserved by PostgreSQL */
    if (ok) return MLOPS_OK;
    return mlops__err(MLOPS_EINVAL,
                      "%s: schema name '%.80s' is not valid (lower-case letters, digits and '_', "
                      "not starting with a digit or 'pg_', at most %d bytes)",
                      fn, schema, MLOPS__SCHEMA_MAX);
}

static int bad(const char *path, int line, const char *why)
{
    return mlops__err(MLOPS_EFORMAT, "store configuration '%s', line %d: %s", path, line, why);
}

static int set_once(char **field, const char *value, const char *path, int line)
{
    if (*field) return bad(path, line, "the key appears twice");
    *field = mlops__strdup(value);
    return *field ? MLOPS_OK : mlops__err_nomem("reading the store configuration");
}

static int parse(char *text, const char *path, mlops__store_config *cfg)
{
    int line = 0, have_format = 0;
    for (char *p = text; *p;) {
        char *eol = strchr(p, '\n');
        if (eol) *eol = '\0';
        line++;
        char *key = p;
        p = eol ? eol + 1 : p + strlen(p);
        if (!key[0] || key[0] == '#') continue;
        char *sp = strchr(key, ' ');
        if (!sp || !sp[1]) return bad(path, line, "expected \"key value\"");
        *sp = '\0';
        const char *value = sp + 1;
        int rc = MLOPS_OK;
        if (!have_format) {
            if (strcmp(key, "format")) return bad(path, line, "the first key must be \"format\"");
            if (strcmp(value, "1"))
                return mlops__err(MLOPS_EUNSUPPORTED,
                                  "store configuration '%s' has format %.20s; this library (%s) "
                                  "reads format %d",
                                  path, value, MLOPS_VERSION_STRING, CONFIG_FORMAT);
            have_format = 1;
        } else if (!strcmp(key, "format")) {
            return bad(path, line, "the key appears twice");
        } else if (!strcmp(key, "metadata")) {
            rc = set_once(&cfg->metadata, value, path, line);
        } else if (!strcmp(key, "schema")) {
            rc = set_once(&cfg->schema, value, path, line);
        } else if (!strcmp(key, "objects")) {
            rc = set_once(&cfg->objects, value, path, line);
        } else if (!strcmp(key, "s3_endpoint")) {
            rc = set_once(&cfg->s3_endpoint, value, path, line);
        } else if (!strcmp(key, "s3_region")) {
            rc = set_once(&cfg->s3_region, value, path, line);
        } else {
            return mlops__err(MLOPS_EUNSUPPORTED,
                              "store configuration '%s', line %d: unknown key \"%.40s\" (written "
                              "by a newer libmlops?)",
                              path, line, key);
        }
        if (rc) return rc;
    }
    if (!have_format) return bad(path, line, "no \"format\" line");
    if (cfg->schema && !cfg->metadata) return bad(path, line, "\"schema\" without \"metadata\"");
    if (cfg->metadata && !cfg->schema) return bad(path, line, "\"metadata\" without \"schema\"");
    if (cfg->schema && mlops__config_check_schema("mlops_store_open", cfg->schema))
        return MLOPS_EINVAL;
    if ((cfg->s3_endpoint || cfg->s3_region) && !mlops__objects_is_s3_url(cfg->objects))
        return bad(path, line, "\"s3_endpoint\" and \"s3_region\" go with \"objects s3://...\"");
    return MLOPS_OK;
}

int mlops__config_read(const char *dir, mlops__store_config *cfg, int *present)
{
    memset(cfg, 0, sizeof *cfg);
    *present = 0;
    char *path = mlops__path_join(dir, MLOPS__CONFIG_NAME);
    if (!path) return mlops__err_nomem("reading the store configuration");
    char *text;
    int rc = mlops__read_text_file(path, CONFIG_MAX, "store configuration", &text);
    if (!rc && !text) {
        free(path);
        return MLOPS_OK;
    }
    if (!rc) rc = parse(text, path, cfg);
    if (rc) mlops__config_free(cfg);
    else *present = 1;
    free(text);
    free(path);
    return rc;
}

static int line_ok(const char *v)
{
    return v && v[0] && !strchr(v, '\n') && !strchr(v, '\r');
}

int mlops__config_write(const char *dir, const mlops__store_config *cfg)
{
    if ((cfg->metadata && (!line_ok(cfg->metadata) || !line_ok(cfg->schema))) ||
        (cfg->objects && !line_ok(cfg->objects)) || (!cfg->metadata && !cfg->objects))
        return mlops__err(MLOPS_EINVAL, "a store configuration value is empty or holds a line break");
    char text[CONFIG_MAX];
    int n = snprintf(text, sizeof text,
                     "# libmlops store: where its parts live (doc/format.md). No secrets here:\n"
                     "# libpq reads the password from PGPASSWORD, ~/.pgpass or PGSERVICEFILE;\n"
                     "# S3 credentials come from the AWS environment (doc/s3.md).\n"
                     "format %d\n%s%s%s%s%s%s%s%s%s",
                     CONFIG_FORMAT, cfg->metadata ? "metadata " : "",
                     cfg->metadata ? cfg->metadata : "", cfg->metadata ? "\n" : "",
                     cfg->metadata ? "schema " : "", cfg->metadata ? cfg->schema : "",
                     cfg->metadata ? "\n" : "", cfg->objects ? "objects " : "",
                     cfg->objects ? cfg->objects : "", cfg->objects ? "\n" : "");
    if (n < 0 || (size_t)n >= sizeof text)
        return mlops__err(MLOPS_EINVAL, "the store configuration would exceed 64 KiB");
    int fd = -1;
    char *tmp = NULL;
    int rc = mlops__tmpfile(dir, &fd, &tmp);
    if (rc) return rc;
    char *path = mlops__path_join(dir, MLOPS__CONFIG_NAME);
    if (!path) rc = mlops__err_nomem("writing the store configuration");
    if (!rc) rc = mlops__write_all(fd, text, (size_t)n, tmp);
    if (!rc) rc = mlops__fsync_fd(fd, tmp);
    close(fd);
    if (!rc && (rc = mlops__rename_noreplace(tmp, path)) == MLOPS_EEXIST)
        rc = mlops__err(MLOPS_EEXIST, "'%s' already exists", path);
    if (!rc) rc = mlops__fsync_dir(dir);
    else unlink(tmp);
    free(tmp);
    free(path);
    return rc;
}
