/* The AWS shared files: reading one, and looking a key up in a profile's
 * section (aws_profile.h says which INI dialect). The text is scanned
 * again for each key: the files are small and a resolve asks for a few
 * keys. */
#include "objects/s3/aws_profile.h"

#include "util/err.h"

#include <openssl/crypto.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int mlops__aws_file_read(const char *fn, mlops__aws_file *f)
{
    f->text = NULL;
    f->len = 0;
    if (!f->path) return MLOPS_OK;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return MLOPS_OK;
        return mlops__err_os(MLOPS_EIO, errno, "%s: cannot open the AWS %s '%s'", fn, f->what,
                             f->path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return mlops__err_os(MLOPS_EIO, e, "%s: cannot stat the AWS %s '%s'", fn, f->what,
                             f->path);
    }
    if (S_ISCHR(st.st_mode)) { /* /dev/null, as the SDKs allow: no settings */
        close(fd);
        return MLOPS_OK;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return mlops__err(MLOPS_EINVAL, "%s: the AWS %s '%s' is not a regular file", fn, f->what,
                          f->path);
    }
    if (st.st_size > MLOPS__AWS_FILE_MAX) {
        close(fd);
        return mlops__err(MLOPS_EINVAL, "%s: the AWS %s '%s' is larger than %d bytes", fn,
                          f->what, f->path, MLOPS__AWS_FILE_MAX);
    }
    size_t cap = (size_t)st.st_size + 1;
    char *text = malloc(cap);
    if (!text) {
        close(fd);
        return mlops__err_nomem("reading an AWS settings file");
    }
    size_t len = 0;
    /* Up to the size fstat gave: a file that grows meanwhile is cut there. */
    while (len < cap - 1) {
        ssize_t n = read(fd, text + len, cap - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            OPENSSL_cleanse(text, cap);
            free(text);
            return mlops__err_os(MLOPS_EIO, e, "%s: cannot read the AWS %s '%s'", fn, f->what,
                                 f->path);
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    text[len] = '\0';
    f->text = text;
    f->len = len;
    return MLOPS_OK;
}

void mlops__aws_file_free(mlops__aws_file *f)
{
    if (!f) return;
    if (f->text) {
        OPENSSL_cleanse(f->text, f->len);
        free(f->text);
    }
    free(f->path);
    f->text = f->path = NULL;
    f->len = 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && blank(**s)) (*s)++;
    while (*e > *s && blank((*e)[-1])) (*e)--;
}

/* Is "[name]" (name = [s, e), trimmed) the section of profile? */
static int section_is(const char *s, const char *e, int config_style, const char *profile)
{
    size_t pn = strlen(profile);
    if (config_style) {
        if (e - s > 7 && !memcmp(s, "profile", 7) && blank(s[7])) {
            s += 8;
            trim(&s, &e);
        } else if (strcmp(profile, "default") != 0) {
            return 0; /* [sso-session x], [services x], or a bare name: not a profile */
        }
    }
    return (size_t)(e - s) == pn && !memcmp(s, profile, pn);
}

int mlops__aws_profile_get(const mlops__aws_file *f, int config_style, const char *profile,
                           const char *key, char **value, int *has_section)
{
    *value = NULL;
    if (has_section) *has_section = 0;
    if (!f->text) return MLOPS_OK;
    const char *p = f->text, *end = f->text + f->len;
    if (f->len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3;
    size_t kn = strlen(key);
    int in = 0, nested = 0;
    const char *vs = NULL, *ve = NULL;
    while (p < end) {
        const char *s = p, *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        p = e < end ? e + 1 : end;
        if (e > s && e[-1] == '\r') e--;
        int indented = s < e && blank(*s);
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';') continue;
        if (indented && nested) continue; /* inside "s3 =" and the like */
        for (const char *c = s + 1; c < e; c++)
            if ((*c == '#' || *c == ';') && blank(c[-1])) {
                e = c;
                break;
            }
        trim(&s, &e);
        if (*s == '[') {
            nested = 0;
            in = 0;
            if (e - s < 2 || e[-1] != ']') continue; /* not a section header: ignored */
            const char *ns = s + 1, *ne = e - 1;
            trim(&ns, &ne);
            in = section_is(ns, ne, config_style, profile);
            if (in && has_section) *has_section = 1;
            continue;
        }
        if (!in) continue;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq) continue;
        const char *ks = s, *ke = eq, *v = eq + 1, *vend = e;
        trim(&ks, &ke);
        trim(&v, &vend);
        nested = v == vend;
        if ((size_t)(ke - ks) == kn && !strncasecmp(ks, key, kn) && v < vend) {
            vs = v;
            ve = vend;
        }
    }
    if (!vs) return MLOPS_OK;
    char *copy = malloc((size_t)(ve - vs) + 1);
    if (!copy) return mlops__err_nomem("reading an AWS profile");
    memcpy(copy, vs, (size_t)(ve - vs));
    copy[ve - vs] = '\0';
    *value = copy;
    return MLOPS_OK;
}
