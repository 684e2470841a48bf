/* Internal to bundles (bundle.c, bundle_file.c; doc/format.md,
 * "Bundles"): the file's framing, and the file seen as an object backend
 * so that push writes a bundle's objects and pull reads them. */
#ifndef MLOPS_REMOTE_BUNDLE_INTERNAL_H
#define MLOPS_REMOTE_BUNDLE_INTERNAL_H

#include "mlops/bundle.h"
#include "remote/remote_internal.h"

#include <pthread.h>
#include <stdio.h>

#define MLOPS__BUNDLE_MAGIC "\x89MLOPSB\n" /* 8 bytes */
#define MLOPS__BUNDLE_END "MLOPSEND"       /* 8 bytes, the trailer's last */
#define MLOPS__BUNDLE_FORMAT "mlops.bundle"
/* The version the writer writes and the newest a reader reads; a reader
 * reads version 1 too (frames without a checksum). */
#define MLOPS__BUNDLE_VERSION 2
/* Version 2's trailer: the table of contents' offset, its CRC-32C, the
 * end marker; version 1's has no CRC. */
#define MLOPS__BUNDLE_TRAILER_V1 16
#define MLOPS__BUNDLE_TRAILER 20
/* Largest frame, in bytes: the bound of a reader's memory per frame. */
#define MLOPS__BUNDLE_FRAME_MAX ((uint32_t)256 << 20)

typedef struct mlops__bundle_toc_obj {
    mlops_digest d;
    uint64_t off;
} mlops__bundle_toc_obj;

typedef struct mlops__bundle_toc_rec {
    char name[MLOPS__OBJECTS_NAME_MAX + 1];
    uint64_t off;
} mlops__bundle_toc_rec;

/* A bundle being written: an object backend (be first) whose stage
 * appends an object frame and whose name_put appends a record frame. */
typedef struct mlops__bundle_writer {
    mlops__objects be;
    const char *fn;
    FILE *f;
    char *path, *tmp;
    uint64_t off;
    mlops__bundle_toc_obj *objs;
    size_t nobjs, capobjs;
    mlops__bundle_toc_rec *recs;
    size_t nrecs, caprecs;
    uint64_t meta_off;
    /* Push stages objects from the pool's threads: one frame at a time. */
    pthread_mutex_t lock;
} mlops__bundle_writer;

/* Creates path's temporary sibling and writes the magic and the header
 * frame (hdr, hlen: one msgpack map). */
int mlops__bundle_writer_open(const char *fn, const char *path, const void *hdr, size_t hlen,
                              mlops__bundle_writer **out);
/* Appends one frame of len bytes (one msgpack object): its length, the
 * bytes, the CRC-32C of both. */
int mlops__bundle_write_frame(mlops__bundle_writer *w, const void *buf, size_t len);
/* Marks where the records' frames start (after the objects). */
void mlops__bundle_meta_begin(mlops__bundle_writer *w);
/* Writes the table of contents and the trailer, makes the file durable
 * and renames it to its path. */
int mlops__bundle_writer_finish(mlops__bundle_writer *w);
/* Removes an unfinished file; frees w. NULL is a no-op. */
void mlops__bundle_writer_free(mlops__bundle_writer *w);

/* A bundle being read: an object backend (be first) whose open finds an
 * object frame through the table of contents and whose name_get a record
 * frame. Only the table of contents is held in memory. */
typedef struct mlops__bundle_reader {
    mlops__objects be;
    const char *fn;
    const char *path;
    FILE *f;
    uint64_t size;
    unsigned version; /* the header's: 1 (no checksums) or 2 */
    uint64_t hdr_end, meta_off, toc_off;
    mlops__bundle_toc_obj *objs; /* sorted by digest */
    size_t nobjs;
    mlops__bundle_toc_rec *recs;
    size_t nrecs;
    void *hdr; /* the header frame's bytes */
    size_t hlen;
    /* Pull reads objects from the pool's threads: one seek-and-read at a time. */
    pthread_mutex_t lock;
} mlops__bundle_reader;

/* Opens path: checks the magic, the header's version (a newer one is
 * MLOPS_EUNSUPPORTED before anything else is read), the trailer and the
 * table of contents (every offset inside the file, in its section; from
 * version 2 each with its checksum). MLOPS_EFORMAT (not a bundle),
 * MLOPS_ECORRUPT (a damaged one), MLOPS_ENOTFOUND, MLOPS_EIO. */
int mlops__bundle_reader_open(const char *fn, const char *path, mlops__bundle_reader **out);
/* The same on an open file f (taken over: closed by the reader, or here
 * on an error); path names it in messages. */
int mlops__bundle_reader_from(const char *fn, const char *path, FILE *f,
                              mlops__bundle_reader **out);
void mlops__bundle_reader_free(mlops__bundle_reader *r);

/* Reads the frame at *off into a malloc'd *buf, *len bytes, and moves *off
 * past it. MLOPS_ECORRUPT when it does not fit before limit or (version 2)
 * fails its checksum: nothing of a damaged frame reaches a decoder. */
int mlops__bundle_read_frame(mlops__bundle_reader *r, uint64_t *off, uint64_t limit, void **buf,
                             size_t *len);

/* The decoder of untrusted bytes, one record frame: checks that
 * buf[0..len) is a record of a kind this version knows with the fields
 * that kind has. 0, or MLOPS_ECORRUPT naming fn. */
int mlops__bundle_frame_check(const char *fn, const void *buf, size_t len);

/* Every check an import makes before it writes, on a whole bundle read
 * from f (taken over): the header, the framing and table of contents,
 * every record, event and signature, and every object and record frame
 * the table names (objects only as frames: their digests are checked by
 * the pull that stores them). The fuzz target's entry. 0, or the error
 * an import would return. */
int mlops__bundle_check(const char *fn, FILE *f);

#endif
