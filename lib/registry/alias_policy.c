/* Signing policies on aliases: "production may only point at versions
 * signed by one of these keys". A policy is its set of trusted Ed25519
 * public keys; the check verifies a version's recorded signatures against
 * those keys over the manifest rebuilt from the store now. */
#include "registry/registry_internal.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

typedef struct trusted_key {
    mlops_digest fingerprint;
    unsigned char pub[32];
} trusted_key;

static int cmp_key(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(mlops_digest));
}

/* The keys of the policy on (model_id, alias), sorted; *n = 0 for none. */
static int policy_keys(mlops__conn *c, int64_t model_id, const char *alias, trusted_key **keys,
                       size_t *n)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT fingerprint, public_key FROM reg_policy_keys "
                              "WHERE model_id = ?1 AND alias = ?2 ORDER BY fingerprint",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (rc) return rc;
    *keys = NULL;
    *n = 0;
    size_t cap = 0;
    int step;
    while ((step = mlops__step(st)) == MLOPS__ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 4;
            trusted_key *p = realloc(*keys, cap * sizeof *p);
            if (!p) {
                rc = mlops__err_nomem("reading a signing policy");
                break;
            }
            *keys = p;
        }
        trusted_key *k = &(*keys)[(*n)++];
        memset(k, 0, sizeof *k);
        if (mlops__col_bytes(st, 0) == 32) memcpy(k->fingerprint.bytes, mlops__col_blob(st, 0), 32);
        if (mlops__col_bytes(st, 1) == 32) memcpy(k->pub, mlops__col_blob(st, 1), 32);
    }
    if (!rc && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading a signing policy");
    mlops__reset(st);
    if (rc) {
        free(*keys);
        *keys = NULL;
        *n = 0;
    }
    return rc;
}

/* "sha256:..,sha256:.." of the keys (sorted), malloc'd. */
static char *fingerprint_list(const trusted_key *keys, size_t n)
{
    char *out = malloc(n ? n * MLOPS_DIGEST_STRLEN : 1);
    if (!out) return NULL;
    out[0] = '\0';
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        if (i) *p++ = ',';
        mlops__reg_digest_text(&keys[i].fingerprint, p);
        p += strlen(p);
    }
    return out;
}

static const trusted_key *find_key(const trusted_key *keys, size_t n, const void *fingerprint)
{
    for (size_t i = 0; i < n; i++)
        if (!memcmp(keys[i].fingerprint.bytes, fingerprint, 32)) return &keys[i];
    return NULL;
}

/* Whether a signature by one of keys over v's manifest verifies. */
static int check_with_keys(mlops__conn *c, const char *func, const char *model,
                           const char *alias, const mlops__reg_version *v,
                           const trusted_key *keys, size_t n)
{
    msgpack_sbuffer manifest;
    msgpack_sbuffer_init(&manifest);
    int rc = mlops__manifest_build(c, func, model, v, &manifest);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT fingerprint, signature FROM reg_signatures "
                              "WHERE version_id = ?1",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v->id);
    if (rc) {
        msgpack_sbuffer_destroy(&manifest);
        return rc;
    }
    int nsig = 0, ntrusted = 0, ok = 0, step = MLOPS__DONE;
    while (!ok && (step = mlops__step(st)) == MLOPS__ROW) {
        nsig++;
        const trusted_key *k = mlops__col_bytes(st, 0) == 32
                                   ? find_key(keys, n, mlops__col_blob(st, 0))
                                   : NULL;
        if (!k || mlops__col_bytes(st, 1) != 64) continue;
        ntrusted++;
        mlops__sign_key key;
        rc = mlops__sign_key_from_raw(func, k->pub, &key);
        if (rc) break;
        ok = mlops__sign_verify(&key, manifest.data, manifest.size, mlops__col_blob(st, 1));
        mlops__sign_key_free(&key);
    }
    if (!rc && !ok && step != MLOPS__DONE) rc = mlops__conn_error(c, step, "reading signatures");
    mlops__reset(st);
    msgpack_sbuffer_destroy(&manifest);
    if (rc || ok) return rc;
    const char *why = nsig == 0       ? "it is not signed"
                      : ntrusted == 0 ? "none of its signatures is by a key the policy trusts"
                                      : "its signature by a trusted key does not verify over "
                                        "its manifest (the version changed after signing)";
    return mlops__err(MLOPS_EPOLICY,
                      "%s: the signing policy of alias '%s' of model '%s' refuses version "
                      "%lld: %s",
                      func, alias, model, (long long)v->number, why);
}

int mlops__policy_check(mlops__conn *c, const char *func, const char *model,
                        int64_t model_id, const char *alias, const mlops__reg_version *v)
{
    trusted_key *keys;
    size_t n;
    int rc = policy_keys(c, model_id, alias, &keys, &n);
    if (!rc && n) rc = check_with_keys(c, func, model, alias, v, keys, n);
    free(keys);
    return rc;
}

/* ---- Setting and removing ---------------------------------------------- */

struct policy_op {
    const char *func;
    mlops__reg_change ch;
    const char *model;
    const char *alias;
    trusted_key *keys; /* sorted, unique */
    size_t nkeys;
};

static int delete_keys(mlops__conn *c, int64_t model_id, const char *alias)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "DELETE FROM reg_policy_keys WHERE model_id = ?1 AND alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (!rc) rc = mlops__conn_step_done(c, st, "removing a signing policy");
    return rc;
}

static int insert_keys(mlops__conn *c, const struct policy_op *op, int64_t model_id)
{
    for (size_t i = 0; i < op->nkeys; i++) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c,
                                  "INSERT INTO reg_policy_keys(model_id, alias, fingerprint, "
                                  "public_key) VALUES (?1, ?2, ?3, ?4)",
                                  &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
        if (!rc) rc = mlops__bind_text(c, st, 2, op->alias);
        if (!rc) rc = mlops__bind_blob(c, st, 3, op->keys[i].fingerprint.bytes, 32);
        if (!rc) rc = mlops__bind_blob(c, st, 4, op->keys[i].pub, 32);
        if (!rc) rc = mlops__conn_step_done(c, st, "recording a signing policy");
        if (rc) return rc;
    }
    return MLOPS_OK;
}

/* The alias's current target must already satisfy the new policy. */
static int check_current_target(mlops__conn *c, const struct policy_op *op, int64_t model_id)
{
    mlops__reg_version v;
    int rc = mlops__reg_alias_resolve(c, op->func, op->model, model_id, op->alias, &v);
    if (rc == MLOPS_ENOTFOUND) return MLOPS_OK; /* not set: nothing to check */
    if (rc) return rc;
    return check_with_keys(c, op->func, op->model, op->alias, &v, op->keys, op->nkeys);
}

static int set_tx(mlops__conn *c, void *arg)
{
    struct policy_op *op = arg;
    int64_t model_id = 0;
    trusted_key *old = NULL;
    size_t nold = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = check_current_target(c, op, model_id);
    if (!rc) rc = policy_keys(c, model_id, op->alias, &old, &nold);
    if (rc) return rc;
    int same = nold == op->nkeys && (!nold || !memcmp(old, op->keys, nold * sizeof *old));
    char *old_text = nold ? fingerprint_list(old, nold) : NULL;
    char *new_text = fingerprint_list(op->keys, op->nkeys);
    free(old);
    if ((nold && !old_text) || !new_text) rc = mlops__err_nomem("recording a signing policy");
    if (!rc && !same) {
        rc = delete_keys(c, model_id, op->alias);
        if (!rc) rc = insert_keys(c, op, model_id);
        mlops__audit_ev ev = { "alias.policy.set", model_id, op->model, 0,
                               op->alias, old_text, new_text };
        if (!rc) rc = mlops__audit_append(c, &op->ch, &ev, NULL);
    }
    free(old_text);
    free(new_text);
    return rc;
}

/* Parses every PEM into op->keys, sorted and without repeats. */
static int parse_keys(struct policy_op *op, const char *const *pems, size_t n)
{
    op->keys = calloc(n, sizeof *op->keys);
    if (!op->keys) return mlops__err_nomem("reading trusted keys");
    for (size_t i = 0; i < n; i++) {
        mlops__sign_key k;
        int rc = mlops__sign_key_public(op->func, pems[i], &k);
        if (rc) return rc;
        op->keys[i].fingerprint = k.fingerprint;
        memcpy(op->keys[i].pub, k.pub, 32);
        mlops__sign_key_free(&k);
    }
    qsort(op->keys, n, sizeof *op->keys, cmp_key);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (memcmp(&op->keys[i], &op->keys[m - 1], sizeof op->keys[i]) != 0)
            op->keys[m++] = op->keys[i];
    op->nkeys = m;
    return MLOPS_OK;
}

MLOPS_API int mlops_model_alias_policy_set(mlops_store *s, const char *model, const char *alias,
                                           const char *const *trusted_public_pems, size_t n,
                                           const mlops_change_opts *change)
{
    struct policy_op op = { .func = __func__, .model = model,
                            .alias = alias };
    if (!s) return mlops__err_null(op.func, "s");
    if (!trusted_public_pems) return mlops__err_null(op.func, "trusted_public_pems");
    if (n == 0)
        return mlops__err(MLOPS_EINVAL, "%s: a signing policy needs at least one trusted key",
                          op.func);
    if (n > 1024)
        return mlops__err(MLOPS_EINVAL, "%s: %zu trusted keys is more than 1024", op.func, n);
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(op.func, alias, 1);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    if (!rc) rc = parse_keys(&op, trusted_public_pems, n);
    if (!rc) rc = mlops__store_write(s, set_tx, &op);
    free(op.keys);
    return rc;
}

/* Removes the policy on (model_id, alias), which exists, and records it. */
static int drop_policy(mlops__conn *c, const mlops__reg_change *ch, int64_t model_id,
                       const char *model, const char *alias, const trusted_key *keys, size_t n)
{
    char *old_text = fingerprint_list(keys, n);
    if (!old_text) return mlops__err_nomem("removing a signing policy");
    int rc = delete_keys(c, model_id, alias);
    mlops__audit_ev ev = { "alias.policy.delete", model_id, model, 0, alias, old_text, NULL };
    if (!rc) rc = mlops__audit_append(c, ch, &ev, NULL);
    free(old_text);
    return rc;
}

static int delete_tx(mlops__conn *c, void *arg)
{
    struct policy_op *op = arg;
    int64_t model_id = 0;
    trusted_key *keys = NULL;
    size_t n = 0;
    int rc = mlops__reg_change_clock(c, &op->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->func, op->model, &model_id);
    if (!rc) rc = policy_keys(c, model_id, op->alias, &keys, &n);
    if (!rc && !n)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: alias '%s' of model '%s' has no signing policy",
                        op->func, op->alias, op->model);
    if (!rc) rc = drop_policy(c, &op->ch, model_id, op->model, op->alias, keys, n);
    free(keys);
    return rc;
}

MLOPS_API int mlops_model_alias_policy_delete(mlops_store *s, const char *model,
                                              const char *alias,
                                              const mlops_change_opts *change)
{
    struct policy_op op = { .func = __func__, .model = model,
                            .alias = alias };
    if (!s) return mlops__err_null(op.func, "s");
    int rc = mlops__reg_check_model_name(op.func, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(op.func, alias, 1);
    if (!rc) rc = mlops__reg_change_resolve(s, op.func, change, &op.ch);
    return rc ? rc : mlops__store_write(s, delete_tx, &op);
}

int mlops__reg_policies_drop(mlops__conn *c, const mlops__reg_change *ch, int64_t model_id,
                             const char *model)
{
    for (;;) {
        mlops__stmt *st;
        int rc = mlops__conn_stmt(c,
                                  "SELECT alias FROM reg_policy_keys WHERE model_id = ?1 "
                                  "ORDER BY alias LIMIT 1",
                                  &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
        if (rc) return rc;
        char *alias;
        rc = mlops__reg_first_text(c, st, &alias);
        if (rc || !alias) return rc;
        trusted_key *keys = NULL;
        size_t n = 0;
        rc = policy_keys(c, model_id, alias, &keys, &n);
        if (!rc) rc = drop_policy(c, ch, model_id, model, alias, keys, n);
        free(keys);
        free(alias);
        if (rc) return rc;
    }
}

/* ---- Reading ----------------------------------------------------------- */

struct get_ctx {
    const char *fn;
    const char *model, *alias;
    trusted_key *keys;
    size_t n;
};

static int get_tx(mlops__conn *c, void *arg)
{
    struct get_ctx *x = arg;
    free(x->keys); /* a retried transaction runs this again (lib/store/store.c run_tx) */
    x->keys = NULL;
    x->n = 0;
    int64_t model_id = 0;
    int rc = mlops__reg_model_id(c, x->fn, x->model, &model_id);
    if (!rc) rc = policy_keys(c, model_id, x->alias, &x->keys, &x->n);
    if (!rc && !x->n)
        rc = mlops__err(MLOPS_ENOTFOUND,
                        "%s: alias '%s' of model '%s' has no signing "
                        "policy",
                        x->fn, x->alias, x->model);
    return rc;
}

MLOPS_API int mlops_model_alias_policy_get(mlops_store *s, const char *model, const char *alias,
                                           mlops_digest **fingerprints, size_t *n)
{
    if (fingerprints) *fingerprints = NULL;
    if (n) *n = 0;
    if (!s) return mlops__err_null(__func__, "s");
    if (!fingerprints) return mlops__err_null(__func__, "fingerprints");
    if (!n) return mlops__err_null(__func__, "n");
    int rc = mlops__reg_check_model_name(__func__, "model name", model);
    if (!rc) rc = mlops__reg_check_alias(__func__, alias, 1);
    if (rc) return rc;
    struct get_ctx x = { __func__, model, alias, NULL, 0 };
    rc = mlops__store_read(s, get_tx, &x);
    mlops_digest *out = NULL;
    if (!rc) {
        out = malloc(x.n * sizeof *out);
        if (!out) rc = mlops__err_nomem("listing trusted keys");
    }
    for (size_t i = 0; !rc && i < x.n; i++) out[i] = x.keys[i].fingerprint;
    free(x.keys);
    if (rc) return rc;
    *fingerprints = out;
    *n = x.n;
    return MLOPS_OK;
}
