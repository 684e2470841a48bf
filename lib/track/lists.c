/* The list objects of lib/track (mlops_experiments, mlops_run_infos): an
 * array of snapshots read with _count/_at and released at once. The
 * listings fill a plain array (the 1.0 functions hand it out as is); these
 * wrap it for the 1.1 functions. */
#include "track/track_internal.h"
#include "util/err.h"

#include <stdlib.h>

struct mlops_experiments {
    mlops_experiment **items;
    size_t n;
};

struct mlops_run_infos {
    mlops_run_info **items;
    size_t n;
};

int mlops__experiments_new(mlops_experiment **items, size_t n, mlops_experiments **out)
{
    mlops_experiments *l = malloc(sizeof *l);
    if (!l) {
        mlops_experiment_list_free(items, n);
        return mlops__err_nomem("listing experiments");
    }
    l->items = items;
    l->n = n;
    *out = l;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_experiments_count(const mlops_experiments *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_experiment *mlops_experiments_at(const mlops_experiments *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

MLOPS_API void mlops_experiments_free(mlops_experiments *l)
{
    if (!l) return;
    mlops_experiment_list_free(l->items, l->n);
    free(l);
}

int mlops__run_infos_new(mlops_run_info **items, size_t n, mlops_run_infos **out)
{
    mlops_run_infos *l = malloc(sizeof *l);
    if (!l) {
        mlops_run_info_list_free(items, n);
        return mlops__err_nomem("listing runs");
    }
    l->items = items;
    l->n = n;
    *out = l;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_run_infos_count(const mlops_run_infos *l)
{
    return l ? l->n : 0;
}

MLOPS_API const mlops_run_info *mlops_run_infos_at(const mlops_run_infos *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

MLOPS_API void mlops_run_infos_free(mlops_run_infos *l)
{
    if (!l) return;
    mlops_run_info_list_free(l->items, l->n);
    free(l);
}
