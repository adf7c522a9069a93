/* Routing: which allocations are placed in the window, and the state the
 * malloc/free fast path reads (two words, no lock, no shared atomic
 * read-modify-write). */
#ifndef GPUSCATTER_ROUTE_H
#define GPUSCATTER_ROUTE_H

#include "real.h"

#include <stdbool.h>
#include <stddef.h>

/* Allocations of at least this many bytes take the slow path. Zero until
 * the configuration is read (so the first allocation reads it); SIZE_MAX
 * when nothing can be placed. */
extern GS_HIDDEN size_t route_min;

/* What free() jumps to: jemalloc's free until a window exists, then one
 * that checks the window first. A process with no placed allocation
 * never pays for the check. */
extern GS_HIDDEN void (*route_free)(void *);

/* Volatile, not __atomic_load_n: GCC turns an atomic load of a global into
 * lea+mov, two instructions where one does. An aligned word load is
 * single-copy atomic on every target we build for. */
static inline size_t route_threshold(void) { return *(volatile size_t *)&route_min; }

/* The slow path of every allocation function: placed in the window when
 * its size or call site says so and the window has room, else ordinary.
 * ra: the return address of the application's call (its call site). */
void *route_alloc(size_t n, size_t align, bool zero, const void *ra);

/* A window allocation or NULL (then the caller makes an ordinary one and
 * passes it to route_note). */
void *route_try_gpu(size_t n, size_t align, bool zero, const void *ra);

void *route_realloc(void *p, size_t n, const void *ra);

/* After an ordinary allocation that route_try_gpu() declined: lets its
 * call site learn from it. Cheap when there is nothing to do. */
void route_note(void *p);

/* Classification by site is live: the slow path starts lower. */
struct cfg;
void route_classify_ready(const struct cfg *c);

/* The window, made if it is not yet (for pinned allocations, which come
 * by no allocation function). False when it cannot be. */
bool route_window_ready(void);

/* free() for a pointer inside the window. */
void route_free_window(void *p);

/* malloc_usable_size() for a pointer inside the window. */
size_t route_usable_window(const void *p);

/* Called once jemalloc's entry points are resolved. */
void route_resolved(void);

#endif
