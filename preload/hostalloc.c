/* Pinned allocations. A served block lives in the pinned region, whose
 * units are bound before a block in them is handed out: grown a step at a
 * time (half of what is in use, 16 MiB to 1 GiB, or the block when it is
 * larger than half a step: a program pinning a lot pays a few driver calls
 * and faults a step in on several threads, one pinning a little pins
 * little), the next step bound ahead on the bind thread; each block holds
 * its unit (it cannot be unbound under it). The blocks are page aligned
 * and zeroed, as the runtime's are. Everything the runtime would refuse is
 * passed to it, so that its error numbers and last error are its own. */
#include "hostalloc.h"
#include "register.h"
#include "route.h"
#include "../arena/chunks.h"
#include "../arena/pages.h"
#include "../arena/window.h"
#include "../bind/engine.h"
#include "../config/config.h"
#include "../config/counters.h"
#include "../runtime/runtime.h"

#include <string.h>

enum { STEP_MIN = 16 << 20, STEP_MAX = 1 << 30 };

static struct {
  struct regtable blocks[FAMILY_N];
  uintptr_t asked;       /* growth asked for after the range grown at asked - 1 */
  unsigned fresh;        /* fresh units taken on the application's thread */
  uint64_t served, passed, bytes, count;
} ph = { .blocks = { REGTABLE_INIT, REGTABLE_INIT } };

static bool sim(void)
{
  const struct cfg *c = cfg_get();
  return c != NULL && c->backend == CFG_BACKEND_SIM;
}

static int pass_alloc(enum flavor f, const char *real, bool has_flags, void **pp, size_t n,
                      unsigned flags)
{
  __atomic_add_fetch(&ph.passed, 1, __ATOMIC_RELAXED);
  if (sim())
    return rt_ops(f)->host_alloc(pp, n, flags);
  void *fn = rt_sym_cached(f, real);
  if (fn == NULL)
    return flavor(f)->err.no_device;
  return has_flags ? ((int (*)(void **, size_t, unsigned))fn)(pp, n, flags)
                   : ((int (*)(void **, size_t))fn)(pp, n);
}

static int pass_free(enum flavor f, const char *real, void *p)
{
  if (sim())
    return rt_ops(f)->host_free(p);
  int (*fn)(void *) = (int (*)(void *))rt_sym_cached(f, real);
  return fn ? fn(p) : flavor(f)->err.no_device;
}

static bool served(enum flavor f, const struct cfg *c)
{
  if (c == NULL || !c->arenas || c->hostalloc == CFG_HOSTALLOC_OFF)
    return false;
  return c->hostalloc == CFG_HOSTALLOC_ON || flavor(f)->alloc_served;
}

/* Fresh space comes half of what is in use at a time (16 MiB to 1 GiB):
 * few units, and at most about a step bound beyond need, unbound when
 * unused for PINNED_AHEAD_MS. An eighth made the application outrun the
 * bind thread and bind on its own thread (H200, medians of 3: 600
 * cuMemAllocHost of 64 KiB-4 MiB, 45 ms in the calls against 20 ms with a
 * half; 600 cudaHostAlloc of 4 KiB-128 MiB, 67 against 31 ms). */
static size_t step_now(void)
{
  size_t want = __atomic_load_n(&ph.bytes, __ATOMIC_RELAXED) / 2, step = STEP_MIN;
  while (step < STEP_MAX && step * 2 <= want)
    step *= 2;
  return step;
}

/* A step holds whole blocks of the size being asked for: pinned blocks
 * never span two units, so a 600 MiB block in a 1 GiB step left 424 MiB
 * that no block of its size could use, and a step smaller than the block
 * held none (sim, 24 cudaHostAlloc of 600 MiB: 11.6 GiB bound for 7.8 in
 * use, the budget full, 11 of them passed to the runtime). Powers of two,
 * as PyTorch asks for, fill their steps exactly either way. */
static size_t step_for(size_t n)
{
  size_t step = step_now(), b = (n + 4095) & ~(size_t)4095;
  return b * 2 > step ? b : step;
}

/* Ahead of need: once the application uses the range grown ahead last (or
 * had to take a second fresh unit itself), the next step is bound on the
 * bind thread while it fills what it has. A program that pins one block
 * pins one step. */
static void grow_ahead(const void *p, size_t n, bool fresh)
{
  uintptr_t g = bind_grown_pinned();
  bool in_ahead = g != 0 && (uintptr_t)p >= g;
  if (fresh && __atomic_add_fetch(&ph.fresh, 1, __ATOMIC_RELAXED) == 1)
    return;
  if ((fresh || in_ahead) && __atomic_exchange_n(&ph.asked, g + 1, __ATOMIC_ACQ_REL) != g + 1)
    bind_grow_pinned(step_for(n));
}

int pinned_alloc(enum flavor f, const char *real, bool has_flags, void **pp, size_t n,
                 unsigned flags)
{
  app_runtime_call(f);
  const struct cfg *c = cfg_get();
  const struct flavor_desc *fd = flavor(f);
  if (!served(f, c) || pp == NULL || n == 0 || (flags & ~fd->alloc_serve) || !bind_live(f) ||
      n > ((size_t)1 << 40) || !app_has_context(f))
    return pass_alloc(f, real, has_flags, pp, n, flags);
  size_t step = step_for(n);
  bool fresh = false;
  void *p = route_window_ready() ? pages_alloc_step(REG_PINNED, n, step, true, &fresh) : NULL;
  if (p == NULL)
    return pass_alloc(f, real, has_flags, pp, n, flags);
  struct chunk_info u;
  if (bind_acquire((uintptr_t)p, n, BIND_ANY, &u) != CHUNK_BOUND) {
    pages_free(p); /* the budget, or the backend refused: the runtime's own */
    return pass_alloc(f, real, has_flags, pp, n, flags);
  }
  struct reg r = { (uintptr_t)p, n, flags, app_current_device(f) };
  if (regtable_add(&ph.blocks[fd->family], &r, false) != REG_OK) {
    chunks_release((uintptr_t)p);
    pages_free(p);
    return pass_alloc(f, real, has_flags, pp, n, flags);
  }
  __atomic_add_fetch(&ph.served, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&ph.bytes, n, __ATOMIC_RELAXED);
  __atomic_add_fetch(&ph.count, 1, __ATOMIC_RELAXED);
  grow_ahead(p, n, fresh);
  *pp = p;
  return 0;
}

int pinned_free(enum flavor f, const char *real, void *p)
{
  app_runtime_call(f);
  if (p == NULL || !window_contains(p) || window_region(p) != REG_PINNED)
    return pass_free(f, real, p);
  struct reg r;
  if (regtable_remove(&ph.blocks[flavor(f)->family], (uintptr_t)p, &r) != REG_OK)
    return app_fail_invalid(f); /* an interior pointer, or freed twice */
  chunks_release((uintptr_t)p);
  pages_free(p);
  __atomic_sub_fetch(&ph.bytes, r.size, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&ph.count, 1, __ATOMIC_RELAXED);
  return 0;
}

bool pinned_find(enum flavor f, const void *p, struct reg *out)
{
  if (!window_contains(p) || window_region(p) != REG_PINNED)
    return false;
  return regtable_find(&ph.blocks[flavor(f)->family], (uintptr_t)p, out);
}

void pinned_stats(struct pinned_stats *s)
{
  *s = (struct pinned_stats){ __atomic_load_n(&ph.count, __ATOMIC_RELAXED),
                              __atomic_load_n(&ph.bytes, __ATOMIC_RELAXED),
                              __atomic_load_n(&ph.served, __ATOMIC_RELAXED),
                              __atomic_load_n(&ph.passed, __ATOMIC_RELAXED) };
}

void pinned_fork(enum fork_phase p)
{
  /* A child keeps the parent's pinned blocks as memory (its runtime
   * context did not survive: natively too they are not pinned there), and
   * frees none of them through us. */
  for (int g = 0; g < FAMILY_N; g++) {
    fork_mutex(&ph.blocks[g].lock, p);
    if (p == FORK_CHILD)
      regtable_clear(&ph.blocks[g]);
  }
  /* The child pins from nothing: its steps start small again, as the
   * parent's did (a step sized for the parent's use faulted in a GiB for
   * the child's first block). */
  if (p == FORK_CHILD) {
    ph.asked = 0;
    ph.fresh = 0;
    ph.served = ph.passed = ph.bytes = ph.count = 0;
  }
}
