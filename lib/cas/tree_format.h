/* Internal: the tree object, one per directory (doc/format.md, "Trees"):
 * a versioned msgpack map whose entries are sorted by name. */
#ifndef MLOPS_CAS_TREE_FORMAT_H
#define MLOPS_CAS_TREE_FORMAT_H

#include "mlops/common.h"

#include <stddef.h>
#include <stdint.h>

#define MLOPS__TREE_VERSION 1

#define MLOPS__ENTRY_FILE 1
#define MLOPS__ENTRY_DIR 2
#define MLOPS__ENTRY_SYMLINK 3

typedef struct mlops__tree_entry {
    char *name; /* malloc'd, NUL-terminated */
    int type;   /* MLOPS__ENTRY_* */
    uint32_t mode;
    uint64_t size;
    mlops_digest digest; /* file: its blob; dir: its tree; symlink: the blob of its target */
} mlops__tree_entry;

/* 1 when name may be an entry: not empty, not "." or "..", no '/' and no
 * NUL within its len bytes. */
int mlops__tree_name_ok(const char *name, size_t len);

/* Sorts entries by name (bytewise) in place. */
void mlops__tree_sort(mlops__tree_entry *e, size_t n);

/* Encodes sorted entries into a malloc'd buffer. */
int mlops__tree_encode(const mlops__tree_entry *e, size_t n, void **out, size_t *len);

/* Decodes a tree and checks it: format, version, each entry's fields and
 * name (MLOPS_EINVAL for an unsafe name, naming it), names strictly
 * increasing. *entries (and each name) are malloc'd: free with
 * mlops__tree_entries_free. what names the tree in messages. */
int mlops__tree_decode(const void *buf, size_t len, const char *what,
                       mlops__tree_entry **entries, size_t *n);

void mlops__tree_entries_free(mlops__tree_entry *e, size_t n);

#endif
