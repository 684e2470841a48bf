/* Who made a change and why: mlops_change_opts, resolved against the
 * store's default actor. */
#include "registry/registry_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

MLOPS_API int mlops_change_opts_init(mlops_change_opts *opts, unsigned version)
{
    static const mlops_change_opts defaults = MLOPS_CHANGE_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof defaults, version,
                            MLOPS_CHANGE_OPTS_VERSION);
}

int mlops__reg_change_resolve(const mlops_store *s, const char *func,
                              const mlops_change_opts *opts, mlops__reg_change *out)
{
    out->actor = s->opts.actor;
    out->reason = NULL;
    if (!opts) return MLOPS_OK;
    if (opts->version == 0 || opts->version > MLOPS_CHANGE_OPTS_VERSION)
        return mlops__err(MLOPS_EINVAL,
                          "%s: change options version %u is not supported "
                          "(initialise them with mlops_change_opts_init)",
                          func, opts->version);
    if (opts->actor) {
        int rc = mlops__check_name(func, "actor", opts->actor, MLOPS_REGISTRY_NAME_MAX);
        if (rc) return rc;
        if (s->actor_is_role && strcmp(opts->actor, s->actor))
            return mlops__err(MLOPS_EINVAL,
                              "%s: on a PostgreSQL store the actor is the database role ('%s'), "
                              "not '%.100s'",
                              func, s->actor, opts->actor);
        out->actor = opts->actor;
    }
    if (opts->reason) {
        int rc = mlops__reg_check_text(func, "reason", opts->reason, 1);
        if (rc) return rc;
        out->reason = opts->reason;
    }
    return MLOPS_OK;
}
