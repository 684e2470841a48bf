/* Internal: building run snapshots (mlops_run_info) from rows of runs. */
#ifndef MLOPS_TRACK_RUN_INFO_H
#define MLOPS_TRACK_RUN_INFO_H

#include "mlops/track.h"
#include "db/db.h"

/* The columns of runs that mlops__run_info_from_row reads, in order. */
#define MLOPS__RUN_COLUMNS \
    "seq, run_id, experiment_id, name, parent_id, status, start_ms, end_ms, deleted_ms"

/* Builds the snapshot of the run on the current row of a statement that
 * selects MLOPS__RUN_COLUMNS (prefixed as needed), with its params, tags,
 * metric summaries and lineage, read through c (inside the caller's transaction). */
int mlops__run_info_from_row(mlops__conn *c, mlops__stmt *row, mlops_run_info **out);

/* A growable array of snapshots. */

typedef struct mlops__run_info_list {
    mlops_run_info **items;
    size_t n, cap;
} mlops__run_info_list;

/* Appends ri; on failure ri is freed and MLOPS_ENOMEM returned. */
int mlops__run_info_list_push(mlops__run_info_list *l, mlops_run_info *ri);
/* Frees the snapshots and empties l, keeping its array (a retried
 * transaction fills it again). */
void mlops__run_info_list_clear(mlops__run_info_list *l);

/* Appends the snapshots of the runs seqs[0..n) (distinct, all existing),
 * in that order, reading each table once per 1,000 runs instead of once
 * per run: on PostgreSQL each statement is a round trip. */
int mlops__run_infos_load(mlops__conn *c, const int64_t *seqs, size_t n,
                          mlops__run_info_list *list);

#endif
