/* The GPU arena: a jemalloc arena whose memory comes from the window. */
#ifndef GPUSCATTER_GPU_ARENA_H
#define GPUSCATTER_GPU_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct cfg;

/* Reserve the window and create the arena. 0, or -1 after one warning. */
int arena_init(const struct cfg *c);

/* NULL when the window or the budget is exhausted: the caller falls back
 * to an ordinary allocation. Never through the thread cache: a cached GPU
 * pointer could be handed to a plain malloc and the reverse. */
void *arena_alloc(size_t n, size_t align, bool zero);
void *arena_realloc(void *p, size_t n);
void arena_free(void *p);

/* Largest size jemalloc's thread cache holds (arenas.tcache_max). A free
 * of anything larger goes straight back to the owning arena. */
size_t arena_tcache_max(void);

/* Ask jemalloc to give back the arena's free pages now (the hooks still
 * refuse for registered chunks). */
void arena_purge(void);

#endif
