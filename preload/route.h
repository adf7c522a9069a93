/* Routing: which allocations are GPU-bound, and the state the malloc/free
 * fast path reads (two words, no lock, no shared atomic read-modify-write). */
#ifndef GPUSCATTER_ROUTE_H
#define GPUSCATTER_ROUTE_H

#include "real.h"

#include <stdbool.h>
#include <stddef.h>

/* Allocations of at least this many bytes take the slow path. Zero until
 * the configuration is read (so the first allocation reads it); SIZE_MAX
 * when nothing can be GPU-bound. */
extern GS_HIDDEN size_t route_min;

/* What free() jumps to: jemalloc's free until a window exists, then one
 * that checks the window first. A process with no GPU-bound allocation
 * never pays for the check. */
extern GS_HIDDEN void (*route_free)(void *);

/* Volatile, not __atomic_load_n: GCC turns an atomic load of a global into
 * lea+mov, two instructions where one does. An aligned word load is
 * single-copy atomic on every target we build for. */
static inline size_t route_threshold(void) { return *(volatile size_t *)&route_min; }

/* The slow path of every allocation function: a GPU arena allocation when
 * the size is GPU-bound and the arena has room, else an ordinary one. */
void *route_alloc(size_t n, size_t align, bool zero);

/* A GPU arena allocation or NULL (then the caller makes an ordinary one). */
void *route_try_gpu(size_t n, size_t align, bool zero);

void *route_realloc(void *p, size_t n);

/* After an ordinary allocation that route_try_gpu() declined: lets a
 * candidate's call site learn from it. Cheap when there is nothing to do. */
void route_note(void *p);

/* Classification by site is live: the slow path starts lower. */
struct cfg;
void route_classify_ready(const struct cfg *c);

/* free() for a pointer inside the window. */
void route_free_window(void *p);

/* Called once jemalloc's entry points are resolved. */
void route_resolved(void);

#endif
