#include "cas/keymap.h"
#include "mlops/common.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* The key's 32 bytes mixed down to a slot: digests are uniform already,
 * but packed device and inode numbers are not. */
static size_t slot_of(const unsigned char key[32], size_t cap)
{
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 32; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h ^= w;
        h *= 0xbf58476d1ce4e5b9u;
        h ^= h >> 31;
    }
    return (size_t)h & (cap - 1);
}

static size_t find(const mlops__keymap *m, const unsigned char key[32])
{
    size_t i = slot_of(key, m->cap);
    while (m->used[i] && memcmp(m->keys[i], key, 32) != 0) i = (i + 1) & (m->cap - 1);
    return i;
}

int mlops__keymap_get(const mlops__keymap *m, const unsigned char key[32], size_t *val)
{
    if (!m->cap) return 0;
    size_t i = find(m, key);
    if (!m->used[i]) return 0;
    if (val) *val = m->vals[i];
    return 1;
}

static int grow(mlops__keymap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    mlops__keymap g = {calloc(cap, 32), calloc(cap, sizeof(size_t)), calloc(cap, 1), cap, 0};
    if (!g.keys || !g.vals || !g.used) {
        mlops__keymap_free(&g);
        return mlops__err_nomem("growing a hash table");
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->used[i]) continue;
        size_t j = find(&g, m->keys[i]);
        memcpy(g.keys[j], m->keys[i], 32);
        g.vals[j] = m->vals[i];
        g.used[j] = 1;
        g.n++;
    }
    mlops__keymap_free(m);
    *m = g;
    return MLOPS_OK;
}

int mlops__keymap_add(mlops__keymap *m, const unsigned char key[32], size_t val, int *added)
{
    if (added) *added = 0;
    /* At most half full, so probes stay short. */
    if ((m->n + 1) * 2 > m->cap) {
        int rc = grow(m);
        if (rc) return rc;
    }
    size_t i = find(m, key);
    if (m->used[i]) return MLOPS_OK;
    memcpy(m->keys[i], key, 32);
    m->vals[i] = val;
    m->used[i] = 1;
    m->n++;
    if (added) *added = 1;
    return MLOPS_OK;
}

void mlops__keymap_devino(uint64_t dev, uint64_t ino, unsigned char key[32])
{
    memset(key, 0, 32);
    memcpy(key, &dev, 8);
    memcpy(key + 8, &ino, 8);
}

void mlops__keymap_free(mlops__keymap *m)
{
    free(m->keys);
    free(m->vals);
    free(m->used);
    m->keys = NULL;
    m->vals = NULL;
    m->used = NULL;
    m->cap = m->n = 0;
}
