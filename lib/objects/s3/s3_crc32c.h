/* Internal: CRC-32C (Castagnoli, the iSCSI polynomial), the checksum an
 * S3 PUT carries in x-amz-checksum-crc32c so that the server refuses a
 * body damaged on the way (s3_request.c). Uses the CPU's crc32
 * instruction where it has one (x86-64 with SSE4.2), a table otherwise.
 * Pure: any thread. */
#ifndef MLOPS_OBJECTS_S3_CRC32C_H
#define MLOPS_OBJECTS_S3_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of len bytes (crc32c("123456789") = 0xe3069283). */
uint32_t mlops__crc32c(const void *data, size_t len);

/* Its S3 header form: the 4 bytes big-endian, base64 ("jK+NsQ=="), into
 * out (at least 9 bytes, NUL-terminated). */
void mlops__crc32c_base64(uint32_t crc, char out[9]);

#endif
