/* The one way an alias changes (alias_move.h): signing policy, gate,
 * decision event, alias event and row, routing salt. */
#include "registry/alias_move.h"
#include "registry/gate_store.h"
#include "util/err.h"
#include "util/mpack.h"
#include "util/str.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mlops__move_kind_name(int kind)
{
    static const char *const names[] = { "set", "promote", "ramp", "rollback", "delete",
                                         "import" };
    return kind >= 0 && kind <= MLOPS__MOVE_IMPORT ? names[kind] : "move";
}

void mlops__move_decision_free(mlops__move_decision *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) free(d->checks[i].condition);
    free(d->checks);
    d->checks = NULL;
    d->n = 0;
}

/* ---- Reading the current state ----------------------------------------- */

int mlops__alias_split_read(mlops__conn *c, int64_t model_id, const char *alias,
                            mlops__split *out, int *found)
{
    memset(out, 0, sizeof *out);
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT v.number, a.split FROM reg_aliases a "
                              "JOIN reg_versions v ON v.id = a.version_id "
                              "WHERE a.model_id = ?1 AND a.alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW;
    char text[MLOPS__SPLIT_TEXT_MAX];
    int has_text = 0, too_long = 0;
    if (*found) {
        out->n = 1;
        out->leg[0].version = mlops__col_int64(st, 0);
        out->leg[0].weight = 100;
        if (!mlops__col_null(st, 1)) {
            has_text = 1;
            const char *t = mlops__col_text(st, 1);
            too_long = !t || strlen(t) >= sizeof text;
            if (!too_long) snprintf(text, sizeof text, "%s", t);
        }
    }
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "reading an alias");
    if (!has_text) return MLOPS_OK;
    int64_t primary = out->leg[0].version;
    if (too_long || mlops__split_decode("reading an alias", text, out) ||
        mlops__split_primary(out) != primary)
        return mlops__err(MLOPS_ECORRUPT,
                          "the split of alias '%s' (model id %lld) is not a valid split whose "
                          "primary is version %lld",
                          alias, (long long)model_id, (long long)primary);
    return MLOPS_OK;
}

int mlops__alias_salt_read(mlops__conn *c, int64_t model_id, const char *alias, char out[33],
                           int *found)
{
    mlops__stmt *st;
    int rc = mlops__conn_stmt(c,
                              "SELECT salt FROM reg_alias_salts WHERE model_id = ?1 AND alias = ?2",
                              &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (rc) return rc;
    int step = mlops__step(st);
    *found = step == MLOPS__ROW;
    out[0] = '\0';
    if (*found) snprintf(out, 33, "%s", mlops__col_text(st, 0) ? mlops__col_text(st, 0) : "");
    mlops__reset(st);
    if (step != MLOPS__ROW && step != MLOPS__DONE)
        return mlops__conn_error(c, step, "reading a routing salt");
    return MLOPS_OK;
}

/* The salt is made once, with the alias's first setting. */
static int salt_ensure(mlops__conn *c, int64_t model_id, const char *alias, int64_t now_ms)
{
    char salt[33];
    int found = 0;
    int rc = mlops__alias_salt_read(c, model_id, alias, salt, &found);
    if (rc || found) return rc;
    unsigned char raw[16];
    if ((rc = mlops__random_bytes(raw, sizeof raw))) return rc;
    mlops__hex_encode(raw, sizeof raw, salt);
    mlops__stmt *st;
    rc = mlops__conn_stmt(c,
                          "INSERT INTO reg_alias_salts(model_id, alias, salt, created_ms) "
                          "VALUES (?1, ?2, ?3, ?4)",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (!rc) rc = mlops__bind_text(c, st, 3, salt);
    if (!rc) rc = mlops__bind_int64(c, st, 4, now_ms);
    if (!rc) rc = mlops__conn_step_done(c, st, "recording a routing salt");
    return rc;
}

/* ---- Payloads ---------------------------------------------------------- */

/* {"split": TEXT}: the canonical split of a weighted alias event. */
static int split_payload(const mlops__split *s, msgpack_sbuffer *buf)
{
    char text[MLOPS__SPLIT_TEXT_MAX];
    mlops__split_encode(s, text);
    msgpack_packer pk;
    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    int rc = msgpack_pack_map(&pk, 1);
    if (!rc) rc = mlops__mp_str(&pk, "split");
    if (!rc) rc = mlops__mp_str(&pk, text);
    return rc ? mlops__err_nomem("encoding an alias event") : MLOPS_OK;
}

int mlops__alias_payload_split(const void *p, size_t n, mlops__split *out)
{
    memset(out, 0, sizeof *out);
    if (!p) return 0;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int ok = 0;
    if (mlops__mp_unpack(p, n, &u) == MLOPS__MP_OK && u.data.type == MSGPACK_OBJECT_MAP &&
        u.data.via.map.size == 1) {
        const msgpack_object *v = mlops__mp_get(&u.data, "split");
        char text[MLOPS__SPLIT_TEXT_MAX];
        if (v && v->type == MSGPACK_OBJECT_STR && v->via.str.size < sizeof text) {
            memcpy(text, v->via.str.ptr, v->via.str.size);
            text[v->via.str.size] = '\0';
            ok = mlops__split_decode("reading an alias event", text, out) == MLOPS_OK;
            /* one encoding: the canonical text, in the payload's one form */
            msgpack_sbuffer again;
            msgpack_sbuffer_init(&again);
            ok = ok && split_payload(out, &again) == MLOPS_OK && again.size == n &&
                 !memcmp(again.data, p, n);
            msgpack_sbuffer_destroy(&again);
        }
    }
    msgpack_unpacked_destroy(&u);
    if (!ok) memset(out, 0, sizeof *out);
    return ok;
}

int mlops__alias_payload_check(const mlops__audit_row *r, char *why, size_t n)
{
    if (!r->payload) return 0;
    if (!mlops__import_payload_read(r->payload, r->payload_len, NULL, why, n)) return 0;
    mlops__split s;
    if (!mlops__alias_payload_split(r->payload, r->payload_len, &s)) {
        snprintf(why, n, "its payload is neither an import's nor a canonical {\"split\": TEXT}");
        return -1;
    }
    char primary[32];
    snprintf(primary, sizeof primary, "%lld", (long long)mlops__split_primary(&s));
    if (!r->new_value || strcmp(r->new_value, primary) != 0) {
        snprintf(why, n, "its split's primary version is not its new value");
        return -1;
    }
    return 0;
}

/* The decision payload (doc/format.md, "Audit events"):
 * [kind, target | nil, baseline | nil, forced, dataset | nil,
 *  [[candidate, condition, outcome, left | nil, right | nil, why], ...]] */
static const char *outcome_name(int o)
{
    return o == MLOPS__GATE_PASS ? "pass" : o == MLOPS__GATE_SKIP ? "skip" : "fail";
}

static int decision_payload(const mlops__move_decision *d, int kind, const mlops__split *target,
                            msgpack_sbuffer *buf)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    int rc = msgpack_pack_array(&pk, 6);
    if (!rc) rc = mlops__mp_str(&pk, mlops__move_kind_name(kind));
    if (!rc && target) {
        char text[MLOPS__SPLIT_TEXT_MAX];
        mlops__split_encode(target, text);
        rc = mlops__mp_str(&pk, text);
    } else if (!rc) rc = msgpack_pack_nil(&pk);
    if (!rc) rc = d->baseline ? msgpack_pack_int64(&pk, d->baseline) : msgpack_pack_nil(&pk);
    if (!rc) rc = d->forced ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
    if (!rc)
        rc = d->has_dataset ? msgpack_pack_bin_with_body(&pk, d->dataset.bytes, 32)
                            : msgpack_pack_nil(&pk);
    if (!rc) rc = msgpack_pack_array(&pk, (uint32_t)d->n);
    for (size_t i = 0; !rc && i < d->n; i++) {
        const mlops__move_check *k = &d->checks[i];
        rc = msgpack_pack_array(&pk, 6);
        if (!rc) rc = msgpack_pack_int64(&pk, k->candidate);
        if (!rc) rc = mlops__mp_str(&pk, k->condition);
        if (!rc) rc = mlops__mp_str(&pk, outcome_name(k->v.outcome));
        if (!rc) rc = k->v.left_known ? msgpack_pack_double(&pk, k->v.left) : msgpack_pack_nil(&pk);
        if (!rc)
            rc = k->v.right_known ? msgpack_pack_double(&pk, k->v.right) : msgpack_pack_nil(&pk);
        if (!rc) rc = mlops__mp_str(&pk, k->v.why);
    }
    return rc ? mlops__err_nomem("encoding a gate decision") : MLOPS_OK;
}

int mlops__decision_payload_check(const void *p, size_t n, char *why, size_t whyn)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int ok = 0;
    if (p && mlops__mp_unpack(p, n, &u) == MLOPS__MP_OK) {
        const msgpack_object *o = &u.data;
        const msgpack_object *a = o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size == 6
                                      ? o->via.array.ptr
                                      : NULL;
        ok = a && a[0].type == MSGPACK_OBJECT_STR &&
             (a[1].type == MSGPACK_OBJECT_NIL || a[1].type == MSGPACK_OBJECT_STR) &&
             (a[2].type == MSGPACK_OBJECT_NIL || a[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER) &&
             a[3].type == MSGPACK_OBJECT_BOOLEAN &&
             (a[4].type == MSGPACK_OBJECT_NIL ||
              (a[4].type == MSGPACK_OBJECT_BIN && a[4].via.bin.size == 32)) &&
             a[5].type == MSGPACK_OBJECT_ARRAY;
        for (uint32_t i = 0; ok && i < a[5].via.array.size; i++) {
            const msgpack_object *k = &a[5].via.array.ptr[i];
            const msgpack_object *e = k->type == MSGPACK_OBJECT_ARRAY && k->via.array.size == 6
                                          ? k->via.array.ptr
                                          : NULL;
            ok = e && e[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                 e[1].type == MSGPACK_OBJECT_STR && e[2].type == MSGPACK_OBJECT_STR &&
                 (e[3].type == MSGPACK_OBJECT_NIL || e[3].type == MSGPACK_OBJECT_FLOAT64) &&
                 (e[4].type == MSGPACK_OBJECT_NIL || e[4].type == MSGPACK_OBJECT_FLOAT64) &&
                 e[5].type == MSGPACK_OBJECT_STR;
        }
        if (ok) {
            /* one encoding per payload: packing what was read gives the bytes */
            msgpack_sbuffer again;
            msgpack_sbuffer_init(&again);
            msgpack_packer pk;
            msgpack_packer_init(&pk, &again, msgpack_sbuffer_write);
            ok = !msgpack_pack_object(&pk, *o) && again.size == n && !memcmp(again.data, p, n);
            msgpack_sbuffer_destroy(&again);
        }
    }
    msgpack_unpacked_destroy(&u);
    if (!ok) snprintf(why, whyn, "its payload is not a canonical gate decision");
    return ok ? 0 : -1;
}

/* ---- The move ---------------------------------------------------------- */

/* Every leg and the shadow: exist, not deleted, and meet the policy. */
static int check_targets(mlops__conn *c, const char *fn, const char *model, int64_t model_id,
                         const char *alias, const mlops__split *t,
                         mlops__reg_version *primary)
{
    int64_t want = mlops__split_primary(t);
    for (size_t i = 0; i <= t->n; i++) {
        int64_t number = i < t->n ? t->leg[i].version : t->shadow;
        if (!number) continue;
        mlops__reg_version v;
        int rc = mlops__reg_version_find(c, fn, model, model_id, number, 0, &v);
        if (!rc) rc = mlops__policy_check(c, fn, model, model_id, alias, &v);
        if (rc) return rc;
        if (number == want) *primary = v;
    }
    return MLOPS_OK;
}

static int add_check(mlops__move_decision *d, int64_t candidate, const char *text,
                     const mlops__gate_verdict *v)
{
    mlops__move_check *p = realloc(d->checks, (d->n + 1) * sizeof *p);
    if (!p) return mlops__err_nomem("deciding a gate");
    d->checks = p;
    p[d->n].candidate = candidate;
    p[d->n].v = *v;
    p[d->n].condition = mlops__strdup(text);
    if (!p[d->n].condition) return mlops__err_nomem("deciding a gate");
    d->n++;
    return MLOPS_OK;
}

/* Evaluates the gate for each version of target whose share grows. */
static int evaluate(mlops__conn *c, const char *fn, const char *model, int64_t model_id,
                    const mlops__split *cur, int found, const mlops__split *target,
                    const mlops__gate_rules *g,
                    mlops__move_decision *d)
{
    mlops__reg_version base;
    int rc = MLOPS_OK;
    if (found) rc = mlops__reg_version_find(c, fn, model, model_id, d->baseline, 0, &base);
    if (rc) return rc;
    d->passed = target != NULL; /* a delete has no candidate to pass */
    for (size_t i = 0; target && i < target->n; i++) {
        const mlops__split_leg *leg = &target->leg[i];
        if (found && leg->weight <= mlops__split_weight(cur, leg->version)) continue;
        mlops__reg_version cand;
        rc = mlops__reg_version_find(c, fn, model, model_id, leg->version, 0, &cand);
        if (rc) return rc;
        mlops__gate_subject subj = { c, fn, model, &cand, found ? &base : NULL,
                                     g->has_dataset ? &g->dataset : NULL };
        mlops__gate_lookup l;
        mlops__gate_lookup_init(&l, &subj);
        for (size_t k = 0; k < g->n; k++) {
            mlops__gate_verdict v;
            rc = mlops__gate_cond_eval(&g->conds[k], &l, &v);
            if (!rc) rc = add_check(d, leg->version, g->texts[k], &v);
            if (rc) return rc;
            if (v.outcome == MLOPS__GATE_FAIL) d->passed = 0;
        }
    }
    return MLOPS_OK;
}

static int record_decision(mlops__conn *c, const mlops__reg_change *ch, const char *model,
                           int64_t model_id, const char *alias, const mlops__split *target,
                           const mlops__move_opts *o, mlops__move_decision *d)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init(&buf);
    int rc = decision_payload(d, o->kind, target, &buf);
    char base[32];
    snprintf(base, sizeof base, "%lld", (long long)d->baseline);
    const char *verdict = d->passed ? "passed" : d->forced ? "forced" : "refused";
    mlops__audit_ev ev = { "alias.gate.decision", model_id, model, 0, alias,
                           d->baseline ? base : NULL, verdict };
    if (!rc) rc = mlops__audit_append_payload(c, ch, &ev, buf.data, buf.size, &d->decision_seq);
    msgpack_sbuffer_destroy(&buf);
    return rc;
}

static int append_event(mlops__conn *c, const mlops__reg_change *ch, const mlops__move_opts *o,
                        const mlops__audit_ev *ev, const mlops__split *target, int64_t *seq)
{
    if (o->append) return o->append(c, o->append_ctx, ev, seq);
    int plain = !target || (target->n == 1 && !target->shadow);
    if (plain) return mlops__audit_append(c, ch, ev, seq);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init(&buf);
    int rc = split_payload(target, &buf);
    if (!rc) rc = mlops__audit_append_payload(c, ch, ev, buf.data, buf.size, seq);
    msgpack_sbuffer_destroy(&buf);
    return rc;
}

static int write_row(mlops__conn *c, int64_t model_id, const char *alias, const mlops__split *t,
                     int64_t version_id, int64_t time_ms, int64_t seq)
{
    int rc = mlops__reg_alias_write(c, model_id, alias, version_id, time_ms, seq,
                                    "setting an alias");
    if (rc) return rc;
    char text[MLOPS__SPLIT_TEXT_MAX];
    int plain = t->n == 1 && !t->shadow;
    if (!plain) mlops__split_encode(t, text);
    mlops__stmt *st;
    rc = mlops__conn_stmt(c, "UPDATE reg_aliases SET split = ?3 WHERE model_id = ?1 AND alias = ?2",
                          &st);
    if (!rc) rc = mlops__bind_int64(c, st, 1, model_id);
    if (!rc) rc = mlops__bind_text(c, st, 2, alias);
    if (!rc) rc = plain ? mlops__bind_null(c, st, 3) : mlops__bind_text(c, st, 3, text);
    if (!rc) rc = mlops__conn_step_done(c, st, "setting an alias");
    return rc;
}

int mlops__alias_move(mlops__conn *c, const char *fn, const mlops__reg_change *ch,
                      const char *model, int64_t model_id, const char *alias,
                      const mlops__split *target, const mlops__move_opts *o,
                      mlops__move_decision *d)
{
    memset(d, 0, sizeof *d);
    if (o->force && (!ch->reason || !ch->reason[0]))
        return mlops__err(MLOPS_EINVAL, "%s: a forced move needs a reason", fn);
    mlops__split cur;
    int found = 0;
    int rc = mlops__alias_split_read(c, model_id, alias, &cur, &found);
    if (rc) return rc;
    if (!target && !found)
        return mlops__err(MLOPS_ENOTFOUND, "%s: model '%s' has no alias '%s'", fn, model, alias);
    if (target && found && mlops__split_equal(&cur, target)) {
        d->allowed = d->passed = 1; /* already there: nothing to record */
        return MLOPS_OK;
    }
    d->baseline = found ? mlops__split_primary(&cur) : 0;
    mlops__reg_version primary = { 0 };
    if (target && (rc = check_targets(c, fn, model, model_id, alias, target, &primary)))
        return rc;

    mlops__gate_rules g;
    int gated = 0;
    rc = mlops__gate_load(c, fn, model_id, alias, &g, &gated);
    if (!rc && gated) {
        d->gated = 1;
        d->has_dataset = g.has_dataset;
        d->dataset = g.dataset;
        rc = evaluate(c, fn, model, model_id, &cur, found, target, &g, d);
        d->forced = !rc && !d->passed && o->force;
        if (!rc) rc = record_decision(c, ch, model, model_id, alias, target, o, d);
    }
    mlops__gate_rules_free(&g);
    if (rc) return rc;
    if (!d->gated) d->passed = 1; /* nothing to pass */
    d->allowed = !d->gated || d->passed || d->forced;
    if (!d->allowed) return MLOPS_OK; /* the caller commits the refusal */

    char old_text[32], new_text[32];
    snprintf(old_text, sizeof old_text, "%lld", (long long)d->baseline);
    d->changed = 1;
    if (!target) {
        mlops__audit_ev ev = { "alias.delete", model_id, model, 0, alias, old_text, NULL };
        rc = append_event(c, ch, o, &ev, NULL, NULL);
        return rc ? rc : mlops__reg_alias_remove(c, model_id, alias);
    }
    snprintf(new_text, sizeof new_text, "%lld", (long long)primary.number);
    mlops__audit_ev ev = { found ? "alias.move" : "alias.set", model_id, model, 0, alias,
                           found ? old_text : NULL, new_text };
    int64_t seq = 0;
    rc = append_event(c, ch, o, &ev, target, &seq);
    if (!rc)
        rc = write_row(c, model_id, alias, target, primary.id,
                       o->row_time_ms ? o->row_time_ms : ch->now_ms, seq);
    if (!rc) rc = salt_ensure(c, model_id, alias, ch->now_ms);
    return rc;
}

int mlops__alias_refusal(const char *fn, const char *model, const char *alias,
                         const mlops__move_decision *d)
{
    const mlops__move_check *first = NULL;
    for (size_t i = 0; i < d->n && !first; i++)
        if (d->checks[i].v.outcome == MLOPS__GATE_FAIL) first = &d->checks[i];
    if (!first)
        return mlops__err(MLOPS_EPOLICY,
                          "%s: the gate of alias '%s' of model '%s' refuses to remove it "
                          "(audit event %lld; clear the gate, or force with a reason)",
                          fn, alias, model, (long long)d->decision_seq);
    return mlops__err(MLOPS_EPOLICY,
                      "%s: the gate of alias '%s' of model '%s' refuses version %lld: %s: %s "
                      "(audit event %lld)",
                      fn, alias, model, (long long)first->candidate, first->condition,
                      first->v.why, (long long)d->decision_seq);
}
