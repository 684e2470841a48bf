/* What a refused statement tried to do, in words, for the message of an
 * MLOPS_EPERM (SQLSTATE 42501, insufficient_privilege): the server's own
 * message names the table, not the action, and comes in the server's
 * language. The action is read from the statement we sent: its verb
 * (INSERT, UPDATE, DELETE, TRUNCATE; a SELECT reads) and the table it
 * writes, named as doc/shared-stores.md names what each role may do. */
#include "db/postgres/pg.h"

#include <stdio.h>
#include <string.h>

/* A table's rows as the roles' documentation calls them. */
static const struct {
    const char *table;
    const char *noun;
} nouns[] = {
    { "meta", "the store's facts" },
    { "cas_object", "artifacts" },
    { "cas_content", "artifacts" },
    { "cas_chunk", "artifacts" },
    { "cas_tree_child", "artifacts" },
    { "cas_ref", "references" },
    { "experiments", "experiments" },
    { "experiment_tags", "experiment tags" },
    { "runs", "runs" },
    { "run_params", "params" },
    { "run_tags", "run tags" },
    { "metric_series", "metrics" },
    { "metric_blocks", "metrics" },
    { "run_lineage", "lineage" },
    { "reg_models", "models" },
    { "reg_model_tags", "model tags" },
    { "reg_versions", "model versions" },
    { "reg_version_tags", "version tags" },
    { "reg_aliases", "aliases" },
    { "reg_policy_keys", "signing policies" },
    { "reg_signatures", "signatures" },
    { "reg_gates", "promotion gates" },
    { "reg_alias_salts", "aliases" },
    { "audit_events", "audit events" },
};

enum { ADD, CHANGE, DELETE };

/* The table after the first of INSERT INTO / UPDATE / DELETE FROM /
 * TRUNCATE in sql (an INSERT's ON CONFLICT ... DO UPDATE comes after its
 * INSERT INTO), and *verb; NULL when sql writes no table. */
static const char *write_target(const char *sql, int *verb)
{
    static const struct {
        const char *kw;
        int verb;
    } kw[] = { { "INSERT INTO ", ADD }, { "UPDATE ", CHANGE }, { "DELETE FROM ", DELETE },
               { "TRUNCATE ", DELETE } };
    const char *best = NULL;
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        const char *p = strstr(sql, kw[i].kw);
        if (p && (!best || p < best)) {
            best = p + strlen(kw[i].kw);
            *verb = kw[i].verb;
        }
    }
    return best;
}

void mlops__pg_note_denied(mlops__pg_conn *c, const char *sql)
{
    c->denied[0] = '\0';
    if (!sql) return;
    while (*sql == ' ' || *sql == '\n') sql++;
    int verb = ADD;
    if (strncmp(sql, "CREATE ", 7) == 0) {
        snprintf(c->denied, sizeof c->denied, "create tables");
        return;
    }
    const char *t = strncmp(sql, "SELECT", 6) == 0 ? NULL : write_target(sql, &verb);
    if (!t) {
        snprintf(c->denied, sizeof c->denied, "read the store");
        return;
    }
    char table[64];
    size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_");
    if (n >= sizeof table) n = sizeof table - 1;
    memcpy(table, t, n);
    table[n] = '\0';
    const char *noun = NULL;
    for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
        if (strcmp(nouns[i].table, table) == 0) noun = nouns[i].noun;
    static const char *const verbs[] = { [ADD] = "add", [CHANGE] = "change",
                                         [DELETE] = "delete" };
    if (!noun)
        snprintf(c->denied, sizeof c->denied, "%s rows of table %s", verbs[verb], table);
    else if (strcmp(table, "reg_aliases") == 0 && verb != DELETE)
        snprintf(c->denied, sizeof c->denied, "set or move aliases");
    else if (strcmp(table, "reg_policy_keys") == 0)
        snprintf(c->denied, sizeof c->denied, "change signing policies");
    else if (strcmp(table, "reg_gates") == 0)
        snprintf(c->denied, sizeof c->denied, "change promotion gates");
    else if (strcmp(table, "audit_events") == 0 && verb == CHANGE)
        snprintf(c->denied, sizeof c->denied, "rewrite audit events");
    else
        snprintf(c->denied, sizeof c->denied, "%s %s", verbs[verb], noun);
}

const char *mlops__pg_role(const mlops__pg_conn *c)
{
    /* Reported by the server at login and on every change (a parameter
     * status), so it needs no query: the transaction has failed. */
    const char *r = PQparameterStatus(c->pg, "session_authorization");
    if (!r || !*r) r = PQuser(c->pg);
    return r && *r ? r : "?";
}
