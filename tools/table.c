/* Aligned text tables (see table.h). */
#include "table.h"

#include <stdarg.h>
#include <stdint.h>
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

/* Code point ranges, sorted, that a terminal draws in no column (the
 * common combining marks, zero-width spaces and joiners, variation
 * selectors) or in two (the East Asian Wide and Fullwidth blocks, and the
 * emoji blocks). Not all of Unicode's tables: enough for the names, labels
 * and notes these tables show. */
typedef struct cp_range {
    uint32_t lo, hi;
} cp_range;

static const cp_range zero_width[] = {
    { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x05BF, 0x05BF },
    { 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 }, { 0x05C7, 0x05C7 }, { 0x0610, 0x061A },
    { 0x064B, 0x065F }, { 0x0670, 0x0670 }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF },
    { 0x200B, 0x200F }, { 0x2060, 0x2064 }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F },
    { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0xE0100, 0xE01EF },
};

static const cp_range double_width[] = {
    { 0x1100, 0x115F },   { 0x2E80, 0x303E },   { 0x3041, 0x33FF },   { 0x3400, 0x4DBF },
    { 0x4E00, 0x9FFF },   { 0xA000, 0xA4CF },   { 0xA960, 0xA97F },   { 0xAC00, 0xD7A3 },
    { 0xF900, 0xFAFF },   { 0xFE10, 0xFE19 },   { 0xFE30, 0xFE6F },   { 0xFF00, 0xFF60 },
    { 0xFFE0, 0xFFE6 },   { 0x1F300, 0x1F64F }, { 0x1F900, 0x1F9FF }, { 0x20000, 0x2FFFD },
    { 0x30000, 0x3FFFD },
};

static int in_ranges(uint32_t cp, const cp_range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo) hi = mid;
        else if (cp > r[mid].hi) lo = mid + 1;
        else return 1;
    }
    return 0;
}

/* Width on a terminal: the columns of each UTF-8 code point (0 for a
 * combining mark, 2 for a wide character, else 1); a byte that does not
 * start a valid sequence counts one. */
static size_t display_width(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t w = 0;
    while (*s) {
        unsigned c = *s;
        size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t i = 1; i < n; i++) {
            if ((s[i] & 0xC0) != 0x80) {
                n = 0;
                break;
            }
            cp = (cp << 6) | (s[i] & 0x3Fu);
        }
        if (n == 0) { /* not UTF-8: one column for the byte */
            w++;
            s++;
            continue;
        }
        if (in_ranges(cp, double_width, sizeof double_width / sizeof double_width[0])) w += 2;
        else if (!in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0])) w += 1;
        s += n;
    }
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
