#include "objects/objects.h"
#include "util/err.h"

#include <strings.h>

int mlops__objects_check(const mlops__objects *be, const char *fn)
{
    if (be->version == MLOPS__OBJECTS_VERSION) return MLOPS_OK;
    return mlops__err(MLOPS_EUNSUPPORTED,
                      "%s: the %s object backend has interface version %u, not %u", fn, be->name,
                      be->version, MLOPS__OBJECTS_VERSION);
}

int mlops__objects_is_s3_url(const char *text)
{
    return text && strncasecmp(text, "s3://", 5) == 0;
}
