#include "objects/s3/s3_xml.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/str.h"

/* The first `<tag>` in [p, end) and its closing `</tag>`: the text
 * between them in *text and *n, and where the search may go on in *next.
 * 0 when there is none (or it is not closed). */
static int find_elem(const char *p, const char *end, const char *tag, const char **text,
                     size_t *n, const char **next)
{
    size_t tl = strlen(tag);
    char open[64], close[64];
    if (tl + 4 > sizeof open) return 0;
    open[0] = '<';
    memcpy(open + 1, tag, tl);
    open[tl + 1] = '>';
    close[0] = '<';
    close[1] = '/';
    memcpy(close + 2, tag, tl);
    close[tl + 2] = '>';
    const char *s = memmem(p, (size_t)(end - p), open, tl + 2);
    if (!s) return 0;
    s += tl + 2;
    const char *e = memmem(s, (size_t)(end - s), close, tl + 3);
    if (!e) return 0;
    *text = s;
    *n = (size_t)(e - s);
    *next = e + tl + 3;
    return 1;
}

/* Appends code point cp as UTF-8; 0 for one XML 1.0 cannot carry. */
static int put_utf8(unsigned long cp, char *out, size_t *o)
{
    int ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
             (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return 0;
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
    return 1;
}

/* A character reference's number (the text between "&#" and ";"). */
static int char_ref(const char *p, size_t n, unsigned long *cp)
{
    int base = 10;
    if (n > 0 && p[0] == 'x') {
        base = 16;
        p++;
        n--;
    }
    if (n == 0 || n > 8) return 0;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        int d;
        char ch = p[i];
        if (ch >= '0' && ch <= '9') d = ch - '0';
        else if (base == 16 && ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
        else if (base == 16 && ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
        else return 0;
        v = v * (unsigned long)base + (unsigned long)d;
    }
    *cp = v;
    return 1;
}

char *mlops__xml_text_decode(const char *p, size_t n, int *bad)
{
    *bad = 0;
    /* Decoding never lengthens: the longest reference result (4 bytes)
     * comes from at least 4 bytes ("&#65536;" is 8). */
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char ch = p[i];
        if (ch == '<' || ch == '\0') goto malformed;
        if (ch != '&') {
            out[o++] = ch;
            i++;
            continue;
        }
        const char *semi = memchr(p + i, ';', n - i);
        if (!semi) goto malformed;
        const char *name = p + i + 1;
        size_t nl = (size_t)(semi - name);
        unsigned long cp = 0;
        if (nl == 3 && memcmp(name, "amp", 3) == 0) cp = '&';
        else if (nl == 2 && memcmp(name, "lt", 2) == 0) cp = '<';
        else if (nl == 2 && memcmp(name, "gt", 2) == 0) cp = '>';
        else if (nl == 4 && memcmp(name, "quot", 4) == 0) cp = '"';
        else if (nl == 4 && memcmp(name, "apos", 4) == 0) cp = '\'';
        else if (nl >= 2 && name[0] == '#') {
            if (!char_ref(name + 1, nl - 1, &cp)) goto malformed;
        } else {
            goto malformed;
        }
        if (!put_utf8(cp, out, &o)) goto malformed;
        i += nl + 2;
    }
    out[o] = '\0';
    if (!mlops__utf8_valid(out, o)) goto malformed;
    return out;
malformed:
    free(out);
    *bad = 1;
    return NULL;
}

void mlops__s3_list_page_free(mlops__s3_list_page *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) free(p->entries[i].key);
    free(p->entries);
    free(p->next_token);
    memset(p, 0, sizeof *p);
}

static int parse_u64(const char *p, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* LastModified, "YYYY-MM-DDTHH:MM:SS[.fff]Z" (ISO 8601 in UTC, as S3
 * writes it), to ms since the epoch. 0 when it is not in that form. */
static int parse_time(const char *p, size_t n, int64_t *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    if (n < sizeof shape) return 0; /* the shape and at least the 'Z' */
    for (size_t i = 0; i + 1 < sizeof shape; i++)
        if (shape[i] == 'd' ? p[i] < '0' || p[i] > '9' : p[i] != shape[i]) return 0;
    int v[6];
    static const int at[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2, 2, 2 };
    for (int k = 0; k < 6; k++) {
        v[k] = 0;
        for (int i = 0; i < len[k]; i++) v[k] = v[k] * 10 + (p[at[k] + i] - '0');
    }
    size_t i = sizeof shape - 1;
    int ms = 0, digits = 0;
    if (p[i] == '.')
        for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++)
            if (digits < 3) ms = ms * 10 + (p[i] - '0');
    for (; digits > 0 && digits < 3; digits++) ms *= 10;
    if (i + 1 != n || p[i] != 'Z' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
        v[3] > 23 || v[4] > 59 || v[5] > 60)
        return 0;
    /* days from the civil date (proleptic Gregorian), no time zone lookup */
    int y = v[0] - (v[1] <= 2), m = v[1];
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    *out = ((days * 24 + v[3]) * 60 + v[4]) * 60000 + (int64_t)v[5] * 1000 + ms;
    return 1;
}

int mlops__s3_parse_list(const char *fn, const char *what, const char *xml, size_t len,
                         mlops__s3_list_page *out)
{
    memset(out, 0, sizeof *out);
    const char *end = xml + len, *t, *next;
    size_t n;
    if (!memmem(xml, len, "<ListBucketResult", 17))
        return mlops__err(MLOPS_EFORMAT, "%s: %s: the answer is not a ListBucketResult", fn, what);
    /* IsTruncated and the token sit beside the Contents elements, never
     * inside one, so the first of each in the document is the one. */
    if (find_elem(xml, end, "IsTruncated", &t, &n, &next)) {
        if (n == 4 && memcmp(t, "true", 4) == 0) out->truncated = 1;
        else if (!(n == 5 && memcmp(t, "false", 5) == 0))
            return mlops__err(MLOPS_EFORMAT, "%s: %s: IsTruncated is neither true nor false", fn,
                              what);
    }
    if (find_elem(xml, end, "NextContinuationToken", &t, &n, &next)) {
        int bad;
        out->next_token = mlops__xml_text_decode(t, n, &bad);
        if (!out->next_token)
            return bad ? mlops__err(MLOPS_EFORMAT, "%s: %s: malformed NextContinuationToken", fn,
                                    what)
                       : mlops__err_nomem(what);
    }
    size_t cap = 0;
    const char *p = xml;
    const char *ct;
    size_t cn;
    while (find_elem(p, end, "Contents", &ct, &cn, &next)) {
        p = next;
        const char *cend = ct + cn, *kt, *st, *unused;
        size_t kn, sn;
        if (!find_elem(ct, cend, "Key", &kt, &kn, &unused))
            return mlops__err(MLOPS_EFORMAT, "%s: %s: an entry without a Key", fn, what);
        uint64_t size = 0;
        if (!find_elem(ct, cend, "Size", &st, &sn, &unused) || !parse_u64(st, sn, &size))
            return mlops__err(MLOPS_EFORMAT, "%s: %s: an entry without a readable Size", fn, what);
        int64_t mtime_ms = -1;
        if (find_elem(ct, cend, "LastModified", &st, &sn, &unused) &&
            !parse_time(st, sn, &mtime_ms))
            return mlops__err(MLOPS_EFORMAT, "%s: %s: an entry with an unreadable LastModified",
                              fn, what);
        int bad;
        char *key = mlops__xml_text_decode(kt, kn, &bad);
        if (!key)
            return bad ? mlops__err(MLOPS_EFORMAT, "%s: %s: a Key that is not well-formed text",
                                    fn, what)
                       : mlops__err_nomem(what);
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            mlops__s3_entry *e = realloc(out->entries, ncap * sizeof *e);
            if (!e) {
                free(key);
                return mlops__err_nomem(what);
            }
            out->entries = e;
            cap = ncap;
        }
        out->entries[out->n].key = key;
        out->entries[out->n].size = size;
        out->entries[out->n].mtime_ms = mtime_ms;
        out->n++;
    }
    return MLOPS_OK;
}

void mlops__s3_error_code(const char *xml, size_t len, char *out, size_t cap)
{
    const char *t, *next;
    size_t n, o = 0;
    if (cap == 0) return;
    if (xml && find_elem(xml, xml + len, "Code", &t, &n, &next)) {
        for (size_t i = 0; i < n && o + 1 < cap; i++) {
            char ch = t[i];
            if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
                out[o++] = ch;
            else
                break;
        }
    }
    out[o] = '\0';
}
