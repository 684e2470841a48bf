/* Internal: the split of a weighted alias — which versions an alias routes
 * traffic to and with what share — its text form ("3:90,4:10",
 * "3:90,4:10+shadow:5", a plain "4") and the checks every split passes,
 * however it was made (decoded from text, or built from a caller's array
 * by a later public function). doc/delivery.md holds the grammar.
 *
 * A valid split: 1..MLOPS__SPLIT_MAX legs, each a version >= 1 and a
 * weight 1..100 (an integer percentage), weights summing to exactly 100,
 * no version twice, legs sorted by ascending version (mlops__split_check
 * sorts them: the order is part of the routing rule, route.h); plus an
 * optional shadow version (0 = none) that receives mirrored traffic and
 * is never routed to, so it may not also be a leg. */
#ifndef MLOPS_REGISTRY_SPLIT_H
#define MLOPS_REGISTRY_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#define MLOPS__SPLIT_MAX 16
/* Room for the longest canonical text, its NUL included: 16 legs of
 * "9223372036854775807:100," and "+shadow:9223372036854775807". */
#define MLOPS__SPLIT_TEXT_MAX 448

typedef struct mlops__split_leg {
    int64_t version; /* >= 1 */
    int weight;      /* percent, 1..100 */
} mlops__split_leg;

typedef struct mlops__split {
    size_t n; /* 1..MLOPS__SPLIT_MAX */
    mlops__split_leg leg[MLOPS__SPLIT_MAX];
    int64_t shadow; /* 0: none */
} mlops__split;

/* Decodes the text form (NUL-terminated). On MLOPS_EINVAL the message is
 * "<fn>: split '<text>': <what is wrong> at column <N>" (the text shown
 * only when short and printable; columns count bytes from 1) and *out is
 * zeroed. On MLOPS_OK *out is a valid split, legs sorted. */
int mlops__split_decode(const char *fn, const char *text, mlops__split *out);
/* The same over len bytes (a NUL among them is an unexpected character). */
int mlops__split_decode_n(const char *fn, const char *text, size_t len, mlops__split *out);

/* Checks a split built in memory against the rules above and sorts its
 * legs: MLOPS_OK, or MLOPS_EINVAL "<fn>: split: <what is wrong>". */
int mlops__split_check(const char *fn, mlops__split *s);

/* Writes the canonical text of a valid split into out (NUL-terminated):
 * legs by ascending version, "N" alone for a single leg of 100, and
 * "+shadow:N" at the end when there is one. Decoding it gives the split
 * back; a split has exactly one canonical text. Returns its length. */
size_t mlops__split_encode(const mlops__split *s, char out[MLOPS__SPLIT_TEXT_MAX]);

/* The version with the largest share, the lower number on a tie: what
 * mlops_model_alias_get (1.0) answers for a split alias, and the baseline
 * of a gate. */
int64_t mlops__split_primary(const mlops__split *s);

/* The weight of version v in s, 0 when v is not a leg (the shadow
 * included: it has no share). */
int mlops__split_weight(const mlops__split *s, int64_t v);

/* 1 when a and b are the same split (both valid, so sorted), else 0. */
int mlops__split_equal(const mlops__split *a, const mlops__split *b);

#endif
