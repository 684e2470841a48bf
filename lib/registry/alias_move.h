/* Internal: the one way an alias changes. Every public path that sets,
 * moves, ramps, rolls back, promotes, deletes or imports an alias calls
 * mlops__alias_move inside its write transaction, so the alias's gate
 * (doc/gates.md), its signing policy (alias_policy.c) and the audit events
 * of the change are the same whatever the caller. Nothing else writes
 * reg_aliases (store copy brings rows and events of a source whose moves
 * went through this function there: doc/gates.md, "Every move").
 *
 * What one call does, in the caller's transaction:
 *  1. resolves the target split's versions (each leg and the shadow must
 *     exist and not be deleted: MLOPS_ENOTFOUND naming the version);
 *  2. reads the alias's current split (the baseline is its primary leg);
 *     a target equal to the current split is no change: MLOPS_OK, allowed,
 *     nothing recorded (as 1.0's alias set did);
 *  3. checks the signing policy of the alias against every leg and the
 *     shadow: a version the policy refuses is MLOPS_EPOLICY, returned as
 *     an error (nothing recorded; force does not override a signature
 *     policy);
 *  4. when the alias has a gate: the candidates are the target's versions
 *     whose share grows (a new leg, or a larger weight; a plain set or a
 *     promotion: the one version, unless it already had 100%); each
 *     candidate is evaluated against every condition, the baseline being
 *     the current primary leg (none when the alias is not set). A delete
 *     has no candidate and is refused unless forced. The decision -- each
 *     (candidate, condition) with both values and its verdict, the kind of
 *     move, the target, the baseline, forced or not -- is appended as an
 *     "alias.gate.decision" event (doc/format.md, "Audit events");
 *  5. when allowed (no gate, every condition passed or skipped, or
 *     forced): writes the alias row (version_id = the primary leg, split =
 *     the canonical split text or NULL for a plain target, see
 *     lib/registry/schema.c, version 4), its "alias.set" / "alias.move" /
 *     "alias.delete" event (old_value / new_value: the primary versions as
 *     in 1.0; a payload {"split": TEXT} when the target is not plain, so
 *     point-in-time queries can give the split back:
 *     mlops__alias_payload_split), and the routing salt of (model, alias)
 *     the first time the alias is set (kept for good after).
 *
 * A refusal is NOT an error of this function: it returns MLOPS_OK with
 * d->allowed = 0 and the decision event appended, so that the caller
 * COMMITS the transaction (the refusal must stay in the audit log) and
 * then reports MLOPS_EPOLICY to its own caller; mlops__alias_refusal
 * writes that message. Any other code is an error: roll back.
 *
 * Threads: runs on the caller's connection; the decision is the caller's
 * (free it with mlops__move_decision_free, also after an error). */
#ifndef MLOPS_REGISTRY_ALIAS_MOVE_H
#define MLOPS_REGISTRY_ALIAS_MOVE_H

#include "registry/gate.h"
#include "registry/registry_internal.h"
#include "registry/split.h"

/* The kind of move: recorded in the decision, and for messages. */
enum mlops__move_kind {
    MLOPS__MOVE_SET,      /* mlops_model_alias_set / _ex and the bindings */
    MLOPS__MOVE_PROMOTE,  /* mlops_model_promote: one version at 100% */
    MLOPS__MOVE_RAMP,     /* a new split of a weighted alias */
    MLOPS__MOVE_ROLLBACK, /* back to an earlier split */
    MLOPS__MOVE_DELETE,   /* the alias goes: target NULL */
    MLOPS__MOVE_IMPORT    /* mlops_alias_import (history from elsewhere) */
};

/* "set", "promote", "ramp", "rollback", "delete", "import". */
const char *mlops__move_kind_name(int kind);

/* Appends an alias event; *seq gets its number. Lets lib/import record
 * its alias events as imported ones (an import payload, its own time). */
typedef int (*mlops__move_append_fn)(mlops__conn *c, void *ctx, const mlops__audit_ev *ev,
                                     int64_t *seq);

typedef struct mlops__move_opts {
    int kind;           /* enum mlops__move_kind */
    int force;          /* move even when the gate refuses; needs ch->reason */
    /* Import only: how the alias event is appended (NULL: a plain event of
     * ch), and the time written to the alias row (0: ch->now_ms). */
    mlops__move_append_fn append;
    void *append_ctx;
    int64_t row_time_ms;
} mlops__move_opts;

/* One condition decided for one candidate. */
typedef struct mlops__move_check {
    int64_t candidate;   /* version number */
    char *condition;     /* canonical text, malloc'd */
    mlops__gate_verdict v;
} mlops__move_check;

typedef struct mlops__move_decision {
    int gated;           /* the alias has a gate: a decision was recorded */
    int allowed;         /* the alias moved (or was already there) */
    int passed;          /* every condition passed or was skipped */
    int forced;          /* refused by the gate, moved by force */
    int changed;         /* the alias row changed */
    int64_t baseline;    /* the current primary version, 0 when unset */
    int64_t decision_seq; /* the alias.gate.decision event, 0 when none */
    int has_dataset;
    mlops_digest dataset;
    size_t n;
    mlops__move_check *checks; /* malloc'd */
} mlops__move_decision;

void mlops__move_decision_free(mlops__move_decision *d);

/* Moves alias `alias` of model (model_id) to target (a valid split,
 * mlops__split_check'ed; a plain version is a split of one leg at 100%),
 * or deletes it (target NULL), as described above. fn names the public
 * function in messages. ch: the change (its clock must be set:
 * mlops__reg_change_clock). *d is set in every case.
 * Errors: MLOPS_ENOTFOUND (a version, or deleting an alias that is not
 * set), MLOPS_EPOLICY (signing policy), MLOPS_EINVAL (force without a
 * reason), database errors. */
int mlops__alias_move(mlops__conn *c, const char *fn, const mlops__reg_change *ch,
                      const char *model, int64_t model_id, const char *alias,
                      const mlops__split *target, const mlops__move_opts *o,
                      mlops__move_decision *d);

/* Hands d to a new public decision object *out (d is emptied): what
 * public functions that move an alias return (gate_api.c). */
int mlops__gate_decision_wrap(mlops__move_decision *d, mlops_gate_decision **out);

/* Sets the MLOPS_EPOLICY message for a refused decision d ("<fn>: the
 * gate of alias 'A' of model 'M' refuses ...: <first failed condition>")
 * and returns MLOPS_EPOLICY. */
int mlops__alias_refusal(const char *fn, const char *model, const char *alias,
                         const mlops__move_decision *d);

/* The alias's current split: *found = 0 when the alias is not set. A
 * plain alias is a split of one leg. */
int mlops__alias_split_read(mlops__conn *c, int64_t model_id, const char *alias,
                            mlops__split *out, int *found);

/* The split an alias event's payload carries: 1 and *out set when p is a
 * split payload ({"split": TEXT}), 0 when not (no payload, or an import
 * payload: the event's new_value is then the whole target). */
int mlops__alias_payload_split(const void *p, size_t n, mlops__split *out);

/* Checks an alias event's payload: an import payload, or a split payload
 * in its canonical form whose primary is new_value. 0, or -1 with the
 * reason in why (for mlops__audit_check_kind). */
int mlops__alias_payload_check(const mlops__audit_row *r, char *why, size_t n);

/* Checks an alias.gate.decision payload: the canonical form of
 * [kind, target | nil, baseline | nil, forced, dataset | nil,
 *  [[candidate, condition, outcome, left | nil, right | nil, why], ...]]
 * (doc/format.md). 0, or -1 with the reason in why. */
int mlops__decision_payload_check(const void *p, size_t n, char *why, size_t whyn);

/* mlops_audit_verify's check of gates and splits against the log
 * (audit_gates.c): MLOPS_ECORRUPT naming fn when a gate row or an alias's
 * split is not what the alias's last event recorded. */
int mlops__audit_check_gates(mlops__conn *c, const char *fn);

/* The routing salt of (model_id, alias) into out (32 hex digits and NUL):
 * *found = 0 when the alias was never set. */
int mlops__alias_salt_read(mlops__conn *c, int64_t model_id, const char *alias, char out[33],
                           int *found);

#endif
