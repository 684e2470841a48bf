/* Interim until the experiment records land: no run can be named yet. */
#include "registry/registry_internal.h"
#include "util/err.h"

int mlops__reg_run_inputs(mlops__conn *c, const char *run_id, mlops_digest **out, size_t *n)
{
    (void)c;
    *out = NULL;
    *n = 0;
    return mlops__err(MLOPS_EUNSUPPORTED, "run '%s': experiment records are not built in",
                      run_id);
}

int mlops__reg_run_exists(mlops__conn *c, const char *run_id, int *exists)
{
    (void)c;
    (void)run_id;
    *exists = 0;
    return MLOPS_OK;
}
