#ifndef GPUSCATTER_HOOKS_H
#define GPUSCATTER_HOOKS_H

#include <jemalloc/jemalloc.h>

/* The GPU arena's extent hooks (jemalloc keeps the pointer). */
extern extent_hooks_t arena_hooks;

#endif
