/* Importing registry history: versions with their numbers, times and
 * tags, and the entries of an alias's history with their times. Each is
 * recorded as the event the registry writes for it (model.create,
 * version.create, alias.set/move/delete) with an import payload, so the
 * state checks of mlops_audit_verify hold for imported history as for
 * history made here. */
#include "import/import_internal.h"
#include "cas/cas_internal.h"
#include "registry/alias_move.h"
#include "track/track_internal.h"
#include "util/err.h"
#include "util/opts.h"
#include "util/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MLOPS_API int mlops_version_record_init(mlops_version_record *rec, unsigned version)
{
    static const mlops_version_record defaults = MLOPS_VERSION_RECORD_INIT;
    return mlops__opts_init(__func__, rec, &defaults, sizeof defaults, version,
                            MLOPS_VERSION_RECORD_VERSION);
}

struct version_op {
    mlops__import *im;
    const mlops_version_record *v;
    const char *creator;
};

/* The live model called name, created (and recorded) when missing. */
static int model_for_import(mlops__conn *c, struct version_op *op, int64_t *id)
{
    const mlops_version_record *v = op->v;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c, "SELECT id FROM reg_models WHERE name = ?1 AND deleted_ms IS NULL",
                              &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, v->model);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) *id = mlops__col_int64(st, 0);
    mlops__reset(st);
    if (step == MLOPS__ROW) return MLOPS_OK;
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "looking up a model");
    rc = mlops__conn_stmt(c,
                          "INSERT INTO reg_models(name, created_ms, updated_ms) "
                          "VALUES (?1, ?2, ?2) RETURNING id",
                          &st);
    if (!rc) rc = mlops__bind_text(c, st, 1, v->model);
    if (!rc) rc = mlops__bind_int64(c, st, 2, v->created_ms);
    if (!rc) rc = mlops__conn_step_id(c, st, "importing a model", id);
    mlops__audit_ev ev = { "model.create", *id, v->model, 0, NULL, NULL, v->model };
    if (!rc) rc = mlops__import_event(c, op->im, &ev, v->created_ms, op->creator, NULL);
    return rc;
}

static int version_conflict(const struct version_op *op, const char *field)
{
    return mlops__err(MLOPS_ECONFLICT,
                      "%s: version %" PRId64 " of model '%s' is already here with another %s",
                      op->im->func, op->v->number, op->v->model, field);
}

static int text_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The version is here: is it the same one? */
static int version_compare(mlops__conn *c, const struct version_op *op, mlops__stmt *st)
{
    const mlops_version_record *v = op->v;
    int64_t id = mlops__col_int64(st, 0);
    const char *field = NULL;
    if (mlops__col_bytes(st, 1) != 32 || memcmp(mlops__col_blob(st, 1), v->artifact.bytes, 32))
        field = "artifact";
    else if (!text_eq(mlops__col_text(st, 2), v->run_id)) field = "run";
    else if (!text_eq(mlops__col_text(st, 3), v->description ? v->description : ""))
        field = "description";
    else if (!text_eq(mlops__col_text(st, 4), op->creator)) field = "creator";
    else if (mlops__col_int64(st, 5) != v->created_ms) field = "creation time";
    mlops__reset(st);
    if (field) return version_conflict(op, field);
    int same = 0;
    int rc = mlops__import_kv_equal(c, "SELECT key, value FROM reg_version_tags "
                                       "WHERE version_id = ?1",
                                    id, v->tags, v->ntags, &same);
    if (!rc && !same) rc = version_conflict(op, "set of tags");
    return rc;
}

static int check_sources(mlops__conn *c, const struct version_op *op)
{
    int exists = 0;
    int rc = mlops__cas_exists(c, &op->v->artifact, &exists);
    if (rc) return rc;
    if (!exists) {
        char d[MLOPS_DIGEST_STRLEN];
        mlops__reg_digest_text(&op->v->artifact, d);
        return mlops__err(MLOPS_ENOTFOUND, "%s: artifact %s is not in the store (import it first)",
                          op->im->func, d);
    }
    if (!op->v->run_id) return MLOPS_OK;
    rc = mlops__run_exists(c, op->im->func, op->v->run_id, &exists);
    if (!rc && !exists)
        rc = mlops__err(MLOPS_ENOTFOUND, "%s: no run '%s' (import it first)", op->im->func,
                        op->v->run_id);
    return rc;
}

static int insert_version(mlops__conn *c, const struct version_op *op, int64_t model_id,
                          int64_t seq)
{
    const mlops_version_record *v = op->v;
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_versions(model_id, number, artifact, run_id, "
                              "description, creator, created_ms, updated_ms, create_seq) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8) RETURNING id",
                              &st);
    int64_t id = 0;
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, v->number);
    if (!rc) rc = mlops__bind_blob(c, st, 3, v->artifact.bytes, 32);
    if (!rc) rc = mlops__bind_text(c, st, 4, v->run_id);
    if (!rc) rc = mlops__bind_text(c, st, 5, v->description ? v->description : "");
    if (!rc) rc = mlops__bind_text(c, st, 6, op->creator);
    if (!rc) rc = mlops__bind_int64(c, st, 7, v->created_ms);
    if (!rc) rc = mlops__bind_int64(c, st, 8, seq);
    if (!rc) rc = mlops__conn_step_id(c, st, "importing a version", &id);
    for (size_t i = 0; !rc && i < v->ntags; i++) {
        rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_version_tags(version_id, key, value) "
                              "VALUES (?1, ?2, ?3)",
                              &st);
        if (!rc) rc = mlops__bind_int64(c, st, 1, id);
        if (!rc) rc = mlops__bind_text(c, st, 2, v->tags[i].key);
        if (!rc) rc = mlops__bind_text(c, st, 3, v->tags[i].value);
        if (!rc) rc = mlops__conn_step_done(c, st, "importing a version's tags");
    }
    return rc;
}

static int version_tx(mlops__conn *c, void *arg)
{
    struct version_op *op = arg;
    const mlops_version_record *v = op->v;
    int64_t model_id = 0, seq = 0;
    int rc = model_for_import(c, op, &model_id);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "SELECT id, artifact, run_id, description, creator, created_ms "
                              "FROM reg_versions WHERE model_id = ?1 AND number = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_int64(c, st, 2, v->number);
    if (rc) return rc;
    int step = mlops__step(st);
    if (step == MLOPS__ROW) return version_compare(c, op, st);
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "looking up a version");
    rc = check_sources(c, op);
    if (rc) return rc;
    /* new_value as version.create writes it: "sha256:<hex>[ run:<id>]" */
    char value[MLOPS_DIGEST_STRLEN + MLOPS_REGISTRY_NAME_MAX + 8];
    mlops__reg_digest_text(&v->artifact, value);
    if (v->run_id)
        snprintf(value + MLOPS_DIGEST_STRLEN - 1, sizeof value - (MLOPS_DIGEST_STRLEN - 1),
                 " run:%s", v->run_id);
    mlops__audit_ev ev = { "version.create", model_id, v->model, v->number, NULL, NULL, value };
    rc = mlops__import_event(c, op->im, &ev, v->created_ms, op->creator, &seq);
    return rc ? rc : insert_version(c, op, model_id, seq);
}

static int check_version(const char *func, const mlops_version_record *v)
{
    if (!v) return mlops__err_null(func, "v");
    int rc = mlops__opts_check(func, v->version, MLOPS_VERSION_RECORD_VERSION,
                               "mlops_version_record_init");
    if (!rc) rc = mlops__reg_check_model_name(func, "model name", v->model);
    if (!rc) rc = mlops__reg_check_version(func, v->number);
    if (!rc && v->run_id) rc = mlops__track_check_run_id(func, v->run_id);
    if (!rc) rc = mlops__reg_check_text(func, "description", v->description, 1);
    if (!rc && v->creator)
        rc = mlops__check_name(func, "creator", v->creator, MLOPS_REGISTRY_NAME_MAX);
    if (!rc)
        rc = mlops__import_check_kv(func, "tags", v->tags, v->ntags, MLOPS_REGISTRY_TEXT_MAX);
    return rc;
}

int mlops__version_import_on(mlops__conn *c, mlops__import *im, const mlops_version_record *v)
{
    int rc = check_version(im->func, v);
    if (rc) return rc;
    struct version_op op = { .im = im, .v = v, .creator = v->creator ? v->creator : im->ch.actor };
    return version_tx(c, &op);
}

MLOPS_API int mlops_version_import(mlops_store *s, const mlops_import_opts *opts,
                                   const mlops_version_record *v)
{
    mlops__import im;
    struct version_op op = { .im = &im, .v = v };
    int rc = mlops__import_begin(s, __func__, opts, &im);
    if (!rc) rc = check_version(__func__, v);
    if (rc) return rc;
    op.creator = v->creator ? v->creator : im.ch.actor;
    return mlops__store_write(s, version_tx, &op);
}

/* ---- Signatures --------------------------------------------------------- */

struct sig_op {
    mlops__import *im;
    const char *model;
    int64_t number;
    mlops__sign_key key;
    const unsigned char *sig;
    int64_t signed_ms;
    const char *signer;
};

/* The version is signed by this key already: the same signature? */
static int sig_compare(mlops__conn *c, const struct sig_op *op, int64_t version_id, int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT signature, signed_ms, signer FROM reg_signatures "
                              "WHERE version_id = ?1 AND fingerprint = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, version_id);
    if (!rc) rc = mlops__bind_blob(c, st, 2, op->key.fingerprint.bytes, 32);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW;
    int same = *found && mlops__col_bytes(st, 0) == 64 &&
               !memcmp(mlops__col_blob(st, 0), op->sig, 64) &&
               mlops__col_int64(st, 1) == op->signed_ms && text_eq(mlops__col_text(st, 2), op->signer);
    mlops__reset(st);
    if (!*found && step != MLOPS__DONE) return mlops__conn_error(c, step, "reading signatures");
    if (*found && !same)
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: version %" PRId64 " of model '%s' already carries another "
                          "signature by this key",
                          op->im->func, op->number, op->model);
    return MLOPS_OK;
}

static int sig_tx(mlops__conn *c, void *arg)
{
    struct sig_op *op = arg;
    int64_t model_id = 0;
    mlops__reg_version v = { 0 };
    int found = 0;
    int rc = mlops__reg_model_id(c, op->im->func, op->model, &model_id);
    if (!rc) rc = mlops__reg_version_find(c, op->im->func, op->model, model_id, op->number, 1, &v);
    if (!rc) rc = sig_compare(c, op, v.id, &found);
    if (rc || found) return rc;
    /* Only a signature that verifies over the version as it is here. */
    msgpack_sbuffer manifest;
    msgpack_sbuffer_init(&manifest);
    rc = mlops__manifest_build(c, op->im->func, op->model, &v, &manifest);
    if (!rc && mlops__sign_verify(&op->key, manifest.data, manifest.size, op->sig) != 1)
        rc = mlops__err(MLOPS_ESIGNATURE,
                        "%s: the signature does not verify over version %" PRId64
                        " of model '%s' as this store has it",
                        op->im->func, op->number, op->model);
    mlops__stmt *st;
    if (!rc)
        rc = mlops__conn_stmt(c,
                              "INSERT INTO reg_signatures(version_id, fingerprint, public_key, "
                              "signature, manifest, signed_ms, signer) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, v.id);
    if (!rc) rc = mlops__bind_blob(c, st, 2, op->key.fingerprint.bytes, 32);
    if (!rc) rc = mlops__bind_blob(c, st, 3, op->key.pub, 32);
    if (!rc) rc = mlops__bind_blob(c, st, 4, op->sig, 64);
    if (!rc) rc = mlops__bind_blob(c, st, 5, manifest.data, (int)manifest.size);
    if (!rc) rc = mlops__bind_int64(c, st, 6, op->signed_ms);
    if (!rc) rc = mlops__bind_text(c, st, 7, op->signer);
    if (!rc) rc = mlops__conn_step_done(c, st, "importing a signature");
    msgpack_sbuffer_destroy(&manifest);
    char fp[MLOPS_DIGEST_STRLEN];
    mlops__reg_digest_text(&op->key.fingerprint, fp);
    mlops__audit_ev ev = { "version.sign", model_id, op->model, op->number, NULL, NULL, fp };
    if (!rc) rc = mlops__import_event(c, op->im, &ev, op->signed_ms, op->signer, NULL);
    return rc;
}

/* Checks the arguments and reads the key into op->key (free it when this
 * returns MLOPS_OK). */
static int check_signature(const char *func, const char *public_pem, struct sig_op *op)
{
    int rc = mlops__reg_check_model_name(func, "model name", op->model);
    if (!rc) rc = mlops__reg_check_version(func, op->number);
    if (!rc && !op->sig) rc = mlops__err_null(func, "signature");
    if (!rc) rc = mlops__check_name(func, "signer", op->signer, MLOPS_REGISTRY_NAME_MAX);
    if (!rc) rc = mlops__sign_key_public(func, public_pem, &op->key);
    return rc;
}

int mlops__signature_import_on(mlops__conn *c, mlops__import *im, const char *model,
                               int64_t version, const char *public_pem,
                               const unsigned char signature[64], int64_t signed_ms,
                               const char *signer)
{
    struct sig_op op = { .im = im, .model = model, .number = version, .sig = signature,
                         .signed_ms = signed_ms, .signer = signer };
    int rc = check_signature(im->func, public_pem, &op);
    if (rc) return rc;
    rc = sig_tx(c, &op);
    mlops__sign_key_free(&op.key);
    return rc;
}

MLOPS_API int mlops_signature_import(mlops_store *s, const mlops_import_opts *opts,
                                     const char *model, int64_t version, const char *public_pem,
                                     const unsigned char signature[64], int64_t signed_ms,
                                     const char *signer)
{
    mlops__import im;
    struct sig_op op = { .im = &im, .model = model, .number = version, .sig = signature,
                         .signed_ms = signed_ms, .signer = signer };
    int rc = mlops__import_begin(s, __func__, opts, &im);
    if (!rc) rc = check_signature(__func__, public_pem, &op);
    if (rc) return rc;
    rc = mlops__store_write(s, sig_tx, &op);
    mlops__sign_key_free(&op.key);
    return rc;
}

/* ---- Alias history ----------------------------------------------------- */

struct alias_op {
    mlops__import *im;
    const char *model;
    const char *alias;
    int64_t number; /* 0: removed */
    int64_t time_ms;
    int64_t place;  /* its place among the alias's entries at time_ms */
    int appended;   /* an alias event was appended for it */
    int took;       /* it is (now) the entry at that place */
    mlops__move_decision d;
};

/* An alias's state after one of its events: the target's text (new_value),
 * or unset (a removal, or before its first event). */
typedef struct alias_state {
    int set;
    char target[32];
} alias_state;

static int state_is(const alias_state *a, const char *want)
{
    return want ? a->set && !strcmp(a->target, want) : !a->set;
}

/* The entry's original time: the import payload's, else the event's. */
static int64_t entry_time(mlops__stmt *st)
{
    int64_t t = mlops__col_int64(st, 1);
    char why[200];
    if (!mlops__col_null(st, 3)) {
        const void *p = mlops__col_blob(st, 3);
        if (mlops__import_payload_read(p ? p : "", (size_t)mlops__col_bytes(st, 3), &t, why,
                                       sizeof why))
            t = mlops__col_int64(st, 1);
    }
    return t;
}

/* Walks the alias's events in chain order for op's entry, the op->place-th
 * at its time (doc/import.md, "Alias entries at one time"): there already
 * (*done = 1: the entry at that place has its target; *done = 2: the
 * alias had that target just before it, so the entry moves nothing and
 * takes no place), or in conflict with the entry at that place or a
 * later one, or to be appended (no entry at that place, none later). */
static int alias_history(mlops__conn *c, const struct alias_op *op, int64_t model_id, int *done)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT seq, time_ms, new_value, payload FROM audit_events "
                              "WHERE model_id = ?1 AND key = ?2 "
                              "AND action IN ('alias.set', 'alias.move', 'alias.delete') "
                              "ORDER BY seq",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, op->alias);
    if (rc) return rc;
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, op->number);
    const char *want = op->number ? buf : NULL;
    alias_state before = { 0 };
    int64_t at_time = 0; /* entries at op's time seen so far */
    int step, clash = 0, later = 0;
    *done = 0;
    while (!*done && !clash && !later && (step = mlops__step(st)) == MLOPS__ROW) {
        int64_t t = entry_time(st);
        const char *target = mlops__col_text(st, 2); /* NULL for a removal */
        if (t > op->time_ms) later = 1;
        else if (t == op->time_ms && at_time++ == op->place) {
            int same = target && want ? !strcmp(target, want) : target == want;
            if (same) *done = 1;
            else if (state_is(&before, want)) *done = 2; /* moves nothing at its place */
            else clash = 1;
        }
        before.set = target != NULL;
        snprintf(before.target, sizeof before.target, "%s", target ? target : "");
    }
    if (*done || clash || later) step = MLOPS__DONE;
    mlops__reset(st);
    if (step != MLOPS__DONE) return mlops__conn_error(c, step, "reading an alias's history");
    if (clash || later)
        return mlops__err(MLOPS_ECONFLICT,
                          "%s: alias '%s' of model '%s' has %s at time %" PRId64
                          " (an alias's history is imported in time order, entries at one "
                          "time in the order of the calls)",
                          op->im->func, op->alias, op->model,
                          clash ? "another entry" : "a later entry than the one", op->time_ms);
    return MLOPS_OK;
}

/* Alias events of an import are imported events (their payload says
 * where and when the change was made). */
static int append_imported(mlops__conn *c, void *ctx, const mlops__audit_ev *ev, int64_t *seq)
{
    struct alias_op *op = ctx;
    op->appended = 1;
    return mlops__import_event(c, op->im, ev, op->time_ms, NULL, seq);
}

/* Through the one move (alias_move.h), so an alias with a gate takes an
 * imported entry only when the gate passes it now (doc/gates.md). */
static int alias_tx(mlops__conn *c, void *arg)
{
    struct alias_op *op = arg;
    int64_t model_id = 0;
    int done = 0;
    mlops__move_decision_free(&op->d);
    op->d.allowed = 1; /* until the move says otherwise */
    op->appended = op->took = 0;
    int rc = mlops__reg_change_clock(c, &op->im->ch);
    if (!rc) rc = mlops__reg_model_id(c, op->im->func, op->model, &model_id);
    if (!rc) rc = alias_history(c, op, model_id, &done);
    op->took = done == 1;
    if (rc || done) return rc;
    if (!op->number) {
        int64_t old_id = 0, old_number = 0;
        int found = 0;
        rc = mlops__reg_alias_current(c, model_id, op->alias, &old_id, &old_number, &found);
        if (rc || !found) return rc; /* nothing to remove: nothing to record */
    }
    mlops__split target = { .n = 1, .leg = { { op->number, 100 } } };
    mlops__move_opts mo = { .kind = op->number ? MLOPS__MOVE_IMPORT : MLOPS__MOVE_DELETE,
                            .append = append_imported,
                            .append_ctx = op,
                            .row_time_ms = op->time_ms };
    rc = mlops__alias_move(c, op->im->func, &op->im->ch, op->model, model_id, op->alias,
                           op->number ? &target : NULL, &mo, &op->d);
    op->took = op->appended;
    return rc;
}

/* op's place: after the entries this import placed at op's alias and time
 * (a new alias or time starts at the first place). */
static int64_t order_place(const mlops__import *im, const struct alias_op *op)
{
    const mlops__alias_order *o = &im->order;
    int same = o->model && o->time_ms == op->time_ms && !strcmp(o->model, op->model) &&
               !strcmp(o->alias, op->alias);
    return same ? o->placed : 0;
}

static void order_note(mlops__import *im, const struct alias_op *op)
{
    im->order = (mlops__alias_order){ op->model, op->alias, op->time_ms, op->place + op->took };
}

static int check_alias(const char *func, const struct alias_op *op)
{
    int rc = mlops__reg_check_model_name(func, "model name", op->model);
    if (!rc) rc = mlops__reg_check_alias(func, op->alias, 1);
    if (!rc && op->number < 0)
        rc = mlops__err(MLOPS_EINVAL, "%s: version %" PRId64 " is negative (0: removed)", func,
                        op->number);
    return rc;
}

int mlops__alias_import_on(mlops__conn *c, mlops__import *im, const char *model,
                           const char *alias, int64_t version, int64_t time_ms)
{
    struct alias_op op = { .im = im, .model = model, .alias = alias, .number = version,
                           .time_ms = time_ms };
    int rc = check_alias(im->func, &op);
    if (rc) return rc;
    op.place = order_place(im, &op);
    rc = alias_tx(c, &op);
    if (!rc && !op.d.allowed) rc = mlops__alias_refusal(im->func, model, alias, &op.d);
    if (!rc) order_note(im, &op);
    mlops__move_decision_free(&op.d);
    return rc;
}

MLOPS_API int mlops_alias_import(mlops_store *s, const mlops_import_opts *opts,
                                 const char *model, const char *alias, int64_t version,
                                 int64_t time_ms)
{
    mlops__import im;
    struct alias_op op = { .im = &im, .model = model, .alias = alias, .number = version,
                           .time_ms = time_ms };
    int rc = mlops__import_begin(s, __func__, opts, &im);
    if (!rc) rc = check_alias(__func__, &op);
    if (!rc) rc = mlops__store_write(s, alias_tx, &op);
    if (!rc && !op.d.allowed) rc = mlops__alias_refusal(__func__, model, alias, &op.d);
    mlops__move_decision_free(&op.d);
    return rc;
}
