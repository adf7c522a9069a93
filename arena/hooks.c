/* jemalloc extent hooks for the small-allocation regions: memory comes
 * from the region's frontier, and nothing the backend has registered (or
 * chosen to register) is ever given back (invariant 2). Every bool hook
 * returns false for success. These run with jemalloc's locks held: no
 * malloc here, only the region's carve lock and lock-free chunk words. */
#include "hooks.h"
#include "chunks.h"
#include "../config/os.h"


enum { MAX_ARENAS = 4096 };
/* By arena index: its region + 1; 0 for none. */
static struct { unsigned char region[MAX_ARENAS], creating; } hk;

void hooks_creating(enum region r) { hk.creating = (unsigned char)(r + 1); }

void hooks_assign(unsigned ind, enum region r)
{
  if (ind < MAX_ARENAS)
    hk.region[ind] = (unsigned char)(r + 1);
  hk.creating = 0;
}

static void *h_alloc(extent_hooks_t *h, void *new_addr, size_t size, size_t alignment,
                     bool *zero, bool *commit, unsigned arena_ind)
{
  (void)h;
  unsigned g = arena_ind < MAX_ARENAS && hk.region[arena_ind] ? hk.region[arena_ind] : hk.creating;
  if (g == 0)
    return NULL;
  uintptr_t p = chunks_carve((enum region)(g - 1), (uintptr_t)new_addr, size, alignment);
  if (p == 0)
    return NULL;
  *zero = true;   /* never handed out before: fresh anonymous pages */
  *commit = true; /* usable at once */
  return (void *)p;
}

/* Refused: with opt.retain jemalloc keeps the range and reuses it. */
static bool h_dalloc(extent_hooks_t *h, void *addr, size_t size, bool committed,
                     unsigned arena_ind)
{
  (void)h, (void)addr, (void)size, (void)committed, (void)arena_ind;
  return true;
}

static void h_destroy(extent_hooks_t *h, void *addr, size_t size, bool committed,
                      unsigned arena_ind)
{
  (void)h, (void)addr, (void)size, (void)committed, (void)arena_ind;
}

static bool h_commit(extent_hooks_t *h, void *addr, size_t size, size_t offset,
                     size_t length, unsigned arena_ind)
{
  (void)h, (void)addr, (void)size, (void)offset, (void)length, (void)arena_ind;
  return false; /* always committed: we never decommit */
}

/* Refused: jemalloc falls back to purging, where the chunk's state decides. */
static bool h_decommit(extent_hooks_t *h, void *addr, size_t size, size_t offset,
                       size_t length, unsigned arena_ind)
{
  (void)h, (void)addr, (void)size, (void)offset, (void)length, (void)arena_ind;
  return true;
}

static bool purge(void *addr, size_t offset, size_t length, bool lazy)
{
  uintptr_t a = (uintptr_t)addr + offset;
  if (!chunks_purge_begin(a, length))
    return true;
  bool failed = os_purge((void *)a, length, lazy) != 0;
  chunks_purge_end(a, length);
  return failed;
}

static bool h_purge_lazy(extent_hooks_t *h, void *addr, size_t size, size_t offset,
                         size_t length, unsigned arena_ind)
{
  (void)h, (void)size, (void)arena_ind;
  return purge(addr, offset, length, true);
}

static bool h_purge_forced(extent_hooks_t *h, void *addr, size_t size, size_t offset,
                           size_t length, unsigned arena_ind)
{
  (void)h, (void)size, (void)arena_ind;
  return purge(addr, offset, length, false);
}

static bool h_split(extent_hooks_t *h, void *addr, size_t size, size_t size_a, size_t size_b,
                    bool committed, unsigned arena_ind)
{
  (void)h, (void)addr, (void)size, (void)size_a, (void)size_b, (void)committed, (void)arena_ind;
  return false; /* refusing would waste window space */
}

/* Invariant 1: an extent never spans two chunks, so never two units. */
static bool h_merge(extent_hooks_t *h, void *addr_a, size_t size_a, void *addr_b, size_t size_b,
                    bool committed, unsigned arena_ind)
{
  (void)h, (void)committed, (void)arena_ind, (void)addr_b;
  return !chunks_same_chunk((uintptr_t)addr_a, size_a + size_b);
}

extent_hooks_t arena_hooks = {
  .alloc = h_alloc,
  .dalloc = h_dalloc,
  .destroy = h_destroy,
  .commit = h_commit,
  .decommit = h_decommit,
  .purge_lazy = h_purge_lazy,
  .purge_forced = h_purge_forced,
  .split = h_split,
  .merge = h_merge,
};
