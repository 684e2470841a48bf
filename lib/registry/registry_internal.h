/* Internal interface of the model registry, shared by the files of
 * lib/registry/ (models, versions, aliases, policies, audit chain,
 * signing, lineage). Every function here runs on a connection the caller
 * holds, inside the caller's transaction. */
#ifndef MLOPS_REGISTRY_INTERNAL_H
#define MLOPS_REGISTRY_INTERNAL_H

#include "mlops/import.h"
#include "mlops/registry.h"
#include "store/store_internal.h"
#include "util/buf.h"

#include <msgpack.h>

/* The registry's part of schema version 1 (listed in lib/store/schema.c). */
extern const char mlops__registry_schema_v1[];
/* Schema version 1 -> 2: audit events gain `format` and `payload`, and
 * the partial index audit_events_state. Runs inside the migration's
 * transaction. */
int mlops__registry_migrate_v2(mlops__conn *c);
/* Schema version 2 -> 3: the evaluation records (reg_evaluations and
 * reg_evaluation_metrics), in the DDL of the connection's backend. Runs
 * inside the migration's transaction; PostgreSQL's creation of a new
 * store runs it too (lib/db/postgres/store_schema.c). */
int mlops__registry_migrate_v3(mlops__conn *c);
/* Schema version 3 -> 4: gates (reg_gates), the split of a weighted alias
 * (reg_aliases.split) and routing salts (reg_alias_salts), in the DDL of
 * the connection's backend. */
int mlops__registry_migrate_v4(mlops__conn *c);

/* The actions audit_events_state indexes: the events mlops_audit_verify
 * rebuilds model names and signing policies from. SQLite uses a partial
 * index only for a query that repeats its WHERE term, so queries of these
 * events add "AND action IN " MLOPS__AUDIT_STATE_ACTIONS verbatim. */
#define MLOPS__AUDIT_STATE_ACTIONS \
    "('model.create', 'model.rename', 'model.delete', 'alias.policy.set', " \
    "'alias.policy.delete')"

/* ---- Model name patterns (name_glob.c) --------------------------------- */

/* Whether name matches glob as SQLite's GLOB decides ('*', '?', [...]). */
int mlops__reg_glob_match(const char *glob, const char *name);
/* Appends to out a LIKE pattern ('\' escaping) that every name matching
 * glob matches: exact for '*' and '?', one character for a set. */
void mlops__reg_glob_like(const char *glob, mlops__buf *out);

/* ---- Who, why, when ---------------------------------------------------- */

/* A change's actor and reason, resolved from the caller's options and the
 * store's default actor. Pointers are borrowed from those. */
typedef struct mlops__reg_change {
    const char *actor;
    const char *reason;
    int64_t now_ms; /* the change's time: set by mlops__reg_change_clock */
} mlops__reg_change;

int mlops__reg_change_resolve(const mlops_store *s, const char *func,
                              const mlops_change_opts *opts, mlops__reg_change *out);

/* Sets ch->now_ms, inside the write transaction, to the wall clock or the
 * time of the chain's last event when the clock went back: event times
 * never decrease, so "as of time t" queries are well defined. Rows the
 * change writes use this time too. */
int mlops__reg_change_clock(mlops__conn *c, mlops__reg_change *ch);

/* ---- Validation -------------------------------------------------------- */

int mlops__reg_check_model_name(const char *func, const char *what, const char *name);
/* Free text (description, tag value, reason): NULL allowed when
 * null_ok, UTF-8, at most MLOPS_REGISTRY_TEXT_MAX bytes. */
int mlops__reg_check_text(const char *func, const char *what, const char *text, int null_ok);
/* An alias name: [A-Za-z0-9_-]{1,255}. When settable, reserved names
 * ("latest", "v<digits>", any case) are refused too. */
int mlops__reg_check_alias(const char *func, const char *alias, int settable);
/* 1 when alias is reserved; *number gets N for "v<N>" and 0 for
 * "latest" (-1 when N is 0 or does not fit an int64: no such version). */
int mlops__reg_alias_reserved(const char *alias, int64_t *number);
int mlops__reg_check_version(const char *func, int64_t version);

/* ---- Looking things up ------------------------------------------------- */

/* Reads model id (deleted or not) into a new handle. */
int mlops__reg_model_load(mlops__conn *c, int64_t id, mlops_model **out);
void mlops__reg_model_destroy(mlops_model *m);

/* The id of the model called name that is not deleted. */
int mlops__reg_model_id(mlops__conn *c, const char *func, const char *name, int64_t *id);

typedef struct mlops__reg_version {
    int64_t id;
    int64_t model_id;
    int64_t number;
    mlops_digest artifact;
    char run_id[256];     /* "" when none */
    int has_run;
    int64_t created_ms;
    int64_t deleted_ms;   /* 0 while not deleted */
} mlops__reg_version;

/* Version `number` of the model model_id (named model, for messages).
 * Deleted versions give MLOPS_ENOTFOUND unless allow_deleted. */
int mlops__reg_version_find(mlops__conn *c, const char *func, const char *model,
                            int64_t model_id, int64_t number, int allow_deleted,
                            mlops__reg_version *out);

/* The highest version of the model that is not deleted, or 0. */
int mlops__reg_latest_version(mlops__conn *c, int64_t model_id, int64_t *number);

/* Resolves an alias of a model (reserved ones included) to a version
 * that is not deleted. */
int mlops__reg_alias_resolve(mlops__conn *c, const char *func, const char *model,
                             int64_t model_id, const char *alias, mlops__reg_version *out);

/* The version a set alias points at: *found = 0 when it is not set. */
int mlops__reg_alias_current(mlops__conn *c, int64_t model_id, const char *alias,
                             int64_t *version_id, int64_t *number, int *found);

/* Points the alias at version_id (set or moved) as of updated_ms, made by
 * audit event seq; what names the step in an error message. The event is
 * the caller's to record. */
int mlops__reg_alias_write(mlops__conn *c, int64_t model_id, const char *alias,
                           int64_t version_id, int64_t updated_ms, int64_t seq, const char *what);

/* Removes the alias's row (the caller records the event). */
int mlops__reg_alias_remove(mlops__conn *c, int64_t model_id, const char *alias);

/* Marks version v deleted, drops the aliases naming it, and records it
 * all. MLOPS_EPOLICY (naming fn) when one of those aliases has a gate. */
int mlops__reg_version_delete_row(mlops__conn *c, const char *fn, const mlops__reg_change *ch,
                                  const char *model, const mlops__reg_version *v);

/* Removes every alias policy of the model, recording each. */
int mlops__reg_policies_drop(mlops__conn *c, const mlops__reg_change *ch, int64_t model_id,
                             const char *model);

/* Removes every alias of the model whose split names version `number`
 * (a leg or the shadow), each through mlops__alias_move (alias_move.h);
 * when one of them has a gate, nothing is removed and the result is
 * MLOPS_EPOLICY naming fn. */
int mlops__reg_aliases_drop_for_version(mlops__conn *c, const char *fn,
                                        const mlops__reg_change *ch, int64_t model_id,
                                        const char *model, int64_t number);

/* ---- Audit chain ------------------------------------------------------- */

/* One event before it is chained: what the caller knows. */
typedef struct mlops__audit_ev {
    const char *action;
    int64_t model_id;
    const char *model;
    int64_t version; /* 0 = none */
    const char *key;
    const char *old_value;
    const char *new_value;
} mlops__audit_ev;

/* Appends ev as the next event of the chain; *seq_out (may be NULL) gets
 * its sequence number. Must run inside a write transaction. */
int mlops__audit_append(mlops__conn *c, const mlops__reg_change *ch, const mlops__audit_ev *ev,
                        int64_t *seq_out);
/* The same with the kind's payload (NULL: none), for the kinds that have
 * one (audit_kinds.c). */
int mlops__audit_append_payload(mlops__conn *c, const mlops__reg_change *ch,
                                const mlops__audit_ev *ev, const void *payload,
                                size_t payload_len, int64_t *seq_out);

/* The formats of an event's encoding (doc/format.md, "Audit events"):
 * 1, the 12 items of 1.0; 2, the same and a payload. A store at schema
 * version 2 writes format 2; events written before keep format 1. */
#define MLOPS__AUDIT_FORMAT_V1 1
#define MLOPS__AUDIT_FORMAT_V2 2
#define MLOPS__AUDIT_FORMAT_MAX MLOPS__AUDIT_FORMAT_V2

/* A stored event, as hashed. Strings may be NULL (encoded as nil). */
typedef struct mlops__audit_row {
    int64_t seq;
    int64_t time_ms;
    const char *actor;
    const char *action;
    int64_t model_id;
    const char *model;
    int64_t version; /* 0 = none (nil) */
    const char *key;
    const char *old_value;
    const char *new_value;
    const char *reason;
    int format;          /* MLOPS__AUDIT_FORMAT_V1 or _V2 */
    const void *payload; /* format 2: the payload, NULL for nil */
    size_t payload_len;
} mlops__audit_row;

/* The columns of audit_events that mlops__audit_row_read reads, in its
 * order: a query selects them first. */
#define MLOPS__AUDIT_ROW_COLUMNS                                                        \
    "seq, time_ms, actor, action, model_id, model, version, key, old_value, new_value, " \
    "reason, hash, format, payload"
/* Fills r and hash (zeros when not 32 bytes) from the current row of st;
 * r's strings and payload are the statement's until its next step. */
void mlops__audit_row_read(mlops__stmt *st, mlops__audit_row *r, mlops_digest *hash);

/* Appends the canonical msgpack encoding of row, in row->format, to buf
 * (doc/format.md). MLOPS_EINVAL for an unknown format or a payload in a
 * format 1 row. */
int mlops__audit_encode(msgpack_sbuffer *buf, const mlops__audit_row *row);

/* Whether row is an event of a kind this library knows, in a format that
 * kind may have, with the fields that kind fills (doc/format.md lists
 * them): 0, or -1 with the reason in why. A verifier accepts only what
 * it understands: an unknown action, or a known one whose fields or
 * payload do not have their documented shape, is refused. */
int mlops__audit_check_kind(const mlops__audit_row *row, char *why, size_t n);

/* ---- Imported events (audit_import.c) --------------------------------- */

/* The kind of event recording experiment records brought in. */
#define MLOPS__AUDIT_IMPORT "import"

/* Appends the import payload [origin, time_ms, actor | nil] to buf. */
int mlops__import_payload_encode(msgpack_sbuffer *buf, const char *origin, int64_t time_ms,
                                 const char *actor);
/* Checks that p[0..n) is an import payload in its canonical form; 0 and
 * *time_ms (may be NULL) set, or -1 with the reason in why. */
int mlops__import_payload_read(const void *p, size_t n, int64_t *time_ms, char *why,
                               size_t whyn);

/* Appends an event taken from another store's chain as it is (store
 * copy): row->seq must be the next number and its time no earlier than
 * the head's. The event's hash is computed over this chain's head and
 * must equal hash, so a copy can add only the events of a chain that
 * verifies. MLOPS_ECORRUPT (naming fn) when it does not fit. */
int mlops__audit_append_verbatim(mlops__conn *c, const char *fn, const mlops__audit_row *row,
                                 const mlops_digest *hash);

/* mlops_audit_verify on the caller's connection and transaction: the
 * chain and the state it accounts for. Messages name fn. */
int mlops__audit_verify_conn(mlops__conn *c, const char *fn);

/* ---- Checkpoints (audit_checkpoint.c) ---------------------------------- */

#define MLOPS__AUDIT_CHECKPOINT "audit.checkpoint"

/* A checkpoint event read back: the head it signs, and the key and
 * signature from its payload. */
typedef struct mlops__audit_checkpoint {
    int64_t covered_seq;
    mlops_digest covered_hash;
    unsigned char pub[32];
    mlops_digest fingerprint;
    unsigned char sig[64];
} mlops__audit_checkpoint;

/* Reads the checkpoint that event row (action audit.checkpoint) records,
 * checking its shape: the payload in its canonical form, the key field
 * naming the payload's key, new_value the head just before the event.
 * Does not check the signature. 0, or -1 with the reason in why. */
int mlops__audit_checkpoint_read(const mlops__audit_row *row, mlops__audit_checkpoint *cp,
                                 char *why, size_t n);

/* 1 when cp's signature verifies under cp's own key, 0 when not. */
int mlops__audit_checkpoint_signed(const mlops__audit_checkpoint *cp);

/* Reads an event's canonical encoding back (audit events exported or
 * received are untrusted bytes): *row's strings point into *mem, one
 * malloc'd block to free. Only the canonical form is accepted: the bytes
 * must be exactly what mlops__audit_encode writes for the row they decode
 * to, so an event has one encoding and one hash. MLOPS_ECORRUPT (not a
 * canonical event, naming why), MLOPS_EUNSUPPORTED (a newer format),
 * MLOPS_ENOMEM. */
int mlops__audit_decode(const void *buf, size_t len, mlops__audit_row *row, char **mem);

/* The chain's head inside the caller's transaction. */
int mlops__audit_head_read(mlops__conn *c, int64_t *seq, mlops_digest *hash, int64_t *time_ms);

/* Checks the current aliases and versions against the events that made
 * them (mlops_audit_verify's second half); messages name fn. */
int mlops__audit_check_state(mlops__conn *c, const char *fn);

/* ---- Signing ----------------------------------------------------------- */

/* An Ed25519 key parsed from PEM: the raw 32-byte public key always, the
 * EVP key for signing or verifying. */
typedef struct mlops__sign_key {
    void *pkey; /* EVP_PKEY */
    unsigned char pub[32];
    mlops_digest fingerprint;
} mlops__sign_key;

int mlops__sign_key_private(const char *func, const char *pem, mlops__sign_key *out);
int mlops__sign_key_public(const char *func, const char *pem, mlops__sign_key *out);
int mlops__sign_key_from_raw(const char *func, const unsigned char pub[32],
                             mlops__sign_key *out);
void mlops__sign_key_free(mlops__sign_key *k);

int mlops__sign(const char *func, const mlops__sign_key *k, const void *msg, size_t len,
                unsigned char sig[64]);
/* 1 when sig verifies over msg with k, 0 when not. */
int mlops__sign_verify(const mlops__sign_key *k, const void *msg, size_t len,
                       const unsigned char sig[64]);

/* The input digests the experiment records hold for run_id, in a
 * malloc'd array (NULL when none) for the caller to free. Read on c, so
 * inside a transaction it sees that transaction's own writes (a bundle
 * import checks signatures over lineage it has not committed yet).
 * MLOPS_ENOTFOUND naming fn when there is no such run. */
int mlops__reg_run_inputs(mlops__conn *c, const char *fn, const char *run_id, mlops_digest **out,
                          size_t *n);

/* The canonical signing manifest of a version, appended to buf. */
/* The manifest of version v of model with the given input digests
 * (sorted, unique), appended to buf. */
int mlops__sign_manifest_encode(const char *model, const mlops__reg_version *v,
                                const mlops_digest *inputs, size_t ninputs, msgpack_sbuffer *buf);

/* A signing manifest read back from its bytes (a manifest handed to
 * another tool, or received from one, is untrusted). */
typedef struct mlops__sign_manifest {
    char *model;            /* malloc'd */
    mlops__reg_version v;   /* number, artifact, run_id/has_run, created_ms */
    mlops_digest *inputs;   /* malloc'd, sorted, unique */
    size_t ninputs;
} mlops__sign_manifest;

/* Decodes a signing manifest, accepting only its canonical form (the
 * bytes mlops__sign_manifest_encode writes for what they decode to: one
 * manifest, one byte string, one signature). MLOPS_ECORRUPT naming why,
 * MLOPS_EUNSUPPORTED (another format name), MLOPS_ENOMEM. Release *out
 * with mlops__sign_manifest_free in every case. */
int mlops__sign_manifest_decode(const void *buf, size_t len, mlops__sign_manifest *out);
void mlops__sign_manifest_free(mlops__sign_manifest *m);

/* Rebuilds version v's manifest from what c sees (fn names the caller in
 * messages). */
int mlops__manifest_build(mlops__conn *c, const char *fn, const char *model,
                          const mlops__reg_version *v, msgpack_sbuffer *buf);

/* Whether version v carries a signature, by one of the trusted keys of
 * the (model_id, alias) policy, that verifies over its current manifest.
 * MLOPS_OK when no policy guards the alias or the policy is met;
 * MLOPS_EPOLICY (message says why) when not. */
int mlops__policy_check(mlops__conn *c, const char *func, const char *model,
                        int64_t model_id, const char *alias, const mlops__reg_version *v);

/* ---- Tags -------------------------------------------------------------- */

/* A sorted key/value list held by a handle. */
typedef struct mlops__reg_kv {
    size_t n;
    char **keys;
    char **values;
} mlops__reg_kv;

/* Appends every (key, value) row of st, then resets st. */
int mlops__reg_kv_load(mlops__conn *c, mlops__stmt *st, mlops__reg_kv *kv);
void mlops__reg_kv_free(mlops__reg_kv *kv);
int mlops__reg_kv_at(const char *func, const mlops__reg_kv *kv, size_t i, const char **key,
                     const char **value);
const char *mlops__reg_kv_get(const mlops__reg_kv *kv, const char *key);

/* Where one owner kind (models, versions) keeps its tags. */
typedef struct mlops__reg_tag_table {
    const char *select_sql; /* ?1 owner, ?2 key -> value */
    const char *upsert_sql; /* ?1 owner, ?2 key, ?3 value */
    const char *delete_sql; /* ?1 owner, ?2 key */
    const char *touch_sql;  /* ?1 owner, ?2 time: updated_ms */
    const char *set_action;
    const char *delete_action;
} mlops__reg_tag_table;

extern const mlops__reg_tag_table mlops__reg_model_tags;
extern const mlops__reg_tag_table mlops__reg_version_tags;

/* Sets or removes one tag of owner and records it as an event about
 * subject (its model and version). Setting the current value records
 * nothing; removing a missing tag is MLOPS_ENOTFOUND. */
int mlops__reg_tag_set(mlops__conn *c, const mlops__reg_change *ch, const mlops__reg_tag_table *t,
                       int64_t owner, const mlops__audit_ev *subject, const char *key,
                       const char *value);
int mlops__reg_tag_delete(mlops__conn *c, const mlops__reg_change *ch,
                          const mlops__reg_tag_table *t, int64_t owner,
                          const mlops__audit_ev *subject, const char *func, const char *key);

/* ---- Evaluation records (evaluations.c, evaluation_read.c) ------------- */

/* A double stored as its 64 bits (reg_evaluation_metrics.value_bits, ...),
 * so that NaN payloads and -0 read back bit-exact on both backends. */
int64_t mlops__evaluation_bits(double v);
double mlops__evaluation_double(int64_t bits);

/* One metric of one evaluation, as a gate reads it. */
typedef struct mlops__evaluation_value {
    int64_t evaluation_id; /* the evaluation it comes from */
    double value;          /* bit for bit as recorded */
    int reason;            /* MLOPS_EVAL_* (eval.h), 0 when defined */
} mlops__evaluation_value;

/* Metric `metric` of the latest evaluation (the largest id) of version
 * `version` of `model` (deleted or not) on the dataset *dataset: what
 * "metrics.X" of a promotion gate naming a dataset means. A metric the
 * latest evaluation lacks is not looked up in older ones.
 * MLOPS_ENOTFOUND, with a message naming fn, when there is no such model
 * or version, the version has no evaluation on that dataset, or the latest
 * one has no such metric. Runs on the caller's connection, inside its
 * transaction (a read, or the write that moves an alias). */
int mlops__evaluation_latest_metric(mlops__conn *c, const char *fn, const char *model,
                                    int64_t version, const mlops_digest *dataset,
                                    const char *metric, mlops__evaluation_value *out);

/* ---- Small shared helpers ---------------------------------------------- */

/* "sha256:<hex>" of d into out. */
void mlops__reg_digest_text(const mlops_digest *d, char out[MLOPS_DIGEST_STRLEN]);
/* Column i of the current row as a malloc'd copy (NULL for SQL NULL;
 * *oom set on allocation failure). */
char *mlops__reg_column_dup(mlops__stmt *st, int i, int *oom);
/* Steps st (bound by the caller) to the end, collecting its first column
 * as integers into a malloc'd array; resets st. */
int mlops__reg_collect_ids(mlops__conn *c, mlops__stmt *st, int64_t **ids, size_t *n);
/* Steps st once: *out is a malloc'd copy of the first column of the first
 * row, or NULL when there is no row; resets st. */
int mlops__reg_first_text(mlops__conn *c, mlops__stmt *st, char **out);

#endif
