/* The runtime's pinned allocations (cudaHostAlloc, cudaMallocHost,
 * cuMemAllocHost, cuMemHostAlloc, hipHostMalloc...), served from memory
 * that is bound before the pointer is returned, with the runtime's exact
 * answers; what cannot be served (write-combined, a full budget, no
 * backend) is the runtime's own call. */
#ifndef GPUSCATTER_HOSTALLOC_H
#define GPUSCATTER_HOSTALLOC_H

#include "../config/fork.h"
#include "../runtime/flavor.h"
#include "../runtime/regtable.h"

#include <stdbool.h>
#include <stddef.h>

/* The application's call real (its name; has_flags: it takes flags) with
 * these arguments. */
int pinned_alloc(enum flavor f, const char *real, bool has_flags, void **pp, size_t n,
                 unsigned flags);
int pinned_free(enum flavor f, const char *real, void *p);

/* The served block holding p in f's family (the flags it reports). */
bool pinned_find(enum flavor f, const void *p, struct reg *out);

/* Served blocks, and calls served and passed to the runtime. */
struct pinned_stats { uint64_t blocks, bytes, served, passed; };
void pinned_stats(struct pinned_stats *s);

void pinned_fork(enum fork_phase ph);

#endif
