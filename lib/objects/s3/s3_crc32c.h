/* Internal: the CRC-32C (util/crc32c.h) an S3 PUT carries in
 * x-amz-checksum-crc32c so that the server refuses a body damaged on the
 * way (s3_request.c), and its header form. Pure: any thread. */
#ifndef MLOPS_OBJECTS_S3_CRC32C_H
#define MLOPS_OBJECTS_S3_CRC32C_H

#include "util/crc32c.h"

/* Its S3 header form: the 4 bytes big-endian, base64 ("jK+NsQ=="), into
 * out (at least 9 bytes, NUL-terminated). */
void mlops__crc32c_base64(uint32_t crc, char out[9]);

#endif
