/*
 * libmlops — the model registry: registered models, numbered versions that
 * point at artifact digests and runs, aliases (`champion`) with optional
 * signing policies, Ed25519 signatures, lineage, and a tamper-evident audit
 * log of every change.
 *
 * Every change to the registry and the audit event that records it are
 * written in one transaction: either both are on disk or neither is. A
 * call that fails writes nothing and appends no event.
 *
 * Names. A model name is 1..MLOPS_REGISTRY_NAME_MAX bytes of UTF-8 without
 * control characters and without '@' ('/' is allowed: "team/churn"). An
 * alias name matches [A-Za-z0-9_-]{1,255}; "latest" and "v<digits>" are
 * reserved (in any letter case): they cannot be set but always resolve,
 * "latest" to the highest version not deleted and "v<N>" to version N.
 * A model reference "name@alias" or "name/N" names one version.
 *
 * Actor and reason. Each change records who made it: the actor given in a
 * mlops_change_opts, else the store's mlops_store_opts.actor (by default
 * the login name), and an optional free-text reason. On a PostgreSQL store
 * (mlops_store_create) the actor is always the database role the store's
 * connections log in as (session_user): an actor given in the options must
 * be that role (else MLOPS_EINVAL), so the log names whom the server
 * authenticated.
 *
 * Threads: all functions taking a mlops_store may be called from several
 * threads and processes at once. The handles they return (mlops_model,
 * mlops_model_version, lists, lineage) are snapshots: they do not change
 * when the registry changes, and a handle may be read by several threads
 * when none frees it.
 */
#ifndef MLOPS_REGISTRY_H
#define MLOPS_REGISTRY_H

#include "common.h"
#include "store.h"
#include "track.h"

MLOPS_BEGIN_DECLS

/* ---- Limits ------------------------------------------------------------ */

#define MLOPS_REGISTRY_NAME_MAX 255  /* bytes in a model name, alias, tag key or actor */
#define MLOPS_REGISTRY_TEXT_MAX 65536 /* bytes in a description, tag value or reason */

/* ---- Who and why ------------------------------------------------------- */

#define MLOPS_CHANGE_OPTS_VERSION 1

/* Optional details of one change, recorded in its audit event. Initialise
 * with MLOPS_CHANGE_OPTS_INIT or mlops_change_opts_init(). Passing NULL
 * where a function takes one means all defaults. */
typedef struct mlops_change_opts {
    unsigned version;   /* MLOPS_CHANGE_OPTS_VERSION */
    const char *actor;  /* who: 1..255 bytes, no control characters;
                           NULL = the store's actor */
    const char *reason; /* why: free UTF-8 text up to
                           MLOPS_REGISTRY_TEXT_MAX bytes, or NULL */
} mlops_change_opts;

#define MLOPS_CHANGE_OPTS_INIT { MLOPS_CHANGE_OPTS_VERSION, NULL, NULL }

/* Fills opts with the defaults of the given version (use
 * MLOPS_CHANGE_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL or the
 * version is 0 or newer than this library knows. */
MLOPS_API int mlops_change_opts_init(mlops_change_opts *opts, unsigned version);

/* ---- Registered models ------------------------------------------------- */

typedef struct mlops_model mlops_model;   /* one model, a snapshot */
typedef struct mlops_models mlops_models; /* a list of models */

/* Creates the model `name` with no versions, recording the store's actor.
 * Errors: MLOPS_EINVAL (NULL or malformed name), MLOPS_EEXIST (a model of
 * that name exists), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_create(mlops_store *s, const char *name);

/* As mlops_model_create, with a description (NULL or "" for none) and the
 * change's actor and reason (change may be NULL). Same errors, and
 * MLOPS_EINVAL for a malformed description or change. */
MLOPS_API int mlops_model_create_ex(mlops_store *s, const char *name, const char *description,
                                    const mlops_change_opts *change);

/* Renames a model; its versions, aliases, tags and history follow it.
 * Signatures attest the model name, so versions signed under the old name
 * no longer verify (sign them again under the new one).
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model `name`), MLOPS_EEXIST
 * (`new_name` is taken), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_rename(mlops_store *s, const char *name, const char *new_name,
                                 const mlops_change_opts *change);

/* Deletes a model. While it has versions that are not deleted this is
 * refused (MLOPS_ECONFLICT) unless force is non-zero; forced, every
 * remaining version is deleted first (see mlops_model_version_delete),
 * then its aliases and alias policies, each with its own audit event. The
 * model's rows are kept, marked deleted, so its history stays readable;
 * the name becomes free for a new model.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_ECONFLICT, MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_delete(mlops_store *s, const char *name, int force,
                                 const mlops_change_opts *change);

/* Sets a model's description (NULL or "" clears it). Setting the value it
 * already has changes nothing and records nothing.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_model_set_description(mlops_store *s, const char *name,
                                          const char *description,
                                          const mlops_change_opts *change);

/* Sets tag `key` (1..255 bytes, no control characters) of a model to value
 * (UTF-8, up to MLOPS_REGISTRY_TEXT_MAX bytes; may be ""). Setting the
 * value it already has records nothing.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_model_tag_set(mlops_store *s, const char *name, const char *key,
                                  const char *value, const mlops_change_opts *change);

/* Removes tag `key` of a model. Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no
 * such model or tag), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_tag_delete(mlops_store *s, const char *name, const char *key,
                                     const mlops_change_opts *change);

/* Reads the model `name` (not deleted) with its tags and aliases into a
 * new handle *out, released with mlops_model_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_ENOMEM, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_model_get(mlops_store *s, const char *name, mlops_model **out);

/* Releases a model handle; NULL is a no-op. Only for handles from
 * mlops_model_get (not those a list holds). */
MLOPS_API void mlops_model_free(mlops_model *m);

/* Getters. Strings live as long as the handle (or the list holding it).
 * With a NULL handle they return NULL or 0. */
MLOPS_API const char *mlops_model_name(const mlops_model *m);
MLOPS_API const char *mlops_model_description(const mlops_model *m); /* "" when none */
MLOPS_API int64_t mlops_model_created_ms(const mlops_model *m);
MLOPS_API int64_t mlops_model_updated_ms(const mlops_model *m); /* last change */
/* Deletion time, 0 while the model is not deleted. */
MLOPS_API int64_t mlops_model_deleted_ms(const mlops_model *m);
/* Highest version number ever created (deleted ones included), 0 if none. */
MLOPS_API int64_t mlops_model_max_version(const mlops_model *m);
/* Tags, sorted by key: their number, the i-th (key and value set when the
 * pointers are not NULL; MLOPS_EINVAL when i is out of range), and the
 * value of one key (NULL when absent). */
MLOPS_API size_t mlops_model_tag_count(const mlops_model *m);
MLOPS_API int mlops_model_tag_at(const mlops_model *m, size_t i, const char **key,
                                 const char **value);
MLOPS_API const char *mlops_model_tag(const mlops_model *m, const char *key);
/* Aliases set on the model (reserved ones are not listed), sorted by name. */
MLOPS_API size_t mlops_model_alias_count(const mlops_model *m);
MLOPS_API int mlops_model_alias_at(const mlops_model *m, size_t i, const char **alias,
                                   int64_t *version);

#define MLOPS_MODEL_SEARCH_OPTS_VERSION 1

/* What mlops_model_search returns. Initialise with
 * MLOPS_MODEL_SEARCH_OPTS_INIT or mlops_model_search_opts_init(). */
typedef struct mlops_model_search_opts {
    unsigned version;               /* MLOPS_MODEL_SEARCH_OPTS_VERSION */
    const char *name_glob;          /* names matching this pattern ('*' any
                                       run, '?' one character, [abc] a set;
                                       case-sensitive), NULL = all */
    const char *const *tag_keys;    /* models having every one of these tags */
    const char *const *tag_values;  /* ... with these values (NULL array, or
                                       a NULL entry, = any value) */
    size_t ntags;                   /* entries in tag_keys (and tag_values) */
    int include_deleted;            /* list deleted models too (default 0).
                                       Deprecated since 1.1: use
                                       mlops_model_search_ex_opts.lifecycle */
} mlops_model_search_opts;

#define MLOPS_MODEL_SEARCH_OPTS_INIT { MLOPS_MODEL_SEARCH_OPTS_VERSION, NULL, NULL, NULL, 0, 0 }

/* Fills opts with the defaults of the given version. Errors: MLOPS_EINVAL
 * when opts is NULL or the version is 0 or unknown.
 * Deprecated since 1.1: use mlops_model_search_ex_opts_init. */
MLOPS_API int mlops_model_search_opts_init(mlops_model_search_opts *opts, unsigned version);

/* Lists the models matching opts (NULL = every model not deleted), sorted
 * by name then creation, into a new list *out released with
 * mlops_models_free. Errors: MLOPS_EINVAL (NULL s or out, bad opts),
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO.
 * Deprecated since 1.1: use mlops_model_search_ex. */
MLOPS_API int mlops_model_search(mlops_store *s, const mlops_model_search_opts *opts,
                                 mlops_models **out);

#define MLOPS_MODEL_SEARCH_EX_OPTS_VERSION 1

/* What mlops_model_search_ex returns. Initialise with
 * MLOPS_MODEL_SEARCH_EX_OPTS_INIT or mlops_model_search_ex_opts_init(),
 * then set fields. Pointers are read during the call only. */
typedef struct mlops_model_search_ex_opts {
    unsigned version;               /* MLOPS_MODEL_SEARCH_EX_OPTS_VERSION */
    const char *name_glob;          /* names matching this pattern ('*' any
                                       run, '?' one character, [abc] a set;
                                       case-sensitive), NULL = all */
    const char *const *tag_keys;    /* models having every one of these tags
                                       (keys of 1..MLOPS_KEY_MAX bytes) */
    const char *const *tag_values;  /* ... with these values (NULL array, or
                                       a NULL entry, = any value) */
    size_t ntags;                   /* entries in tag_keys (and tag_values) */
    int lifecycle;                  /* MLOPS_LIFECYCLE_* (default ACTIVE) */
} mlops_model_search_ex_opts;

#define MLOPS_MODEL_SEARCH_EX_OPTS_INIT \
    { MLOPS_MODEL_SEARCH_EX_OPTS_VERSION, NULL, NULL, NULL, 0, MLOPS_LIFECYCLE_ACTIVE }

/* Fills opts with the defaults of the given version (use
 * MLOPS_MODEL_SEARCH_EX_OPTS_VERSION). For bindings that cannot expand
 * macros. Errors: MLOPS_EINVAL when opts is NULL or the version unknown. */
MLOPS_API int mlops_model_search_ex_opts_init(mlops_model_search_ex_opts *opts,
                                              unsigned version);

/* Lists the models matching opts (NULL = every model not deleted) in the
 * lifecycle it asks for, sorted by name then creation, read in one
 * transaction into a new list *out released with mlops_models_free.
 * Errors: MLOPS_EINVAL (NULL s or out; unknown options version or
 * lifecycle; malformed pattern, key or value), MLOPS_ENOMEM, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_model_search_ex(mlops_store *s, const mlops_model_search_ex_opts *opts,
                                    mlops_models **out);
MLOPS_API size_t mlops_models_count(const mlops_models *l);
/* The i-th model, owned by the list (NULL when i is out of range). */
MLOPS_API const mlops_model *mlops_models_at(const mlops_models *l, size_t i);
MLOPS_API void mlops_models_free(mlops_models *l);

/* ---- Versions ---------------------------------------------------------- */

typedef struct mlops_model_version mlops_model_version;   /* one version, a snapshot */
typedef struct mlops_model_versions mlops_model_versions; /* a list of versions */

/* Version status (mlops_model_version_status). */
#define MLOPS_VERSION_READY    0
#define MLOPS_VERSION_ARCHIVED 1

/* Creates the next version of `model`, pointing at the artifact `artifact`
 * (which must be stored: mlops_blob_put and friends) and, when run_id is
 * not NULL, made by that run (which must exist). The number, written to
 * *version, is one more than the highest ever created for the model,
 * assigned inside the write transaction: concurrent creators, threads or
 * processes, get distinct consecutive numbers and no error. Numbers are
 * never reused. The version is READY and keeps the artifact from garbage
 * collection until it is deleted.
 * Errors: MLOPS_EINVAL (NULL or malformed argument), MLOPS_ENOTFOUND (no
 * model, artifact not in the store, or no such run), MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_version_create(mlops_store *s, const char *model,
                                         const mlops_digest *artifact, const char *run_id,
                                         int64_t *version);

/* As mlops_model_version_create, with a description (NULL or "" for none)
 * and the change's actor and reason (change may be NULL). */
MLOPS_API int mlops_model_version_create_ex(mlops_store *s, const char *model,
                                            const mlops_digest *artifact, const char *run_id,
                                            const char *description,
                                            const mlops_change_opts *change, int64_t *version);

/* Reads version `version` of `model` (deleted versions too: see
 * mlops_model_version_deleted_ms) with its tags and signatures into a new
 * handle *out, released with mlops_model_version_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_ENOMEM, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_model_version_get(mlops_store *s, const char *model, int64_t version,
                                      mlops_model_version **out);

/* Releases a version handle from mlops_model_version_get; NULL is a no-op. */
MLOPS_API void mlops_model_version_free(mlops_model_version *v);

/* Getters. Strings and the digest live as long as the handle (or list).
 * With a NULL handle they return NULL, 0, or -1 for the status. */
MLOPS_API const char *mlops_model_version_model(const mlops_model_version *v);
MLOPS_API int64_t mlops_model_version_number(const mlops_model_version *v);
MLOPS_API const mlops_digest *mlops_model_version_artifact(const mlops_model_version *v);
MLOPS_API const char *mlops_model_version_run_id(const mlops_model_version *v); /* or NULL */
MLOPS_API const char *mlops_model_version_description(const mlops_model_version *v);
MLOPS_API const char *mlops_model_version_creator(const mlops_model_version *v);
MLOPS_API int mlops_model_version_status(const mlops_model_version *v); /* MLOPS_VERSION_* */
MLOPS_API int64_t mlops_model_version_created_ms(const mlops_model_version *v);
MLOPS_API int64_t mlops_model_version_updated_ms(const mlops_model_version *v);
/* Deletion time, 0 while the version is not deleted. */
MLOPS_API int64_t mlops_model_version_deleted_ms(const mlops_model_version *v);
MLOPS_API size_t mlops_model_version_tag_count(const mlops_model_version *v);
MLOPS_API int mlops_model_version_tag_at(const mlops_model_version *v, size_t i,
                                         const char **key, const char **value);
MLOPS_API const char *mlops_model_version_tag(const mlops_model_version *v, const char *key);
/* Signatures recorded on the version, oldest first: the signing key's
 * fingerprint (see mlops_key_fingerprint), the 64-byte Ed25519 signature
 * and when it was made. Any output pointer may be NULL. MLOPS_EINVAL when
 * i is out of range. Recorded is not verified: use
 * mlops_model_version_verify. */
MLOPS_API size_t mlops_model_version_signature_count(const mlops_model_version *v);
MLOPS_API int mlops_model_version_signature_at(const mlops_model_version *v, size_t i,
                                               mlops_digest *key_fingerprint,
                                               unsigned char signature[64],
                                               int64_t *signed_ms);

/* Lists the versions of `model`, by number, into a new list *out released
 * with mlops_model_versions_free; deleted ones only when include_deleted.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model), MLOPS_ENOMEM,
 * MLOPS_EBUSY, MLOPS_EIO.
 * Deprecated since 1.1: use mlops_model_version_list_ex. */
MLOPS_API int mlops_model_version_list(mlops_store *s, const char *model, int include_deleted,
                                       mlops_model_versions **out);

/* Lists the versions of `model` in the given lifecycle
 * (MLOPS_LIFECYCLE_ACTIVE, _DELETED or _ALL), by number, read in one
 * transaction into a new list *out released with
 * mlops_model_versions_free.
 * Errors: MLOPS_EINVAL (NULL s or out, malformed model name, unknown
 * lifecycle), MLOPS_ENOTFOUND (no model), MLOPS_ENOMEM, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_model_version_list_ex(mlops_store *s, const char *model, int lifecycle,
                                          mlops_model_versions **out);
MLOPS_API size_t mlops_model_versions_count(const mlops_model_versions *l);
/* The i-th version, owned by the list (NULL when i is out of range). */
MLOPS_API const mlops_model_version *mlops_model_versions_at(const mlops_model_versions *l,
                                                              size_t i);
MLOPS_API void mlops_model_versions_free(mlops_model_versions *l);

/* Sets a version's description (NULL or "" clears it) or its status
 * (MLOPS_VERSION_READY or MLOPS_VERSION_ARCHIVED). Setting the value it
 * already has records nothing.
 * Errors: MLOPS_EINVAL (malformed argument, unknown status),
 * MLOPS_ENOTFOUND (no model, or no such version or it is deleted),
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_version_set_description(mlops_store *s, const char *model,
                                                  int64_t version, const char *description,
                                                  const mlops_change_opts *change);
MLOPS_API int mlops_model_version_set_status(mlops_store *s, const char *model,
                                             int64_t version, int status,
                                             const mlops_change_opts *change);

/* Sets or removes tag `key` of a version (as mlops_model_tag_set and
 * mlops_model_tag_delete). Same errors, and MLOPS_ENOTFOUND for a missing
 * or deleted version. */
MLOPS_API int mlops_model_version_tag_set(mlops_store *s, const char *model, int64_t version,
                                          const char *key, const char *value,
                                          const mlops_change_opts *change);
MLOPS_API int mlops_model_version_tag_delete(mlops_store *s, const char *model,
                                             int64_t version, const char *key,
                                             const mlops_change_opts *change);

/* Deletes a version: its row is kept, marked deleted, with its artifact
 * digest, run and signatures (nothing is redacted); its number is never
 * reused; its artifact stops being a garbage-collection root; aliases
 * pointing at it are removed (each recorded). (1.1) When one of them has a
 * gate, nothing is done: MLOPS_EPOLICY.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model, no such version, or
 * already deleted), MLOPS_EPOLICY, MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_version_delete(mlops_store *s, const char *model, int64_t version,
                                         const mlops_change_opts *change);

/* ---- Aliases ----------------------------------------------------------- */

/* Points alias `alias` of `model` at version `version` (not deleted),
 * creating the alias or moving it from the version it pointed at, in one
 * step. Pointing it where it already points records nothing. When a
 * policy guards the alias (mlops_model_alias_policy_set) the version must
 * carry a valid signature by one of the policy's keys. (1.1) When the
 * alias has a gate (mlops_model_gate_set) the version must pass it, as for
 * mlops_model_promote; the decision is recorded either way.
 * Errors: MLOPS_EINVAL (NULL, malformed or reserved alias),
 * MLOPS_ENOTFOUND (no model, or no such version or it is deleted),
 * MLOPS_EPOLICY (the alias's policy refuses the version: unsigned, or
 * signed by no trusted key, or no signature that verifies; or its gate
 * refuses it), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_set(mlops_store *s, const char *model, const char *alias,
                                    int64_t version);

/* As mlops_model_alias_set with the change's actor and reason. */
MLOPS_API int mlops_model_alias_set_ex(mlops_store *s, const char *model, const char *alias,
                                       int64_t version, const mlops_change_opts *change);

/* The version alias `alias` of `model` points at, reserved aliases
 * included ("latest", "v3").
 * Errors: MLOPS_EINVAL (NULL or malformed alias), MLOPS_ENOTFOUND (no
 * model, alias not set, "latest" of a model without versions, "v<N>" of a
 * missing or deleted version), MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_get(mlops_store *s, const char *model, const char *alias,
                                    int64_t *version);

/* Removes alias `alias` of `model`. (1.1) An alias with a gate is not
 * removed: MLOPS_EPOLICY, the refusal recorded.
 * Errors: MLOPS_EINVAL (NULL, malformed or reserved alias),
 * MLOPS_ENOTFOUND (no model, or the alias is not set), MLOPS_EPOLICY, MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_delete(mlops_store *s, const char *model, const char *alias,
                                       const mlops_change_opts *change);

/* Resolves a reference "name@alias" (reserved aliases included) or
 * "name/N" to the version number and its artifact digest, from one
 * snapshot. The model name is everything before the last '@', or before
 * the last '/' followed only by digits. version or artifact may be NULL.
 * Errors: MLOPS_EINVAL (NULL ref, or not of either form), MLOPS_ENOTFOUND
 * (no such model, alias or version, or the version is deleted),
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_resolve(mlops_store *s, const char *ref, int64_t *version,
                                  mlops_digest *artifact);

/* Guards alias `alias` of `model` (which need not be set yet; reserved
 * names are refused): from now on it may only point at a version holding
 * a signature, by one of the n trusted Ed25519 public keys (PEM
 * "PUBLIC KEY" texts), that verifies over the version's current manifest.
 * Replaces any previous policy of the alias. Refused with MLOPS_EPOLICY
 * when the alias currently points at a version the new policy would
 * refuse. The keys are copied into the store.
 * Errors: MLOPS_EINVAL (NULL arguments, n == 0, malformed alias),
 * MLOPS_EFORMAT (a text is not a PEM public key), MLOPS_EUNSUPPORTED (a
 * key that is not Ed25519), MLOPS_ENOTFOUND (no model), MLOPS_EPOLICY,
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_policy_set(mlops_store *s, const char *model, const char *alias,
                                           const char *const *trusted_public_pems, size_t n,
                                           const mlops_change_opts *change);

/* Removes the policy of alias `alias` of `model`.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model, or no policy on the
 * alias), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_policy_delete(mlops_store *s, const char *model,
                                              const char *alias,
                                              const mlops_change_opts *change);

/* The fingerprints of the keys the policy of alias `alias` trusts, in a
 * new array of *n digests released with mlops_free (sorted by bytes).
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model or no policy),
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_policy_get(mlops_store *s, const char *model, const char *alias,
                                           mlops_digest **fingerprints, size_t *n);

/* ---- Weighted aliases and routing (since 1.1) ----------------------------
 * A weighted alias sends a share of the traffic to each of several
 * versions ("3:90,4:10": 90% to version 3, 10% to version 4), with an
 * optional shadow version that receives mirrored traffic and is never
 * routed to. doc/delivery.md holds the text form of a split (1 to
 * MLOPS_ALIAS_SPLIT_LEGS_MAX versions, integer percentages summing to
 * exactly 100, "+shadow:N" last, "N" alone for one version) and the
 * routing rule: a key (any bytes) goes to the version owning bucket
 * murmur3_x86_32(SALT "/" KEY) mod 10000, the salt fixed per model and
 * alias, so a key keeps its version while the split does not change, and
 * raising one version's share never moves a key away from it.
 *
 * Every change of a split (set, ramp, rollback) is one move of the alias:
 * it passes the alias's gate and signing policy or changes nothing
 * (MLOPS_EPOLICY), is recorded in the audit log with the split before and
 * after, and is what the point-in-time query answers afterwards. The 1.0
 * functions see a weighted alias as its primary: the version with the
 * largest share, the lower number on a tie (mlops_model_alias_get,
 * mlops_model_resolve, mlops_model_alias_at, mlops_audit_alias_at). */

#define MLOPS_ALIAS_SPLIT_LEGS_MAX 16 /* versions an alias routes to (the shadow aside) */

/* One alias's split, read from the store: an immutable object released
 * with mlops_alias_split_free; its accessors may be called from any
 * number of threads. */
typedef struct mlops_alias_split mlops_alias_split;

/* Sets alias `alias` of `model` to the split `split` in its text form
 * ("3:90,4:10", "3:90,4:10+shadow:5", or a plain "4", which is
 * mlops_model_alias_set_ex), creating the alias or moving it in one step.
 * Every version named (the shadow included) must exist and not be
 * deleted. Setting the split the alias has records nothing.
 * Errors: MLOPS_EINVAL (NULL, malformed or reserved alias, a malformed
 * split: weights not summing to 100, a version twice, more than
 * MLOPS_ALIAS_SPLIT_LEGS_MAX versions...; the message names the column),
 * MLOPS_ENOTFOUND (no model, or a version missing or deleted),
 * MLOPS_EPOLICY (the alias's gate or signing policy refuses a version),
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_split_set(mlops_store *s, const char *model, const char *alias,
                                          const char *split, const mlops_change_opts *change);

/* One ramp step: gives version `version` of the set alias `alias` the
 * share `weight` (0..100), moving the difference from or to the base,
 * the version with the largest share among the others (the lower number
 * on a tie). So only the version ramped or only the base gains: no key
 * of the version that gains moves away (doc/delivery.md). Weight 100 is
 * the full promotion (the alias becomes `version` alone); weight 0 takes
 * the version out, its share going to the base. A version not in the
 * split joins it (a shadow becomes a routed version; the shadow is kept
 * otherwise). A weight the base cannot give is refused.
 * Errors: MLOPS_EINVAL (NULL, malformed or reserved alias, version < 1,
 * weight outside 0..100, weight 0 for a version not in the split or for
 * the only one, more than the base has to give), MLOPS_ENOTFOUND (no
 * model, alias not set, version missing or deleted), MLOPS_EPOLICY,
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_ramp(mlops_store *s, const char *model, const char *alias,
                                     int64_t version, int weight,
                                     const mlops_change_opts *change);

/* Rolls alias `alias` of `model` back to the split it had as of time_ms
 * (as mlops_audit_alias_split_at answers), or, with time_ms 0, to the
 * split it had just before its last change: every key goes back to the
 * version it had then. The move is recorded and gated as any other; a
 * second rollback with time_ms 0 undoes the first.
 * Errors: MLOPS_EINVAL (NULL, malformed or reserved alias, time_ms < 0),
 * MLOPS_ENOTFOUND (no model; the alias was not set then, or has never
 * changed; a version of that split is deleted since), MLOPS_EPOLICY,
 * MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_rollback(mlops_store *s, const char *model, const char *alias,
                                         int64_t time_ms, const mlops_change_opts *change);

/* The whole split of alias `alias` of `model` (reserved aliases give
 * their one version) into a new object *out.
 * Errors: MLOPS_EINVAL (NULL, malformed alias), MLOPS_ENOTFOUND (no
 * model, alias not set or deleted), MLOPS_ECORRUPT (a stored split that
 * does not decode), MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_split_get(mlops_store *s, const char *model, const char *alias,
                                          mlops_alias_split **out);

/* The split alias `alias` of `model` had as of time_ms (after every event
 * with a time <= time_ms), read from the audit log, into a new object
 * *out. Reserved aliases are answered from the versions' creation and
 * deletion times.
 * Errors: MLOPS_EINVAL (NULL, malformed alias), MLOPS_ENOTFOUND (no
 * model, or the alias pointed at nothing then), MLOPS_ECORRUPT,
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_audit_alias_split_at(mlops_store *s, const char *model, const char *alias,
                                         int64_t time_ms, mlops_alias_split **out);

/* A list of the splits of a model's aliases, in alias byte order. */
typedef struct mlops_alias_splits mlops_alias_splits;

/* The splits of every set alias of `model` (reserved ones are not
 * listed), from one snapshot, into a new list *out released with
 * mlops_alias_splits_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model), MLOPS_ECORRUPT,
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_alias_splits(mlops_store *s, const char *model,
                                       mlops_alias_splits **out);
MLOPS_API size_t mlops_alias_splits_count(const mlops_alias_splits *l); /* 0 for NULL */
/* The i-th split, owned by the list (NULL when l is NULL or i is out of
 * range). */
MLOPS_API const mlops_alias_split *mlops_alias_splits_at(const mlops_alias_splits *l,
                                                         size_t i);
MLOPS_API void mlops_alias_splits_free(mlops_alias_splits *l); /* NULL: no-op */

/* The alias's name; NULL for NULL. */
MLOPS_API const char *mlops_alias_split_alias(const mlops_alias_split *sp);
/* The canonical text of the split ("3:90,4:10+shadow:5"; "4" for one
 * version): legs by ascending version. NULL for NULL. */
MLOPS_API const char *mlops_alias_split_text(const mlops_alias_split *sp);
/* The number of versions routed to, 1..MLOPS_ALIAS_SPLIT_LEGS_MAX (0 for
 * NULL). */
MLOPS_API size_t mlops_alias_split_count(const mlops_alias_split *sp);
/* The i-th routed version and its share in percent, by ascending version
 * (either output may be NULL).
 * Errors: MLOPS_EINVAL (NULL sp, i out of range). */
MLOPS_API int mlops_alias_split_at(const mlops_alias_split *sp, size_t i, int64_t *version,
                                   int *weight);
/* The version with the largest share, the lower number on a tie (0 for
 * NULL). */
MLOPS_API int64_t mlops_alias_split_primary(const mlops_alias_split *sp);
/* The shadow version, 0 when none (or NULL). */
MLOPS_API int64_t mlops_alias_split_shadow(const mlops_alias_split *sp);
/* The alias's routing salt (NUL-terminated text; its bytes are what the
 * rule hashes), "" while the alias routes to one version and has none
 * yet. NULL for NULL. With it and the split another implementation
 * routes every key as the library does. */
MLOPS_API const char *mlops_alias_split_salt(const mlops_alias_split *sp);
MLOPS_API void mlops_alias_split_free(mlops_alias_split *sp); /* NULL: no-op */

/* The version key[0..key_len) is routed to by alias `alias` of `model`
 * now (reserved aliases route every key to their one version). Opens a
 * read of its own: for many keys, take a snapshot.
 * Errors: MLOPS_EINVAL (NULL s, model, alias or version, NULL key with
 * key_len > 0, key_len > PTRDIFF_MAX, malformed alias), MLOPS_ENOTFOUND
 * (no model, or the alias is not set: never set, or deleted),
 * MLOPS_ECORRUPT, MLOPS_EBUSY, MLOPS_EIO. Thread-safe. */
MLOPS_API int mlops_model_route(mlops_store *s, const char *model, const char *alias,
                                const void *key, size_t key_len, int64_t *version);

/* What routing needs of one alias, taken once: its split and salt, with
 * the bucket table (about 10 KB). Routing from it reads no database and
 * takes no lock; it keeps routing by the split it was taken with until
 * freed, whatever the store does since. */
typedef struct mlops_route_snapshot mlops_route_snapshot;

/* Takes a routing snapshot of alias `alias` of `model` into *out,
 * released with mlops_route_snapshot_free.
 * Errors: as mlops_model_route, and MLOPS_ENOMEM. */
MLOPS_API int mlops_model_route_snapshot(mlops_store *s, const char *model, const char *alias,
                                         mlops_route_snapshot **out);
/* The version key[0..key_len) goes to under the snapshot's split: no
 * allocation, no database, no lock; any number of threads may route from
 * one snapshot at once.
 * Errors: MLOPS_EINVAL (NULL snap or version, NULL key with key_len > 0,
 * key_len > PTRDIFF_MAX). */
MLOPS_API int mlops_route_snapshot_route(const mlops_route_snapshot *snap, const void *key,
                                         size_t key_len, int64_t *version);
/* The split the snapshot routes by, owned by the snapshot (NULL for
 * NULL). */
MLOPS_API const mlops_alias_split *mlops_route_snapshot_split(const mlops_route_snapshot *snap);
MLOPS_API void mlops_route_snapshot_free(mlops_route_snapshot *snap); /* NULL: no-op */

/* ---- Signing ----------------------------------------------------------- */

/* The fingerprint of an Ed25519 key given as PEM text (a "PRIVATE KEY" or
 * a "PUBLIC KEY"): the SHA-256 of its 32-byte raw public key. Private and
 * public halves of a pair have the same fingerprint.
 * Errors: MLOPS_EINVAL (NULL arguments), MLOPS_EFORMAT (not a PEM key, or
 * an encrypted one), MLOPS_EUNSUPPORTED (not an Ed25519 key). */
MLOPS_API int mlops_key_fingerprint(const char *pem, mlops_digest *out);

/* The signing manifest of a version: the canonical msgpack bytes a
 * signature covers (model name, version number, artifact digest, run id,
 * the run's input digests, creation time; doc/format.md), in a new buffer
 * *data of *len bytes released with mlops_free. Lets other tools verify a
 * signature (e.g. `openssl pkeyutl -verify -rawin`).
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model or version),
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_version_manifest(mlops_store *s, const char *model, int64_t version,
                                           void **data, size_t *len);

/* Signs version `version` of `model` with the Ed25519 private key in
 * private_pem (PEM "PRIVATE KEY", unencrypted) over its manifest, and
 * records the signature and the key's fingerprint. A version may carry
 * signatures by several keys, one per key.
 * Errors: MLOPS_EINVAL (NULL arguments), MLOPS_EFORMAT (not a PEM private
 * key, or an encrypted one), MLOPS_EUNSUPPORTED (not an Ed25519 key),
 * MLOPS_ENOTFOUND (no model, no such version or it is deleted),
 * MLOPS_EEXIST (already signed by this key), MLOPS_EREADONLY, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_model_version_sign(mlops_store *s, const char *model, int64_t version,
                                       const char *private_pem,
                                       const mlops_change_opts *change);

/* Checks that version `version` of `model` carries a signature by the
 * Ed25519 public key public_pem (PEM "PUBLIC KEY") that verifies over the
 * version's manifest recomputed from the store now: a changed artifact
 * digest, run, name or creation time makes it fail. The manifest holds the
 * artifact's digest: this checks the signature over that digest, not the
 * bytes the store holds for it (mlops_model_version_verify_deep does).
 * Errors: MLOPS_EINVAL (NULL arguments), MLOPS_EFORMAT (not a PEM public
 * key), MLOPS_EUNSUPPORTED (not Ed25519), MLOPS_ENOTFOUND (no model or
 * version), MLOPS_ESIGNATURE (no signature by this key, or it does not
 * verify), MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_version_verify(mlops_store *s, const char *model, int64_t version,
                                         const char *public_pem);

/* As mlops_model_version_verify, then also re-hashes the bytes behind the
 * signed artifact digest: a blob is read back in whole, a tree's object
 * and every subtree and blob it names (each distinct one once), so that
 * rows or files changed under a signed version are caught. It reads the
 * whole artifact (as long as a get; memory stays bounded). Since 1.1.
 * Errors: as mlops_model_version_verify, and MLOPS_ECORRUPT (the store's
 * bytes are not the artifact's, or are missing: the message names the
 * content), MLOPS_ENOMEM. Safe from several threads on one store. */
MLOPS_API int mlops_model_version_verify_deep(mlops_store *s, const char *model,
                                              int64_t version, const char *public_pem);

/* ---- Audit log ----------------------------------------------------------
 * Every change appends one event. Events are numbered 1, 2, 3... (seq);
 * event n stores hash_n = SHA-256(hash_{n-1} || canonical msgpack of event
 * n), with hash_0 = 32 zero bytes (doc/format.md). Event times never
 * decrease along the chain. */

/* Walks the whole chain. MLOPS_OK when every event is present, in order
 * and matches its hash, and the registry's current aliases and version
 * artifacts agree with the log. Otherwise MLOPS_ECORRUPT, with a message
 * naming the first bad sequence number (an event edited, deleted or moved)
 * or the object that disagrees. Errors also: MLOPS_EINVAL, MLOPS_ENOMEM,
 * MLOPS_EBUSY, MLOPS_EIO. Deleting events from the end cannot be seen from
 * the chain alone: publish mlops_audit_head elsewhere and check it with
 * mlops_audit_verify_head. */
MLOPS_API int mlops_audit_verify(mlops_store *s);

/* As mlops_audit_verify, and when head_hash is not NULL also checks that
 * event head_seq exists with hash head_hash (a head published earlier), so
 * that truncation and rewriting of the chain are caught. When first_bad is
 * not NULL it receives the first bad sequence number, or 0 when the chain
 * is intact (also when only the current state disagrees with it). */
MLOPS_API int mlops_audit_verify_head(mlops_store *s, int64_t head_seq,
                                      const mlops_digest *head_hash, int64_t *first_bad);

/* The chain's head: the last sequence number and its hash (0 and 32 zero
 * bytes for an empty log). Publish it elsewhere to make the whole chain up
 * to it tamper-evident. Errors: MLOPS_EINVAL, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_audit_head(mlops_store *s, int64_t *seq, mlops_digest *hash);

/* ---- Checkpoints (since 1.1) --------------------------------------------
 * The chain is unkeyed: whoever can write the database can append events
 * that look valid (an actor name proves nothing: it is what the writer
 * chose to record). A checkpoint signs the chain's head with an Ed25519
 * key; a verifier that trusts the key knows that the log up to that head
 * is as it was when signed. */

/* Signs the current head (seq, hash) with the Ed25519 private key
 * private_pem (PEM, unencrypted) and appends the signature as an event of
 * kind "audit.checkpoint" (key: the key's fingerprint; new value: the
 * head as "SEQ:sha256:HEX"). *covered_seq (may be NULL) gets the seq
 * signed. change may be NULL (store's actor, no reason). Thread-safe.
 * Errors: MLOPS_EINVAL (NULL s or private_pem, bad change options),
 * MLOPS_EFORMAT (not an unencrypted PEM private key), MLOPS_EUNSUPPORTED
 * (not Ed25519), MLOPS_ENOTFOUND (the log is empty), MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_audit_checkpoint(mlops_store *s, const char *private_pem,
                                     const mlops_change_opts *change, int64_t *covered_seq);

#define MLOPS_AUDIT_VERIFY_OPTS_VERSION 1

/* Options of mlops_audit_verify_ex. Initialise with
 * MLOPS_AUDIT_VERIFY_OPTS_INIT or mlops_audit_verify_opts_init; pointers
 * are borrowed for the call. */
typedef struct mlops_audit_verify_opts {
    unsigned version;                 /* MLOPS_AUDIT_VERIFY_OPTS_VERSION */
    int64_t head_seq;                 /* with head_hash: a head published earlier */
    const mlops_digest *head_hash;    /* NULL: no published head */
    const char *const *trusted_keys;  /* Ed25519 public keys (PEM) whose checkpoints attest */
    size_t n_trusted_keys;            /* 0: checkpoints are checked, none attests */
    int64_t min_seq;                  /* > 0: fail unless a checkpoint by a trusted key
                                         covers event min_seq */
} mlops_audit_verify_opts;

#define MLOPS_AUDIT_VERIFY_OPTS_INIT { MLOPS_AUDIT_VERIFY_OPTS_VERSION, 0, NULL, NULL, 0, 0 }

/* Sets *opts to the defaults of that version. Errors: MLOPS_EINVAL (NULL,
 * unknown version). */
MLOPS_API int mlops_audit_verify_opts_init(mlops_audit_verify_opts *opts, unsigned version);

#define MLOPS_AUDIT_REPORT_VERSION 1

/* What mlops_audit_verify_ex found. Set `version` (MLOPS_AUDIT_REPORT_INIT
 * or mlops_audit_report_init) before the call; the library fills the
 * fields that version has, also when verification fails. */
typedef struct mlops_audit_report {
    unsigned version;       /* MLOPS_AUDIT_REPORT_VERSION */
    int64_t events;         /* the events walked (the head's seq when intact) */
    int64_t first_bad;      /* first bad seq, 0 when the chain is intact */
    int64_t checkpoints;    /* checkpoint events found valid */
    int64_t attested_seq;   /* last event covered by a valid checkpoint by a trusted
                               key, 0 for none */
    int64_t unattested;     /* events after attested_seq */
} mlops_audit_report;

#define MLOPS_AUDIT_REPORT_INIT { MLOPS_AUDIT_REPORT_VERSION, 0, 0, 0, 0, 0 }

/* Zeroes *report and sets its version. Errors: MLOPS_EINVAL (NULL,
 * unknown version). */
MLOPS_API int mlops_audit_report_init(mlops_audit_report *report, unsigned version);

/* As mlops_audit_verify_head (opts NULL: as mlops_audit_verify), and
 * also: every audit.checkpoint event must carry a signature by its key
 * that verifies over the head just before it, and with trusted keys
 * given, that key must be one of them; a checkpoint that fails either is
 * MLOPS_ECORRUPT naming its seq. With opts->min_seq, MLOPS_ESIGNATURE
 * unless a valid checkpoint by a trusted key covers event min_seq.
 * report (may be NULL) says how far the log is attested. Thread-safe.
 * Errors also: MLOPS_EINVAL (NULL s, bad options, min_seq without
 * trusted keys), MLOPS_EFORMAT / MLOPS_EUNSUPPORTED (a trusted key that
 * is not a PEM Ed25519 public key), MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_audit_verify_ex(mlops_store *s, const mlops_audit_verify_opts *opts,
                                    mlops_audit_report *report);

typedef struct mlops_audit_events mlops_audit_events; /* a list of events */

#define MLOPS_AUDIT_EVENT_VERSION 1

/* One event, as filled by mlops_audit_events_get. Set `version` (with
 * MLOPS_AUDIT_EVENT_INIT or mlops_audit_event_init) before the call: the
 * library fills the fields that version has. Strings live as long as the
 * list and are NULL when the event has no such value.
 *
 * Actions and their values (old -> new):
 *   model.create (-> name), model.rename (old name -> new name),
 *   model.delete (name ->), model.describe, version.describe (text -> text),
 *   model.tag.set, version.tag.set (key; value -> value),
 *   model.tag.delete, version.tag.delete (key; value ->),
 *   version.create (-> "sha256:<hex>" or "sha256:<hex> run:<run id>"),
 *   version.status ("ready"/"archived" -> ...), version.delete (digest ->),
 *   version.sign (key fingerprint "sha256:<hex>" in new),
 *   alias.set (key alias; -> "N"), alias.move (key alias; "M" -> "N"),
 *   alias.delete (key alias; "N" ->),
 *   alias.policy.set (key alias; comma-separated key fingerprints, sorted),
 *   alias.policy.delete (key alias; fingerprints ->),
 *   audit.checkpoint (since 1.1; key: signing key fingerprint
 *     "sha256:<hex>"; -> the head signed, "SEQ:sha256:<hex>"; model "" and
 *     no version: it is about the whole log),
 *   monitor.create (since 1.1; key "monitor:NAME"; -> the spec,
 *     "window_ms=W lateness_ms=L min_rows=R alert=M/N pending=P
 *     keep_firing=K columns=a,b", then the create_ex settings that are
 *     not the defaults: doc/format.md), monitor.delete (the spec ->),
 *   monitor.alert.firing, monitor.alert.resolved (since 1.1; key
 *     "monitor:NAME"; -> "event=S window=START..END breaches=B
 *     considered=C"); monitor events have model "" and no version. */
typedef struct mlops_audit_event {
    unsigned version;      /* MLOPS_AUDIT_EVENT_VERSION */
    int64_t seq;           /* 1, 2, 3... */
    int64_t time_ms;
    const char *actor;
    const char *action;    /* see above */
    const char *model;     /* the model's name when the event was made */
    int64_t model_version; /* the version concerned, 0 for none */
    const char *key;       /* alias or tag key, or NULL */
    const char *old_value;
    const char *new_value;
    const char *reason;
    mlops_digest hash;     /* this event's chain hash */
} mlops_audit_event;

#define MLOPS_AUDIT_EVENT_INIT \
    { MLOPS_AUDIT_EVENT_VERSION, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, { { 0 } } }

/* Zeroes ev and sets its version. Errors: MLOPS_EINVAL when ev is NULL or
 * the version is 0 or unknown. */
MLOPS_API int mlops_audit_event_init(mlops_audit_event *ev, unsigned version);

/* The events of model `name` (the model of that name now, or when none,
 * the last deleted one), through renames, oldest first, into a new list
 * *out released with mlops_audit_events_free.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model was ever called name),
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_audit_model_events(mlops_store *s, const char *name,
                                       mlops_audit_events **out);

/* Up to limit events (0 = no limit) with seq > after_seq, oldest first,
 * into a new list *out (for paging through the whole log).
 * Errors: MLOPS_EINVAL, MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_audit_list(mlops_store *s, int64_t after_seq, size_t limit,
                               mlops_audit_events **out);

MLOPS_API size_t mlops_audit_events_count(const mlops_audit_events *l);
/* Fills *ev with the i-th event. Errors: MLOPS_EINVAL (NULL arguments, i
 * out of range, unknown ev->version). */
MLOPS_API int mlops_audit_events_get(const mlops_audit_events *l, size_t i,
                                     mlops_audit_event *ev);
MLOPS_API void mlops_audit_events_free(mlops_audit_events *l);

/* What alias `alias` of `model` pointed at, as of time_ms (after every
 * event with a time <= time_ms), read from the audit log. Reserved
 * aliases are answered from the versions' creation and deletion times.
 * Errors: MLOPS_EINVAL (NULL or malformed alias), MLOPS_ENOTFOUND (no
 * model, or the alias pointed at nothing then), MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_audit_alias_at(mlops_store *s, const char *model, const char *alias,
                                   int64_t time_ms, int64_t *version);

/* ---- Lineage -----------------------------------------------------------
 * How a version was made: its run as the experiment records hold it (the
 * mlops_run_info snapshot of track.h carries the run's params, metric
 * summaries and lineage edges) and the run's inputs. */

typedef struct mlops_version_lineage mlops_version_lineage;

/* Everything recorded about how version `version` of `model` (deleted
 * versions too) was made, in one call, into a new handle *out released
 * with mlops_version_lineage_free. A version created without a run gives
 * a lineage with no run and no inputs.
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model or version, or its run
 * record is gone), MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_version_lineage(mlops_store *s, const char *model, int64_t version,
                                          mlops_version_lineage **out);
MLOPS_API void mlops_version_lineage_free(mlops_version_lineage *l);

MLOPS_API int64_t mlops_version_lineage_version(const mlops_version_lineage *l);
MLOPS_API const mlops_digest *mlops_version_lineage_artifact(const mlops_version_lineage *l);
/* The run (id, status, params via mlops_run_info_param_at, metric
 * summaries via mlops_run_info_metric_at: last, min, max, count...), owned by the
 * lineage; NULL when the version has no run. */
MLOPS_API const mlops_run_info *mlops_version_lineage_run(const mlops_version_lineage *l);
/* The run's input edges (digest, name, role), by name; *count receives
 * their number (count may be NULL). NULL when there are none. Owned by
 * the lineage. */
MLOPS_API const mlops_lineage_edge *mlops_version_lineage_inputs(const mlops_version_lineage *l,
                                                                 size_t *count);

/* ---- Evaluation records (since 1.1) --------------------------------------
 * An evaluation records how a model version scored on a dataset: the
 * version, the SHA-256 digest of the data it ran on (any bytes the caller
 * names: a CSV file, a stored blob or tree; it need not be in the store
 * and is not kept alive by it), the metrics by name with their values
 * (NaN and infinities kept bit for bit, with the MLOPS_EVAL_* reason of
 * eval.h that says why a value is undefined) and optional bootstrap
 * interval bounds, the time and the actor. Records are never changed or
 * removed: deleting a version leaves its evaluations readable (listed
 * and read by id), and no evaluation is recorded for a deleted version.
 * Promotion gates read the latest evaluation of a version on a dataset.
 * doc/eval.md, "Evaluation records". */

#define MLOPS_EVALUATION_METRICS_MAX 1000 /* metrics in one evaluation */

#define MLOPS_EVALUATION_INPUT_VERSION 1

/* The metrics of one evaluation, as parallel arrays of n entries: metric
 * i is names[i] with values[i]. Initialise with MLOPS_EVALUATION_INPUT_INIT
 * or mlops_evaluation_input_init(). From eval.h results: values[i] =
 * r.value, reasons[i] = r.reason; intervals: low[i] = b.low, high[i] =
 * b.high. Its layout never changes (doc/conventions.md). */
typedef struct mlops_evaluation_input {
    unsigned version;         /* MLOPS_EVALUATION_INPUT_VERSION */
    size_t n;                 /* 1..MLOPS_EVALUATION_METRICS_MAX metrics */
    const char *const *names; /* n distinct keys (1..MLOPS_KEY_MAX bytes of
                                 UTF-8, no control characters) */
    const double *values;     /* n values, any double (NaN, +-Inf kept) */
    const int *reasons;       /* NULL (every value defined) or n MLOPS_EVAL_*
                                 reasons of eval.h */
    const double *low;        /* NULL (no intervals) or n lower bounds... */
    const double *high;       /* ...and n upper bounds: both or neither */
} mlops_evaluation_input;

#define MLOPS_EVALUATION_INPUT_INIT { MLOPS_EVALUATION_INPUT_VERSION, 0u, NULL, NULL, NULL, NULL, NULL }

/* Fills in with the defaults (no metrics). Errors: MLOPS_EINVAL when in is
 * NULL or the version is 0 or unknown. */
MLOPS_API int mlops_evaluation_input_init(mlops_evaluation_input *in, unsigned version);

/* Records an evaluation of version `version` of `model` (not deleted) on
 * the dataset whose digest is *dataset, with the metrics of *metrics, at
 * the current time by the change's actor (change: NULL or as for every
 * registry change; its reason is kept with the evaluation). *id (may be
 * NULL) receives the evaluation's id: ids grow with every evaluation of
 * the store, so the largest is the latest. The rows are written in one
 * transaction; no audit event is appended.
 * Errors: MLOPS_EINVAL (NULL s, dataset or metrics, malformed model name,
 * version < 1, unknown input version, n = 0 or above
 * MLOPS_EVALUATION_METRICS_MAX, a NULL array with n > 0, low without high
 * or the reverse, a malformed or repeated metric name, an unknown reason,
 * bad change options), MLOPS_ENOTFOUND (no such model, or version, or it is
 * deleted), MLOPS_EREADONLY, MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_evaluation_record(mlops_store *s, const char *model, int64_t version,
                                      const mlops_digest *dataset,
                                      const mlops_evaluation_input *metrics,
                                      const mlops_change_opts *change, int64_t *id);

typedef struct mlops_evaluation mlops_evaluation;   /* one evaluation, a snapshot */
typedef struct mlops_evaluations mlops_evaluations; /* a page of evaluations */

/* Reads evaluation `id` (of any version, deleted or not) into a new
 * handle *out released with mlops_evaluation_free.
 * Errors: MLOPS_EINVAL (NULL s or out, id < 1), MLOPS_ENOTFOUND (no such
 * evaluation), MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_evaluation_get(mlops_store *s, int64_t id, mlops_evaluation **out);
/* Releases an evaluation from mlops_evaluation_get; NULL is a no-op. */
MLOPS_API void mlops_evaluation_free(mlops_evaluation *e);

MLOPS_API int64_t mlops_evaluation_id(const mlops_evaluation *e); /* 0 for NULL */
/* The model's name now (it follows renames) and the version's number. */
MLOPS_API const char *mlops_evaluation_model(const mlops_evaluation *e);
MLOPS_API int64_t mlops_evaluation_model_version(const mlops_evaluation *e);
MLOPS_API const mlops_digest *mlops_evaluation_dataset(const mlops_evaluation *e);
MLOPS_API int64_t mlops_evaluation_created_ms(const mlops_evaluation *e);
MLOPS_API const char *mlops_evaluation_actor(const mlops_evaluation *e);
/* The change's reason, or NULL when none was given. */
MLOPS_API const char *mlops_evaluation_reason(const mlops_evaluation *e);
/* The accessors above return 0 or NULL for a NULL e. */

#define MLOPS_EVALUATION_METRIC_VERSION 1

/* One metric of an evaluation, as filled by mlops_evaluation_metric_at
 * and mlops_evaluation_metric_find. Set `version` (MLOPS_EVALUATION_METRIC_INIT
 * or mlops_evaluation_metric_init) before the call: the library fills the
 * fields that version has. name lives as long as the evaluation. Its
 * layout never changes (doc/conventions.md). */
typedef struct mlops_evaluation_metric {
    unsigned version;  /* MLOPS_EVALUATION_METRIC_VERSION */
    const char *name;
    double value;      /* bit for bit as recorded */
    int reason;        /* MLOPS_EVAL_* of eval.h, 0 when defined */
    int has_interval;  /* 1 when bounds were recorded */
    double low, high;  /* the bounds as recorded; NaN when has_interval is 0 */
} mlops_evaluation_metric;

#define MLOPS_EVALUATION_METRIC_INIT { MLOPS_EVALUATION_METRIC_VERSION, NULL, 0.0, 0, 0, 0.0, 0.0 }

/* Zeroes m and sets its version. Errors: MLOPS_EINVAL when m is NULL or the
 * version is 0 or unknown. */
MLOPS_API int mlops_evaluation_metric_init(mlops_evaluation_metric *m, unsigned version);

/* The number of metrics (0 for NULL), and the i-th in name byte order.
 * Errors: MLOPS_EINVAL (NULL e or out, i out of range, unknown version). */
MLOPS_API size_t mlops_evaluation_metric_count(const mlops_evaluation *e);
MLOPS_API int mlops_evaluation_metric_at(const mlops_evaluation *e, size_t i,
                                         mlops_evaluation_metric *out);
/* The metric called name. Errors: MLOPS_EINVAL (NULL arguments, unknown
 * version), MLOPS_ENOTFOUND (the evaluation has no such metric). */
MLOPS_API int mlops_evaluation_metric_find(const mlops_evaluation *e, const char *name,
                                           mlops_evaluation_metric *out);

#define MLOPS_EVALUATION_LIST_OPTS_VERSION 1

/* Options of mlops_evaluation_list. Initialise with
 * MLOPS_EVALUATION_LIST_OPTS_INIT or mlops_evaluation_list_opts_init(); NULL
 * options are the defaults (every dataset, from the first, no limit). Its
 * layout never changes (doc/conventions.md). */
typedef struct mlops_evaluation_list_opts {
    unsigned version;            /* MLOPS_EVALUATION_LIST_OPTS_VERSION */
    const mlops_digest *dataset; /* only evaluations on this dataset; NULL: all */
    int64_t after_id;            /* only ids above this (paging; 0: from the first) */
    size_t limit;                /* at most this many (0: no limit) */
} mlops_evaluation_list_opts;

#define MLOPS_EVALUATION_LIST_OPTS_INIT { MLOPS_EVALUATION_LIST_OPTS_VERSION, NULL, 0, 0u }

/* Fills opts with the defaults. Errors: MLOPS_EINVAL when opts is NULL or
 * the version is 0 or unknown. */
MLOPS_API int mlops_evaluation_list_opts_init(mlops_evaluation_list_opts *opts,
                                              unsigned version);

/* The evaluations of version `version` of `model` (a deleted version's
 * too), oldest first (by id), read in one transaction into a new list *out
 * released with mlops_evaluations_free: a page, as opts says. The last
 * item is the latest evaluation (on opts->dataset when given); page on with
 * after_id = the id of the page's last item.
 * Errors: MLOPS_EINVAL (NULL s or out, malformed model name, version < 1,
 * unknown options version, after_id < 0), MLOPS_ENOTFOUND (no such model,
 * or it has no version of that number), MLOPS_ENOMEM, MLOPS_EBUSY,
 * MLOPS_EIO. */
MLOPS_API int mlops_evaluation_list(mlops_store *s, const char *model, int64_t version,
                                    const mlops_evaluation_list_opts *opts,
                                    mlops_evaluations **out);
MLOPS_API size_t mlops_evaluations_count(const mlops_evaluations *l); /* 0 for NULL */
/* The i-th evaluation, owned by the list (NULL when l is NULL or i is out
 * of range). */
MLOPS_API const mlops_evaluation *mlops_evaluations_at(const mlops_evaluations *l, size_t i);
MLOPS_API void mlops_evaluations_free(mlops_evaluations *l); /* NULL: no-op */

/* ---- Promotion gates (since 1.1) ------------------------------------------
 * A gate is a list of conditions on an alias (doc/gates.md): a version may
 * become what the alias points at only when every condition holds, e.g.
 * "metrics.auc >= baseline.metrics.auc - 0.005", "signed", "validated",
 * "fair(demographic_parity_difference) <= 0.1". With a gate set, every way
 * of moving the alias goes through it: mlops_model_promote, and also
 * mlops_model_alias_set / _ex, mlops_model_alias_delete and
 * mlops_alias_import, which fail with MLOPS_EPOLICY when the gate refuses;
 * deleting a version (or a model) that a gated alias points at is refused
 * with MLOPS_EPOLICY until the alias moves or the gate is cleared. Every
 * decision, passed or refused, is an audit event ("alias.gate.decision")
 * with each condition's values and verdict. */

#define MLOPS_GATE_CONDITIONS_MAX 64  /* conditions in one gate */
#define MLOPS_GATE_CONDITION_MAX 4096 /* bytes of one condition */

/* Sets the gate of alias `alias` of `model` to the n conditions (1 to
 * MLOPS_GATE_CONDITIONS_MAX texts of the grammar of doc/gates.md),
 * replacing any gate it had; the alias need not be set yet (reserved names
 * are refused). dataset: the digest of the dataset whose latest
 * evaluation metrics.X reads, or NULL to read the metrics of the run that
 * produced the version. The conditions are stored, and recorded in an
 * "alias.gate.set" event, in their canonical text; setting the gate it
 * already has records nothing. The gate applies to later moves: the
 * alias's current version is not checked.
 * Errors: MLOPS_EINVAL (NULL s or conditions, n = 0 or above the maximum,
 * a condition that does not parse (the message names it and the column),
 * malformed model name or alias, bad change options), MLOPS_ENOTFOUND (no
 * model), MLOPS_EREADONLY, MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_gate_set(mlops_store *s, const char *model, const char *alias,
                                   const char *const *conditions, size_t n,
                                   const mlops_digest *dataset,
                                   const mlops_change_opts *change);

/* Removes the gate of the alias ("alias.gate.delete" event).
 * Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND (no model, or the alias has no
 * gate), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_gate_clear(mlops_store *s, const char *model, const char *alias,
                                     const mlops_change_opts *change);

typedef struct mlops_gate mlops_gate; /* a gate read back, a snapshot */

/* Reads the gate of the alias into a new handle *out released with
 * mlops_gate_free. Errors: MLOPS_EINVAL (NULL s or out, malformed names),
 * MLOPS_ENOTFOUND (no model, or the alias has no gate), MLOPS_ENOMEM,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_gate_get(mlops_store *s, const char *model, const char *alias,
                                   mlops_gate **out);
MLOPS_API size_t mlops_gate_count(const mlops_gate *g); /* conditions; 0 for NULL */
/* Condition i in canonical text, owned by g; NULL when g is NULL or i is
 * out of range. */
MLOPS_API const char *mlops_gate_condition(const mlops_gate *g, size_t i);
/* The dataset the gate names, owned by g; NULL when none (or g NULL). */
MLOPS_API const mlops_digest *mlops_gate_dataset(const mlops_gate *g);
MLOPS_API void mlops_gate_free(mlops_gate *g); /* NULL: no-op */

#define MLOPS_PROMOTE_OPTS_VERSION 1

/* Options of mlops_model_promote. Its layout never changes
 * (doc/conventions.md). */
typedef struct mlops_promote_opts {
    unsigned version; /* MLOPS_PROMOTE_OPTS_VERSION */
    int force;        /* 1: move even when the gate refuses; the change's
                         reason is then required, and the decision is
                         recorded as forced */
} mlops_promote_opts;

#define MLOPS_PROMOTE_OPTS_INIT { MLOPS_PROMOTE_OPTS_VERSION, 0 }

/* Fills opts with the defaults. Errors: MLOPS_EINVAL when opts is NULL or
 * the version is 0 or unknown. */
MLOPS_API int mlops_promote_opts_init(mlops_promote_opts *opts, unsigned version);

typedef struct mlops_gate_decision mlops_gate_decision; /* what a gate decided */

/* Promotes version `version` of `model` (not deleted) to alias `alias`:
 * evaluates the alias's gate (every condition against the version, the
 * baseline being the version the alias points at now, the largest share
 * of a split alias) and, in the same transaction, points the alias at the
 * version alone (100%, no shadow) only when every condition holds
 * (conditions on the baseline are skipped, and reported, when the alias
 * is not set). The decision event is recorded either way. Without a gate
 * it is a plain move. A signing policy on the alias applies as for
 * mlops_model_alias_set (force does not override it). decision: NULL, or
 * receives the decision (also on MLOPS_EPOLICY), released with
 * mlops_gate_decision_free.
 * Returns MLOPS_OK when the alias points at the version (or already did),
 * MLOPS_EPOLICY when the gate refused (the message names the first failed
 * condition) or the signing policy did.
 * Errors: MLOPS_EINVAL (NULL s, malformed names, version < 1, unknown
 * options version, force without a reason in change, bad change options),
 * MLOPS_ENOTFOUND (no model or version, or it is deleted), MLOPS_EPOLICY,
 * MLOPS_EREADONLY, MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_model_promote(mlops_store *s, const char *model, int64_t version,
                                  const char *alias, const mlops_promote_opts *opts,
                                  const mlops_change_opts *change,
                                  mlops_gate_decision **decision);

MLOPS_API void mlops_gate_decision_free(mlops_gate_decision *d); /* NULL: no-op */
/* 1 when the alias has a gate (a decision was made and recorded). */
MLOPS_API int mlops_gate_decision_gated(const mlops_gate_decision *d);
/* 1 when every condition passed or was skipped (also when not gated). */
MLOPS_API int mlops_gate_decision_passed(const mlops_gate_decision *d);
/* 1 when the gate refused and the move was forced. */
MLOPS_API int mlops_gate_decision_forced(const mlops_gate_decision *d);
/* The baseline version (0 when the alias was not set). */
MLOPS_API int64_t mlops_gate_decision_baseline(const mlops_gate_decision *d);
/* The seq of the decision's audit event (0 when not gated). */
MLOPS_API int64_t mlops_gate_decision_event(const mlops_gate_decision *d);
/* The accessors above return 0 for a NULL d. */

/* Outcomes of one condition (mlops_gate_check.outcome). */
#define MLOPS_GATE_PASS 0
#define MLOPS_GATE_FAIL 1
#define MLOPS_GATE_SKIP 2 /* reads the baseline, and there is none */

#define MLOPS_GATE_CHECK_VERSION 1

/* One condition decided for one candidate version, as filled by
 * mlops_gate_decision_at. Set `version` first (MLOPS_GATE_CHECK_INIT or
 * mlops_gate_check_init). Strings live as long as the decision. Its layout
 * never changes (doc/conventions.md). */
typedef struct mlops_gate_check {
    unsigned version;      /* MLOPS_GATE_CHECK_VERSION */
    int64_t candidate;     /* the version the condition was decided for */
    const char *condition; /* canonical text */
    int outcome;           /* MLOPS_GATE_PASS / _FAIL / _SKIP */
    int left_known;        /* the candidate's value exists */
    int right_known;       /* the right side could be computed */
    double left, right;    /* the two sides (NaN when not known) */
    const char *why;       /* a sentence: values, or what was missing */
} mlops_gate_check;

#define MLOPS_GATE_CHECK_INIT { MLOPS_GATE_CHECK_VERSION, 0, NULL, 0, 0, 0, 0.0, 0.0, NULL }

/* Zeroes c and sets its version. Errors: MLOPS_EINVAL when c is NULL or
 * the version is 0 or unknown. */
MLOPS_API int mlops_gate_check_init(mlops_gate_check *c, unsigned version);
/* The number of checks (conditions x candidates; 0 for NULL), and check i
 * in the order decided. Errors: MLOPS_EINVAL (NULL d or out, i out of
 * range, unknown version). */
MLOPS_API size_t mlops_gate_decision_count(const mlops_gate_decision *d);
MLOPS_API int mlops_gate_decision_at(const mlops_gate_decision *d, size_t i,
                                     mlops_gate_check *out);

/* ---- The model page (since 1.1) -------------------------------------------
 * One self-contained HTML page about a model (doc/pages.md, "Model
 * page"): its versions, its aliases and their splits over time, the gate
 * decisions with their conditions and values, the signatures, the
 * lineage dataset -> run -> version, and the audit timeline. */

#define MLOPS_MODEL_PAGE_OPTS_VERSION 1

/* Options for mlops_model_page_html. Initialise with
 * MLOPS_MODEL_PAGE_OPTS_INIT or mlops_model_page_opts_init(). Strings are
 * UTF-8, read during the call only. */
typedef struct mlops_model_page_opts {
    unsigned version;     /* MLOPS_MODEL_PAGE_OPTS_VERSION */
    const char *title;    /* NULL: "Model <name>" */
    int64_t generated_ms; /* time shown in the footer; 0: now, -1: none */
} mlops_model_page_opts;

#define MLOPS_MODEL_PAGE_OPTS_INIT { MLOPS_MODEL_PAGE_OPTS_VERSION, NULL, 0 }

/* Fills opts with the defaults of the given version (use
 * MLOPS_MODEL_PAGE_OPTS_VERSION). Errors: MLOPS_EINVAL when opts is NULL
 * or the version is 0 or unknown. */
MLOPS_API int mlops_model_page_opts_init(mlops_model_page_opts *opts, unsigned version);

/* The page of model `model` (a model that exists now): every version
 * (deleted ones too) with its lineage, and the audit events, each read in
 * its own transaction (a change made meanwhile may show in one part and
 * not yet in another); every alias's
 * split over time as the audit log records it, the gate decisions, the
 * signatures recorded (not verified), the lineage of each version and
 * the model's audit events. Every text from the store or the caller is
 * escaped. *html (UTF-8, NUL-terminated) is malloc'd, released with
 * mlops_free. opts NULL means defaults.
 * Errors: MLOPS_EINVAL (NULL s or html, a malformed model name, unknown
 * opts->version, a title that is not UTF-8), MLOPS_ENOTFOUND (no such
 * model), MLOPS_ECORRUPT (a stored split or decision that does not
 * decode), MLOPS_EBUSY, MLOPS_EIO, MLOPS_ENOMEM. Threads: as any read; s
 * may be shared. */
MLOPS_API int mlops_model_page_html(mlops_store *s, const char *model,
                                    const mlops_model_page_opts *opts, char **html);

MLOPS_END_DECLS

#endif /* MLOPS_REGISTRY_H */
