/* Category counts: exact while at most `cap` distinct categories have been
 * seen, then a Misra-Gries summary (Misra and Gries 1982; mergeable per
 * Agarwal et al. 2012) of cap counters. When a new category finds the table
 * full, every counter (the newcomer's included) is reduced by the median
 * count, which empties at least half the table: amortised O(log cap) per
 * update, and deterministic because it depends only on the multiset of
 * counts, never on hash order. Each reduction by d lowers any category's
 * count by at most d, so err (the sum of reductions) bounds the undercount
 * of every category. */
#include "drift/drift_internal.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const char *p, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (uint32_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h ^ (h >> 29);
}

int mlops__freq_init(mlops__freq *f, uint32_t cap)
{
    memset(f, 0, sizeof *f);
    f->cap = cap;
    f->exact = 1;
    f->slots = 64;
    f->tab = calloc(f->slots, sizeof *f->tab);
    if (!f->tab) return mlops__err_nomem("creating a category table");
    return MLOPS_OK;
}

void mlops__freq_free(mlops__freq *f)
{
    if (f->tab)
        for (size_t i = 0; i < f->slots; i++) free(f->tab[i].key);
    free(f->tab);
    memset(f, 0, sizeof *f);
}

static size_t find_slot(const mlops__freq *f, const char *key, uint32_t len)
{
    size_t mask = f->slots - 1;
    size_t i = (size_t)hash_bytes(key, len) & mask;
    while (f->tab[i].key &&
           !(f->tab[i].len == len && memcmp(f->tab[i].key, key, len) == 0))
        i = (i + 1) & mask;
    return i;
}

/* Rebuilds the table with `slots` slots, keeping entries with count > 0. */
static int rehash(mlops__freq *f, size_t slots)
{
    mlops__freq_entry *old = f->tab;
    size_t old_slots = f->slots;
    mlops__freq_entry *tab = calloc(slots, sizeof *tab);
    if (!tab) return mlops__err_nomem("growing a category table");
    f->tab = tab;
    f->slots = slots;
    f->n = 0;
    for (size_t i = 0; i < old_slots; i++) {
        if (!old[i].key) continue;
        if (old[i].count == 0) {
            free(old[i].key);
            continue;
        }
        size_t j = find_slot(f, old[i].key, old[i].len);
        f->tab[j] = old[i];
        f->n++;
    }
    free(old);
    return MLOPS_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Reduces every count by the median count (and the newcomer's *count). */
static int reduce(mlops__freq *f, uint64_t *count)
{
    uint64_t *c = malloc((f->n + 1) * sizeof *c);
    if (!c) return mlops__err_nomem("reducing a category table");
    size_t m = 0;
    for (size_t i = 0; i < f->slots; i++)
        if (f->tab[i].key) c[m++] = f->tab[i].count;
    c[m++] = *count;
    qsort(c, m, sizeof *c, cmp_u64);
    uint64_t d = c[(m - 1) / 2];
    free(c);
    for (size_t i = 0; i < f->slots; i++)
        if (f->tab[i].key) f->tab[i].count = f->tab[i].count > d ? f->tab[i].count - d : 0;
    *count = *count > d ? *count - d : 0;
    f->err += d;
    f->exact = 0;
    return rehash(f, f->slots);
}

int mlops__freq_add(mlops__freq *f, const char *key, uint32_t len, uint64_t count)
{
    if (count == 0) return MLOPS_OK;
    size_t i = find_slot(f, key, len);
    if (f->tab[i].key) {
        f->tab[i].count += count;
        return MLOPS_OK;
    }
    if (f->n >= f->cap) {
        int rc = reduce(f, &count);
        if (rc) return rc;
        if (count == 0) return MLOPS_OK;
    }
    if ((f->n + 1) * 2 > f->slots) {
        int rc = rehash(f, f->slots * 2);
        if (rc) return rc;
    }
    i = find_slot(f, key, len);
    char *k = malloc(len ? len : 1);
    if (!k) return mlops__err_nomem("adding a category");
    memcpy(k, key, len);
    f->tab[i].key = k;
    f->tab[i].len = len;
    f->tab[i].count = count;
    f->n++;
    return MLOPS_OK;
}

uint64_t mlops__freq_get(const mlops__freq *f, const char *key, uint32_t len)
{
    size_t i = find_slot(f, key, len);
    return f->tab[i].key ? f->tab[i].count : 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const mlops__freq_entry *x = *(const mlops__freq_entry *const *)a;
    const mlops__freq_entry *y = *(const mlops__freq_entry *const *)b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return (x->len > y->len) - (x->len < y->len);
}

int mlops__freq_sorted(const mlops__freq *f, const mlops__freq_entry ***out)
{
    *out = NULL;
    const mlops__freq_entry **v = malloc((f->n ? f->n : 1) * sizeof *v);
    if (!v) return mlops__err_nomem("listing categories");
    size_t m = 0;
    for (size_t i = 0; i < f->slots; i++)
        if (f->tab[i].key) v[m++] = &f->tab[i];
    qsort(v, m, sizeof *v, cmp_entry);
    *out = v;
    return MLOPS_OK;
}

int mlops__freq_merge(mlops__freq *into, const mlops__freq *from)
{
    const mlops__freq_entry **v;
    int rc = mlops__freq_sorted(from, &v);
    if (rc) return rc;
    for (size_t i = 0; i < from->n && !rc; i++) rc = mlops__freq_add(into, v[i]->key, v[i]->len, v[i]->count);
    free(v);
    if (!rc) {
        into->err += from->err;
        into->exact = into->exact && from->exact;
    }
    return rc;
}
