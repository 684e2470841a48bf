/* Internal to remotes, push and pull (lib/remote/, include/mlops/remote.h,
 * doc/remotes.md). */
#ifndef MLOPS_REMOTE_INTERNAL_H
#define MLOPS_REMOTE_INTERNAL_H

#include "mlops/remote.h"
#include "cas/cas_internal.h"
#include "objects/objects.h"

#include <stddef.h>
#include <stdint.h>

/* ---- remotes.conf (remotes_conf.c) --------------------------------------- */

#define MLOPS__REMOTES_NAME "remotes.conf"
#define MLOPS__REMOTE_NAME_MAX 64

typedef struct mlops__remote_entry {
    char *name;
    char *url;
} mlops__remote_entry;

/* Reads the store directory's remotes.conf (none: no remotes), sorted by
 * name. MLOPS_EFORMAT, MLOPS_EUNSUPPORTED, MLOPS_EIO, MLOPS_ENOMEM. */
int mlops__remotes_read(const char *dir, mlops__remote_entry **out, size_t *n);
void mlops__remotes_free(mlops__remote_entry *e, size_t n);

/* Opens remote `name` of store s as an object backend (a directory: the
 * local backend, made when missing if create (a push), else
 * MLOPS_ENOTFOUND; s3://: the S3 backend, no cache). *out is released
 * with its free member. MLOPS_ENOTFOUND naming fn when the store has no
 * such remote. */
int mlops__remote_open(const char *fn, mlops_store *s, const char *name, int create,
                       mlops__objects **out);

/* ---- selections (selection.c) -------------------------------------------- */

enum { MLOPS__SEL_DIGEST, MLOPS__SEL_REF, MLOPS__SEL_RUN, MLOPS__SEL_MODEL_ALIAS,
       MLOPS__SEL_MODEL_VERSION };

typedef struct mlops__selection {
    int kind;            /* MLOPS__SEL_* */
    const char *text;    /* the caller's string (borrowed) */
    const char *name;    /* ref name, run id or model name: points into buf */
    const char *alias;   /* MODEL_ALIAS: points into buf */
    int64_t version;     /* MODEL_VERSION */
    mlops_digest digest; /* DIGEST */
    char buf[512];
} mlops__selection;

/* Parses one selection. MLOPS_EINVAL naming fn and text when it is not
 * one (doc/remotes.md, "Selections"). */
int mlops__selection_parse(const char *fn, const char *text, mlops__selection *out);

/* The model version a model:NAME@ALIAS or model:NAME/N selection names
 * (not deleted): its row id, number, artifact digest and run id ("" when
 * it has none). MLOPS_ENOTFOUND naming fn and the selection's text. */
typedef struct mlops__selected_version {
    int64_t id, number;
    unsigned char artifact[32];
    char run_id[33];
} mlops__selected_version;
int mlops__selection_version(const char *fn, mlops__conn *c, const mlops__selection *sel,
                             mlops__selected_version *out);
/* The digests sel names in the store (c: the caller's read transaction):
 * *roots malloc'd (it may be empty for a run without lineage). Content
 * named by the store's records that the store does not hold is
 * MLOPS_ENOTFOUND. */
int mlops__selection_roots(const char *fn, mlops__conn *c, const mlops__selection *sel,
                           mlops_digest **roots, size_t *n);

/* ---- what content reaches (walk.c) --------------------------------------- */

typedef struct mlops__rcontent {
    mlops_digest digest;
    int kind;              /* MLOPS__KIND_BLOB, MLOPS__KIND_TREE */
    uint64_t size;
    int has_manifest;      /* a chunked blob */
    mlops_digest manifest;
} mlops__rcontent;

/* Every blob and tree reachable from roots, children before the trees
 * that name them, each once (*out malloc'd). MLOPS_ENOTFOUND when a root
 * or a child is not held. */
int mlops__walk_contents(const char *fn, mlops__conn *c, const mlops_digest *roots, size_t n,
                         mlops__rcontent **out, size_t *nout);

/* Appends to *objs (grown with realloc, *cap its room) the objects of
 * contents (a whole blob or a tree: its own digest; a chunked blob: its
 * manifest and its chunks from cas_chunk), each once. */
int mlops__walk_objects(mlops__conn *c, const mlops__rcontent *ct, size_t n,
                        mlops_digest **objs, size_t *nobjs);

/* ---- records (record.c) -------------------------------------------------- */

/* What a remote keeps under a selection's text: the roots and every
 * content they reach, children first (doc/format.md, "Remotes"). */
typedef struct mlops__record {
    char *selection;
    mlops_digest *roots;
    size_t nroots;
    mlops__rcontent *contents;
    size_t ncontents;
    /* Version 2: the packs that hold objects of the contents (version 1,
     * none: every object is loose). */
    mlops_digest *packs;
    size_t npacks;
} mlops__record;

/* The name of the record of a selection: "sel-" and the hex SHA-256 of
 * its text (NAME_CAP bytes). */
#define MLOPS__RECORD_NAME_CAP 72
void mlops__record_name(const char *selection, char out[MLOPS__RECORD_NAME_CAP]);

int mlops__record_encode(const mlops__record *r, void **out, size_t *len);
/* MLOPS_EFORMAT (naming fn and where) for anything but a well-formed
 * record of a version this library reads (MLOPS_EUNSUPPORTED). */
int mlops__record_decode(const char *fn, const char *where, const void *buf, size_t len,
                         mlops__record *out);
void mlops__record_free(mlops__record *r);

/* ---- packs (pack.c) ------------------------------------------------------ */

/* Objects of a stored size below this go into packs (doc/remotes.md, "Packs"). */
#define MLOPS__PACK_OBJ_MAX ((size_t)256 << 10)
/* A pack is closed once its objects reach this many bytes. */
#define MLOPS__PACK_TARGET ((size_t)8 << 20)
/* A push makes packs only when it sends at least this many small objects. */
#define MLOPS__PACK_MIN_OBJECTS 16
#define MLOPS__PACK_HEADER 16
#define MLOPS__PACK_ENTRY 48
#define MLOPS__PACK_FOOTER 40

typedef struct mlops__pack_entry {
    mlops_digest digest;
    uint64_t offset, len;
} mlops__pack_entry;

/* The name of a pack's index record: "pack-" and the pack's hex digest. */
#define MLOPS__PACK_NAME_CAP 70
void mlops__pack_name(const mlops_digest *pack, char out[MLOPS__PACK_NAME_CAP]);

/* A pack being made: objects added until full, then finished. */
typedef struct mlops__pack_builder {
    unsigned char *buf; /* the pack */
    size_t len, cap;
    mlops__pack_entry *e;
    size_t n, cape;
    uint64_t bytes;       /* the objects' bytes */
    mlops_digest digest;  /* finished: the pack's name */
    unsigned char *idx;   /* finished: its index record */
    size_t idxlen;
} mlops__pack_builder;

int mlops__pack_begin(mlops__pack_builder *b);
/* Appends object d's stored bytes (len < MLOPS__PACK_OBJ_MAX). */
int mlops__pack_add(mlops__pack_builder *b, const mlops_digest *d, const void *obj, size_t len);
/* 1 when b's objects reach MLOPS__PACK_TARGET bytes. */
int mlops__pack_full(const mlops__pack_builder *b);
/* Writes the index and footer: b->buf, b->len is the pack, b->digest its
 * name, b->idx, b->idxlen its index record. */
int mlops__pack_finish(mlops__pack_builder *b);
void mlops__pack_builder_free(mlops__pack_builder *b);

/* Decodes and checks the index of a pack (whole: buf is the pack) or of
 * an index record (whole = 0): *out malloc'd, count entries in order of
 * their offsets, one object after the other. MLOPS_ECORRUPT naming what
 * for anything else, MLOPS_EUNSUPPORTED for a newer version. */
int mlops__pack_index_decode(const char *what, const void *buf, size_t len, int whole,
                             mlops__pack_entry **out, size_t *nout);

/* The index of remote pack d (source names the remote in messages): its
 * index record, or the pack read whole when the record is missing (a push
 * stopped between the two), and then, if repair, the record written. */
int mlops__pack_index_read(mlops__objects *be, const char *source, const mlops_digest *d,
                           int repair, mlops__pack_entry **out, size_t *nout);

/* For a push: the remote's packs (one listing, one index read each) and
 * which lacking objects objs[i] (lacks[i] set) they hold: those are not
 * lacking. *packs (malloc'd, may be NULL) gets the packs holding any of
 * them. Index entries read are counted in report->listed. Nothing is
 * read when nothing lacks. */
int mlops__push_packs_load(mlops__objects *be, const mlops_digest *objs, size_t n,
                           unsigned char *lacks, mlops_transfer_report *report,
                           mlops_digest **packs, size_t *npacks);

/* ---- the transfers (push.c, pull.c, lacking.c) --------------------------- */

/* Push and pull with a budget: stop with MLOPS_EIO after copying
 * max_objects objects (0: no limit), as if the connection had dropped
 * (the tests' interruption). */
int mlops__remote_push(const char *fn, mlops_store *s, const char *remote,
                       const char *const *selections, size_t n, uint64_t max_objects,
                       mlops_transfer_report *report);
/* The push to an open backend be (a remote, or a bundle being written:
 * bundle_file.c), which must have name_put and name_get; be stays the
 * caller's. */
int mlops__push_to(const char *fn, mlops_store *s, mlops__objects *be,
                   const char *const *selections, size_t n, uint64_t max_objects,
                   mlops_transfer_report *report);
/* The pull from an open backend be (a remote, or a bundle read as one:
 * bundle.c), which must have name_get; be stays the caller's. source
 * names it in messages: "remote 'NAME'", "bundle 'FILE'". */
int mlops__pull_from(const char *fn, const char *source, mlops_store *s, mlops__objects *be,
                     const char *const *selections, size_t n, uint64_t max_objects,
                     mlops_transfer_report *report);
int mlops__remote_pull(const char *fn, mlops_store *s, const char *remote,
                       const char *const *selections, size_t n, uint64_t max_objects,
                       mlops_transfer_report *report);

/* Sets lacks[i] for each objs[i] the remote does not hold: one existence
 * check per object, or one listing of the remote, whichever the
 * estimate says costs fewer requests (doc/remotes.md, "Which objects the
 * remote lacks"). Counts go to report->lookups or ->listed. */
int mlops__remote_lacking(mlops__objects *be, const mlops_digest *objs, size_t n,
                          unsigned char *lacks, mlops_transfer_report *report);

#endif
