/* Streaming JSON writer (see json.h). */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_init(json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

/* Writes the comma that separates this value from the previous one. */
static void before_value(json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->count[j->depth]++ > 0) fputc(',', j->f);
}

static void open_level(json *j, char c)
{
    before_value(j);
    fputc(c, j->f);
    if (j->depth + 1 < JSON_MAX_DEPTH) j->depth++;
    j->count[j->depth] = 0;
}

static void close_level(json *j, char c)
{
    fputc(c, j->f);
    if (j->depth > 0) j->depth--;
}

void json_begin_object(json *j) { open_level(j, '{'); }
void json_end_object(json *j) { close_level(j, '}'); }
void json_begin_array(json *j) { open_level(j, '['); }
void json_end_array(json *j) { close_level(j, ']'); }

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
    else return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

void json_write_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            s++;
        } else if (c < 0x80) {
            fputc((int)c, f);
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n == 0) {
                fputs("\\ufffd", f);
                s++;
            } else {
                fwrite(s, 1, n, f);
                s += n;
            }
        }
    }
    fputc('"', f);
}

void json_key(json *j, const char *key)
{
    before_value(j);
    json_write_string(j->f, key);
    fputc(':', j->f);
    j->after_key = 1;
}

void json_string(json *j, const char *s)
{
    before_value(j);
    if (s)
        json_write_string(j->f, s);
    else
        fputs("null", j->f);
}

void json_int(json *j, int64_t v)
{
    before_value(j);
    fprintf(j->f, "%lld", (long long)v);
}

void json_uint(json *j, uint64_t v)
{
    before_value(j);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_double(json *j, double v)
{
    before_value(j);
    if (!isfinite(v)) {
        fputs("null", j->f);
        return;
    }
    /* The shortest of %.15g..%.17g that reads back exactly. */
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, j->f);
}

void json_bool(json *j, int v)
{
    before_value(j);
    fputs(v ? "true" : "false", j->f);
}

void json_null(json *j)
{
    before_value(j);
    fputs("null", j->f);
}

void json_finish(json *j)
{
    fputc('\n', j->f);
}

void json_kv_string(json *j, const char *key, const char *s) { json_key(j, key); json_string(j, s); }
void json_kv_int(json *j, const char *key, int64_t v) { json_key(j, key); json_int(j, v); }
void json_kv_uint(json *j, const char *key, uint64_t v) { json_key(j, key); json_uint(j, v); }
void json_kv_double(json *j, const char *key, double v) { json_key(j, key); json_double(j, v); }
void json_kv_bool(json *j, const char *key, int v) { json_key(j, key); json_bool(j, v); }
