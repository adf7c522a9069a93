/* The chunk table: every committed chunk of the window, its state and the
 * registration unit it belongs to. Lookups are O(log n) under a lock that
 * the malloc/free fast path never takes. */
#ifndef GPUSCATTER_CHUNKS_H
#define GPUSCATTER_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum chunk_state {
  CHUNK_COMMITTED,   /* never registered: its pages may be purged */
  CHUNK_PENDING,     /* queued for the backend */
  CHUNK_BINDING,     /* the backend call is in flight */
  CHUNK_BOUND,       /* registered: no page may be purged or unmapped */
  CHUNK_FAILED,      /* the backend refused: registrations pass through */
};

struct chunk {
  uintptr_t base;
  size_t size;
  int state;         /* enum chunk_state */
  unsigned unit;     /* registration unit; allocations never span two */
};

void chunks_init(size_t chunk_size);

/* Carve size bytes at the given alignment for the GPU arena, from the
 * current chunk or a newly committed one. With new_addr, only that exact
 * address will do. NULL when the window or the budget says no. */
void *chunks_carve(void *new_addr, size_t size, size_t alignment);

/* Copy of the chunk holding addr; false if none. */
bool chunks_find(uintptr_t addr, struct chunk *out);

/* Whether [a, a+n) lies inside one registration unit. */
bool chunks_same_unit(uintptr_t a, size_t n);

/* Whether the pages of [a, a+n) may be given back (no chunk under them was
 * ever handed to the backend). */
bool chunks_may_purge(uintptr_t a, size_t n);

void chunks_set_state(uintptr_t base, int state);

/* In a forked child: the child owns no registrations. */
void chunks_after_fork_child(void);

struct chunks_stats { uint64_t count, bytes, bound, bound_bytes; };
void chunks_stats(struct chunks_stats *s);

#endif
