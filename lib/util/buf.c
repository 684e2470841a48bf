#include "util/buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(mlops__buf *b, size_t extra)
{
    if (b->failed) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void mlops__buf_append(mlops__buf *b, const char *s, size_t n)
{
    if (grow(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void mlops__buf_puts(mlops__buf *b, const char *s)
{
    mlops__buf_append(b, s, strlen(s));
}

void mlops__buf_printf(mlops__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        mlops__buf_append(b, tmp, (size_t)n);
        return;
    }
    if (grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void mlops__buf_json_string(mlops__buf *b, const char *s)
{
    mlops__buf_append(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        mlops__buf_append(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': mlops__buf_append(b, "\\\"", 2); break;
        case '\\': mlops__buf_append(b, "\\\\", 2); break;
        case '\n': mlops__buf_append(b, "\\n", 2); break;
        case '\t': mlops__buf_append(b, "\\t", 2); break;
        case '\r': mlops__buf_append(b, "\\r", 2); break;
        default: mlops__buf_printf(b, "\\u%04x", c); break;
        }
    }
    mlops__buf_append(b, run, (size_t)(s - run));
    mlops__buf_append(b, "\"", 1);
}

void mlops__buf_json_double(mlops__buf *b, double v)
{
    if (!isfinite(v)) {
        mlops__buf_puts(b, "null");
        return;
    }
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    /* A locale with a decimal comma must not leak into JSON. */
    for (char *p = tmp; *p; p++)
        if (*p == ',') *p = '.';
    mlops__buf_puts(b, tmp);
}

int mlops__buf_finish(mlops__buf *b, char **out, const char *what)
{
    if (b->failed || grow(b, 0)) {
        mlops__buf_free(b);
        return mlops__err_nomem(what);
    }
    *out = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return MLOPS_OK;
}

void mlops__buf_free(mlops__buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
