/* Internal: time. Public times are int64 milliseconds since the Unix epoch, UTC. */
#ifndef MLOPS_UTIL_CLOCK_H
#define MLOPS_UTIL_CLOCK_H

#include <stdint.h>

int64_t mlops__now_ms(void);       /* wall clock, ms since the epoch */
int64_t mlops__monotonic_ns(void); /* for measuring intervals */
void mlops__sleep_us(uint32_t us);

#endif
