/*
 * Typed columns from CSV tables, for the drift commands: selects columns,
 * infers numeric or categorical per column (overridable), parses numbers
 * and codes categories.
 *
 * A column is numeric when every non-empty cell of it, on every side,
 * reads as a number (strtod syntax, surrounding blanks allowed; "nan" is
 * missing, "inf" infinite); otherwise categorical. As in Evidently, an
 * integer column (every non-empty cell an integer literal, on every side)
 * with at most 10 distinct values in the current data (the last input) is
 * categorical: 0/1 labels, ratings. Missing cells are NaN,
 * and so are cells of blanks only in a numeric column.
 * Categories get codes 0, 1, 2... in order of first appearance, reference
 * first, so both sides share one code book.
 */
#ifndef MLOPS_CLI_DATASET_H
#define MLOPS_CLI_DATASET_H

#include "csv.h"

#include <stddef.h>

#define DS_NUMERIC     1 /* equal to MLOPS_COLUMN_NUMERIC */
#define DS_CATEGORICAL 2 /* equal to MLOPS_COLUMN_CATEGORICAL */

typedef struct ds_column {
    const char *name;
    int kind;
    double *side[2];        /* values (numeric) or codes (categorical) */
    size_t n[2];
    const char **labels;    /* categorical: labels[code] */
    size_t nlabels;
    char **spelled;         /* integer categories: labels written canonically, owned */
    size_t nspelled;
} ds_column;

/* Which columns and how: comma-separated lists of names, or NULL. */
typedef struct ds_spec {
    const char *columns;     /* only these (NULL: every column) */
    const char *numeric;     /* force numeric */
    const char *categorical; /* force categorical */
} ds_spec;

/* One input: a parsed table and the name used in messages. */
typedef struct ds_input {
    const csv_table *table;
    const char *name;
} ds_input;

/* Builds the columns from nsides (1 or 2) inputs. Every selected column
 * must be in every input; without a selection the inputs must have the
 * same columns. On success *out holds *ncols columns (release with
 * ds_free; they point into the tables, which must outlive them) and the
 * result is 0; else -1 and err holds a one-line message. */
int ds_build(const ds_spec *spec, const ds_input *inputs, size_t nsides, ds_column **out,
             size_t *ncols, char *err, size_t errlen);

void ds_free(ds_column *cols, size_t ncols);

/* Reads a cell as a number as the inference does: 1 and *out when it is
 * one, else 0. */
int ds_parse_number(const char *cell, double *out);

#endif
