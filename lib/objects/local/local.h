/* Internal: the local-directory object backend (lib/objects/objects.h):
 * objects as files under <root>/objects/sha256/, staged in <root>/tmp/,
 * quarantined to <root>/quarantine/ (doc/format.md). */
#ifndef MLOPS_OBJECTS_LOCAL_LOCAL_H
#define MLOPS_OBJECTS_LOCAL_LOCAL_H

#include "objects/objects.h"

/* Opens the objects of the folder root (the store directory, or the
 * folder mlops.conf names). writable: make objects/, objects/sha256/ and
 * tmp/ when missing, and sweep what dead handles left in tmp/. fsync:
 * make objects durable (the store's durability is not NONE). *out is
 * released with its free member. MLOPS_EIO, MLOPS_ENOMEM, MLOPS_EINVAL
 * (a path too long for an object's). */
int mlops__objects_local_open(const char *root, int writable, int fsync, mlops__objects **out);

#endif
