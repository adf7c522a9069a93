/* The placed-memory allocator: one jemalloc arena per small region (slabs
 * of small size classes, which jemalloc packs better than pages), the
 * page allocator for the rest. */
#include "gpu_arena.h"
#include "chunks.h"
#include "hooks.h"
#include "pages.h"
#include "../config/config.h"
#include "../config/limits.h"
#include "../config/log.h"

#include <jemalloc/jemalloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static struct {
  int flags[REG_N];     /* MALLOCX_ARENA(ind) | MALLOCX_TCACHE_NONE, small regions; 0: none */
  unsigned ind[REG_N];
  int state[REG_N];     /* small arenas, made at first use: 0 not yet, 1 making, 2 ready, 3 refused */
  size_t small_max;
} ga;

static enum region small_of(enum region kind) { return kind == REG_SITE ? REG_SITE_SMALL : REG_SIZE_SMALL; }

static int make_arena(enum region r)
{
  extent_hooks_t *hooks = &arena_hooks;
  unsigned ind;
  size_t sz = sizeof ind;
  hooks_creating(r);
  if (mallctl("arenas.create", &ind, &sz, &hooks, sizeof hooks) != 0) {
    hooks_assign(UINT32_MAX, r);
    return -1;
  }
  hooks_assign(ind, r);
  /* jemalloc grows an arena geometrically; small steps keep what a
   * registration pins close to what is in use. Free pages decay as in any
   * arena (the hooks refuse for registered chunks). */
  char name[64];
  size_t limit = WINDOW_ALIGN;
  ssize_t decay = PAGES_DECAY_MS;
  snprintf(name, sizeof name, "arena.%u.retain_grow_limit", ind);
  mallctl(name, NULL, NULL, &limit, sizeof limit);
  snprintf(name, sizeof name, "arena.%u.dirty_decay_ms", ind);
  mallctl(name, NULL, NULL, &decay, sizeof decay);
  decay = 0;
  snprintf(name, sizeof name, "arena.%u.muzzy_decay_ms", ind);
  mallctl(name, NULL, NULL, &decay, sizeof decay);
  ga.ind[r] = ind;
  ga.flags[r] = MALLOCX_ARENA(ind) | MALLOCX_TCACHE_NONE;
  return 0;
}

int arena_init(const struct cfg *c)
{
  /* The reservation counts against RLIMIT_AS: take at most a sixteenth
   * of it, so that ordinary allocations keep what the limit allows. */
  size_t want = c->window, as = (size_t)limits_address_space();
  if (as && want > as / 16)
    want = as / 16;
  size_t floor = want < ((size_t)128 << 20) ? want : (size_t)128 << 20;
  if (window_reserve(want, floor, c->hugepages) != 0) {
    log_warn("cannot reserve an address window of %zu bytes (nor down to %zu); "
             "GPU-bound allocations stay ordinary", want, floor);
    return -1;
  }
  chunks_init(c->chunk_size, c->max_pinned);
  unsigned nbins;
  size_t sz = sizeof nbins, bin;
  char name[64];
  if (mallctl("arenas.nbins", &nbins, &sz, NULL, 0) == 0 && nbins > 0) {
    snprintf(name, sizeof name, "arenas.bin.%u.size", nbins - 1);
    sz = sizeof bin;
    if (mallctl(name, &bin, &sz, NULL, 0) == 0)
      ga.small_max = bin;
  }
  log_debug("window %p + %zu", (void *)window_lo, window_len);
  return 0;
}


/* A small arena is made at the first small allocation of its kind: its
 * metadata is resident, and most processes never place a small one. */
static bool small_ready(enum region s)
{
  int st = __atomic_load_n(&ga.state[s], __ATOMIC_ACQUIRE);
  if (st == 2)
    return true;
  if (st != 0 || !__atomic_compare_exchange_n(&ga.state[s], &st, 1, false, __ATOMIC_ACQ_REL,
                                              __ATOMIC_RELAXED))
    return false; /* being made, or refused: a page this time */
  bool ok = make_arena(s) == 0;
  if (!ok)
    log_info("jemalloc refused an arena; small allocations are placed on whole pages");
  __atomic_store_n(&ga.state[s], ok ? 2 : 3, __ATOMIC_RELEASE);
  return ok;
}

void *arena_alloc(enum region kind, size_t n, size_t align, bool zero)
{
  enum region s = small_of(kind);
  if (kind != REG_PINNED && n <= ga.small_max && align <= PAGE && small_ready(s)) {
    int flags = ga.flags[s] | (align > 16 ? MALLOCX_ALIGN(align) : 0) | (zero ? MALLOCX_ZERO : 0);
    return mallocx(n ? n : 1, flags);
  }
  /* A large zeroed block placed by size (calloc, numpy.zeros) is often
   * sparse: its own region keeps small pages until there is evidence. */
  return pages_alloc(kind == REG_SIZE && zero ? REG_ZERO : kind, n, align, zero);
}

enum region arena_kind(const void *p)
{
  enum region r = window_region(p);
  return r == REG_SIZE_SMALL || r == REG_ZERO ? REG_SIZE : r == REG_SITE_SMALL ? REG_SITE : r;
}

void arena_free(void *p)
{
  enum region r = window_region(p);
  if (!region_is_pages(r)) {
    dallocx(p, MALLOCX_TCACHE_NONE);
    return;
  }
  if (r == REG_PINNED || !pages_free(p)) {
    static int warned;
    if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
      log_warn("free(%p): not an allocation of this program (pinned memory, or freed twice); "
               "ignored", p);
  }
}

size_t arena_usable(const void *p)
{
  return region_is_pages(window_region(p)) ? pages_usable(p) : sallocx((void *)p, 0);
}

void *arena_realloc(void *p, size_t n)
{
  enum region r = window_region(p), kind = arena_kind(p);
  if (r == REG_PINNED)
    return NULL;
  if (region_is_pages(r)) {
    if (n > ga.small_max && pages_resize(p, n))
      return p;
  } else if (n <= ga.small_max) {
    void *q = rallocx(p, n ? n : 1, ga.flags[r]);
    if (q != NULL)
      return q;
  }
  void *q = arena_alloc(kind, n, 0, false);
  if (q == NULL)
    return NULL;
  size_t old = arena_usable(p);
  memcpy(q, p, old < n ? old : n);
  arena_free(p);
  return q;
}

void arena_purge(void)
{
  for (enum region r = 0; r < REG_N; r++) {
    if (region_is_pages(r)) {
      pages_purge(r, false, 0);
    } else if (ga.flags[r]) {
      char name[64];
      snprintf(name, sizeof name, "arena.%u.purge", ga.ind[r]);
      mallctl(name, NULL, NULL, NULL, 0);
    }
  }
}
