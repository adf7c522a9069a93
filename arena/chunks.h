/* The chunk table: every committed chunk of the window, its state and the
 * registration unit it belongs to. Lookups are O(log n) under a lock that
 * the malloc/free fast path never takes. */
#ifndef GPUSCATTER_CHUNKS_H
#define GPUSCATTER_CHUNKS_H

#include "../config/fork.h"

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
  uintptr_t dev;     /* device address of base, once bound */
};

/* A run of address-adjacent chunks bound by one backend call. */
struct chunk_run { size_t first, count; uintptr_t base; size_t size; };

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

/* Once the runtime is live, a chunk is queued for binding when the next
 * one is committed (the program has moved on and filled it), and those
 * committed before are queued now; notify is called, outside the chunk
 * lock, whenever one is queued. The newest waits for a registration that
 * needs it, or for chunks_queue_all(). */
void chunks_go_live(void (*notify)(void));

/* Queue every committed chunk, the newest included. */
void chunks_queue_all(void);

/* End the newest chunk at its carve cursor (rounded up to 2 MiB) so that
 * binding it covers what is in use, not an untouched tail; the rest
 * becomes a new newest chunk. */
void chunks_seal_newest(void);

/* Take the first run of pending chunks, at most max bytes (at least one
 * chunk), marking them binding. False when nothing is pending. */
bool chunks_take_run(size_t max, struct chunk_run *r);

/* Record the backend's answer for a taken run: bound as one registration
 * unit at device address dev, or failed. Wakes waiters. */
void chunks_finish_run(const struct chunk_run *r, bool ok, uintptr_t dev);

/* Take the next bound unit after *cursor for unbinding (marked binding),
 * False when none is left. */
bool chunks_take_bound_unit(uintptr_t *cursor, struct chunk_run *r);

/* A unit given back by the backend: never registered again until queued. */
void chunks_finish_unbind(const struct chunk_run *r, bool ok);

/* Wait while the chunk holding addr is being bound. Returns its state
 * (-1 when addr is in no chunk) and a copy in *out. */
int chunks_wait(uintptr_t addr, struct chunk *out);

/* Across fork (config/fork.h): the child owns no registrations. */
void chunks_fork(enum fork_phase ph);

struct chunks_stats { uint64_t count, bytes, bound, bound_bytes; };
void chunks_stats(struct chunks_stats *s);

#endif
