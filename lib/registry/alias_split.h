/* Internal: the splits of weighted aliases as the registry stores them
 * (reg_aliases.split: the canonical text, NULL for one version at 100%
 * without a shadow; reg_alias_salts: the routing salt of a model's alias)
 * and the public mlops_alias_split object built from them. Every function
 * that takes a connection runs inside the caller's transaction. */
#ifndef MLOPS_REGISTRY_ALIAS_SPLIT_H
#define MLOPS_REGISTRY_ALIAS_SPLIT_H

#include "registry/alias_move.h"
#include "registry/registry_internal.h"
#include "registry/split.h"

struct mlops_alias_split {
    char *alias;                          /* malloc'd */
    char *salt;                           /* malloc'd, "" when none */
    mlops__split split;                   /* valid, legs sorted */
    char text[MLOPS__SPLIT_TEXT_MAX];     /* canonical */
};

/* A new object of (alias, split, salt); salt NULL means "". The split must
 * be valid. MLOPS_OK or MLOPS_ENOMEM. */
int mlops__alias_split_new(const char *alias, const mlops__split *sp, const char *salt,
                           mlops_alias_split **out);

/* The current split and salt of alias `alias` of model model_id (named
 * model in messages): alias_move.h's mlops__alias_split_read with the
 * public function's messages, and reserved aliases ("latest", "v3") as
 * their one version with no salt. *salt (may be NULL to skip) is
 * malloc'd, NULL when the alias has none. MLOPS_ENOTFOUND when the alias
 * is not set, MLOPS_ECORRUPT when the stored split does not decode. */
int mlops__alias_split_now(mlops__conn *c, const char *fn, const char *model, int64_t model_id,
                           const char *alias, mlops__split *out, char **salt);

/* The stored salt of (model_id, alias) into *salt (malloc'd), NULL when
 * there is none. */
int mlops__alias_salt_get(mlops__conn *c, int64_t model_id, const char *alias, char **salt);

/* The audit actions that set, move or remove an alias (alias_move.c
 * writes them): the split after the event is its payload's {"split":
 * TEXT}, or its new value "N" when it has no split payload; alias.delete
 * leaves none. */
#define MLOPS__ALIAS_MOVE_ACTIONS "('alias.set', 'alias.move', 'alias.delete')"

/* The split after one alias event from its new value and payload (NULL
 * when none): MLOPS_OK, or MLOPS_ECORRUPT naming fn, the alias and the
 * value. */
int mlops__alias_split_of_event(const char *fn, const char *model, const char *alias,
                                const char *new_value, const void *payload, size_t payload_len,
                                mlops__split *out);

/* The split a settable alias had as of time_ms (after every event with a
 * time <= time_ms), from the audit log: MLOPS_ENOTFOUND (naming fn) when
 * it was not set then. */
int mlops__alias_split_at(mlops__conn *c, const char *fn, const char *model, int64_t model_id,
                          const char *alias, int64_t time_ms, mlops__split *out);

#endif
