/* Checks of caller-supplied names and texts, shared by the registry. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int mlops__reg_check_model_name(const char *func, const char *what, const char *name)
{
    int rc = mlops__check_name(func, what, name, MLOPS_REGISTRY_NAME_MAX);
    if (rc) return rc;
    /* '@' separates a model from an alias in a reference ("m@champion"). */
    if (strchr(name, '@'))
        return mlops__err(MLOPS_EINVAL, "%s: %s '%s' contains '@', which model names cannot",
                          func, what, name);
    return MLOPS_OK;
}

int mlops__reg_check_text(const char *func, const char *what, const char *text, int null_ok)
{
    if (!text) return null_ok ? MLOPS_OK : mlops__err_null(func, what);
    size_t len = strnlen(text, MLOPS_REGISTRY_TEXT_MAX + 1);
    if (len > MLOPS_REGISTRY_TEXT_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: %s is longer than %d bytes", func, what,
                          MLOPS_REGISTRY_TEXT_MAX);
    if (!mlops__utf8_valid(text, len))
        return mlops__err(MLOPS_EINVAL, "%s: %s is not valid UTF-8", func, what);
    return MLOPS_OK;
}

int mlops__reg_alias_reserved(const char *alias, int64_t *number)
{
    if (!strcasecmp(alias, "latest")) {
        *number = 0;
        return 1;
    }
    if ((alias[0] != 'v' && alias[0] != 'V') || !alias[1]) return 0;
    int64_t n = 0;
    for (const char *p = alias + 1; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        if (n >= 0 && n > (INT64_MAX - (*p - '0')) / 10) n = -1;
        else if (n >= 0) n = n * 10 + (*p - '0');
    }
    /* "v0" names version 0, which never exists: not "latest" (0) */
    *number = n == 0 ? -1 : n;
    return 1;
}

int mlops__reg_check_alias(const char *func, const char *alias, int settable)
{
    if (!alias) return mlops__err_null(func, "alias");
    size_t len = strnlen(alias, MLOPS_REGISTRY_NAME_MAX + 1);
    if (len == 0) return mlops__err(MLOPS_EINVAL, "%s: alias is empty", func);
    if (len > MLOPS_REGISTRY_NAME_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: alias is longer than %d bytes", func,
                          MLOPS_REGISTRY_NAME_MAX);
    for (size_t i = 0; i < len; i++) {
        char ch = alias[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        if (!ok)
            return mlops__err(MLOPS_EINVAL,
                              "%s: alias '%.*s' has a character outside [A-Za-z0-9_-] "
                              "(byte %zu)",
                              func, (int)len, alias, i);
    }
    int64_t n = 0;
    if (settable && mlops__reg_alias_reserved(alias, &n))
        return mlops__err(MLOPS_EINVAL,
                          "%s: alias '%s' is reserved ('latest' and 'v<N>' always name "
                          "versions themselves)",
                          func, alias);
    return MLOPS_OK;
}

int mlops__reg_check_version(const char *func, int64_t version)
{
    if (version < 1)
        return mlops__err(MLOPS_EINVAL, "%s: version %lld is not a version number (1, 2, ...)",
                          func, (long long)version);
    return MLOPS_OK;
}
