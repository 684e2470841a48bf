#include "util/opts.h"
#include "util/err.h"

#include <string.h>

int mlops__opts_init(const char *func, void *opts, const void *defaults, size_t size,
                     unsigned version, unsigned max)
{
    if (!opts) return mlops__err_null(func, "opts");
    if (version == 0 || version > max)
        return mlops__err(MLOPS_EINVAL,
                          "%s: options version %u is not supported (this library knows 1..%u)",
                          func, version, max);
    memcpy(opts, defaults, size);
    memcpy(opts, &version, sizeof version); /* every options struct starts with it */
    return MLOPS_OK;
}

int mlops__opts_check(const char *func, unsigned version, unsigned max, const char *init_name)
{
    if (version >= 1 && version <= max) return MLOPS_OK;
    return mlops__err(MLOPS_EINVAL,
                      "%s: options version %u is not supported (initialise them with %s)", func,
                      version, init_name);
}
