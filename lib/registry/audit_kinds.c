/* The kinds of audit event this library writes, and the shape of each:
 * which fields it fills and which it leaves nil, and since which format it
 * exists (doc/format.md, "Audit events", lists the same table). The
 * verifier and the decoder accept only these, so an event that claims a
 * kind promises what the rest of the library reads from it; a kind added
 * later is added here with its format. */
#include "registry/alias_move.h"
#include "registry/registry_internal.h"

#include <stdio.h>
#include <string.h>

/* What a field of a kind holds. */
enum { NIL, TEXT, ANY };

typedef struct kind {
    const char *action;
    int since_format; /* the first format that may carry it */
    int about_model;  /* 1: model_id >= 1 and a model name; 0: the store (0 and "") */
    int version;      /* NIL: no version; TEXT: a version number >= 1 */
    int key, old_value, new_value;
    int import; /* payload: NO_IMPORT none; IMPORT_OK an import payload or none;
                   IMPORT_ONLY an import payload always (audit_import.c); ALIAS_OK
                   an import payload, a split payload or none (alias_move.c);
                   DECISION a gate decision always (alias_move.c) */
} kind;

enum { NO_IMPORT, IMPORT_OK, IMPORT_ONLY, ALIAS_OK, DECISION };

static const kind kinds[] = {
    { "model.create", 1, 1, NIL, NIL, NIL, TEXT, IMPORT_OK },
    { "model.rename", 1, 1, NIL, NIL, TEXT, TEXT, NO_IMPORT },
    { "model.delete", 1, 1, NIL, NIL, TEXT, NIL, NO_IMPORT },
    { "model.describe", 1, 1, NIL, NIL, TEXT, TEXT, NO_IMPORT },
    { "model.tag.set", 1, 1, NIL, TEXT, ANY, TEXT, NO_IMPORT },
    { "model.tag.delete", 1, 1, NIL, TEXT, TEXT, NIL, NO_IMPORT },
    { "version.create", 1, 1, TEXT, NIL, NIL, TEXT, IMPORT_OK },
    { "version.describe", 1, 1, TEXT, NIL, TEXT, TEXT, NO_IMPORT },
    { "version.status", 1, 1, TEXT, NIL, TEXT, TEXT, NO_IMPORT },
    { "version.delete", 1, 1, TEXT, NIL, TEXT, NIL, NO_IMPORT },
    { "version.tag.set", 1, 1, TEXT, TEXT, ANY, TEXT, NO_IMPORT },
    { "version.tag.delete", 1, 1, TEXT, TEXT, TEXT, NIL, NO_IMPORT },
    { "version.sign", 1, 1, TEXT, NIL, NIL, TEXT, IMPORT_OK },
    { "alias.set", 1, 1, NIL, TEXT, NIL, TEXT, ALIAS_OK },
    { "alias.move", 1, 1, NIL, TEXT, TEXT, TEXT, ALIAS_OK },
    { "alias.delete", 1, 1, NIL, TEXT, TEXT, NIL, IMPORT_OK },
    { "alias.policy.set", 1, 1, NIL, TEXT, ANY, TEXT, NO_IMPORT },
    { "alias.policy.delete", 1, 1, NIL, TEXT, TEXT, NIL, NO_IMPORT },
    /* gates (format 4 stores): key the alias; set: new the gate's text
     * (gate_store.h), old the previous one or nil; decision: old the
     * baseline version or nil, new passed / refused / forced */
    { "alias.gate.set", 2, 1, NIL, TEXT, ANY, TEXT, NO_IMPORT },
    { "alias.gate.delete", 2, 1, NIL, TEXT, TEXT, NIL, NO_IMPORT },
    { "alias.gate.decision", 2, 1, NIL, TEXT, ANY, TEXT, DECISION },
    /* key: the signing key's fingerprint; new: the head signed, SEQ:HASH */
    { MLOPS__AUDIT_CHECKPOINT, 2, 0, NIL, TEXT, NIL, TEXT, NO_IMPORT },
    /* experiment records brought in (lib/import): key what ("run:ID",
     * "experiment:NAME", "metrics:RUN", "lineage:RUN"), new: the origin */
    { MLOPS__AUDIT_IMPORT, 2, 0, NIL, TEXT, NIL, TEXT, IMPORT_ONLY },
    /* monitors (format 5 stores, lib/monitor/audit.c): key "monitor:NAME";
     * create: new the spec's summary; delete: old the same; alerts: new
     * "event=SEQ window=START..END breaches=B considered=N" */
    { "monitor.create", 2, 0, NIL, TEXT, NIL, TEXT, NO_IMPORT },
    { "monitor.delete", 2, 0, NIL, TEXT, TEXT, NIL, NO_IMPORT },
    { "monitor.alert.firing", 2, 0, NIL, TEXT, NIL, TEXT, NO_IMPORT },
    { "monitor.alert.resolved", 2, 0, NIL, TEXT, NIL, TEXT, NO_IMPORT },
};

static int field_ok(int want, const char *value)
{
    return want == ANY || (want == NIL) == (value == NULL);
}

static int refuse(char *why, size_t n, const char *action, const char *what)
{
    snprintf(why, n, "a %.64s event %s", action, what);
    return -1;
}

int mlops__audit_check_kind(const mlops__audit_row *r, char *why, size_t n)
{
    if (!r->action) {
        snprintf(why, n, "it has no action");
        return -1;
    }
    const kind *k = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !k; i++)
        if (!strcmp(kinds[i].action, r->action)) k = &kinds[i];
    if (!k) {
        snprintf(why, n, "its action '%.64s' is not one this library knows", r->action);
        return -1;
    }
    if (r->format < k->since_format) {
        snprintf(why, n, "a %.64s event cannot be in format %d", r->action, r->format);
        return -1;
    }
    if (!r->actor || !r->model) return refuse(why, n, r->action, "needs an actor and a model");
    if (k->about_model ? r->model_id < 1 || !r->model[0] : r->model_id != 0 || r->model[0])
        return refuse(why, n, r->action,
                      k->about_model ? "needs a model id >= 1 and a model name"
                                     : "is about no model (model id 0, name \"\")");
    if (k->version == NIL ? r->version != 0 : r->version < 1)
        return refuse(why, n, r->action,
                      k->version == NIL ? "has no version" : "needs a version >= 1");
    if (!field_ok(k->key, r->key))
        return refuse(why, n, r->action, k->key == NIL ? "has no key" : "needs a key");
    if (!field_ok(k->old_value, r->old_value))
        return refuse(why, n, r->action,
                      k->old_value == NIL ? "has no old value" : "needs an old value");
    if (!field_ok(k->new_value, r->new_value))
        return refuse(why, n, r->action,
                      k->new_value == NIL ? "has no new value" : "needs a new value");
    if (!strncmp(r->action, "monitor.", 8) && (strncmp(r->key, "monitor:", 8) || !r->key[8]))
        return refuse(why, n, r->action, "needs a key \"monitor:NAME\"");
    if (!strcmp(r->action, MLOPS__AUDIT_CHECKPOINT)) {
        mlops__audit_checkpoint cp;
        return mlops__audit_checkpoint_read(r, &cp, why, n);
    }
    if (k->import == ALIAS_OK) return mlops__alias_payload_check(r, why, n);
    if (k->import == DECISION) {
        if (strcmp(r->new_value, "passed") && strcmp(r->new_value, "refused") &&
            strcmp(r->new_value, "forced"))
            return refuse(why, n, r->action, "has a new value other than passed, refused, forced");
        return mlops__decision_payload_check(r->payload, r->payload_len, why, n);
    }
    if (k->import == IMPORT_ONLY && !r->payload)
        return refuse(why, n, r->action, "needs an import payload");
    if (r->payload && k->import == NO_IMPORT) return refuse(why, n, r->action, "has no payload");
    if (r->payload) return mlops__import_payload_read(r->payload, r->payload_len, NULL, why, n);
    return 0;
}
