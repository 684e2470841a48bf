/* Little-endian integers in byte buffers, as the formats that store
 * them (object headers, packs, monitor windows, page tokens) lay them
 * out whatever the host's byte order. */
#ifndef MLOPS_UTIL_LE_H
#define MLOPS_UTIL_LE_H

#include <stdint.h>

static inline void mlops__put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t mlops__get_le32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline void mlops__put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t mlops__get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

#endif
