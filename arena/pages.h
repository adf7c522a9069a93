/* The page allocator: blocks of whole pages in the page-allocator regions
 * (large placed allocations and the runtime's pinned allocations), exact
 * to the page. jemalloc rounds a large allocation up to its size class
 * (13 MiB takes 14 MiB): harmless while untouched, but a registration pins
 * every page of its unit, slack included (+10% resident measured on an
 * H200). Here nothing is slack: blocks are packed back to back in address
 * order. Free blocks coalesce and are given back to the system after a
 * decay (PAGES_DECAY_MS; blocks of PAGES_AT_ONCE and more when freed, as
 * jemalloc's own large blocks), unless their chunk is registered
 * (invariant 2): then when it is unbound. */
#ifndef GPUSCATTER_PAGES_H
#define GPUSCATTER_PAGES_H

#include "window.h"
#include "../config/fork.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PAGE = 4096, PAGES_DECAY_MS = 1000, PAGES_AT_ONCE = 8 << 20 };

/* A block of at least n bytes (a multiple of the page), aligned to align
 * (at least a page), zeroed when zero. NULL when the region is full. */
void *pages_alloc(enum region r, size_t n, size_t align, bool zero);

/* The same, but fresh space is taken at least step bytes at a time (the
 * rest left free beside the block): a region bound before use grows in a
 * few large units rather than one per block. *fresh set when it took
 * fresh space. */
void *pages_alloc_step(enum region r, size_t n, size_t step, bool zero, bool *fresh);

/* Fresh space ahead of need: size bytes carved at the region's frontier
 * and left free (and clean). Its address, or 0 when the region is full. */
uintptr_t pages_grow(enum region r, size_t size);

/* p must be a block's start (anything else is refused and returns false). */
bool pages_free(void *p);

/* The block's size, 0 if p is not a block's start. */
size_t pages_usable(const void *p);

/* Resize in place: true when the block now holds n bytes. */
bool pages_resize(void *p, size_t n);

/* Give back free pages that have been free for PAGES_DECAY_MS (all of
 * them with now), at most max_bytes (0: no limit). Returns bytes given. */
size_t pages_purge(enum region r, bool now, size_t max_bytes);

/* The unit [base, base + size) was unbound: its free pages may be given
 * back from now on. */
void pages_unbound(uintptr_t base, size_t size);

/* Whether a free since the last call left a bound unit with no
 * registration mostly free (its pages should go back soon). */
bool pages_take_sparse(void);

/* One clock tick: give back, in every page region, what is past its
 * decay; whether pages still wait (the caller's next tick is due). */
bool pages_tick(void);

void pages_fork(enum fork_phase ph);

struct pages_stats { uint64_t blocks, bytes, free_bytes, dirty_bytes, purged_bytes; };
void pages_stats(enum region r, struct pages_stats *s);

#endif
