/* Gate conditions (gate.h, doc/gates.md): a recursive-descent parser
 * built on the search language's words (lib/track/filter_lex.h), so that
 * a field, a number and an operator are spelled as in a runs search, and
 * the canonical text a parsed condition is stored as. */
#include "registry/gate.h"
#include "track/filter_lex.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FAIR_KEY_MAX 250

static void ref_free(mlops__gate_ref *r)
{
    free(r->key);
    r->key = NULL;
}

static void expr_free(mlops__gate_expr *e)
{
    if (!e) return;
    expr_free(e->a);
    expr_free(e->b);
    ref_free(&e->ref);
    free(e);
}

void mlops__gate_cond_free(mlops__gate_cond *c)
{
    ref_free(&c->left);
    expr_free(c->right);
    c->right = NULL;
}

static int is_fair_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
}

/* "fair" "(" KEY ")", "fair" already consumed. */
static int parse_fair(mlops__lexer *p, mlops__gate_ref *r)
{
    if (mlops__lex_peek(p) != '(') return mlops__lex_error(p, p->pos, "expected '(' after fair");
    p->pos++;
    mlops__lex_skip_space(p);
    size_t start = p->pos;
    while (p->pos < p->len && is_fair_key_char(p->src[p->pos])) p->pos++;
    size_t n = p->pos - start;
    if (!n)
        return mlops__lex_error(p, start, "expected a fairness measure's name in fair(...), "
                                          "e.g. fair(demographic_parity_difference)");
    if (n > FAIR_KEY_MAX)
        return mlops__lex_error(p, start, "a fairness measure's name is at most %d bytes",
                                FAIR_KEY_MAX);
    if (mlops__lex_peek(p) != ')')
        return mlops__lex_error(p, p->pos, "expected ')' after the fairness measure's name");
    p->pos++;
    r->fair = 1;
    if (!(r->key = malloc(n + 1))) return mlops__lex_oom(p);
    memcpy(r->key, p->src + start, n);
    r->key[n] = '\0';
    return MLOPS_OK;
}

/* metrics.KEY[.AGGREGATE] or fair(KEY), for the candidate or (after
 * "baseline.") the baseline. */
static int parse_ref(mlops__lexer *p, mlops__gate_ref *r, int baseline, int evaluation)
{
    memset(r, 0, sizeof *r);
    r->baseline = baseline;
    if (mlops__lex_keyword(p, "fair")) return parse_fair(p, r);
    mlops__lex_field f;
    if (mlops__lex_field_parse(p, &f)) {
        mlops__field_free(&f.f);
        return p->rc;
    }
    if (f.f.kind != MLOPS__F_METRIC) {
        mlops__field_free(&f.f);
        return mlops__lex_error(p, f.pos,
                                "a gate reads metrics.<key> or fair(<measure>), not %s", f.text);
    }
    if (evaluation && f.aggregate_given && strcmp(f.f.column, "last") != 0) {
        mlops__field_free(&f.f);
        return mlops__lex_error(p, f.pos,
                                "the gate names a dataset, so %s is an evaluation metric, which "
                                "has one value and no aggregate",
                                f.text);
    }
    r->key = f.f.key;
    r->aggregate = f.f.column;
    r->aggregate_given = f.aggregate_given;
    return MLOPS_OK;
}

static mlops__gate_expr *expr_new(mlops__lexer *p, enum mlops__gate_expr_kind kind)
{
    mlops__gate_expr *e = calloc(1, sizeof *e);
    if (!e) mlops__lex_oom(p);
    else e->kind = kind;
    return e;
}

static mlops__gate_expr *parse_sum(mlops__lexer *p, int depth, int evaluation, int *baseline);

/* factor = number | "(" sum ")" | "-" factor | "baseline." ref */
static mlops__gate_expr *parse_factor(mlops__lexer *p, int depth, int evaluation, int *baseline)
{
    if (depth > MLOPS__GATE_DEPTH_MAX) {
        mlops__lex_error(p, p->pos, "the expression nests more than %d levels",
                         MLOPS__GATE_DEPTH_MAX);
        return NULL;
    }
    char c = mlops__lex_peek(p);
    char next = p->pos + 1 < p->len ? p->src[p->pos + 1] : '\0';
    if (c == '(') {
        size_t open = p->pos++;
        mlops__gate_expr *e = parse_sum(p, depth + 1, evaluation, baseline);
        if (e && mlops__lex_peek(p) != ')') {
            mlops__lex_error(p, p->pos, "expected ')' to close the '(' at position %zu",
                             open + 1);
            expr_free(e);
            return NULL;
        }
        if (e) p->pos++;
        return e;
    }
    if (c == '-' && !(next >= '0' && next <= '9') && next != '.') {
        p->pos++;
        mlops__gate_expr *e = expr_new(p, MLOPS__GX_NEG);
        if (e && !(e->a = parse_factor(p, depth + 1, evaluation, baseline))) {
            expr_free(e);
            return NULL;
        }
        return e;
    }
    if ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == '\'') {
        mlops__lex_literal l;
        if (mlops__lex_literal_parse(p, &l)) return NULL;
        if (l.v.type != MLOPS__T_NUMBER) {
            mlops__literal_free(&l.v);
            mlops__lex_error(p, l.pos, "a gate compares numbers, not strings");
            return NULL;
        }
        mlops__gate_expr *e = expr_new(p, MLOPS__GX_NUMBER);
        /* "-0" is read as an integer, which has no negative zero; the
         * canonical text of -0.0 is "-0", so it must read back as -0.0 */
        double v = l.v.is_int ? (double)l.v.i : l.v.d;
        if (v == 0 && p->src[l.pos] == '-') v = -0.0;
        if (e) e->number = v;
        return e;
    }
    size_t at = p->pos;
    if (mlops__lex_keyword(p, "baseline")) {
        if (p->pos >= p->len || p->src[p->pos] != '.') {
            mlops__lex_error(p, p->pos, "expected '.' after baseline: baseline.metrics.<key> or "
                                        "baseline.fair(<measure>)");
            return NULL;
        }
        p->pos++;
        mlops__gate_expr *e = expr_new(p, MLOPS__GX_REF);
        if (e && parse_ref(p, &e->ref, 1, evaluation)) {
            expr_free(e);
            return NULL;
        }
        *baseline = 1;
        return e;
    }
    mlops__lex_error(p, at,
                     "expected a number, baseline.metrics.<key>, baseline.fair(<measure>), '(' "
                     "or '-' (the candidate's own values go on the left side)");
    return NULL;
}

static mlops__gate_expr *binary(mlops__lexer *p, enum mlops__gate_expr_kind kind,
                                mlops__gate_expr *a, mlops__gate_expr *b)
{
    mlops__gate_expr *e = a && b ? expr_new(p, kind) : NULL;
    if (!e) {
        expr_free(a);
        expr_free(b);
        return NULL;
    }
    e->a = a;
    e->b = b;
    return e;
}

/* product = factor { ("*" | "/") factor } */
static mlops__gate_expr *parse_product(mlops__lexer *p, int depth, int evaluation, int *baseline)
{
    mlops__gate_expr *e = parse_factor(p, depth, evaluation, baseline);
    for (char c; e && ((c = mlops__lex_peek(p)) == '*' || c == '/');) {
        p->pos++;
        e = binary(p, c == '*' ? MLOPS__GX_MUL : MLOPS__GX_DIV, e,
                   parse_factor(p, depth, evaluation, baseline));
    }
    return e;
}

/* sum = product { ("+" | "-") product } */
static mlops__gate_expr *parse_sum(mlops__lexer *p, int depth, int evaluation, int *baseline)
{
    mlops__gate_expr *e = parse_product(p, depth, evaluation, baseline);
    for (char c; e && ((c = mlops__lex_peek(p)) == '+' || c == '-');) {
        p->pos++;
        e = binary(p, c == '+' ? MLOPS__GX_ADD : MLOPS__GX_SUB, e,
                   parse_product(p, depth, evaluation, baseline));
    }
    return e;
}

static int parse_compare(mlops__lexer *p, mlops__gate_cond *c, int evaluation)
{
    c->kind = MLOPS__GC_COMPARE;
    if (parse_ref(p, &c->left, 0, evaluation)) return p->rc;
    size_t at = (mlops__lex_skip_space(p), p->pos);
    if (!(c->op = mlops__lex_compare_op(p)))
        return mlops__lex_error(p, at, "expected a comparison after the left side: = != < <= > >=");
    c->right = parse_sum(p, 0, evaluation, &c->uses_baseline);
    return c->right ? MLOPS_OK : p->rc;
}

int mlops__gate_cond_parse(const char *fn, const char *text, int evaluation,
                           mlops__gate_cond *c)
{
    memset(c, 0, sizeof *c);
    if (!text) return mlops__err(MLOPS_EINVAL, "%s: a gate condition is NULL", fn);
    size_t n = strnlen(text, MLOPS__GATE_TEXT_MAX + 1);
    if (n > MLOPS__GATE_TEXT_MAX)
        return mlops__err(MLOPS_EINVAL, "%s: a gate condition is longer than %d bytes", fn,
                          MLOPS__GATE_TEXT_MAX);
    if (!mlops__utf8_valid(text, n))
        return mlops__err(MLOPS_EINVAL, "%s: a gate condition is not valid UTF-8", fn);
    mlops__lexer p = { fn, "gate condition", text, n, 0, MLOPS_OK };
    if (mlops__lex_blank(text)) return mlops__lex_error(&p, 0, "the condition is empty");
    if (mlops__lex_keyword(&p, "signed")) c->kind = MLOPS__GC_SIGNED;
    else if (mlops__lex_keyword(&p, "validated")) c->kind = MLOPS__GC_VALIDATED;
    else if (parse_compare(&p, c, evaluation)) return p.rc;
    mlops__lex_skip_space(&p);
    if (p.pos < p.len)
        return mlops__lex_error(&p, p.pos, c->kind == MLOPS__GC_COMPARE
                                               ? "expected + - * / or the end of the condition"
                                               : "expected the end of the condition");
    /* What is stored is the canonical text, which must parse again: its
     * numbers may be longer than written ("1e20"). */
    char *canonical = mlops__gate_cond_text(c);
    if (!canonical) return mlops__err_nomem("reading a gate condition");
    size_t clen = strlen(canonical);
    free(canonical);
    if (clen > MLOPS__GATE_TEXT_MAX)
        return mlops__err(MLOPS_EINVAL,
                          "%s: a gate condition is longer than %d bytes once written in its "
                          "canonical form",
                          fn, MLOPS__GATE_TEXT_MAX);
    return MLOPS_OK;
}

/* ---- canonical text ---- */

static int is_aggregate(const char *s, size_t n)
{
    static const char *const names[] = { "last", "min", "max", "count" };
    for (size_t i = 0; i < 4; i++)
        if (strlen(names[i]) == n && !strncasecmp(s, names[i], n)) return 1;
    return 0;
}

/* A metric key as the search language reads it back: bare when it can be,
 * else in backticks with a backtick doubled. */
static void add_key(mlops__buf *b, const char *key)
{
    size_t n = strlen(key);
    int bare = n > 0 && key[0] != '.' && key[n - 1] != '.' && !strstr(key, "..");
    for (size_t i = 0; bare && i < n; i++) {
        unsigned char ch = (unsigned char)key[i];
        bare = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_' || ch == '-' || ch == '/' || ch == ':' || ch == '.' || ch >= 0x80;
    }
    const char *dot = strrchr(key, '.');
    if (bare && dot && is_aggregate(dot + 1, strlen(dot + 1))) bare = 0;
    if (bare) {
        mlops__buf_add(b, key);
        return;
    }
    mlops__buf_add(b, "`");
    for (const char *k = key; *k; k++) mlops__buf_add(b, *k == '`' ? "``" : (char[2]){ *k, 0 });
    mlops__buf_add(b, "`");
}

void mlops__gate_ref_text(mlops__buf *b, const mlops__gate_ref *r)
{
    if (r->baseline) mlops__buf_add(b, "baseline.");
    if (r->fair) {
        mlops__buf_addf(b, "fair(%s)", r->key);
        return;
    }
    mlops__buf_add(b, "metrics.");
    add_key(b, r->key);
    if (r->aggregate_given) mlops__buf_addf(b, ".%s", r->aggregate);
}

/* Binding strength: sums bind loosest, then products, then the rest. */
static int precedence(const mlops__gate_expr *e)
{
    return e->kind == MLOPS__GX_ADD || e->kind == MLOPS__GX_SUB   ? 1
           : e->kind == MLOPS__GX_MUL || e->kind == MLOPS__GX_DIV ? 2
                                                                  : 3;
}

static void expr_text(mlops__buf *b, const mlops__gate_expr *e);

static void operand_text(mlops__buf *b, const mlops__gate_expr *e, int parens)
{
    if (parens) mlops__buf_add(b, "(");
    expr_text(b, e);
    if (parens) mlops__buf_add(b, ")");
}

/* Parentheses only where the tree needs them to read back the same: the
 * parser groups a chain from the left, so a right operand as loose as its
 * operator is parenthesised ("a - (b - c)"), and so is any looser
 * operand. The text is thus never nested deeper than what was parsed. */
static void expr_text(mlops__buf *b, const mlops__gate_expr *e)
{
    static const char *const ops[] = { [MLOPS__GX_ADD] = " + ", [MLOPS__GX_SUB] = " - ",
                                       [MLOPS__GX_MUL] = " * ", [MLOPS__GX_DIV] = " / " };
    switch (e->kind) {
    case MLOPS__GX_NUMBER: mlops__buf_add_json_double(b, e->number); return;
    case MLOPS__GX_REF: mlops__gate_ref_text(b, &e->ref); return;
    case MLOPS__GX_NEG:
        mlops__buf_add(b, "-");
        operand_text(b, e->a, precedence(e->a) < 3);
        return;
    default:
        operand_text(b, e->a, precedence(e->a) < precedence(e));
        mlops__buf_add(b, ops[e->kind]);
        operand_text(b, e->b, precedence(e->b) <= precedence(e));
    }
}

void mlops__gate_expr_text(mlops__buf *b, const mlops__gate_expr *e)
{
    expr_text(b, e);
}

char *mlops__gate_cond_text(const mlops__gate_cond *c)
{
    mlops__buf b = MLOPS__BUF_INIT;
    if (c->kind == MLOPS__GC_SIGNED) {
        mlops__buf_add(&b, "signed");
    } else if (c->kind == MLOPS__GC_VALIDATED) {
        mlops__buf_add(&b, "validated");
    } else {
        mlops__gate_ref_text(&b, &c->left);
        mlops__buf_addf(&b, " %s ", c->op);
        mlops__gate_expr_text(&b, c->right);
    }
    char *out = NULL;
    if (mlops__buf_take(&b, &out, "writing a gate condition")) return NULL;
    return out;
}
