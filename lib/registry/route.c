/* Routing keys to the versions of a split: the bucket, the rule, the
 * snapshot. route.h states the rule and why a ramp is monotone under it. */
#include "registry/route.h"

#include "util/err.h"

#include <string.h>

uint32_t mlops__route_bucket(const void *salt, size_t salt_len, const void *key, size_t key_len)
{
    mlops__murmur3 st;
    mlops__murmur3_init(&st, 0);
    mlops__murmur3_update(&st, salt, salt_len);
    mlops__murmur3_update(&st, "/", 1);
    mlops__murmur3_update(&st, key, key_len);
    return mlops__murmur3_final(&st) % MLOPS__ROUTE_BUCKETS;
}

size_t mlops__route_leg_of_bucket(const mlops__split *s, uint32_t b)
{
    /* Leg i owns [100 * (w_0 + ... + w_{i-1}), 100 * (w_0 + ... + w_i)):
     * consecutive ranges by ascending version (the legs are sorted). */
    uint32_t end = 0;
    for (size_t i = 0; i < s->n; i++) {
        end += 100u * (uint32_t)s->leg[i].weight;
        if (b < end) return i;
    }
    return s->n - 1; /* not reached for a valid split: the ends add up to 10000 */
}

int64_t mlops__route_split(const mlops__split *s, const void *salt, size_t salt_len, const void *key,
                           size_t key_len)
{
    return s->leg[mlops__route_leg_of_bucket(s, mlops__route_bucket(salt, salt_len, key, key_len))].version;
}

int mlops__route_snapshot_init(const char *fn, mlops__route_snapshot *snap, const mlops__split *split,
                               const void *salt, size_t salt_len)
{
    mlops__split s = *split;
    int rc = mlops__split_check(fn, &s);
    if (rc) return rc;
    snap->split = s;
    memset(snap->version, 0, sizeof snap->version);
    for (size_t i = 0; i < s.n; i++) snap->version[i] = s.leg[i].version;
    uint32_t b = 0;
    for (size_t i = 0; i < s.n; i++) {
        uint32_t end = b + 100u * (uint32_t)s.leg[i].weight;
        memset(snap->leg + b, (int)i, end - b);
        b = end;
    }
    mlops__murmur3_init(&snap->prefix, 0);
    mlops__murmur3_update(&snap->prefix, salt, salt_len);
    mlops__murmur3_update(&snap->prefix, "/", 1);
    return MLOPS_OK;
}
