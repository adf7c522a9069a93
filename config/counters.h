/* Per-thread counters, summed when a report is made: no shared atomics on
 * any allocation path. */
#ifndef GPUSCATTER_COUNTERS_H
#define GPUSCATTER_COUNTERS_H

#include <stdint.h>

enum {
  CTR_GPU_ALLOCS, CTR_GPU_BYTES, CTR_FALLBACK,
  CTR_APP_CALLS, CTR_HITS, CTR_MISSES, CTR_APP_UNREGISTERS,
  CTR_BACKTRACES, CTR_SITE_HITS,
  CTR_SIZE_BYTES,      /* placed by size alone (REG_SIZE) */
  CTR_SITE_BYTES,      /* placed by call site (REG_SITE) */
  CTR_N
};

void ctr_add(int which, uint64_t v);
void ctr_sum(uint64_t out[CTR_N]);

#endif
