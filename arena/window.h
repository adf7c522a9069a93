/* The VA window: one address-space reservation that every placed
 * allocation lives in, cut into regions, one per placement kind, each
 * filled in address order from its base (docs/DESIGN.md, "Window"). */
#ifndef GPUSCATTER_WINDOW_H
#define GPUSCATTER_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Regions. The first four are served by the page allocator (arena/pages.c,
 * exact page multiples: nothing bound is size-class slack); the small ones
 * by jemalloc arenas (slabs of small size classes). */
enum region {
  REG_SIZE,        /* placed by size alone: bound only on evidence */
  REG_SITE,        /* placed by a call site that registers: bound ahead */
  REG_PINNED,      /* the runtime's pinned allocations: bound before use */
  REG_ZERO,        /* placed by size alone and zeroed (calloc): often sparse,
                      so small pages until there is evidence */
  REG_SIZE_SMALL,
  REG_SITE_SMALL,
  REG_N
};
enum { WINDOW_SLOTS = 8 }; /* regions are window/8 each: a shift finds one */

/* Published once, before the first window pointer exists; read without a
 * lock. Zero length until then, so every pointer is outside. */
extern __attribute__((visibility("hidden"))) uintptr_t window_lo;
extern __attribute__((visibility("hidden"))) size_t window_len;
extern __attribute__((visibility("hidden"))) unsigned window_shift;

static inline bool window_contains(const void *p)
{
  /* One subtraction and one compare test both bounds. Plain loads: the
   * words are written once, aligned, before any window pointer exists. */
  return (uintptr_t)p - window_lo < window_len;
}

/* The region of a window pointer. */
static inline enum region window_region(const void *p)
{
  return (enum region)(((uintptr_t)p - window_lo) >> window_shift);
}

static inline uintptr_t window_region_base(enum region r)
{
  return window_lo + ((uintptr_t)r << window_shift);
}

static inline size_t window_region_size(void) { return (size_t)1 << window_shift; }

/* Page-allocator regions (large blocks) as opposed to jemalloc's. */
static inline bool region_is_pages(enum region r) { return r <= REG_ZERO; }

/* Reserve want bytes (rounded down to a power of two, 2 MiB aligned),
 * halving on refusal down to floor. Read/write with MAP_NORESERVE where
 * the kernel overcommits, so that filling it takes no mmap_lock for
 * writing; PROT_NONE with commits by mprotect where it does not
 * (vm.overcommit_memory=2). 0, or -1 with nothing reserved. */
int window_reserve(size_t want, size_t floor, bool hugepages);

/* Make [at, at + size) usable (a no-op on a read/write reservation). 0 or
 * -1 (counted, warned once). */
int window_commit(uintptr_t at, size_t size);

/* Region r's memory is about to be filled and registered (a backend is
 * live, for memory placed by size or call site and the runtime's pinned
 * blocks; once much of it is registered, for zeroed blocks): ask for
 * transparent huge pages there (registration costs half as much on
 * them). Until then it uses small pages: a sparse buffer (calloc,
 * np.zeros, touched here and there) stays as small in memory as without
 * the library. Page-allocator regions only. */
void window_use_hugepages(enum region r);

/* Whether p lies in a region asked for huge pages. */
bool window_huge(const void *p);

struct window_stats { uint64_t base, size, exhausted; bool rw; };
void window_stats(struct window_stats *s);
void window_count_exhausted(void);

#define WINDOW_ALIGN ((size_t)2 << 20)

#endif
