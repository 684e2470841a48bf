/* Internal: reading lineage edges (lineage.c), shared with run snapshots. */
#ifndef MLOPS_TRACK_LINEAGE_INTERNAL_H
#define MLOPS_TRACK_LINEAGE_INTERNAL_H

#include "mlops/track.h"
#include "util/arena.h"
#include "db/db.h"

typedef struct mlops__lineage_row {
    char run_id[MLOPS_RUN_ID_LEN + 1];
    int direction;
    mlops_digest digest;
    char *name, *role; /* malloc'd */
    int64_t created_ms;
} mlops__lineage_row;

typedef struct mlops__lineage_rows {
    mlops__lineage_row *v;
    size_t n, cap;
} mlops__lineage_rows;

int mlops__lineage_read(mlops__conn *c, mlops__stmt *st, mlops__lineage_rows *rows);
void mlops__lineage_rows_free(mlops__lineage_rows *rows);

/* The edges of run (seq) as an array in arena ar (for run snapshots). */
int mlops__lineage_load(mlops__conn *c, int64_t run, mlops__arena *ar, mlops_lineage_edge **out,
                        size_t *n);

#endif
