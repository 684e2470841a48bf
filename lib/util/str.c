#include "util/str.h"
#include "util/err.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

void mlops__hex_encode(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int mlops__hex_decode(const char *hex, size_t hexlen, unsigned char *out)
{
    if (hexlen % 2) return -1;
    for (size_t i = 0; i < hexlen / 2; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

char *mlops__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

char *mlops__strcat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
    char *p = malloc(la + lb + lc + 1);
    if (!p) return NULL;
    memcpy(p, a, la);
    memcpy(p + la, b, lb);
    if (lc) memcpy(p + la + lb, c, lc);
    p[la + lb + lc] = '\0';
    return p;
}

int mlops__utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t n;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
        else return 0;
        if (len - i <= n) return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000))
            return 0; /* overlong */
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += n + 1;
    }
    return 1;
}

int mlops__check_name(const char *func, const char *what, const char *s, size_t max_len)
{
    if (!s) return mlops__err_null(func, what);
    size_t len = strnlen(s, max_len + 1);
    if (len == 0) return mlops__err(MLOPS_EINVAL, "%s: %s is empty", func, what);
    if (len > max_len)
        return mlops__err(MLOPS_EINVAL, "%s: %s is longer than %zu bytes", func, what, max_len);
    if (!mlops__utf8_valid(s, len))
        return mlops__err(MLOPS_EINVAL, "%s: %s is not valid UTF-8", func, what);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return mlops__err(MLOPS_EINVAL, "%s: %s contains a control character (byte %zu)",
                              func, what, i);
    }
    return MLOPS_OK;
}

int mlops__random_bytes(unsigned char *out, size_t n)
{
    if (n > (size_t)INT32_MAX || RAND_bytes(out, (int)n) != 1)
        return mlops__err(MLOPS_EIO, "OpenSSL's random generator failed");
    return MLOPS_OK;
}
