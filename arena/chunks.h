/* The chunk table: every chunk of every region, and the registration
 * units they form. A unit is a run of address-adjacent chunks of one
 * region that one backend call registers; its state machine is the one
 * owner of "is this memory registered" (docs/DESIGN.md, "Units"):
 *
 *   COMMITTED --choose--> BINDING --backend ok--> BOUND --take idle--> UNBINDING
 *       ^                    |  \--refused--> FAILED            |
 *       +--------------------+-------------------------------------+ (unbound)
 *
 * Purges need COMMITTED or FAILED and are counted per chunk: a chunk being
 * purged cannot be chosen, a chosen one cannot be purged (invariant 2 from
 * the moment a range is chosen). The application's registrations are
 * counted in their unit (refs): a unit with refs cannot be taken for
 * unbinding, and a registration finds its unit BOUND or waits for it, so
 * the two never interleave wrongly. */
#ifndef GPUSCATTER_CHUNKS_H
#define GPUSCATTER_CHUNKS_H

#include "window.h"
#include "../config/fork.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum chunk_state {
  CHUNK_COMMITTED,   /* not registered: its free pages may be purged */
  CHUNK_BINDING,     /* chosen for binding; the backend call may be in flight */
  CHUNK_BOUND,       /* registered: no page may be purged or unmapped */
  CHUNK_UNBINDING,   /* the backend is giving it back */
  CHUNK_FAILED,      /* the backend refused: registrations pass through */
};

/* A copy of what a caller needs about the unit holding an address. */
struct chunk_info {
  enum region region;
  int state;                 /* enum chunk_state */
  uintptr_t base, unit_base; /* the chunk's and its unit's first byte */
  size_t unit_size;
  uintptr_t dev;             /* device address of unit_base, once bound */
  int device;                /* the device the unit was registered on */
};

/* A run of adjacent chunks of one region: one backend call. */
struct chunk_run { enum region region; size_t first, count; uintptr_t base; size_t size; };

/* After the window is reserved. chunk_size: the size a chunk grows to
 * before the next one starts; max_bound: the pinned budget. */
void chunks_init(size_t chunk_size, size_t max_bound);

/* Carve size bytes at the given alignment from region r's frontier,
 * growing its newest chunk (or starting one). With new_addr, only that
 * exact address will do (an extent grown in place). 0 when the region is
 * full or cannot be committed. Takes the region's carve lock only: safe
 * inside jemalloc's extent hooks. */
uintptr_t chunks_carve(enum region r, uintptr_t new_addr, size_t size, size_t align);

/* Lock-free: whether [a, a + n) lies in one chunk. */
bool chunks_same_chunk(uintptr_t a, size_t n);

/* Lock-free: a purge of [a, a + n) may start (every chunk under it is
 * COMMITTED or FAILED, and is now counted as purging); end it after. */
bool chunks_purge_begin(uintptr_t a, size_t n);
void chunks_purge_end(uintptr_t a, size_t n);

/* The unit holding [a, a + n): its state, or -1 when the range is in no
 * chunk or spans two units. When it is BOUND the caller holds one
 * registration in it until chunks_release(a). Waits while the unit is
 * being bound or unbound. */
int chunks_acquire(uintptr_t a, size_t n, struct chunk_info *out);
void chunks_release(uintptr_t a);

/* The unit holding a, waiting while it changes; -1 when a is in no chunk. */
int chunks_lookup(uintptr_t a, struct chunk_info *out);

/* A registration passed through to the runtime lies over [a, a + n): the
 * chunks under it must not be bound while it lasts (delta +1 / -1). */
void chunks_foreign(uintptr_t a, size_t n, int delta);

/* Choose the unit for a (COMMITTED -> BINDING): the chunk holding a, with
 * closed COMMITTED neighbours of its region while the run stays within
 * max bytes and the budget. Seals the region's newest chunk at its cursor
 * when it is chosen. */
enum choose { CHOOSE_OK, CHOOSE_BUSY /* changed or purging: try again */,
              CHOOSE_FOREIGN /* a registration passed through lies over it */,
              CHOOSE_BUDGET /* binding it would pass the pinned budget */ };
enum choose chunks_choose(uintptr_t a, size_t max, struct chunk_run *r);

/* The same, the neighbours taken only from within [lo, hi). */
enum choose chunks_choose_within(uintptr_t a, size_t max, uintptr_t lo, uintptr_t hi,
                                 struct chunk_run *r);

/* Lock-free: the chunk holding a, as it is now (a newest chunk may still
 * grow). False when a is in no chunk. */
bool chunks_extent(uintptr_t a, uintptr_t *base, size_t *size);

/* Choose the first run of closed COMMITTED chunks in the regions of
 * region_mask (bit per region); with AHEAD_NEWEST, the open newest chunk
 * of a region too (sealed); with AHEAD_DENSE, only chunks at least three
 * quarters resident (binding faults in the rest: memory the program has
 * not filled is not bound ahead, it may never be). False when none is
 * left or the budget is full. */
enum { AHEAD_NEWEST = 1, AHEAD_DENSE = 2 };
bool chunks_choose_ahead(unsigned region_mask, unsigned how, size_t max, struct chunk_run *r);

/* The backend's answer for a chosen run: BOUND on device at device
 * address dev, or FAILED. Wakes waiters. */
void chunks_bound(const struct chunk_run *r, bool ok, uintptr_t dev, int device);

/* Take the next BOUND unit of a region in region_mask, after *cursor,
 * with no registration in it, for unbinding (-> UNBINDING): one the
 * application registered in and left claimed_ms ago, or never registered
 * in since it was bound unclaimed_ms ago (NEVER: not by age), or one of
 * the page allocator's with under a quarter of it in use (at once: its
 * free pages should go back). False when none is left. */
enum { NEVER = 0xffffffffu };
bool chunks_take_idle(uintptr_t *cursor, unsigned region_mask, unsigned claimed_ms,
                      unsigned unclaimed_ms, struct chunk_run *r);

/* The page allocator's blocks in [a, a + n) grew by delta bytes (negative:
 * freed). Lock-free. True when the block's unit is now worth unbinding at
 * once: bound, no registration in it, and under a quarter of it in use. */
bool chunks_live(uintptr_t a, long delta);

/* Lock-free: the state of the chunk holding a (-1 if none), and how many
 * purges of it are in flight. For statistics and the model checker. */
int chunks_peek(uintptr_t a, unsigned *purging);

/* Bytes bound now (a hint, read without the lock). */
size_t chunks_bound_bytes(void);

/* Chunks started so far in every region (a hint, read without the lock:
 * noticing growth is one compare). */
size_t chunks_generation(void);

/* The backend gave the unit back (ok: COMMITTED again, each chunk its own
 * unit) or refused (BOUND again). Wakes waiters. */
void chunks_unbound(const struct chunk_run *r, bool ok);

/* Across fork (config/fork.h): the child owns no registrations. */
void chunks_fork(enum fork_phase ph);

struct chunks_stats {
  uint64_t count, bytes, bound, bound_bytes, max_bound, budget_refused;
  uint64_t region_bytes[REG_N], region_bound[REG_N];
};
void chunks_stats(struct chunks_stats *s);

#endif
