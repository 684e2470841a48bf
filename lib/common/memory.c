#include "mlops/common.h"

#include <stdlib.h>

/* The library allocates with malloc; callers must not need to know that,
 * so they release through here (never mix allocators). */
MLOPS_API void mlops_free(void *p)
{
    free(p);
}
