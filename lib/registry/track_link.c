/* Interim: experiment records do not record run inputs yet, so a run's
 * input digests are the empty list. */
#include "registry/registry_internal.h"

int mlops__reg_run_inputs(mlops__conn *c, const char *run_id, mlops_digest **out, size_t *n)
{
    (void)c;
    (void)run_id;
    *out = NULL;
    *n = 0;
    return MLOPS_OK;
}
