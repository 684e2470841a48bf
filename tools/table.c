/* Aligned text tables (see table.h). */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct table {
    size_t ncols;
    char **cells;      /* headers first, then rows, row-major */
    size_t ncells, cap;
    unsigned char *right;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Width on a terminal: one per UTF-8 code point (continuation bytes do not
 * count). Wide East Asian characters are rare in these tables. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

table *table_new(size_t ncols, const char *const *headers)
{
    table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ncols = ncols;
    t->right = calloc(ncols ? ncols : 1, 1);
    if (!t->right) {
        free(t);
        return NULL;
    }
    for (size_t i = 0; i < ncols; i++) {
        if (table_cell(t, headers[i]) != 0) {
            table_free(t);
            return NULL;
        }
    }
    return t;
}

void table_align_right(table *t, size_t col)
{
    if (t && col < t->ncols) t->right[col] = 1;
}

int table_cell(table *t, const char *text)
{
    if (t->ncells == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **cells = realloc(t->cells, cap * sizeof *cells);
        if (!cells) return -1;
        t->cells = cells;
        t->cap = cap;
    }
    char *c = dup_str(text ? text : "-");
    if (!c) return -1;
    t->cells[t->ncells++] = c;
    return 0;
}

int table_cellf(table *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return table_cell(t, buf);
}

size_t table_rows(const table *t)
{
    return t->ncols ? t->ncells / t->ncols - 1 : 0;
}

void table_print(const table *t, FILE *f)
{
    if (!t || t->ncols == 0) return;
    size_t *width = calloc(t->ncols, sizeof *width);
    if (!width) return;
    size_t full = t->ncells - t->ncells % t->ncols;
    for (size_t i = 0; i < full; i++) {
        size_t w = display_width(t->cells[i]);
        if (w > width[i % t->ncols]) width[i % t->ncols] = w;
    }
    for (size_t i = 0; i < full; i++) {
        size_t col = i % t->ncols;
        size_t pad = width[col] - display_width(t->cells[i]);
        int last = col == t->ncols - 1;
        if (t->right[col])
            fprintf(f, "%*s%s", (int)pad, "", t->cells[i]);
        else if (last)
            fputs(t->cells[i], f);
        else
            fprintf(f, "%s%*s", t->cells[i], (int)pad, "");
        fputs(last ? "\n" : "  ", f);
    }
    free(width);
}

void table_free(table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->ncells; i++) free(t->cells[i]);
    free(t->cells);
    free(t->right);
    free(t);
}

void listing_begin(listing *l, int as_json, size_t ncols, const char *const *headers,
                   const int *right)
{
    l->as_json = as_json;
    l->t = NULL;
    json_init(&l->j, stdout);
    if (as_json) {
        json_begin_array(&l->j);
        return;
    }
    if (!headers) return; /* the caller prints the text form itself */
    l->t = table_new(ncols, headers);
    for (; right && *right >= 0; right++) table_align_right(l->t, (size_t)*right);
}

json *listing_object(listing *l)
{
    if (!l->as_json) return NULL;
    json_begin_object(&l->j);
    return &l->j;
}

void listing_end(listing *l)
{
    if (l->as_json) {
        json_end_array(&l->j);
        json_finish(&l->j);
    } else {
        table_print(l->t, stdout);
    }
    listing_drop(l);
}

void listing_drop(listing *l)
{
    table_free(l->t);
    l->t = NULL;
}

int listing_close(listing *l, const cli_ctx *ctx, int rc, int done, const char *what)
{
    if (rc != done) {
        listing_drop(l);
        return cli_fail(ctx, rc, what);
    }
    listing_end(l);
    return CLI_OK;
}
