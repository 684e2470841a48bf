/*
 * Dataset profiles of the `mlops drift profile` command: the reference
 * profiles of several named columns in one blob, so that one digest names
 * a whole dataset's reference. The format (msgpack, versioned) is written
 * down in doc/format.md, "Dataset profiles".
 */
#ifndef MLOPS_CLI_DSPROFILE_H
#define MLOPS_CLI_DSPROFILE_H

#include <mlops.h>

#include <stddef.h>
#include <stdint.h>

#define DSPROFILE_FORMAT  "mlops.dataset_profile"
#define DSPROFILE_VERSION 1

typedef struct dsprofile_column {
    char *name;
    int kind;               /* MLOPS_PROFILE_NUMERIC or MLOPS_PROFILE_CATEGORICAL */
    mlops_profile *profile;
} dsprofile_column;

typedef struct dsprofile {
    uint64_t rows;          /* rows of the profiled data */
    size_t ncols;
    dsprofile_column *cols;
} dsprofile;

/* Serialises (freezing each profile): *buf is malloc'd. Returns an
 * MLOPS_* code (the library's message is set on failure inside it, else
 * MLOPS_ENOMEM). */
int dsprofile_encode(dsprofile *p, unsigned char **buf, size_t *len);

/* Parses; on failure returns MLOPS_EFORMAT / MLOPS_EUNSUPPORTED /
 * MLOPS_ENOMEM or the library's code, with why in err. */
int dsprofile_decode(const void *buf, size_t len, dsprofile *out, char *err, size_t errlen);

/* Releases the columns and their profiles (not p itself). */
void dsprofile_clear(dsprofile *p);

#endif
