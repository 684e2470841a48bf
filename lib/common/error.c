#include "mlops/common.h"
#include "util/err.h"

MLOPS_API const char *mlops_strerror(int code)
{
    switch (code) {
    case MLOPS_OK: return "ok";
    case MLOPS_EINVAL: return "invalid argument";
    case MLOPS_ENOTFOUND: return "not found";
    case MLOPS_EEXIST: return "already exists";
    case MLOPS_ECONFLICT: return "conflicts with recorded state";
    case MLOPS_ECORRUPT: return "stored data is corrupt";
    case MLOPS_EIO: return "input/output error";
    case MLOPS_ENOMEM: return "out of memory";
    case MLOPS_EBUSY: return "busy: lock not available";
    case MLOPS_EFORMAT: return "unrecognised format";
    case MLOPS_EUNSUPPORTED: return "unsupported";
    case MLOPS_EREADONLY: return "store is read-only";
    case MLOPS_EPOLICY: return "refused by policy";
    case MLOPS_ESIGNATURE: return "signature missing or invalid";
    case MLOPS_ITEROVER: return "iteration over";
    case MLOPS_EPERM: return "permission denied";
    default: return "unknown error";
    }
}

MLOPS_API const char *mlops_last_error(void)
{
    return mlops__err_message();
}
