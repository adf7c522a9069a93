/* jemalloc extent hooks for the small-allocation regions. */
#ifndef GPUSCATTER_HOOKS_H
#define GPUSCATTER_HOOKS_H

#include "window.h"

#include <jemalloc/jemalloc.h>

/* The hooks jemalloc keeps a pointer to, for every arena we create. */
extern extent_hooks_t arena_hooks;

/* The arena about to be created takes its memory from region r (jemalloc
 * allocates its metadata through the hooks before telling its index);
 * once created, arena ind does. */
void hooks_creating(enum region r);
void hooks_assign(unsigned ind, enum region r);

#endif
