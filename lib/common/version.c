#include "mlops/common.h"

MLOPS_API const char *mlops_version(void)
{
    return MLOPS_VERSION_STRING;
}

MLOPS_API int mlops_version_number(void)
{
    return MLOPS_VERSION_NUMBER;
}
