/* Internal: the words of the search language (doc/search.md) — fields,
 * literals, keywords and errors that name their position. The filter and
 * ORDER BY parser (filter_parse.c) is built on them, and so are the
 * registry's gate conditions (lib/registry/gate_parse.c), which extend the
 * filter language: one spelling of a field or a number for both. */
#ifndef MLOPS_TRACK_FILTER_LEX_H
#define MLOPS_TRACK_FILTER_LEX_H

#include "track/filter.h"
#include "util/err.h"

#include <stddef.h>

/* A text being read: errors name func, what ("filter", "order_by", "gate
 * condition") and the 1-based position. rc keeps the first error. */
typedef struct mlops__lexer {
    const char *func, *what;
    const char *src;
    size_t len, pos;
    int rc;
} mlops__lexer;

/* A field as parsed: the tree's field, and what messages need. */
typedef struct mlops__lex_field {
    mlops__field f;
    int is_status;
    int aggregate_given; /* metrics: the text named the aggregate */
    size_t pos;    /* where the field starts (0-based) */
    char text[64]; /* how to name it in messages */
} mlops__lex_field;

/* A literal and where it starts. */
typedef struct mlops__lex_literal {
    mlops__literal v;
    size_t pos;
} mlops__lex_literal;

/* Sets the first error, MLOPS_EINVAL "<func>: bad <what> at position N:
 * <why>; near ...", and returns p->rc. */
int mlops__lex_error(mlops__lexer *p, size_t pos, const char *fmt, ...) MLOPS__PRINTF(3, 4);
/* Sets MLOPS_ENOMEM as the first error and returns p->rc. */
int mlops__lex_oom(mlops__lexer *p);

void mlops__lex_skip_space(mlops__lexer *p);
/* The next character after spaces, '\0' at the end (not consumed). */
char mlops__lex_peek(mlops__lexer *p);
/* Consumes keyword kw (any case) when it is next as a whole word. */
int mlops__lex_keyword(mlops__lexer *p, const char *kw);

/* Consumes a comparison operator (= == != <> < <= > >=) and returns its
 * canonical spelling (= <> < <= > >=), or NULL with nothing consumed. */
const char *mlops__lex_compare_op(mlops__lexer *p);

/* A field: metrics.<key>[.<aggregate>], params.<key>, tags.<key> or an
 * attribute, keys quoted with `...` or "..." when they need it. f is
 * zeroed first; release f->f with mlops__field_free even on error. */
int mlops__lex_field_parse(mlops__lexer *p, mlops__lex_field *f);
/* A 'quoted string' or a number; release lit->v with mlops__literal_free. */
int mlops__lex_literal_parse(mlops__lexer *p, mlops__lex_literal *lit);

void mlops__literal_free(mlops__literal *l);
void mlops__field_free(mlops__field *f);

/* Whether s is NULL, empty or only spaces. */
int mlops__lex_blank(const char *s);
/* MLOPS_EINVAL when s is longer than MLOPS__FILTER_TEXT_MAX or not UTF-8. */
int mlops__lex_check_text(const char *func, const char *what, const char *s);

#endif
