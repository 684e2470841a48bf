#include "cas/cas_internal.h"

/* The cas part of schema version 1. doc/format.md ("Content-addressed
 * store") describes every column. Digests are 32-byte BLOBs. Times are ms
 * since the epoch; touched_ms is when the row was last written or reused,
 * and gc never deletes a row whose touched_ms is within its grace period.
 * The foreign keys are a safety net: nothing still referenced can be
 * deleted, whatever a bug in gc would try. */
const char mlops__cas_schema_v1[] =
    /* One row per object file: bytes named by their SHA-256. */
    "CREATE TABLE cas_object("
    "  digest BLOB PRIMARY KEY CHECK(length(digest) = 32),"
    "  size INTEGER NOT NULL,"
    "  stored INTEGER NOT NULL,"
    "  encoding INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  touched_ms INTEGER NOT NULL,"
    "  verified_ms INTEGER"
    ") WITHOUT ROWID;"
    /* Blobs and trees: what callers name. A whole blob's bytes are the
     * object of the same digest; a chunked blob's are listed by its
     * manifest object and by cas_chunk; a tree is the object of the same
     * digest. */
    "CREATE TABLE cas_content("
    "  digest BLOB PRIMARY KEY CHECK(length(digest) = 32),"
    "  kind INTEGER NOT NULL CHECK(kind IN (1, 2)),"
    "  size INTEGER NOT NULL,"
    "  manifest BLOB REFERENCES cas_object(digest),"
    "  chunks INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  touched_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX cas_content_manifest ON cas_content(manifest);"
    /* The chunks of a chunked blob, by position (random access). */
    "CREATE TABLE cas_chunk("
    "  blob BLOB NOT NULL REFERENCES cas_content(digest) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  chunk BLOB NOT NULL REFERENCES cas_object(digest),"
    "  PRIMARY KEY(blob, pos)"
    ") WITHOUT ROWID;"
    "CREATE INDEX cas_chunk_chunk ON cas_chunk(chunk);"
    /* The blobs and subtrees a tree names (its edges, for gc). */
    "CREATE TABLE cas_tree_child("
    "  tree BLOB NOT NULL REFERENCES cas_content(digest) ON DELETE CASCADE,"
    "  child BLOB NOT NULL REFERENCES cas_content(digest),"
    "  PRIMARY KEY(tree, child)"
    ") WITHOUT ROWID;"
    "CREATE INDEX cas_tree_child_child ON cas_tree_child(child);"
    /* Named references: the first gc root. */
    "CREATE TABLE cas_ref("
    "  name TEXT PRIMARY KEY,"
    "  digest BLOB NOT NULL REFERENCES cas_content(digest),"
    "  updated_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX cas_ref_digest ON cas_ref(digest);";
