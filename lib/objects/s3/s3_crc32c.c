/* The S3 header form of a CRC-32C (s3_crc32c.h). */
#include "objects/s3/s3_crc32c.h"

void mlops__crc32c_base64(uint32_t crc, char out[9])
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char b[4] = { (unsigned char)(crc >> 24), (unsigned char)(crc >> 16),
                           (unsigned char)(crc >> 8), (unsigned char)crc };
    out[0] = abc[b[0] >> 2];
    out[1] = abc[((b[0] & 3) << 4) | (b[1] >> 4)];
    out[2] = abc[((b[1] & 15) << 2) | (b[2] >> 6)];
    out[3] = abc[b[2] & 63];
    out[4] = abc[b[3] >> 2];
    out[5] = abc[(b[3] & 3) << 4];
    out[6] = '=';
    out[7] = '=';
    out[8] = '\0';
}
