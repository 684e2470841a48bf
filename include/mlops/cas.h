/*
 * libmlops — content-addressed storage: blobs, streams, trees, references.
 *
 * A blob is a sequence of bytes named by its digest, the SHA-256 of those
 * bytes (so it equals `sha256sum` of a file). Putting the same bytes twice
 * stores them once. Small content is one object file; content larger than
 * the store's maximum chunk size is split by content-defined chunking into
 * chunk objects listed by a manifest, so a new version that differs a
 * little from an old one costs only its changed chunks. Objects are
 * compressed with zstd unless that saves under 10%.
 *
 * Every byte handed out has been verified: each object's SHA-256 is checked
 * before any of its bytes are returned, and a mismatch fails the call with
 * MLOPS_ECORRUPT naming the object.
 *
 * Durability: a put that returned MLOPS_OK survives a process kill (object
 * files are fsync'd and renamed into place before the row that makes them
 * visible commits). Threads: every function may be called from several
 * threads on one store handle; many processes may put into one store at
 * once.
 */
#ifndef MLOPS_CAS_H
#define MLOPS_CAS_H

#include "common.h"
#include "store.h"

MLOPS_BEGIN_DECLS

/* ---- Blobs ------------------------------------------------------------- */

/* Stores len bytes at data (data may be NULL when len is 0: the empty blob
 * is valid) and writes their digest to *out. Content already in the store
 * is not written again. data is borrowed for the call.
 * Errors: MLOPS_EINVAL (NULL s or out, or NULL data with len > 0),
 * MLOPS_EREADONLY (read-only handle), MLOPS_EIO (the OS refused, e.g. a
 * full disk: nothing becomes visible and temp files are removed),
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_ECONFLICT (the put took longer than a
 * concurrent gc's grace period and the gc removed part of its work: put
 * again). */
MLOPS_API int mlops_blob_put(mlops_store *s, const void *data, size_t len, mlops_digest *out);

/* Reads the whole blob d into a new buffer: *data (release it with
 * mlops_free; non-NULL even for the empty blob) and *len. Every byte is
 * verified before the call returns; on failure *data is NULL and *len 0.
 * (A tree's digest reads as its encoding, doc/format.md "Trees".)
 * Errors: MLOPS_EINVAL (NULL argument),
 * MLOPS_ENOTFOUND (no blob d), MLOPS_ECORRUPT (an object is missing or
 * fails verification; the message names it), MLOPS_EIO, MLOPS_ENOMEM
 * (the blob does not fit in memory: use a reader). */
MLOPS_API int mlops_blob_get(mlops_store *s, const mlops_digest *d, void **data, size_t *len);

/* Stores the content of the file at path (read to its end, so a pipe
 * works too) and writes its digest to *out. One pass over the data:
 * reading, chunking, hashing, compressing and writing overlap on the
 * store's worker threads. Errors: MLOPS_EINVAL (NULL argument, or path is
 * a directory), MLOPS_ENOTFOUND (no such file), MLOPS_EIO (unreadable
 * file, full disk...; the message names the path), MLOPS_EREADONLY,
 * MLOPS_ENOMEM, MLOPS_EBUSY, MLOPS_ECONFLICT (as mlops_blob_put). Nothing
 * becomes visible on failure. */
MLOPS_API int mlops_blob_put_file(mlops_store *s, const char *path, mlops_digest *out);

/* Flags of mlops_blob_get_file_ex. */
#define MLOPS_GET_REPLACE 1u /* replace an existing target file */

/* Writes blob d to a new file at path: the bytes go to a temporary file
 * beside it, which is fsync'd (unless the store's durability is NONE) and
 * renamed to path, so path never holds a partial blob. An existing path is
 * refused. Every byte is verified before it is written.
 * Errors: MLOPS_EINVAL (NULL argument), MLOPS_EEXIST (path exists),
 * MLOPS_ENOTFOUND (no blob d, or path's directory does not exist),
 * MLOPS_ECORRUPT (an object fails verification; nothing is left behind),
 * MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_blob_get_file(mlops_store *s, const mlops_digest *d, const char *path);

/* As mlops_blob_get_file; flags MLOPS_GET_REPLACE replaces an existing
 * file at path atomically (never a directory: MLOPS_EINVAL). Unknown flags
 * are refused with MLOPS_EINVAL. */
MLOPS_API int mlops_blob_get_file_ex(mlops_store *s, const mlops_digest *d, const char *path,
                                     unsigned flags);

/* Random access: copies up to len bytes of blob d starting at byte
 * offset into buf, reading only the chunks that cover the range, and sets
 * *got (less than len only at the end of the blob; 0 at or past it).
 * On failure *got is 0 and buf's first len bytes are zeroed.
 * Errors: MLOPS_EINVAL (NULL argument; buf may be NULL when len is 0),
 * MLOPS_ENOTFOUND, MLOPS_ECORRUPT, MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_blob_read_at(mlops_store *s, const mlops_digest *d, uint64_t offset,
                                 void *buf, size_t len, size_t *got);

/* ---- Streaming writer ----------------------------------------------------
 * For content of unknown length (pipes, sockets): open, write any number
 * of times, then commit (or abort). Memory stays bounded whatever the
 * length. A writer is used by one thread at a time. */

typedef struct mlops_blob_writer mlops_blob_writer;

/* Starts a blob. Errors: MLOPS_EINVAL (NULL argument), MLOPS_EREADONLY,
 * MLOPS_ENOMEM. */
MLOPS_API int mlops_blob_writer_open(mlops_store *s, mlops_blob_writer **out);

/* Appends len bytes (copied; data may be NULL when len is 0). Work runs
 * in the background; a failure there is reported by this call or by the
 * commit. Errors: MLOPS_EINVAL, MLOPS_EIO, MLOPS_ENOMEM, MLOPS_EBUSY; after
 * an error only abort is useful. */
MLOPS_API int mlops_blob_writer_write(mlops_blob_writer *w, const void *data, size_t len);

/* Ends the content and commits the blob: *out receives its digest. The
 * writer is released whatever the outcome. Errors: as
 * mlops_blob_writer_write, and MLOPS_ECONFLICT (as mlops_blob_put); on
 * failure nothing becomes visible. */
MLOPS_API int mlops_blob_writer_commit(mlops_blob_writer *w, mlops_digest *out);

/* Discards the content and releases the writer. NULL is a no-op. */
MLOPS_API void mlops_blob_writer_abort(mlops_blob_writer *w);

/* ---- Streaming reader ----------------------------------------------------
 * Reads a blob from its start; the next chunks are decoded and verified
 * ahead of the caller on worker threads. A reader holds under 16 MiB
 * whatever the blob's size. A reader is used by one thread at a time. */

typedef struct mlops_blob_reader mlops_blob_reader;

/* Opens blob d for reading. Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND,
 * MLOPS_ENOMEM, MLOPS_EBUSY. Release with mlops_blob_reader_close. */
MLOPS_API int mlops_blob_reader_open(mlops_store *s, const mlops_digest *d,
                                     mlops_blob_reader **out);

/* Copies up to cap bytes into buf and sets *got; *got is 0 only at the
 * end of the blob or when cap is 0. Only verified bytes are copied. Errors: MLOPS_EINVAL,
 * MLOPS_ECORRUPT (a chunk failed verification: *got counts the verified
 * bytes copied before it), MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_blob_reader_read(mlops_blob_reader *r, void *buf, size_t cap, size_t *got);

/* The blob's size in bytes. Errors: MLOPS_EINVAL for NULL arguments. */
MLOPS_API int mlops_blob_reader_size(const mlops_blob_reader *r, uint64_t *size);

/* Releases the reader. NULL is a no-op. */
MLOPS_API void mlops_blob_reader_close(mlops_blob_reader *r);

/* Sets *exists to 1 when a blob or tree with digest d is in the store,
 * else 0. Errors: MLOPS_EINVAL for NULL arguments, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_blob_exists(mlops_store *s, const mlops_digest *d, int *exists);

/* ---- Stat and list ------------------------------------------------------- */

/* mlops_blob_info.kind */
#define MLOPS_KIND_BLOB 1
#define MLOPS_KIND_TREE 2

/* mlops_blob_info.encoding */
#define MLOPS_ENCODING_RAW   0 /* one object, stored as is */
#define MLOPS_ENCODING_ZSTD  1 /* one object, zstd-compressed */
#define MLOPS_ENCODING_CHUNKED 2 /* chunks listed by a manifest */

#define MLOPS_BLOB_INFO_VERSION 1

/* What the store knows about a blob or tree. An output: set version (with
 * MLOPS_BLOB_INFO_INIT or mlops_blob_info_init) and the library fills the
 * fields that version has. */
typedef struct mlops_blob_info {
    unsigned version;    /* MLOPS_BLOB_INFO_VERSION */
    int kind;            /* MLOPS_KIND_BLOB or MLOPS_KIND_TREE */
    uint64_t size;       /* content bytes (a tree: bytes of its encoding) */
    uint64_t stored;     /* bytes of its object files on disk, headers
                            included; chunks shared with other blobs are
                            counted in each (a chunk used twice by this blob
                            once). A tree counts its own object only. */
    uint64_t chunks;     /* chunk objects (1 for a whole object); for a
                            tree, its number of entries */
    int encoding;        /* MLOPS_ENCODING_* */
    uint64_t zstd_chunks;/* of the chunks, how many are compressed */
    int64_t created_ms;  /* when it was first committed */
} mlops_blob_info;

#define MLOPS_BLOB_INFO_INIT { MLOPS_BLOB_INFO_VERSION, 0, 0, 0, 0, 0, 0, 0 }

/* Initialises info for the given version (use MLOPS_BLOB_INFO_VERSION).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_blob_info_init(mlops_blob_info *info, unsigned version);

/* Describes blob or tree d. Errors: MLOPS_EINVAL (NULL argument or unknown
 * info->version), MLOPS_ENOTFOUND, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_blob_stat(mlops_store *s, const mlops_digest *d, mlops_blob_info *info);

/* Iterates over every blob and tree in the store in digest order. The
 * iteration reads the store in pages, so it holds no lock between calls
 * and sees content committed meanwhile if it sorts later. */
typedef struct mlops_blob_iter mlops_blob_iter;

/* kinds: 0 for everything, or MLOPS_KIND_BLOB or MLOPS_KIND_TREE.
 * Errors: MLOPS_EINVAL, MLOPS_ENOMEM. Release with mlops_blob_list_close. */
MLOPS_API int mlops_blob_list_open(mlops_store *s, int kinds, mlops_blob_iter **out);

/* Writes the next digest to *d and, when info is not NULL, its
 * description. Returns MLOPS_ITEROVER after the last one. Errors:
 * MLOPS_EINVAL, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_blob_list_next(mlops_blob_iter *it, mlops_digest *d, mlops_blob_info *info);

/* Releases the iterator. NULL is a no-op. */
MLOPS_API void mlops_blob_list_close(mlops_blob_iter *it);

/* ---- Trees -----------------------------------------------------------------
 * A directory is stored as one tree object per directory: its entries
 * sorted by name, each a file, directory or symlink with its permission
 * bits, size and digest (file: its blob; directory: its tree; symlink: the
 * blob of its target). The root tree's digest names the whole directory;
 * an unchanged subdirectory is the same tree again, so one changed file
 * rewrites only the trees on its path. */

/* Flags of mlops_tree_put. */
#define MLOPS_TREE_FOLLOW_SYMLINKS 1u /* store what symlinks point to
                                         instead of the links */

/* Stores the directory dir recursively and writes its root tree's digest
 * to *out. Symlinks are stored as links, not followed (unless flags has
 * MLOPS_TREE_FOLLOW_SYMLINKS; a link back to a directory above is then
 * refused). Errors: MLOPS_EINVAL (NULL argument, unknown flags, dir is not
 * a directory), MLOPS_ENOTFOUND (no dir, or an entry vanished),
 * MLOPS_EUNSUPPORTED (a socket, pipe or device inside: named), MLOPS_EIO
 * (unreadable entry: named), MLOPS_EREADONLY, MLOPS_ENOMEM, MLOPS_EBUSY. */
MLOPS_API int mlops_tree_put(mlops_store *s, const char *dir, unsigned flags,
                             mlops_digest *out);

/* Restores tree d into dir, which must not exist or be an empty directory.
 * The whole tree is read and checked before anything is written: an entry
 * name that is empty, ".", "..", or holds "/" or NUL is refused with
 * MLOPS_EINVAL, so no step can write outside dir; symlinks are recreated as
 * links and never followed. The tree is written beside dir under a hidden
 * name and renamed to dir at the end, so dir never holds part of a tree.
 * Behaves as mlops_tree_get_ex with default options (since 1.1: limits,
 * free-space check and the umask apply; see there). flags must be 0.
 * Errors: MLOPS_EINVAL (NULL argument, flags, unsafe name, d is a blob),
 * MLOPS_ENOTFOUND (no tree d, a blob it names is missing, or dir's parent
 * does not exist), MLOPS_EEXIST (dir is a file or a non-empty directory),
 * MLOPS_ECORRUPT (an object fails verification), MLOPS_EUNSUPPORTED (a
 * newer tree format), MLOPS_EIO, MLOPS_ENOMEM. */
MLOPS_API int mlops_tree_get(mlops_store *s, const mlops_digest *d, const char *dir,
                             unsigned flags);

/* mlops_tree_get_opts.links */
#define MLOPS_TREE_LINKS_KEEP 0      /* recreate every symlink as stored */
#define MLOPS_TREE_LINKS_CONTAINED 1 /* refuse a symlink whose target is
                                        absolute, climbs above dir, or has
                                        ".." after a name */

/* Defaults of mlops_tree_get_opts (since 1.1). */
#define MLOPS_TREE_MAX_ENTRIES_DEFAULT 10000000u       /* files, dirs, links */
#define MLOPS_TREE_MAX_BYTES_DEFAULT (1ull << 40)      /* 1 TiB of file bytes */

#define MLOPS_TREE_GET_OPTS_VERSION 1

/* Options of mlops_tree_get_ex (since 1.1). Initialise with
 * MLOPS_TREE_GET_OPTS_INIT or mlops_tree_get_opts_init(). A tree's
 * subtrees may repeat (one digest named many times), so a few small
 * objects can describe a huge directory: the limits apply to the expanded
 * tree, what would be written. */
typedef struct mlops_tree_get_opts {
    unsigned version;     /* MLOPS_TREE_GET_OPTS_VERSION */
    uint64_t max_entries; /* entries the restore may create, all levels
                             (UINT64_MAX: no limit) */
    uint64_t max_bytes;   /* file bytes it may write (UINT64_MAX: no
                             limit); free disk space is checked either way */
    int keep_modes;       /* 0: stored permission bits less the process's
                             umask, for every user, root included;
                             1: stored bits as they are */
    int links;            /* MLOPS_TREE_LINKS_* */
} mlops_tree_get_opts;

#define MLOPS_TREE_GET_OPTS_INIT                                                                 \
    { MLOPS_TREE_GET_OPTS_VERSION, MLOPS_TREE_MAX_ENTRIES_DEFAULT, MLOPS_TREE_MAX_BYTES_DEFAULT, \
      0, MLOPS_TREE_LINKS_KEEP }

/* Fills opts with the defaults of the given version (since 1.1).
 * Errors: MLOPS_EINVAL (NULL, or a version this library does not know). */
MLOPS_API int mlops_tree_get_opts_init(mlops_tree_get_opts *opts, unsigned version);

/* Restores tree d into dir as mlops_tree_get does, with options (NULL for
 * the defaults; since 1.1). Before anything is written, the expanded
 * entry count and file bytes are computed (each distinct subtree once,
 * so this is linear in the tree's objects) and the restore is refused
 * beyond opts' limits or the free space and inodes of dir's file system.
 * Memory grows with the tree's depth and distinct subtrees, never with
 * its expanded size. Thread-safe like every call on a store, but it reads
 * the process's umask (from /proc where possible).
 * Errors: as mlops_tree_get, and MLOPS_EINVAL (unknown opts->version or
 * links value, a limit exceeded: named, a link refused by
 * MLOPS_TREE_LINKS_CONTAINED: named), MLOPS_EIO (not enough free space or
 * inodes for the expanded tree: the figures are named). */
MLOPS_API int mlops_tree_get_ex(mlops_store *s, const mlops_digest *d, const char *dir,
                                const mlops_tree_get_opts *opts);

/* ---- References ------------------------------------------------------------
 * Named references (name -> digest) keep what they name, and everything it
 * reaches, from garbage collection. Names are UTF-8, 1..255 bytes, no
 * control characters. */

/* Points name at blob or tree d, creating or moving it. Errors:
 * MLOPS_EINVAL (NULL argument or bad name), MLOPS_ENOTFOUND (no blob or
 * tree d), MLOPS_EREADONLY, MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_ref_set(mlops_store *s, const char *name, const mlops_digest *d);

/* Writes the digest name points at to *out. Errors: MLOPS_EINVAL,
 * MLOPS_ENOTFOUND (no such reference), MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_ref_get(mlops_store *s, const char *name, mlops_digest *out);

/* Removes the reference (the content stays until a gc finds it
 * unreachable). Errors: MLOPS_EINVAL, MLOPS_ENOTFOUND, MLOPS_EREADONLY,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_ref_delete(mlops_store *s, const char *name);

/* Iterates over the references whose names start with prefix (NULL or ""
 * for all), in name order, reading in pages. */
typedef struct mlops_ref_iter mlops_ref_iter;

MLOPS_API int mlops_ref_list_open(mlops_store *s, const char *prefix, mlops_ref_iter **out);

/* *name points at a string owned by the iterator, valid until the next
 * call on it. Returns MLOPS_ITEROVER after the last. Errors: MLOPS_EINVAL,
 * MLOPS_EBUSY, MLOPS_EIO. */
MLOPS_API int mlops_ref_list_next(mlops_ref_iter *it, const char **name, mlops_digest *d);

/* Releases the iterator. NULL is a no-op. */
MLOPS_API void mlops_ref_list_close(mlops_ref_iter *it);

MLOPS_END_DECLS

#endif /* MLOPS_CAS_H */
