/*
 * A strict CSV reader (RFC 4180 with LF or CRLF line ends) for the `mlops`
 * command, parsing a memory buffer so that it can be fuzzed directly.
 *
 * - The first record is the header: every column needs a non-empty,
 *   unique name.
 * - Fields may be quoted with '"'; a quoted field may hold commas, line
 *   breaks and doubled quotes (""). A quote inside an unquoted field, or
 *   anything but a comma or a line end after a closing quote, is refused.
 * - Empty fields (quoted or not) are missing values: their cell is NULL.
 * - Empty lines are skipped. Every other record must have as many fields
 *   as the header.
 * - The bytes must be UTF-8 (a leading byte-order mark is skipped) without
 *   NUL bytes.
 * Errors name the line and what is wrong, on one line.
 */
#ifndef MLOPS_CLI_CSV_H
#define MLOPS_CLI_CSV_H

#include <stddef.h>

typedef struct csv_table {
    size_t ncols;
    size_t nrows;
    const char **header; /* ncols names */
    const char **cells;  /* nrows * ncols, row-major; NULL = missing */
    size_t *lines;       /* the line on which each row starts (1-based) */
    char *text;          /* the fields, unescaped and NUL-terminated */
    size_t *by_name;     /* the columns sorted by name, for csv_column */
    size_t name_compares; /* name comparisons made indexing the header:
                           * at most ncols * ceil(log2 ncols) (tests) */
} csv_table;

typedef struct csv_error {
    size_t line;         /* 1-based; 0 when not about a line */
    char message[200];
} csv_error;

/* Called now and then with the bytes parsed so far. */
typedef void (*csv_progress_fn)(void *arg, size_t done);

/* Parses len bytes at data (which need not be NUL-terminated). On success
 * *out is a table to release with csv_free and the result is 0; on
 * failure the result is -1, *out is NULL and err says why. */
int csv_parse(const char *data, size_t len, csv_progress_fn progress, void *progress_arg,
              csv_table **out, csv_error *err);

/* The index of the column named name, or -1: O(log ncols) comparisons. */
long csv_column(const csv_table *t, const char *name);

void csv_free(csv_table *t);

#endif
