/* Inferring a schema from reference profiles: what the reference saw
 * becomes what a batch may hold. */
#include "drift/drift_internal.h"
#include "validate/validate_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_schema_infer_opts_init(mlops_schema_infer_opts *opts, unsigned version)
{
    static const mlops_schema_infer_opts defaults = MLOPS_SCHEMA_INFER_OPTS_INIT;
    return mlops__opts_init(__func__, opts, &defaults, sizeof *opts, version,
                            MLOPS_SCHEMA_INFER_OPTS_VERSION);
}

static int check_opts(const char *fn, const mlops_schema_infer_opts *o)
{
    int rc = mlops__opts_check(fn, o->version, MLOPS_SCHEMA_INFER_OPTS_VERSION, "mlops_schema_infer_opts_init");
    if (rc) return rc;
    if (!(o->missing_slack >= 0.0 && o->missing_slack <= 1.0))
        return mlops__err(MLOPS_EINVAL, "%s: missing_slack must be in [0, 1]", fn);
    if (!(o->range_slack >= 0.0) || isinf(o->range_slack))
        return mlops__err(MLOPS_EINVAL, "%s: range_slack must be finite and >= 0", fn);
    if (o->max_categories < 1 || o->max_categories > MLOPS_SCHEMA_CATEGORIES_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: max_categories must be in 1..%d", fn, MLOPS_SCHEMA_CATEGORIES_MAX);
    return MLOPS_OK;
}

static double missing_max(uint64_t missing, uint64_t total, double slack)
{
    double share = total ? (double)missing / (double)total : 0.0;
    double m = share + slack;
    return m > 1.0 ? 1.0 : m;
}

static int infer_numeric(mlops_profile *p, const mlops_schema_infer_opts *o,
                         mlops_schema_column *c)
{
    int rc = mlops__profile_freeze(p);
    if (rc) return rc;
    uint64_t finite = p->kll.n;
    c->checks |= MLOPS_SCHEMA_CHECK_MISSING;
    c->missing_max = missing_max(p->nan, finite + p->nan + p->inf, o->missing_slack);
    if (finite == 0) return MLOPS_OK; /* nothing says what a value should be */
    c->checks |= MLOPS_SCHEMA_CHECK_RANGE;
    if (p->inf > 0) {
        c->min = -INFINITY;
        c->max = INFINITY;
    } else {
        /* max - min may overflow to +inf: no slack is no padding (0 x inf
         * would be a NaN end); any slack then opens the range. */
        double pad = o->range_slack > 0 ? o->range_slack * (p->max - p->min) : 0.0;
        c->min = p->min - pad;
        c->max = p->max + pad;
    }
    c->out_of_range_max = 0.0;
    return MLOPS_OK;
}

/* The frequency table's keys are not NUL-terminated: *cats receives
 * terminated copies (in one block), released by the caller with free. */
static int infer_categorical(const char *fn, const mlops_profile *p, const mlops_schema_infer_opts *o,
                             mlops_schema_column *c, char ***cats)
{
    c->checks |= MLOPS_SCHEMA_CHECK_MISSING;
    c->missing_max = missing_max(p->missing, p->missing + p->total, o->missing_slack);
    if (!p->freq.exact || p->freq.n > o->max_categories || p->freq.n == 0) return MLOPS_OK;
    const mlops__freq_entry **e;
    int rc = mlops__freq_sorted(&p->freq, &e);
    if (rc) return rc;
    size_t bytes = 0;
    for (size_t i = 0; i < p->freq.n; i++) bytes += e[i]->len + 1u;
    char **v = malloc(p->freq.n * sizeof *v + bytes);
    if (!v) {
        free(e);
        return mlops__err_nomem(fn);
    }
    char *text = (char *)(v + p->freq.n);
    for (size_t i = 0; i < p->freq.n; i++) {
        memcpy(text, e[i]->key, e[i]->len);
        text[e[i]->len] = '\0';
        v[i] = text;
        text += e[i]->len + 1u;
    }
    free(e);
    *cats = v;
    c->checks |= MLOPS_SCHEMA_CHECK_CATEGORIES;
    c->categories = (const char *const *)v;
    c->n_categories = p->freq.n;
    c->unseen_max = 0.0;
    return MLOPS_OK;
}

MLOPS_API int mlops_schema_infer(size_t ncols, const char *const *names, mlops_profile *const *profiles,
                                 const mlops_schema_infer_opts *opts, mlops_schema **out)
{
    if (!out) return mlops__err_null(__func__, "out");
    *out = NULL;
    if (ncols == 0) return mlops__err(MLOPS_EINVAL, "%s: no columns", __func__);
    int rc;
    if ((rc = mlops__check_array(__func__, "names", names, ncols, sizeof *names)) ||
        (rc = mlops__check_array(__func__, "profiles", profiles, ncols, sizeof *profiles)))
        return rc;
    mlops_schema_infer_opts o = MLOPS_SCHEMA_INFER_OPTS_INIT;
    if (opts) {
        if ((rc = check_opts(__func__, opts))) return rc;
        o = *opts;
    }
    for (size_t i = 0; i < ncols; i++) {
        if ((rc = mlops__check_name(__func__, "column name", names[i], MLOPS_SCHEMA_NAME_MAX))) return rc;
        if (!profiles[i]) return mlops__err(MLOPS_EINVAL, "%s: profile %zu is NULL", __func__, i);
    }
    mlops_schema *s;
    if ((rc = mlops_schema_new(&s))) return rc;
    for (size_t i = 0; i < ncols && rc == MLOPS_OK; i++) {
        if (mlops__schema_index(s, names[i], strlen(names[i])) >= 0) {
            rc = mlops__err(MLOPS_EINVAL, "%s: column '%s' is named twice", __func__, names[i]);
            break;
        }
        mlops_schema_column c = MLOPS_SCHEMA_COLUMN_INIT;
        char **cats = NULL;
        c.name = names[i];
        c.kind = profiles[i]->kind;
        if (c.kind == MLOPS_PROFILE_NUMERIC)
            rc = infer_numeric(profiles[i], &o, &c);
        else
            rc = infer_categorical(__func__, profiles[i], &o, &c, &cats);
        if (rc == MLOPS_OK) rc = mlops__schema_set(__func__, s, &c);
        free(cats);
    }
    if (rc) {
        mlops_schema_free(s);
        return rc;
    }
    *out = s;
    return MLOPS_OK;
}
