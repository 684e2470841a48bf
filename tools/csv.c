/* The CSV reader (see csv.h). */
#include "csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(csv_error *err, size_t line, const char *fmt, ...)
{
    if (err) {
        err->line = line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The first byte that is not valid UTF-8 (or a NUL), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        if (c == 0) return i;
        size_t n;
        uint32_t cp, min;
        if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07, min = 0x10000;
        else return i;
        if (len - i < n) return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += n;
    }
    return len;
}

static size_t line_of(const char *data, size_t pos)
{
    size_t line = 1;
    for (size_t i = 0; i < pos; i++)
        if (data[i] == '\n') line++;
    return line;
}

typedef struct growing {
    const char **cells;
    size_t n, cap;
    size_t *lines;
    size_t nlines, lines_cap;
} growing;

static int push_cell(growing *g, const char *cell)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 1024;
        const char **c = realloc(g->cells, cap * sizeof *c);
        if (!c) return -1;
        g->cells = c;
        g->cap = cap;
    }
    g->cells[g->n++] = cell;
    return 0;
}

static int push_line(growing *g, size_t line)
{
    if (g->nlines == g->lines_cap) {
        size_t cap = g->lines_cap ? g->lines_cap * 2 : 256;
        size_t *l = realloc(g->lines, cap * sizeof *l);
        if (!l) return -1;
        g->lines = l;
        g->lines_cap = cap;
    }
    g->lines[g->nlines++] = line;
    return 0;
}

int csv_parse(const char *data, size_t len, csv_progress_fn progress, void *progress_arg,
              csv_table **out, csv_error *err)
{
    *out = NULL;
    if (err) {
        err->line = 0;
        err->message[0] = '\0';
    }
    if (!data && len) return fail(err, 0, "no data");
    size_t bad = utf8_invalid_at((const unsigned char *)data, len);
    if (bad < len) {
        return fail(err, line_of(data, bad), "%s at byte %zu (the file must be UTF-8 text)",
                    data[bad] ? "a byte that is not UTF-8" : "a NUL byte", bad + 1);
    }
    size_t pos = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;

    /* Fields are unescaped in place into a copy: a field's bytes plus its
     * terminating NUL always fit where its raw bytes and separator were. */
    char *text = malloc(len + 1);
    if (!text) return fail(err, 0, "out of memory");
    if (len) memcpy(text, data, len);
    text[len] = '\0';

    growing g = { 0 };
/* Fails the parse: err is written before the buffers it may quote go. */
#define FAIL(...)                    \
    do {                             \
        fail(err, __VA_ARGS__);      \
        goto failed;                 \
    } while (0)
    size_t line = 1;       /* line of the current position */
    size_t ncols = 0;      /* fields in the header, once read */
    size_t record = 0;     /* records read, header included */
    size_t next_report = 1 << 24;
    while (pos < len) {
        /* One record. */
        size_t first = g.n, record_line = line;
        if (text[pos] == '\n' || text[pos] == '\r') { /* an empty line */
            if (text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n') pos++;
            pos++;
            line++;
            continue;
        }
        for (;;) {
            size_t w = pos; /* where the unescaped field is written */
            size_t start = w;
            if (text[pos] == '"') {
                size_t open_line = line;
                pos++;
                for (;;) {
                    if (pos >= len) {
                        FAIL(open_line, "a quoted field is never closed");
                    }
                    char c = text[pos];
                    if (c == '"') {
                        if (pos + 1 < len && text[pos + 1] == '"') {
                            text[w++] = '"';
                            pos += 2;
                            continue;
                        }
                        pos++;
                        break;
                    }
                    if (c == '\n') line++;
                    text[w++] = c;
                    pos++;
                }
                if (pos < len && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
                    FAIL(line, "text after a closing quote (expected a comma or a line end)");
                }
            } else {
                while (pos < len && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
                    if (text[pos] == '"') {
                        FAIL(line, "a quote inside an unquoted field (quote the whole field and double the quote)");
                    }
                    w++;
                    pos++;
                }
            }
            /* pos is at a comma, a line end or the end; the field ends at w. */
            char sep = pos < len ? text[pos] : '\n';
            text[w] = '\0';
            if (push_cell(&g, (w == start) ? NULL : text + start) != 0) {
                FAIL(0, "out of memory");
            }
            if (sep == ',') {
                pos++;
                if (pos >= len) { /* "a,b," at the very end: one more empty field */
                    if (push_cell(&g, NULL) != 0) {
                        FAIL(0, "out of memory");
                    }
                    break;
                }
                continue;
            }
            if (pos < len) {
                /* text[pos] may now be the field's NUL: test the saved sep. */
                if (sep == '\r' && pos + 1 < len && text[pos + 1] == '\n') pos++;
                pos++;
                line++;
            }
            break;
        }
        size_t nfields = g.n - first;
        if (record == 0) {
            ncols = nfields;
            for (size_t i = 0; i < ncols; i++) {
                if (!g.cells[i]) {
                    FAIL(record_line, "column %zu of the header has no name", i + 1);
                }
                for (size_t k = 0; k < i; k++) {
                    if (strcmp(g.cells[i], g.cells[k]) == 0) {
                        FAIL(record_line, "column name '%.60s' appears twice in the header", g.cells[i]);
                    }
                }
            }
        } else {
            if (nfields != ncols) {
                FAIL(record_line, "%zu field%s, the header has %zu", nfields,
                            nfields == 1 ? "" : "s", ncols);
            }
            if (push_line(&g, record_line) != 0) {
                FAIL(0, "out of memory");
            }
        }
        record++;
        if (progress && pos >= next_report) {
            progress(progress_arg, pos);
            next_report = pos + (1 << 24);
        }
    }
    if (record == 0) {
        FAIL(0, "no header (the file is empty)");
    }
    if (progress) progress(progress_arg, len);
    csv_table *t = calloc(1, sizeof *t);
    if (!t) {
        FAIL(0, "out of memory");
    }
    t->ncols = ncols;
    t->nrows = record - 1;
    t->header = g.cells;
    t->cells = g.cells + ncols;
    t->lines = g.lines;
    t->text = text;
    *out = t;
    return 0;
failed:
    free(text);
    free(g.cells);
    free(g.lines);
    return -1;
#undef FAIL
}

long csv_column(const csv_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->header[i], name) == 0) return (long)i;
    return -1;
}

void csv_free(csv_table *t)
{
    if (!t) return;
    free(t->header); /* the cells array starts with the header */
    free(t->lines);
    free(t->text);
    free(t);
}
