/*
 * Aligned text tables for the `mlops` command: columns as wide as their
 * widest cell (counted in terminal columns: a wide East Asian character
 * takes two, a combining mark none), two spaces apart,
 * numbers aligned right. And `listing`, a table or its --json twin.
 */
#ifndef MLOPS_CLI_TABLE_H
#define MLOPS_CLI_TABLE_H

#include "cli.h"
#include "json.h"

#include <stddef.h>
#include <stdio.h>

typedef struct table table;

/* A table with ncols columns and these headers (copied). Returns NULL
 * when out of memory. */
table *table_new(size_t ncols, const char *const *headers);
/* Aligns column col to the right (t may be NULL). */
void table_align_right(table *t, size_t col);
/* Appends a cell to the current row (copied; NULL prints "-"); a row is
 * complete after ncols cells. Returns 0, or -1 when out of memory. */
int table_cell(table *t, const char *text);
/* printf-style cell. */
CLI_PRINTF(2, 3) int table_cellf(table *t, const char *fmt, ...);
/* Number of complete rows. */
size_t table_rows(const table *t);
/* Prints headers and rows. */
void table_print(const table *t, FILE *f);
void table_free(table *t);

/* The output of every listing command: rows into a table, or objects into
 * a JSON array with --json. Begin, add a row per item (listing_object for
 * its JSON object, else cells into l->t), then close (or end: prints; drop:
 * after an error, prints no table; JSON objects are streamed as they come,
 * so those already written stay). No command writes its own array/table
 * switch. */
typedef struct listing {
    int as_json;
    json j;
    table *t;
} listing;

/* right: the columns aligned right, ended by a negative number (NULL:
 * none). headers NULL: no table, the command prints its own text form (a
 * line or a block per item) and listing only writes the --json array. */
void listing_begin(listing *l, int as_json, size_t ncols, const char *const *headers,
                   const int *right);
/* With --json: begins the row's object and returns the writer (end it with
 * json_end_object). Without: returns NULL, the row goes into l->t. */
json *listing_object(listing *l);
void listing_end(listing *l);
void listing_drop(listing *l);
/* Ends a listing filled from the library: rc is what the last call
 * returned and done the value that means every row is there (MLOPS_OK for
 * a list, MLOPS_ITEROVER for an iterator). Prints the listing and returns
 * CLI_OK, or drops it and returns cli_fail(ctx, rc, what). */
int listing_close(listing *l, const cli_ctx *ctx, int rc, int done, const char *what);

#endif
