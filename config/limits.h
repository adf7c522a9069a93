/* The limits the process actually has, which size the window and the
 * pinned budget: its address-space limit and the memory it may use (the
 * smaller of physical RAM and its cgroup's limit). */
#ifndef GPUSCATTER_LIMITS_H
#define GPUSCATTER_LIMITS_H

#include <stdint.h>

/* RLIMIT_AS (soft), or 0 when unlimited. */
uint64_t limits_address_space(void);

/* Memory available to the process: physical RAM, or less under a cgroup
 * limit (v2 memory.max, v1 memory.limit_in_bytes). *why is "RAM" or
 * "cgroup". Reads files: call outside the allocation path's hot part. */
uint64_t limits_memory(const char **why);

#endif
