/* Internal: a hash map from 32-byte keys (digests, or a file's device and
 * inode packed by mlops__keymap_devino) to a size_t chosen by the caller,
 * typically an index into the caller's own array. Open addressing; memory
 * grows with the number of keys. Not thread-safe. */
#ifndef MLOPS_CAS_KEYMAP_H
#define MLOPS_CAS_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__keymap {
    unsigned char (*keys)[32];
    size_t *vals;
    unsigned char *used;
    size_t cap, n;
} mlops__keymap;

#define MLOPS__KEYMAP_INIT { NULL, NULL, NULL, 0, 0 }

/* 1 and *val set when key is present, else 0. val may be NULL. */
int mlops__keymap_get(const mlops__keymap *m, const unsigned char key[32], size_t *val);

/* Inserts key with val unless it is present. *added (may be NULL) is 1
 * when it was inserted, 0 when it was there (its value unchanged).
 * MLOPS_ENOMEM (with a message) when the table cannot grow. */
int mlops__keymap_add(mlops__keymap *m, const unsigned char key[32], size_t val, int *added);

/* Packs a device and inode number into a key. */
void mlops__keymap_devino(uint64_t dev, uint64_t ino, unsigned char key[32]);

void mlops__keymap_free(mlops__keymap *m);

#endif
