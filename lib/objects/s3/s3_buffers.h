/* Internal: the buffers an S3 backend holds fetched objects in, reused.
 *
 * An object fetched by a GET (or read from the cache) lives in one buffer
 * of up to a few MiB, filled on one thread and freed on another (a
 * transfer thread, the reader, the cache writer). From malloc, each
 * thread's arena keeps what was freed in it and glibc's mmap threshold
 * climbs to the largest size freed, so a backend with dozens of transfer
 * threads held several times the bytes it had in flight. These buffers
 * are mapped from the system and unmapped when given back, except for up
 * to `keep` bytes of them, which the next objects of the same size class
 * reuse without faulting fresh pages in. Thread-safe. */
#ifndef MLOPS_OBJECTS_S3_S3_BUFFERS_H
#define MLOPS_OBJECTS_S3_S3_BUFFERS_H

#include <stddef.h>

typedef struct mlops__s3_buffers mlops__s3_buffers;

/* A pool that keeps at most keep bytes of given-back buffers; NULL when
 * out of memory. */
mlops__s3_buffers *mlops__s3_buffers_new(size_t keep);
/* Unmaps the kept buffers and frees b (NULL: nothing). Every buffer taken
 * must have been given back first. */
void mlops__s3_buffers_free(mlops__s3_buffers *b);

/* A buffer of at least n bytes (n may be 0), aligned for any object;
 * NULL when out of memory. With b NULL, malloc's. */
void *mlops__s3_buffer_take(mlops__s3_buffers *b, size_t n);
/* Gives back p (NULL: nothing), taken from the same b (or malloc'd when
 * b is NULL). */
void mlops__s3_buffer_give(mlops__s3_buffers *b, void *p);
/* The bytes p can hold (taken from a pool, not NULL's malloc). */
size_t mlops__s3_buffer_capacity(const void *p);
/* The bytes of the buffers b keeps now (their mappings' sizes). */
size_t mlops__s3_buffers_kept(mlops__s3_buffers *b);

#endif
