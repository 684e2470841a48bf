/* Internal: CRC-32C (Castagnoli, the iSCSI polynomial): the checksum an
 * S3 PUT carries in x-amz-checksum-crc32c (objects/s3/s3_request.c) and
 * the one behind each frame of a bundle (remote/bundle_file.c). Uses the
 * CPU's crc32 instruction where it has one (x86-64 with SSE4.2), a table
 * otherwise. Pure: any thread. */
#ifndef MLOPS_UTIL_CRC32C_H
#define MLOPS_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of len bytes (crc32c("123456789") = 0xe3069283). */
uint32_t mlops__crc32c(const void *data, size_t len);

/* crc (the CRC-32C of some bytes A, 0 for none) carried over len more
 * bytes B: the CRC-32C of A followed by B, so that a checksum of pieces
 * needs no copy that joins them. */
uint32_t mlops__crc32c_update(uint32_t crc, const void *data, size_t len);

#endif
