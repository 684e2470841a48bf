#include "objects/objects.h"
#include "util/err.h"

#include <string.h>
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

int mlops__objects_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > MLOPS__OBJECTS_NAME_MAX || name[0] == '.') return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}
