/*
 * Reading the CSV files of the drift commands: the whole file, parsed
 * with a progress bar on a terminal for large files, errors printed as
 * "FILE line N: what".
 */
#ifndef MLOPS_CLI_DRIFT_INPUT_H
#define MLOPS_CLI_DRIFT_INPUT_H

#include "cli.h"
#include "csv.h"

typedef struct loaded {
    char *data;
    size_t len;
    csv_table *table;
} loaded;

/* Reads and parses path; prints the error and returns CLI_FAIL on failure. */
int load_csv(const cli_ctx *ctx, const char *path, loaded *out);
void unload(loaded *l);

/* The options of `drift compare` (both forms). */
typedef struct compare_args {
    const char *columns, *numeric, *categorical, *method, *threshold, *share, *correction, *bins;
    const char *html, *log_run, *step, *profile, *alpha, *title;
    int as_json, fail_on_drift;
} compare_args;

/* `drift test` and `drift chi2` (cmd_drift_test.c). */
int cmd_drift_test(cli_ctx *ctx, int argc, char **argv);
int cmd_drift_chi2(cli_ctx *ctx, int argc, char **argv);

/* `drift compare --profile DIGEST CUR.csv` (cmd_drift_profile.c). */
int compare_profile(cli_ctx *ctx, const compare_args *a, const char *cur_path);

/* Loads the dataset profile named by text (a digest or a reference) into
 * p (release with dsprofile_clear) and its digest's text into
 * digest_text; prints the error and returns CLI_FAIL on failure
 * (cmd_drift_profile.c; `schema infer` reads profiles with it too). */
struct dsprofile;
int drift_load_profile(const cli_ctx *ctx, mlops_store *s, const char *text, struct dsprofile *p,
                       char digest_text[MLOPS_DIGEST_STRLEN]);

/* `drift profile DATA.csv` (cmd_drift_profile.c). */
int cmd_drift_profile(cli_ctx *ctx, int argc, char **argv);

#endif
