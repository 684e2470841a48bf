/* The lifecycle filter's one check, so every list refuses an unknown value
 * with the same message. */
#include "util/lifecycle.h"

#include "mlops/track.h"
#include "util/err.h"

int mlops__check_lifecycle(const char *func, int lifecycle)
{
    if (lifecycle == MLOPS_LIFECYCLE_ACTIVE || lifecycle == MLOPS_LIFECYCLE_DELETED ||
        lifecycle == MLOPS_LIFECYCLE_ALL)
        return MLOPS_OK;
    return mlops__err(MLOPS_EINVAL, "%s: unknown lifecycle %d", func, lifecycle);
}
