/* The search language (doc/search.md): a recursive-descent parser over the
 * filter and ORDER BY texts that builds the normalised tree of filter.h
 * and checks every rule and limit a caller can break, with the position.
 * Nothing here knows SQL: filter_sql.c renders the tree. */
#include "track/filter.h"
#include "track/filter_lex.h"
#include "track/track_internal.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tree ---- */

static void node_free(mlops__fnode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->nkids; i++) node_free(n->kids[i]);
    free(n->kids);
    for (size_t i = 0; i < n->nvalues; i++) mlops__literal_free(&n->values[i]);
    free(n->values);
    mlops__field_free(&n->field);
    free(n->facet_ids);
    free(n);
}

static mlops__fnode *node_new(mlops__lexer *p, enum mlops__fnode_kind kind)
{
    mlops__fnode *n = calloc(1, sizeof *n);
    if (!n) mlops__lex_oom(p);
    else n->kind = kind;
    return n;
}

/* A predicate over field f (which the node takes over). */
static mlops__fnode *leaf_new(mlops__lexer *p, enum mlops__fnode_kind kind, mlops__lex_field *f)
{
    mlops__fnode *n = node_new(p, kind);
    if (!n) return NULL;
    n->field = f->f;
    f->f.key = NULL;
    return n;
}

/* Appends value l (taken over) to a predicate. */
static int add_value(mlops__lexer *p, mlops__fnode *n, mlops__lex_literal *l)
{
    if (n->nvalues == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 1;
        mlops__literal *grown = realloc(n->values, cap * sizeof *grown);
        if (!grown) return mlops__lex_oom(p);
        n->values = grown;
        n->cap = cap;
    }
    n->values[n->nvalues++] = l->v;
    l->v.s = NULL;
    return MLOPS_OK;
}

/* Adds kid (taken over, freed on error) to the AND or OR node n; a kid of
 * the same kind gives its children instead, so chains and redundant
 * parentheses never nest. */
static int add_kid(mlops__lexer *p, mlops__fnode *n, mlops__fnode *kid)
{
    if (kid->kind == n->kind) {
        for (size_t i = 0; i < kid->nkids; i++) {
            if (add_kid(p, n, kid->kids[i])) {
                for (size_t j = i + 1; j < kid->nkids; j++) node_free(kid->kids[j]);
                kid->nkids = 0;
                node_free(kid);
                return p->rc;
            }
        }
        kid->nkids = 0;
        node_free(kid);
        return MLOPS_OK;
    }
    if (n->nkids == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 4;
        mlops__fnode **grown = realloc(n->kids, cap * sizeof *grown);
        if (!grown) {
            node_free(kid);
            return mlops__lex_oom(p);
        }
        n->kids = grown;
        n->cap = cap;
    }
    n->kids[n->nkids++] = kid;
    return MLOPS_OK;
}

/* NOT n, in place: De Morgan down to the predicates. AND and OR swap, so a
 * child still never has its parent's kind. Exact because predicates are
 * never unknown (doc/search.md). */
static void negate(mlops__fnode *n)
{
    switch (n->kind) {
    case MLOPS__N_AND:
    case MLOPS__N_OR:
        n->kind = n->kind == MLOPS__N_AND ? MLOPS__N_OR : MLOPS__N_AND;
        for (size_t i = 0; i < n->nkids; i++) negate(n->kids[i]);
        break;
    default: n->negated = !n->negated; break;
    }
}

/* ---- predicates ---- */

static int check_type(mlops__lexer *p, const mlops__lex_field *f, const mlops__lex_literal *l)
{
    if (f->f.kind == MLOPS__F_PARAM || f->f.kind == MLOPS__F_TAG) return MLOPS_OK;
    if (f->f.type == l->v.type) return MLOPS_OK;
    return mlops__lex_error(p, l->pos, "%s compares with %s", f->text,
                f->f.type == MLOPS__T_NUMBER ? "numbers, not strings"
                                             : "'quoted strings', not numbers");
}

static const char *const statuses[] = { "RUNNING", "FINISHED", "FAILED", "KILLED" };

static int check_status(mlops__lexer *p, const mlops__lex_field *f, const mlops__lex_literal *l)
{
    if (!f->is_status || l->v.type != MLOPS__T_TEXT) return MLOPS_OK;
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(l->v.s, statuses[i])) return MLOPS_OK;
    return mlops__lex_error(p, l->pos, "unknown status '%.40s' (RUNNING, FINISHED, FAILED or KILLED)", l->v.s);
}

/* A pattern may not end with a lone '\' (an odd run of them). */
static int check_pattern(mlops__lexer *p, int ilike, const mlops__lex_literal *l)
{
    size_t run = 0;
    for (size_t i = l->v.slen; i > 0 && l->v.s[i - 1] == '\\'; i--) run++;
    if (run % 2)
        return mlops__lex_error(p, l->pos, "a%s pattern cannot end with a lone '\\'",
                    ilike ? "n ILIKE" : " LIKE");
    return MLOPS_OK;
}

static mlops__fnode *parse_like(mlops__lexer *p, mlops__lex_field *f, int negate_value, int ilike)
{
    mlops__lex_literal l;
    if (mlops__lex_literal_parse(p, &l)) return NULL;
    if (f->f.kind == MLOPS__F_METRIC || f->f.type == MLOPS__T_NUMBER)
        mlops__lex_error(p, f->pos, "%s is a number: LIKE and ILIKE take text fields", f->text);
    else if (l.v.type != MLOPS__T_TEXT)
        mlops__lex_error(p, l.pos, "LIKE and ILIKE take a 'quoted pattern'");
    else
        check_pattern(p, ilike, &l);
    mlops__fnode *n = p->rc ? NULL : leaf_new(p, MLOPS__N_LIKE, f);
    if (n) {
        n->value_negated = negate_value;
        n->ilike = ilike;
        add_value(p, n, &l);
    }
    mlops__literal_free(&l.v);
    return n;
}

static mlops__fnode *parse_compare(mlops__lexer *p, mlops__lex_field *f, const char *op)
{
    mlops__lex_literal l;
    if (mlops__lex_literal_parse(p, &l)) return NULL;
    mlops__fnode *n = NULL;
    if (!check_type(p, f, &l) && !check_status(p, f, &l)) n = leaf_new(p, MLOPS__N_COMPARE, f);
    if (n) {
        n->op = op;
        add_value(p, n, &l);
    }
    mlops__literal_free(&l.v);
    return n;
}

static mlops__fnode *parse_in(mlops__lexer *p, mlops__lex_field *f, int negate_value)
{
    size_t open = p->pos;
    if (mlops__lex_peek(p) != '(') {
        mlops__lex_error(p, p->pos, "expected '(' and a list of values after IN");
        return NULL;
    }
    p->pos++;
    mlops__fnode *n = leaf_new(p, MLOPS__N_IN, f);
    if (!n) return NULL;
    n->value_negated = negate_value;
    do {
        if (n->nvalues) p->pos++; /* the ',' */
        mlops__lex_literal l;
        if (mlops__lex_literal_parse(p, &l)) break;
        if (n->nvalues && l.v.type != n->values[0].type)
            mlops__lex_error(p, l.pos, "the values of an IN list must all be %s",
                 n->values[0].type == MLOPS__T_NUMBER ? "numbers" : "strings");
        else if (!check_type(p, f, &l) && !check_status(p, f, &l) && n->nvalues == MLOPS__IN_MAX)
            mlops__lex_error(p, l.pos, "an IN list holds at most %d values", MLOPS__IN_MAX);
        if (!p->rc) add_value(p, n, &l);
        mlops__literal_free(&l.v);
    } while (!p->rc && mlops__lex_peek(p) == ',');
    if (!p->rc && mlops__lex_peek(p) != ')')
        mlops__lex_error(p, p->pos, "expected ',' or ')' in the IN list opened at position %zu", open + 1);
    if (p->rc) {
        node_free(n);
        return NULL;
    }
    p->pos++;
    return n;
}

static mlops__fnode *parse_predicate(mlops__lexer *p)
{
    mlops__lex_field f;
    mlops__fnode *n = NULL;
    if (mlops__lex_field_parse(p, &f)) {
        mlops__field_free(&f.f);
        return NULL;
    }
    mlops__lex_skip_space(p);
    size_t oppos = p->pos;
    if (mlops__lex_keyword(p, "IS")) {
        int not_null = mlops__lex_keyword(p, "NOT");
        if (!mlops__lex_keyword(p, "NULL")) {
            mlops__lex_error(p, p->pos, "expected NULL after IS%s", not_null ? " NOT" : "");
        } else if ((n = leaf_new(p, MLOPS__N_EXISTS, &f)) != NULL) {
            n->negated = !not_null;
        }
    } else {
        int negate_value = mlops__lex_keyword(p, "NOT");
        int ilike = mlops__lex_keyword(p, "ILIKE");
        if (ilike || mlops__lex_keyword(p, "LIKE")) {
            n = parse_like(p, &f, negate_value, ilike);
        } else if (mlops__lex_keyword(p, "IN")) {
            n = parse_in(p, &f, negate_value);
        } else if (negate_value) {
            mlops__lex_error(p, p->pos, "expected LIKE, ILIKE or IN after NOT");
        } else {
            const char *op = mlops__lex_compare_op(p);
            if (!op)
                mlops__lex_error(p, oppos, "expected an operator after %s: = != < <= > >= LIKE ILIKE IN IS",
                     f.text);
            else
                n = parse_compare(p, &f, op);
        }
    }
    mlops__field_free(&f.f);
    return n;
}

/* ---- the grammar ---- */

static mlops__fnode *parse_or(mlops__lexer *p, int depth);

/* not = { "NOT" } primary: a chain of NOTs is read as a count (it does
 * not nest anything), primary = "(" or ")" | predicate. */
static mlops__fnode *parse_not(mlops__lexer *p, int depth)
{
    int nots = 0;
    while (mlops__lex_keyword(p, "NOT")) nots++;
    mlops__fnode *n;
    if (mlops__lex_peek(p) == '(') {
        size_t open = p->pos++;
        if (depth == MLOPS__FILTER_DEPTH_MAX) {
            mlops__lex_error(p, open, "nested too deeply: at most %d levels of parentheses",
                 MLOPS__FILTER_DEPTH_MAX);
            return NULL;
        }
        if (!(n = parse_or(p, depth + 1))) return NULL;
        if (mlops__lex_peek(p) != ')') {
            mlops__lex_error(p, p->pos, "expected ')' to close the '(' at position %zu", open + 1);
            node_free(n);
            return NULL;
        }
        p->pos++;
    } else if (!(n = parse_predicate(p))) {
        return NULL;
    }
    if (nots % 2) negate(n);
    return n;
}

/* and = not { "AND" not }; or = and { "OR" and }. One operand is returned
 * as it is; more become one n-ary node. */
static mlops__fnode *parse_chain(mlops__lexer *p, int depth, enum mlops__fnode_kind kind);

static mlops__fnode *parse_operand(mlops__lexer *p, int depth, enum mlops__fnode_kind kind)
{
    return kind == MLOPS__N_AND ? parse_not(p, depth) : parse_chain(p, depth, MLOPS__N_AND);
}

static mlops__fnode *parse_chain(mlops__lexer *p, int depth, enum mlops__fnode_kind kind)
{
    const char *kw = kind == MLOPS__N_AND ? "AND" : "OR";
    mlops__fnode *first = parse_operand(p, depth, kind);
    if (!first || !mlops__lex_keyword(p, kw)) return first;
    mlops__fnode *n = node_new(p, kind);
    if (!n || add_kid(p, n, first)) {
        if (!n) node_free(first);
        node_free(n);
        return NULL;
    }
    do {
        mlops__fnode *kid = parse_operand(p, depth, kind);
        if (!kid || add_kid(p, n, kid)) {
            node_free(n);
            return NULL;
        }
    } while (mlops__lex_keyword(p, kw));
    return n;
}

static mlops__fnode *parse_or(mlops__lexer *p, int depth)
{
    return parse_chain(p, depth, MLOPS__N_OR);
}

static int parse_filter(mlops__lexer *p, mlops__fnode **out)
{
    if (mlops__lex_blank(p->src)) return MLOPS_OK;
    mlops__fnode *n = parse_or(p, 0);
    if (!n) return p->rc;
    mlops__lex_skip_space(p);
    if (p->pos < p->len) {
        node_free(n);
        if (p->src[p->pos] == ')') return mlops__lex_error(p, p->pos, "unbalanced ')'");
        return mlops__lex_error(p, p->pos, "expected AND, OR or the end of the filter");
    }
    *out = n;
    return MLOPS_OK;
}

static int parse_order(mlops__lexer *p, mlops__search_tree *t)
{
    if (mlops__lex_blank(p->src)) {
        t->keys[0].field.kind = MLOPS__F_ATTR;
        t->keys[0].field.column = "r.start_ms";
        t->keys[0].field.type = MLOPS__T_NUMBER;
        t->keys[0].desc = 1;
        t->nkeys = 1;
        return MLOPS_OK;
    }
    for (;;) {
        if (t->nkeys == MLOPS__ORDER_MAX)
            return mlops__lex_error(p, p->pos, "at most %d ORDER BY keys", MLOPS__ORDER_MAX);
        mlops__lex_field f;
        if (mlops__lex_field_parse(p, &f)) {
            mlops__field_free(&f.f);
            return p->rc;
        }
        mlops__order_key *k = &t->keys[t->nkeys++];
        k->field = f.f;
        if (mlops__lex_keyword(p, "DESC")) k->desc = 1;
        else mlops__lex_keyword(p, "ASC");
        if (mlops__lex_peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len)
            return mlops__lex_error(p, p->pos, "expected ASC, DESC, ',' or the end of the ORDER BY");
        return MLOPS_OK;
    }
}

int mlops__search_parse(const char *func, const char *filter, const char *order_by,
                        mlops__search_tree *t)
{
    if (filter && mlops__lex_check_text(func, "filter", filter)) return MLOPS_EINVAL;
    if (order_by && mlops__lex_check_text(func, "order_by", order_by)) return MLOPS_EINVAL;
    mlops__lexer p = { func, "filter", filter ? filter : "", filter ? strlen(filter) : 0, 0,
                        MLOPS_OK };
    if (parse_filter(&p, &t->filter)) return p.rc;
    mlops__lexer o = { func, "order_by", order_by ? order_by : "",
                        order_by ? strlen(order_by) : 0, 0, MLOPS_OK };
    return parse_order(&o, t);
}

void mlops__search_tree_free(mlops__search_tree *t)
{
    node_free(t->filter);
    t->filter = NULL;
    for (size_t i = 0; i < t->nkeys; i++) mlops__field_free(&t->keys[i].field);
    t->nkeys = 0;
}
