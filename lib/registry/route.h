/* Internal: routing keys (user ids, request ids: any bytes) to the versions
 * of a split (split.h), deterministically, without state or history. The
 * rule, precisely enough for another implementation (doc/delivery.md):
 *
 *   bucket(salt, key) = murmur3_x86_32(salt || "/" || key, seed 0) mod 10000
 *
 * over the raw bytes of the salt and the key. The legs of the split, by
 * ascending version, own consecutive ranges of buckets from 0: the leg
 * with weight w whose lower-numbered legs weigh L in total owns buckets
 * [100 L, 100 (L + w)). A key goes to the leg owning its bucket. The shadow
 * version owns nothing.
 *
 * Sticky: the version of a key depends only on (salt, split, key), so it
 * never changes while the split does not, and going back to an earlier
 * split (a rollback) gives every key back the version it had then.
 *
 * Monotone: leg v owns [100 L, 10000 - 100 R), L and R the total weights of
 * the versions numbered below and above v. A move S -> S' keeps every key
 * of v on v exactly when neither L nor R grows (the range can only widen
 * at both ends; if L grew, bucket 100 L would leave v; if R grew, the last
 * bucket would). When one version's weight rises and no other version's
 * does (a canary ramp, 3:90,4:10 -> 3:50,4:50; or 3:80,4:10,5:10 ->
 * 3:60,4:10,5:30 for 5), L and R of the raised version are sums of weights
 * that did not rise, so neither grows: no key leaves the raised version.
 * Full promotion (v:100) is the limit: every key goes to v and none of v's
 * leaves it. What the rule does not promise, and no rule that depends only
 * on the split can (doc/delivery.md gives the argument): that a version
 * whose weight did not change keeps its keys when share moves between two
 * versions numbered on either side of it (4 in the second example). */
#ifndef MLOPS_REGISTRY_ROUTE_H
#define MLOPS_REGISTRY_ROUTE_H

#include "registry/split.h"
#include "util/murmur3.h"

#include <stddef.h>
#include <stdint.h>

#define MLOPS__ROUTE_BUCKETS 10000u

/* Everything routing needs, built once per (split, salt): the hash state
 * after "salt/" and the leg of every bucket. A plain value of about 10 KB,
 * owned by the caller (no allocation); read-only once built, so any number
 * of threads may route from one snapshot. */
typedef struct mlops__route_snapshot {
    mlops__murmur3 prefix;                 /* murmur3 state after salt "/" */
    mlops__split split;                    /* checked, legs sorted */
    int64_t version[MLOPS__SPLIT_MAX];     /* version of leg i */
    uint8_t leg[MLOPS__ROUTE_BUCKETS];     /* leg index of each bucket */
} mlops__route_snapshot;

/* The bucket of a key: 0..9999. */
uint32_t mlops__route_bucket(const void *salt, size_t salt_len, const void *key, size_t key_len);

/* The index of the leg of a valid split that owns bucket b (< 10000):
 * the rule itself, which the snapshot's table caches. */
size_t mlops__route_leg_of_bucket(const mlops__split *s, uint32_t b);

/* The version a key goes to, straight from a valid split (no table): for a
 * single routing call where building a snapshot would cost more. */
int64_t mlops__route_split(const mlops__split *s, const void *salt, size_t salt_len, const void *key,
                           size_t key_len);

/* Builds a snapshot of split (checked as mlops__split_check does; the
 * caller's copy is not changed) and salt (salt_len bytes, NULL when 0).
 * MLOPS_OK or MLOPS_EINVAL naming fn. */
int mlops__route_snapshot_init(const char *fn, mlops__route_snapshot *snap, const mlops__split *split,
                               const void *salt, size_t salt_len);

/* The version key goes to: no allocation, no lock, no database. */
static inline int64_t mlops__route_key(const mlops__route_snapshot *snap, const void *key, size_t key_len)
{
    mlops__murmur3 st = snap->prefix;
    mlops__murmur3_update(&st, key, key_len);
    return snap->version[snap->leg[mlops__murmur3_final(&st) % MLOPS__ROUTE_BUCKETS]];
}

#endif
