/* Internal: the object-backend seam. Where a store's objects live (a local
 * directory today; lib/objects/local/) is a versioned table of functions,
 * as libgit2's odb backends and our metadata drivers (lib/db/driver.h).
 * The store handle owns one (mlops_store.objects, made when it opens);
 * lib/cas/object.c, fsck, gc and import reach objects only through it.
 *
 * What a backend stores: opaque byte strings named by a SHA-256 digest,
 * immutable, at most a few MiB each (an encoded object: header and raw
 * or zstd payload, lib/cas/object.c and doc/format.md; a backend never
 * looks inside). Because the name is the content's digest, writing an
 * object that is already there changes nothing: it is success.
 *
 * Writing is two steps, so that the costly part can overlap other work
 * and a retry or a lost race has a copy in hand:
 *   stage: the bytes go somewhere nobody reads (a temp file, a buffer);
 *   place: the staged bytes become the object named by their digest.
 * A placed object may need `sync` before it is durable (the local backend
 * batches its directory fsyncs there); a caller with many objects staged
 * at once may `settle` them first, so that their bytes become durable
 * together rather than one by one in place; the caller records metadata that
 * names an object only after sync returned (doc/format.md, "Crash
 * safety").
 *
 * Errors: every member returns MLOPS_OK or an MLOPS_E* code with the
 * thread's message set (lib/util/err.h) naming the object and where it
 * lives; MLOPS_ENOTFOUND is reserved for "no such object" where a member
 * says so, MLOPS_EIO for what the medium refused, MLOPS_ENOMEM.
 *
 * Threads: every member may be called from several threads at once on
 * one backend; a staged object or an open read is used by one thread at
 * a time (it may change threads between calls). */
#ifndef MLOPS_OBJECTS_OBJECTS_H
#define MLOPS_OBJECTS_OBJECTS_H

#include "mlops/common.h"

#include <stddef.h>
#include <stdint.h>

/* 2: remove takes many objects at once. */
#define MLOPS__OBJECTS_VERSION 3

typedef struct mlops__objects mlops__objects;
/* Backend-defined handles. */
typedef struct mlops__obj_staged mlops__obj_staged; /* bytes staged, not yet placed */
typedef struct mlops__obj_in mlops__obj_in;         /* an object open for reading */

/* One piece of an object's bytes: stage takes them in order, so that a
 * header and a payload need not be copied together. */
typedef struct mlops__obj_piece {
    const void *data;
    size_t len;
} mlops__obj_piece;

/* foreach's callback: one object, with when it was last written (ms since
 * the epoch; the backend's best knowledge: file mtime, LastModified). A
 * non-zero return stops the walk and foreach returns it. */
typedef int (*mlops__objects_each_fn)(const mlops_digest *d, int64_t mtime_ms, void *arg);

struct mlops__objects {
    unsigned version; /* MLOPS__OBJECTS_VERSION: mlops__objects_check refuses another */
    const char *name; /* "local directory", ...: used in messages */
    /* 1 when each exists() is a request to a server (S3): then a put's
     * commit looks its objects up only after a removal (cas/removals.h),
     * else always (a stat costs less than the database read that saves
     * it). */
    int remote;

    /* Writes the bytes of pieces[0..n) as the future object d (the caller
     * guarantees d names them) somewhere no reader looks, and starts
     * making them durable without waiting. *out is owned by the caller
     * until it is given to place (which may keep it, see there) or
     * discard. The local backend writes nothing under d's name; a backend
     * that cannot rename (S3) may already write the object under its
     * name: an object no metadata names is an orphan, which gc collects
     * past its grace period, so an abandoned put leaves nothing wrong. */
    int (*stage)(mlops__objects *be, const mlops_digest *d, const mlops__obj_piece *pieces,
                 size_t n, mlops__obj_staged **out);

    /* Makes staged bytes the object of their digest, without replacing an
     * object already there. *placed = 1: this call put them there, st is
     * consumed. *placed = 0: an object of that digest exists (success: it
     * has the same bytes), and st is NOT consumed: the caller keeps it as
     * a spare copy, to place again (an object that went away meanwhile,
     * e.g. collected by gc) or to discard. On an error st is consumed.
     * The object's bytes are durable on return; its name may need sync. */
    int (*place)(mlops__objects *be, mlops__obj_staged *st, int *placed);

    /* Optional (NULL: none): makes the bytes of the staged objects
     * st[0..n) durable together, which may cost far less than place doing
     * it for each (the local backend: one syncfs of the file system
     * instead of one fsync per object). Their place then only puts them
     * at their names. The handles stay the caller's, to place or discard
     * as before; on an error nothing is promised of any of them, and
     * their place still makes each durable on its own. */
    int (*settle)(mlops__objects *be, mlops__obj_staged *const *st, size_t n);

    /* Optional (NULL: stage does it): stage, for a caller that settles
     * what it stages before placing it, so that the bytes need not start
     * becoming durable now. The local backend's stage starts each file's
     * write-out alone (for the fsync in place), one device request per
     * file (in a virtual machine, an exit to the host each, and about a
     * sixth of a pull's CPU); left to settle's syncfs, the writes of many
     * files go out together. */
    int (*stage_settled)(mlops__objects *be, const mlops_digest *d,
                         const mlops__obj_piece *pieces, size_t n, mlops__obj_staged **out);

    /* Drops a staged object that will not be placed. NULL is a no-op.
     * Best effort, no error. */
    void (*discard)(mlops__objects *be, mlops__obj_staged *st);

    /* Makes durable the placement or removal of each of the n objects d
     * (repeats allowed): after it returns, a crash neither loses a placed
     * object nor brings back a removed one. A backend whose place and
     * remove are durable on return does nothing. */
    int (*sync)(mlops__objects *be, const mlops_digest *d, size_t n);

    /* Opens object d for reading: *len is its length in bytes. No object
     * d: MLOPS_ENOTFOUND (with a message naming where it was looked for).
     * Close *out with close. */
    int (*open)(mlops__objects *be, const mlops_digest *d, mlops__obj_in **out, uint64_t *len);
    /* Reads the next bytes of an open object into buf: *got < len only at
     * its end. */
    int (*read)(mlops__objects *be, mlops__obj_in *in, void *buf, size_t len, size_t *got);
    /* Releases an open object. NULL is a no-op. */
    void (*close)(mlops__objects *be, mlops__obj_in *in);
    /* Optional (NULL: none): the unread rest of an open object where the
     * backend holds it in memory (S3's fetched objects), so that a caller
     * that can use bytes in place copies nothing: 1 with *data pointing
     * at its next byte and *len the bytes left, valid until close; the
     * object is then read to its end. 0 when the backend does not hold it
     * in memory (the caller reads instead). */
    int (*view)(mlops__objects *be, mlops__obj_in *in, const unsigned char **data, size_t *len);

    /* *yes = 1 when object d is there, else 0. An error is not an answer:
     * callers must not take it for "absent". */
    int (*exists)(mlops__objects *be, const mlops_digest *d, int *yes);

    /* Removes objects d[0..n) (a remote backend many at once: one at a
     * time, each waits a round trip): removed[i] = 1 when this call
     * removed d[i], 0 when it was not there, -1 when its removal failed
     * or was not tried. After a failure no further removal starts (a
     * server that is gone would fail each one after as long); returns
     * MLOPS_OK or that failure's code and message. Durable after sync.
     * Callers remove only what no metadata names (gc, a failed put). */
    int (*remove)(mlops__objects *be, const mlops_digest *d, size_t n, int *removed);

    /* Calls fn once for every object present when the walk starts and
     * still present when it gets there; objects placed or removed during
     * the walk may or may not be seen (fn may remove the object it is
     * given). Names that are not objects are skipped. Shared by fsck
     * (orphans) and gc (orphans past the grace period). */
    int (*foreach)(mlops__objects *be, mlops__objects_each_fn fn, void *arg);

    /* Moves object d aside where no reader finds it but a person can
     * (fsck's answer to a corrupt object); d is then absent. An object
     * already gone is success. */
    int (*quarantine)(mlops__objects *be, const mlops_digest *d);

    /* Where object d lives, for messages: a path, a URL. Always writes a
     * NUL-terminated string to buf (n >= 1). */
    void (*describe)(mlops__objects *be, const mlops_digest *d, char *buf, size_t n);

    /* Optional (NULL: none): objects d[0..n) will be opened soon, in this
     * order, so a backend far from its data may start fetching them now.
     * A hint only: nothing fails, and an object never opened costs no
     * more than the backend's bounded room for fetched objects. */
    void (*prefetch)(mlops__objects *be, const mlops_digest *d, size_t n);

    /* Optional (NULL: none): object d, as it was read, failed a check
     * (lib/cas: its digest, size or encoding). A backend that keeps
     * copies of objects besides their source (S3's read cache) drops its
     * copy of d, and does not keep the one an open handle of d gives back
     * at close, so that the next open reads the source: a copy damaged on
     * its way or on the local disk must not fail every read after it, nor
     * make fsck quarantine a sound object. */
    void (*damaged)(mlops__objects *be, const mlops_digest *d);

    /* Releases the backend (after every staged and open handle). */
    void (*free)(mlops__objects *be);

    /* Optional (NULL: none), for a backend used as a remote (lib/remote/):
     * small named records beside the objects. name is 1 to
     * MLOPS__OBJECTS_NAME_MAX bytes of [a-z0-9._-] (mlops__objects_name_ok).
     * name_put replaces the record with len bytes at once: a reader sees
     * the old bytes or the new ones, never a mix; durable on return.
     * name_get reads the whole record into a malloc'd buffer (never NULL
     * on success); MLOPS_ENOTFOUND when there is none. */
    int (*name_put)(mlops__objects *be, const char *name, const void *data, size_t len);
    int (*name_get)(mlops__objects *be, const char *name, void **data, size_t *len);

    /* Optional: *n = how many objects there are whose digest starts with
     * the byte fan (0..255): one listing of one fan-out folder, which a
     * push multiplies by 256 to weigh listing everything against asking
     * object by object (lib/remote/lacking.c). */
    int (*count_fan)(mlops__objects *be, unsigned fan, uint64_t *n);

    /* Optional (all three or none), for a remote (lib/remote/pack.c):
     * packs, immutable byte strings of at most MLOPS__OBJECTS_PACK_MAX
     * bytes named by the SHA-256 of their bytes, beside the objects (a
     * backend never looks inside). pack_put writes one (the caller
     * guarantees d names data), durable on return, never replacing one
     * already there (that is success: the name is the content's digest).
     * pack_get reads one whole into a malloc'd buffer (never NULL on
     * success); MLOPS_ENOTFOUND when there is none; more than
     * MLOPS__OBJECTS_PACK_MAX bytes is MLOPS_ECORRUPT. pack_foreach calls
     * fn once for each pack present when the walk starts (one listing);
     * a non-zero return stops it and is returned. */
    int (*pack_put)(mlops__objects *be, const mlops_digest *d, const void *data, size_t len);
    int (*pack_get)(mlops__objects *be, const mlops_digest *d, void **data, size_t *len);
    int (*pack_foreach)(mlops__objects *be, int (*fn)(const mlops_digest *d, void *arg),
                        void *arg);
};

/* The largest pack a backend reads (pack_get). */
#define MLOPS__OBJECTS_PACK_MAX ((size_t)16 << 20)

#define MLOPS__OBJECTS_NAME_MAX 128

/* 1 when name may name a record (name_put, name_get). */
int mlops__objects_name_ok(const char *name);

/* MLOPS_OK when be speaks this library's interface version, else
 * MLOPS_EUNSUPPORTED naming fn (the caller) and the backend. */
int mlops__objects_check(const mlops__objects *be, const char *fn);

/* Whether text names objects on S3 ("s3://bucket/prefix", any case of
 * the scheme), as mlops.conf's objects line and mlops_store_location's
 * objects may; anything else there is a folder. */
int mlops__objects_is_s3_url(const char *text);

#endif
