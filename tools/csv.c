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
        /* Messages quote the file's text (a column name, say), which may
         * hold line breaks: an error stays on one line. */
        for (char *p = err->message; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
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

/* ---- The header's names, sorted ---------------------------------------------------
 *
 * A header may have a million columns, and the drift commands look every
 * column up by name in each input: the names get an index sorted by name
 * (then by column) so that finding a repeated name and looking one up cost
 * O(n log n) and O(log n) comparisons. A sort rather than a hash table:
 * its bound holds for any header, with no hash function that a crafted
 * header could make collide. */

typedef struct name_sort {
    const char *const *names;
    size_t compares;
} name_sort;

/* Orders columns a and b by name, then by position; a column without a
 * name (NULL, refused later) comes first. */
static int name_before(name_sort *ns, size_t a, size_t b)
{
    ns->compares++;
    const char *x = ns->names[a], *y = ns->names[b];
    int c = (x && y) ? strcmp(x, y) : (x != NULL) - (y != NULL);
    return c < 0 || (c == 0 && a < b);
}

/* Sorts idx[0..n) with tmp as room: a bottom-up merge sort, at most
 * n * ceil(log2 n) comparisons whatever the names. */
static void merge_sort(name_sort *ns, size_t *idx, size_t *tmp, size_t n)
{
    size_t *from = idx, *to = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) to[k++] = name_before(ns, from[j], from[i]) ? from[j++] : from[i++];
            while (i < mid) to[k++] = from[i++];
            while (j < hi) to[k++] = from[j++];
        }
        size_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != idx) memcpy(idx, from, n * sizeof *idx);
}

/* The columns 0..n-1 sorted by name, or NULL when out of memory; adds the
 * comparisons made to *compares. */
static size_t *index_names(const char *const *names, size_t n, size_t *compares)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) idx[i] = i;
    name_sort ns = { names, 0 };
    merge_sort(&ns, idx, tmp, n);
    free(tmp);
    *compares += ns.compares;
    return idx;
}

/* The leftmost column whose name an earlier column has, or n. In the
 * sorted index equal names are adjacent, in column order. */
static size_t first_repeat(const char *const *names, const size_t *by_name, size_t n)
{
    size_t first = n;
    for (size_t i = 1; i < n; i++) {
        const char *name = names[by_name[i]], *prev = names[by_name[i - 1]];
        if (by_name[i] < first && name && prev && strcmp(name, prev) == 0) first = by_name[i];
    }
    return first;
}

/* ---- Parsing ------------------------------------------------------------------------ */

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
    size_t *by_name = NULL; /* the header's index, once read */
    size_t compares = 0;    /* name comparisons, for csv_table.name_compares */
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
            size_t unnamed = ncols;
            for (size_t i = 0; i < ncols && unnamed == ncols; i++)
                if (!g.cells[i]) unnamed = i;
            by_name = index_names(g.cells, ncols, &compares);
            if (!by_name) {
                FAIL(0, "out of memory");
            }
            size_t twice = first_repeat(g.cells, by_name, ncols);
            /* As a check column by column would: the leftmost problem. */
            if (unnamed < twice) {
                FAIL(record_line, "column %zu of the header has no name", unnamed + 1);
            }
            if (twice < ncols) {
                FAIL(record_line, "column name '%.60s' appears twice in the header", g.cells[twice]);
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
    t->by_name = by_name;
    t->name_compares = compares;
    *out = t;
    return 0;
failed:
    free(text);
    free(g.cells);
    free(g.lines);
    free(by_name);
    return -1;
#undef FAIL
}

long csv_column(const csv_table *t, const char *name)
{
    size_t lo = 0, hi = t->ncols; /* a binary search of the sorted index */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->header[t->by_name[mid]], name);
        if (c == 0) return (long)t->by_name[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

void csv_free(csv_table *t)
{
    if (!t) return;
    free(t->header); /* the cells array starts with the header */
    free(t->lines);
    free(t->text);
    free(t->by_name);
    free(t);
}
