/* The process-wide thread limit, kept by the pool (lib/util/pool.c). */
#include "mlops/common.h"
#include "util/err.h"
#include "util/pool.h"

MLOPS_API int mlops_set_thread_limit(unsigned n)
{
    if (n > 256)
        return mlops__err(MLOPS_EINVAL, "%s: %u threads is more than 256", __func__, n);
    mlops__pool_set_limit(n);
    return MLOPS_OK;
}

MLOPS_API unsigned mlops_thread_limit(void)
{
    return mlops__pool_limit();
}
