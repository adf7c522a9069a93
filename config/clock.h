/* The millisecond clock for decays and idle times. Coarse: a tick or so
 * of error is nothing against seconds of decay, and it reads the vDSO's
 * last value without asking the hardware. */
#ifndef GPUSCATTER_CLOCK_H
#define GPUSCATTER_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

#endif
