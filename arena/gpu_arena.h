/* The placed-memory allocator: every allocation gpuscatter places in the
 * window, by kind (REG_SIZE, REG_SITE, REG_PINNED). Small sizes go to a
 * jemalloc arena over the kind's small region, the rest to the page
 * allocator. Never through a thread cache: a cached window pointer could
 * be handed to a plain malloc and the reverse. */
#ifndef GPUSCATTER_GPU_ARENA_H
#define GPUSCATTER_GPU_ARENA_H

#include "window.h"

#include <stdbool.h>
#include <stddef.h>

struct cfg;

/* Reserve the window and create the arenas. 0, or -1 after one warning. */
int arena_init(const struct cfg *c);

/* NULL when the window has no room: the caller makes an ordinary
 * allocation. kind is REG_SIZE, REG_SITE or REG_PINNED. */
void *arena_alloc(enum region kind, size_t n, size_t align, bool zero);

/* A window pointer, from any kind but REG_PINNED (whose blocks are freed
 * through the runtime's calls, by pinned_free). */
void arena_free(void *p);
size_t arena_usable(const void *p);

/* Resized in place or moved within the window (same kind); NULL when the
 * window has no room (p untouched: the caller moves it out). */
void *arena_realloc(void *p, size_t n);

/* The kind a window pointer was placed as. */
enum region arena_kind(const void *p);

/* Give back the free pages of unbound memory now (after an unbind). */
void arena_purge(void);

#endif
