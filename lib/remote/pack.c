/* Packs of small objects on a remote (doc/format.md, "Remotes"; doc/remotes.md,
 * "Packs"): the bytes of many objects exactly as stored, one after the
 * other, and an index of where each is, so that a push of thousands of
 * small files writes a few objects on the server instead of one each.
 *
 *   header   16 bytes: "MLOPSPAK", version (u32 LE, 1), count (u32 LE)
 *   objects  each object's bytes as stored (header + payload), in index order
 *   index    count entries of 48 bytes: digest (32), offset (u64 LE), length (u64 LE)
 *   footer   40 bytes: the index's offset (u64 LE), SHA-256 of header, index
 *            and that offset
 *
 * A pack is named by the SHA-256 of all its bytes. Its index alone (header,
 * index, footer: the same bytes without the objects) is kept as the record
 * pack-<64 hex>, so that learning what a remote's packs hold costs a small
 * read per pack. */
#include "remote/remote_internal.h"
#include "cas/keymap.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/le.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MAGIC[8] = {'M', 'L', 'O', 'P', 'S', 'P', 'A', 'K'};
#define PACK_VERSION 1

void mlops__pack_name(const mlops_digest *pack, char out[MLOPS__PACK_NAME_CAP])
{
    memcpy(out, "pack-", 5);
    mlops__hex_encode(pack->bytes, 32, out + 5);
    out[5 + 64] = '\0';
}

int mlops__pack_begin(mlops__pack_builder *b)
{
    memset(b, 0, sizeof *b);
    b->cap = MLOPS__PACK_HEADER + MLOPS__PACK_TARGET + MLOPS__PACK_OBJ_MAX;
    if (!(b->buf = malloc(b->cap))) return mlops__err_nomem("making a pack");
    b->len = MLOPS__PACK_HEADER;
    return MLOPS_OK;
}

void mlops__pack_builder_free(mlops__pack_builder *b)
{
    free(b->buf);
    free(b->e);
    free(b->idx);
    memset(b, 0, sizeof *b);
}

int mlops__pack_add(mlops__pack_builder *b, const mlops_digest *d, const void *obj, size_t len)
{
    if (len >= MLOPS__PACK_OBJ_MAX || b->len + len > b->cap)
        return mlops__err(MLOPS_EINVAL, "an object of %zu bytes does not fit a pack", len);
    if (b->n == b->cape) {
        size_t nc = b->cape ? 2 * b->cape : 256;
        mlops__pack_entry *ne = realloc(b->e, nc * sizeof *ne);
        if (!ne) return mlops__err_nomem("making a pack");
        b->e = ne;
        b->cape = nc;
    }
    b->e[b->n].digest = *d;
    b->e[b->n].offset = b->len;
    b->e[b->n].len = len;
    b->n++;
    memcpy(b->buf + b->len, obj, len);
    b->len += len;
    b->bytes += len;
    return MLOPS_OK;
}

int mlops__pack_full(const mlops__pack_builder *b)
{
    return b->len - MLOPS__PACK_HEADER >= MLOPS__PACK_TARGET;
}

int mlops__pack_finish(mlops__pack_builder *b)
{
    size_t ilen = MLOPS__PACK_HEADER + b->n * MLOPS__PACK_ENTRY + MLOPS__PACK_FOOTER;
    size_t total = b->len + b->n * MLOPS__PACK_ENTRY + MLOPS__PACK_FOOTER;
    if (b->n > UINT32_MAX) return mlops__err(MLOPS_EINVAL, "too many objects for a pack");
    if (total > b->cap) {
        unsigned char *nb = realloc(b->buf, total);
        if (!nb) return mlops__err_nomem("making a pack");
        b->buf = nb;
        b->cap = total;
    }
    if (!(b->idx = malloc(ilen))) return mlops__err_nomem("making a pack");
    uint64_t index_at = b->len;
    unsigned char *h = b->buf;
    memcpy(h, MAGIC, 8);
    mlops__put_le32(h + 8, PACK_VERSION);
    mlops__put_le32(h + 12, (uint32_t)b->n);
    unsigned char *ix = b->buf + b->len;
    for (size_t i = 0; i < b->n; i++) {
        unsigned char *e = ix + i * MLOPS__PACK_ENTRY;
        memcpy(e, b->e[i].digest.bytes, 32);
        mlops__put_le64(e + 32, b->e[i].offset);
        mlops__put_le64(e + 40, b->e[i].len);
    }
    unsigned char *f = ix + b->n * MLOPS__PACK_ENTRY;
    mlops__put_le64(f, index_at);
    /* The checksum: header, index and the index's offset. */
    mlops__sha256 sh = {0};
    mlops_digest sum;
    int rc = mlops__sha256_init(&sh);
    if (!rc) rc = mlops__sha256_update(&sh, h, MLOPS__PACK_HEADER);
    if (!rc) rc = mlops__sha256_update(&sh, ix, b->n * MLOPS__PACK_ENTRY + 8);
    if (!rc) rc = mlops__sha256_final(&sh, &sum);
    mlops__sha256_free(&sh);
    if (rc) return rc;
    memcpy(f + 8, sum.bytes, 32);
    b->len = total;
    if ((rc = mlops__sha256_oneshot(b->buf, b->len, &b->digest))) return rc;
    memcpy(b->idx, h, MLOPS__PACK_HEADER);
    memcpy(b->idx + MLOPS__PACK_HEADER, ix, b->n * MLOPS__PACK_ENTRY + MLOPS__PACK_FOOTER);
    b->idxlen = ilen;
    return MLOPS_OK;
}

static int bad(const char *what, const char *why)
{
    return mlops__err(MLOPS_ECORRUPT, "%s is not a valid pack: %s", what, why);
}

int mlops__pack_index_decode(const char *what, const void *buf, size_t len, int whole,
                             mlops__pack_entry **out, size_t *nout)
{
    const unsigned char *p = buf;
    *out = NULL;
    *nout = 0;
    if (len < MLOPS__PACK_HEADER + MLOPS__PACK_FOOTER) return bad(what, "too short");
    if (memcmp(p, MAGIC, 8)) return bad(what, "no magic");
    uint32_t version = mlops__get_le32(p + 8);
    if (version == 0) return bad(what, "version 0");
    if (version > PACK_VERSION)
        return mlops__err(MLOPS_EUNSUPPORTED, "%s: pack format version %u is newer than "
                                              "this library's (%d)", what, version, PACK_VERSION);
    uint64_t count = mlops__get_le32(p + 12);
    const unsigned char *f = p + len - MLOPS__PACK_FOOTER;
    uint64_t index_at = mlops__get_le64(f);
    uint64_t room = len - MLOPS__PACK_HEADER - MLOPS__PACK_FOOTER;
    if (count > room / MLOPS__PACK_ENTRY) return bad(what, "its count does not fit");
    uint64_t ilen = count * MLOPS__PACK_ENTRY;
    const unsigned char *ix;
    if (whole) {
        if (index_at < MLOPS__PACK_HEADER || index_at > len ||
            len - index_at != ilen + MLOPS__PACK_FOOTER)
            return bad(what, "its index is not where its footer says");
        ix = p + index_at;
    } else {
        if (ilen != room) return bad(what, "its index has another length than its count");
        if (index_at < MLOPS__PACK_HEADER) return bad(what, "its index offset is impossible");
        ix = p + MLOPS__PACK_HEADER;
    }
    mlops__sha256 sh = {0};
    mlops_digest sum;
    int rc = mlops__sha256_init(&sh);
    if (!rc) rc = mlops__sha256_update(&sh, p, MLOPS__PACK_HEADER);
    if (!rc) rc = mlops__sha256_update(&sh, ix, (size_t)ilen);
    if (!rc) rc = mlops__sha256_update(&sh, f, 8);
    if (!rc) rc = mlops__sha256_final(&sh, &sum);
    mlops__sha256_free(&sh);
    if (rc) return rc;
    if (memcmp(sum.bytes, f + 8, 32)) return bad(what, "its index does not match its checksum");
    mlops__pack_entry *e = malloc((size_t)(count ? count : 1) * sizeof *e);
    if (!e) return mlops__err_nomem("reading a pack's index");
    /* The objects lie one after the other from the header to the index. */
    uint64_t at = MLOPS__PACK_HEADER;
    for (uint64_t i = 0; i < count; i++) {
        const unsigned char *x = ix + i * MLOPS__PACK_ENTRY;
        memcpy(e[i].digest.bytes, x, 32);
        e[i].offset = mlops__get_le64(x + 32);
        e[i].len = mlops__get_le64(x + 40);
        if (e[i].offset != at || e[i].len < MLOPS__OBJ_HEADER_SIZE ||
            e[i].len >= MLOPS__PACK_OBJ_MAX || e[i].len > index_at - at) {
            free(e);
            return bad(what, "an index entry does not follow the one before it");
        }
        at += e[i].len;
    }
    if (at != index_at) {
        free(e);
        return bad(what, "its objects do not end where its index begins");
    }
    *out = e;
    *nout = (size_t)count;
    return MLOPS_OK;
}

int mlops__pack_index_read(mlops__objects *be, const char *source, const mlops_digest *d,
                           int repair, mlops__pack_entry **out, size_t *nout)
{
    char name[MLOPS__PACK_NAME_CAP], what[160];
    mlops__pack_name(d, name);
    snprintf(what, sizeof what, "pack %s of %s", name + 5, source);
    void *buf = NULL;
    size_t len = 0;
    int rc = be->name_get(be, name, &buf, &len);
    if (!rc) {
        rc = mlops__pack_index_decode(what, buf, len, 0, out, nout);
        free(buf);
        return rc;
    }
    if (rc != MLOPS_ENOTFOUND) return rc;
    /* No index record: the pack itself (a push stopped between the two). */
    rc = be->pack_get(be, d, &buf, &len);
    if (!rc) rc = mlops__pack_index_decode(what, buf, len, 1, out, nout);
    if (!rc && repair) {
        /* Its record: the header, then the pack from its index on. */
        size_t at = len - (*nout * MLOPS__PACK_ENTRY + MLOPS__PACK_FOOTER);
        unsigned char *idx = malloc(len - at + MLOPS__PACK_HEADER);
        if (!idx) rc = mlops__err_nomem("writing a pack's index");
        if (!rc) {
            memcpy(idx, buf, MLOPS__PACK_HEADER);
            memcpy(idx + MLOPS__PACK_HEADER, (unsigned char *)buf + at, len - at);
            rc = be->name_put(be, name, idx, len - at + MLOPS__PACK_HEADER);
        }
        free(idx);
        if (rc) {
            free(*out);
            *out = NULL;
            *nout = 0;
        }
    }
    free(buf);
    return rc;
}

typedef struct packlist {
    mlops_digest *d;
    size_t n, cap;
} packlist;

static int collect_pack(const mlops_digest *d, void *arg)
{
    packlist *l = arg;
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 16;
        mlops_digest *nd = realloc(l->d, nc * sizeof *nd);
        if (!nd) return mlops__err_nomem("listing packs");
        l->d = nd;
        l->cap = nc;
    }
    l->d[l->n++] = *d;
    return MLOPS_OK;
}

int mlops__push_packs_load(mlops__objects *be, const mlops_digest *objs, size_t n,
                           unsigned char *lacks, mlops_transfer_report *report,
                           mlops_digest **packs, size_t *npacks)
{
    *packs = NULL;
    *npacks = 0;
    size_t need = 0;
    for (size_t i = 0; i < n; i++) need += lacks[i];
    if (!need) return MLOPS_OK;
    packlist all = {NULL, 0, 0};
    int rc = be->pack_foreach(be, collect_pack, &all);
    mlops__keymap where = MLOPS__KEYMAP_INIT;
    unsigned char *used = rc ? NULL : calloc(all.n + 1, 1);
    if (!rc && !used) rc = mlops__err_nomem("reading packs");
    for (size_t k = 0; !rc && k < all.n; k++) {
        mlops__pack_entry *e = NULL;
        size_t ne = 0;
        int prc = mlops__pack_index_read(be, "the remote", &all.d[k], 1, &e, &ne);
        /* A damaged or newer pack, or one removed meanwhile, holds nothing
         * for this push: its objects are sent again. */
        if (prc == MLOPS_ECORRUPT || prc == MLOPS_EUNSUPPORTED || prc == MLOPS_ENOTFOUND)
            continue;
        rc = prc;
        for (size_t i = 0; !rc && i < ne; i++)
            rc = mlops__keymap_add(&where, e[i].digest.bytes, k, NULL);
        report->listed += ne;
        free(e);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        size_t k = 0;
        if (lacks[i] && mlops__keymap_get(&where, objs[i].bytes, &k)) {
            lacks[i] = 0;
            used[k] = 1;
        }
    }
    for (size_t k = 0; !rc && k < all.n; k++)
        if (used[k]) all.d[(*npacks)++] = all.d[k];
    if (!rc) *packs = all.d;
    else free(all.d);
    if (rc) *npacks = 0;
    free(used);
    mlops__keymap_free(&where);
    return rc;
}
