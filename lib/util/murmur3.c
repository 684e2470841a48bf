/* MurmurHash3 x86_32: the state's start and the one-shot form (the steps
 * are inline in murmur3.h). */
#include "util/murmur3.h"

#include <string.h>

void mlops__murmur3_init(mlops__murmur3 *st, uint32_t seed)
{
    st->h = seed;
    st->len = 0;
    st->ntail = 0;
    memset(st->tail, 0, sizeof st->tail);
}

uint32_t mlops__murmur3_32(const void *data, size_t n, uint32_t seed)
{
    mlops__murmur3 st;
    mlops__murmur3_init(&st, seed);
    mlops__murmur3_update(&st, data, n);
    return mlops__murmur3_final(&st);
}
