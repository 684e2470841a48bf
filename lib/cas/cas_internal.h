/* Internal interface of the content-addressed store (lib/cas).
 *
 * Other subsystems use two contracts from here:
 *
 *  1. mlops__cas_exists(): does a blob or tree with this digest exist? It
 *     runs on the caller's connection, so inside the caller's transaction.
 *
 *  2. GC roots. Garbage collection keeps every blob and tree whose digest
 *     some subsystem still refers to. The roots are a list of SQL queries
 *     kept in ONE place, gc_root_queries[] in lib/cas/gc_roots.c. Each
 *     entry is a SELECT that returns one column of 32-byte digest BLOBs
 *     (NULLs are ignored) naming content that must be kept, together with
 *     everything it reaches (a blob's chunks, a tree's children). The
 *     first entry is the refs table; a subsystem that records digests
 *     (run outputs, model versions...) adds one line with its own query,
 *     for example
 *         "SELECT artifact FROM registry_version",
 *     and nothing else: gc runs every query of the list inside its read
 *     snapshot. A query must be valid against the schema (all subsystem
 *     tables exist in every store), and should be cheap (a column scan).
 *
 *     To be safe against a gc running at the same moment, a subsystem that
 *     records a new reference to a digest calls mlops__cas_exists() inside
 *     the write transaction that records it: inside a write transaction
 *     that call also marks the content as used now, which keeps it (and
 *     what it reaches) out of any gc for the grace period, long enough for
 *     the new reference to be seen as a root by the next gc.
 *
 *  3. mlops__cas_prove(): is the content behind a digest really the bytes
 *     that digest names? For checks that go beyond a recorded digest (the
 *     registry's deep verification of a signed artifact).
 */
#ifndef MLOPS_CAS_INTERNAL_H
#define MLOPS_CAS_INTERNAL_H

#include "mlops/cas.h"
#include "store/store_internal.h"
#include "db/db.h"
#include "cas/removals.h"

#include <stddef.h>
#include <stdint.h>

/* ---- Contracts for other subsystems ------------------------------------ */

/* Sets *exists to 1 when a blob or tree with digest d is committed in the
 * store, else 0, using the caller's connection c (so the answer belongs to
 * the caller's transaction). Inside a write transaction it also refreshes
 * the content's last-used time (see GC roots above). Returns MLOPS_OK, or
 * MLOPS_EINVAL for NULL arguments, or the mapped SQLite error. */
int mlops__cas_exists(mlops__conn *c, const mlops_digest *d, int *exists);

/* Proves content d, a blob or a tree, on its own connection and in one
 * snapshot: a blob is read in whole and must hash to d (fetch.h); a tree's
 * object is verified and every subtree and blob it names is proven the
 * same way, each distinct digest once. MLOPS_ECORRUPT names what does not
 * match; MLOPS_ENOTFOUND (message prefixed with func) when d is not
 * stored; MLOPS_EIO, MLOPS_ENOMEM, MLOPS_EBUSY. */
int mlops__cas_prove(mlops_store *s, const char *func, const mlops_digest *d);

/* The GC root queries (see above): *out receives the array, the count is
 * returned. Static storage. */
size_t mlops__cas_gc_root_queries(const char *const **out);

/* ---- Schema ------------------------------------------------------------ */

/* The cas part of schema version 1 (listed in lib/store/schema.c). */
extern const char mlops__cas_schema_v1[];

/* cas_content.kind */
#define MLOPS__KIND_BLOB 1
#define MLOPS__KIND_TREE 2

/* ---- Objects (object.c) -------------------------------------------------
 * An object holds bytes named by their SHA-256: a 16-byte header (magic
 * 0x89 'M' 'L' 'O', format version, encoding, two zero bytes, the decoded
 * size as uint64 little-endian) and then either the raw bytes or one zstd
 * frame. See doc/format.md. The encoding is done here; the store's object
 * backend (s->objects, lib/objects/objects.h) keeps the encoded bytes. */

#define MLOPS__OBJ_HEADER_SIZE 16
#define MLOPS__OBJ_VERSION 1
#define MLOPS__ENC_RAW 0
#define MLOPS__ENC_ZSTD 1

/* Where object d lives, as the backend describes it (the local backend:
 * <root>/objects/sha256/<2 hex>/<62 hex>), malloc'd; NULL when out of
 * memory. For messages and tests, never to open the object. */
char *mlops__object_path(const mlops_store *s, const mlops_digest *d);

/* Per-thread scratch for writing objects: a zstd compression context and
 * its output buffer, reused from one object to the next. */
typedef struct mlops__obj_writer mlops__obj_writer;
int mlops__obj_writer_new(const mlops_store *s, mlops__obj_writer **out);
void mlops__obj_writer_free(mlops__obj_writer *w);
/* Sets the zstd level of w's next objects (1..19; the store's by default)
 * for writers whose objects favour speed over size. */
void mlops__obj_writer_set_level(mlops__obj_writer *w, int level);

/* An object placed (or found in place) and waiting for its row:
 * mlops__objects_commit() makes it visible. */
typedef struct mlops__placed {
    mlops_digest digest;
    uint64_t size;   /* decoded bytes */
    uint64_t stored; /* bytes of the object, header included */
    int encoding;    /* MLOPS__ENC_* */
    int placed;      /* 1: this call put the object in place */
    mlops__obj_staged *spare; /* the object already existed: our own copy,
                                 kept staged until the commit decides */
    mlops__objects *be;       /* the backend spare belongs to */
} mlops__placed;

/* Encodes len bytes (zstd at the store's level, or raw when that saves
 * under 10%), stages them and places them without replacing an existing
 * object. d must be the SHA-256 of the bytes. On success *out describes
 * the object; release it with mlops__placed_clear. It is
 * mlops__object_stage then mlops__object_place. */
int mlops__object_write(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d,
                        const void *data, size_t len, mlops__placed *out);

/* An object staged (the backend's stage), not yet placed nor durable. */
typedef struct mlops__staged {
    mlops_digest digest;
    uint64_t size, stored;
    int encoding;
    mlops__obj_staged *h; /* the backend's */
    mlops__objects *be;   /* which backend h belongs to */
} mlops__staged;

/* The first half of a write: encode and stage (the local backend writes a
 * temp file and starts its write-back, without waiting). */
int mlops__object_stage(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d,
                        const void *data, size_t len, mlops__staged *out);

/* The second half, possibly on another thread: the backend's place (the
 * local one fsyncs the temp file and renames it into place, no clobber).
 * st is consumed whatever the outcome. */
int mlops__object_place(mlops_store *s, mlops__staged *st, mlops__placed *out);

/* Drops a staged object that will not be placed. */
void mlops__staged_discard(mlops__staged *st);

/* Drops a spare copy. */
void mlops__placed_clear(mlops__placed *p);

/* Inside a write transaction: records each placed object's row, or
 * refreshes the row that is there. When an object had no row and was
 * found in place rather than put there by us, it is looked up again under
 * the write lock and our spare copy is placed if gc removed it meanwhile.
 * The objects we put there are looked up only when an object was removed
 * since `seen` (read before placing them; NULL: always), and MLOPS_ECONFLICT
 * when one is gone (cas/removals.h). Call mlops__objects_sync before. */
int mlops__objects_commit(mlops__conn *c, mlops_store *s, const mlops__removals_seen *seen,
                          mlops__placed *objs, size_t n, int64_t now_ms);

/* Makes every object this call placed durable (the backend's sync: the
 * local one fsyncs each fan-out directory once). */
int mlops__objects_sync(mlops_store *s, const mlops__placed *objs, size_t n);

/* After a failed put: under the write lock, removes every object this
 * call placed that still has no row (nobody else relies on it), and drops
 * the spares. Best effort. */
void mlops__objects_discard(mlops_store *s, mlops__placed *objs, size_t n);

/* Per-thread scratch for reading objects. */
typedef struct mlops__obj_reader mlops__obj_reader;
int mlops__obj_reader_new(mlops__obj_reader **out);
void mlops__obj_reader_free(mlops__obj_reader *r);

/* Reads object d into dst (cap bytes), decoding it, and checks that its
 * decoded size is `expect` and its SHA-256 is d. Nothing is returned
 * unverified: on any mismatch the call fails with MLOPS_ECORRUPT naming
 * the object (a missing object is MLOPS_ECORRUPT too: its row says it
 * exists). MLOPS_EIO when the backend's medium refuses. */
int mlops__object_read(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                       void *dst, size_t expect);

/* As mlops__object_read without the hash: only for a caller that checks
 * the bytes another way before any of them reach its own caller (a
 * complete read checks the whole blob's digest, which covers every chunk;
 * see fetch.h). */
int mlops__object_decode(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                         void *dst, size_t expect);

/* Reads object d (decoded size expect) for a caller that can use its
 * bytes where they are. When the backend holds the object in memory and
 * it is stored raw (objects.h, view), *data points into it and *held keeps
 * it open: release it with mlops__object_release once the bytes are no
 * longer used. Otherwise it is decoded into *buf (grown to expect bytes
 * when *cap is smaller; *buf and *cap stay the caller's), *data = *buf and
 * *held = NULL. check: verify the SHA-256 as mlops__object_read does;
 * without it, as mlops__object_decode (the caller checks the bytes before
 * they reach its own caller). On an error nothing is held. */
int mlops__object_load(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                       size_t expect, int check, unsigned char **buf, size_t *cap,
                       const unsigned char **data, mlops__obj_in **held);
void mlops__object_release(mlops_store *s, mlops__obj_in *held);

/* The check mlops__object_read makes after decoding, for a caller that
 * hashed the decoded bytes itself (got): MLOPS_OK when got is d, else
 * MLOPS_ECORRUPT naming the object as mlops__object_read does. */
int mlops__object_check_digest(mlops_store *s, const mlops_digest *d, const mlops_digest *got);

/* Reads an object of unknown size into a malloc'd buffer (for manifests
 * and trees), verified as above. */
int mlops__object_read_alloc(mlops_store *s, mlops__obj_reader *r, const mlops_digest *d,
                             void **data, size_t *len);

/* Checks an encoded object held in memory (a remote's copy: header and
 * payload as stored): its header, its decoding and the SHA-256 of the
 * decoded bytes against d. where names it in messages. Sets *encoding and
 * *size (decoded bytes); *data (may be NULL: not kept) gets the decoded
 * bytes, malloc'd. MLOPS_ECORRUPT, MLOPS_EUNSUPPORTED (a newer object
 * format), MLOPS_ENOMEM. */
int mlops__object_check_encoded(mlops__obj_reader *r, const mlops_digest *d, const void *obj,
                                size_t len, const char *where, int *encoding, uint64_t *size,
                                void **data);

/* The first half of mlops__object_check_encoded, for a caller that
 * hashes the decoded bytes itself (with a second digest over the same
 * bytes: a pull's chunk and its blob, util/sha256_pair.h): the header
 * and the decoding checked, *bytes the decoded bytes (*size of them),
 * in obj for a raw object, else in *owned (malloc'd, the caller's).
 * mlops__object_check_hashed then checks their digest, got, against d. */
int mlops__object_decode_encoded(mlops__obj_reader *r, const mlops_digest *d, const void *obj,
                                 size_t len, const char *where, int *encoding, uint64_t *size,
                                 const unsigned char **bytes, unsigned char **owned);
int mlops__object_check_hashed(const mlops_digest *d, const char *where, const mlops_digest *got);

/* Stages an encoded object that mlops__object_check_encoded accepted,
 * as it is (no second compression), in s's backend: the first half of a
 * write, as mlops__object_stage; mlops__object_place is the second. */
int mlops__object_stage_encoded(mlops_store *s, const mlops_digest *d, const void *obj,
                                size_t len, int encoding, uint64_t size, mlops__staged *out);

/* The same for a caller that settles the objects it stages
 * (mlops__objects.settle) before placing them: staged by the backend's
 * stage_settled where it has one. */
int mlops__object_stage_encoded_settled(mlops_store *s, const mlops_digest *d, const void *obj,
                                        size_t len, int encoding, uint64_t size,
                                        mlops__staged *out);

/* Parses and checks the header h of object d (messages name where the
 * object lives). */
int mlops__object_header_parse(mlops_store *s, const mlops_digest *d, const unsigned char *h,
                               int *encoding, uint64_t *size);

/* ---- Content rows (content.c) ------------------------------------------ */

typedef struct mlops__content {
    int kind;                /* MLOPS__KIND_* */
    uint64_t size;           /* blob: content bytes; tree: its object's bytes */
    int has_manifest;        /* chunked blob */
    mlops_digest manifest;   /* when has_manifest */
    uint64_t chunks;         /* chunk objects (blob), entries (tree) */
    int64_t created_ms;
} mlops__content;

/* Looks up a content row on c. MLOPS_ENOTFOUND (with a message naming
 * the digest and `func`) when there is none. */
int mlops__content_get(mlops__conn *c, const char *func, const mlops_digest *d,
                       mlops__content *out);

/* Refreshes the last-used time of content d in a write transaction and
 * sets *found. That alone protects all of it from a gc running now: gc
 * never deletes an object that a content row still uses, nor a content
 * row a tree still names. */
int mlops__content_touch(mlops__conn *c, const mlops_digest *d, int64_t now_ms, int *found);

/* Inserts a content row, or refreshes the one there. manifest is NULL for
 * content whose bytes are the object of the same digest. */
int mlops__content_insert(mlops__conn *c, const mlops_digest *d, int kind, uint64_t size,
                          const mlops_digest *manifest, uint64_t chunks, int64_t now_ms);

/* ---- Putting (put_whole.c, ...) ---------------------------------------- */

/* When content d is already stored (its row exists and its object file is
 * in place), refreshes its last-used time and sets *reused. Otherwise, on
 * remote objects, *seen holds the removals done so far (read with the
 * row, for put_whole; removals.h), else it is unknown. */
int mlops__put_reuse(mlops_store *s, const mlops_digest *d, int *reused,
                     mlops__removals_seen *seen);

/* Stores len bytes (at most the maximum chunk size, or a tree encoding)
 * named d (their SHA-256) as one object plus its content row of `kind`
 * with `entries` (1 for a blob, the entry count for a tree) and, for a
 * tree, the rows naming its children. w may be NULL (a writer is made for
 * the call). seen: the removals read before this call (put_reuse), or
 * NULL to read them now. */
int mlops__put_whole(mlops_store *s, mlops__obj_writer *w, const mlops_digest *d, int kind,
                     uint64_t entries, const void *data, size_t len,
                     const mlops_digest *children, size_t nchildren,
                     const mlops__removals_seen *seen);

/* Puts content of at most the maximum chunk size as a whole blob (or
 * reuses it) and writes its digest to *out. */
int mlops__put_small(mlops_store *s, const void *data, size_t len, mlops_digest *out);

/* Runs fn in a write transaction for a put: a failure's message is
 * prefixed with func and the store's path. */
int mlops__put_commit(mlops_store *s, const char *func, mlops__tx_fn fn, void *arg);

/* "sha256:<hex>" into buf (MLOPS_DIGEST_STRLEN). Returns buf. */
const char *mlops__digest_str(const mlops_digest *d, char *buf);

/* Sets *yes when object d has a row. */
int mlops__object_recorded(mlops__conn *c, const mlops_digest *d, int *yes);

/* Sets *yes when object d is present in the store's object backend (a
 * stat for the local one). An error is no answer. */
int mlops__object_present(mlops_store *s, const mlops_digest *d, int *yes);

#endif
