#include "util/buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(mlops__buf *b, size_t extra)
{
    if (b->failed) return 0;
    if (b->cap - b->len > extra) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return 0;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void mlops__buf_addn(mlops__buf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mlops__buf_add(mlops__buf *b, const char *s)
{
    mlops__buf_addn(b, s, strlen(s));
}

void mlops__buf_addf(mlops__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (!reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *mlops__buf_str(mlops__buf *b)
{
    if (b->failed) return NULL;
    return b->data ? b->data : "";
}

void mlops__buf_add_json_string(mlops__buf *b, const char *s)
{
    mlops__buf_addn(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
        mlops__buf_addn(b, run, (size_t)(s - run));
        run = s + 1;
        switch (ch) {
        case '"': mlops__buf_addn(b, "\\\"", 2); break;
        case '\\': mlops__buf_addn(b, "\\\\", 2); break;
        case '\n': mlops__buf_addn(b, "\\n", 2); break;
        case '\t': mlops__buf_addn(b, "\\t", 2); break;
        case '\r': mlops__buf_addn(b, "\\r", 2); break;
        default: mlops__buf_addf(b, "\\u%04x", ch); break;
        }
    }
    mlops__buf_addn(b, run, (size_t)(s - run));
    mlops__buf_addn(b, "\"", 1);
}

void mlops__buf_add_json_double(mlops__buf *b, double v)
{
    if (!isfinite(v)) {
        mlops__buf_add(b, "null");
        return;
    }
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    for (char *p = tmp; *p; p++)
        if (*p == ',') *p = '.';
    mlops__buf_add(b, tmp);
}

int mlops__buf_take(mlops__buf *b, char **out, const char *what)
{
    if (!mlops__buf_str(b) || (!b->data && !reserve(b, 0))) {
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
