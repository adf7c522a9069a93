/* The GPU arena. One arena: add more only if the 8-thread stress shows
 * contention on it. */
#include "gpu_arena.h"
#include "chunks.h"
#include "hooks.h"
#include "window.h"
#include "../config/config.h"
#include "../config/log.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

static struct {
  unsigned ind;
  int flags;     /* MALLOCX_ARENA(ind) | MALLOCX_TCACHE_NONE */
  size_t tcache_max;
} ga;

int arena_init(const struct cfg *c)
{
  size_t floor = 2 * c->chunk_size > ((size_t)256 << 20) ? 2 * c->chunk_size : (size_t)256 << 20;
  if (window_reserve(c->window, floor, c->max_pinned, c->hugepages) != 0) {
    log_warn("cannot reserve an address window of %zu bytes or even %zu; "
             "GPU-bound allocations stay ordinary", c->window, floor);
    return -1;
  }
  chunks_init(c->chunk_size);
  extent_hooks_t *hooks = &arena_hooks;
  unsigned ind;
  size_t sz = sizeof ind;
  if (mallctl("arenas.create", &ind, &sz, &hooks, sizeof hooks) != 0) {
    log_warn("jemalloc refused to create the GPU arena; GPU-bound allocations stay ordinary");
    return -1;
  }
  /* jemalloc grows an arena geometrically; cap the step at one chunk so a
   * growth never asks for more than the registration granule. */
  char name[64];
  size_t limit = c->chunk_size;
  snprintf(name, sizeof name, "arena.%u.retain_grow_limit", ind);
  if (mallctl(name, NULL, NULL, &limit, sizeof limit) != 0)
    log_info("%s could not be set", name);
  sz = sizeof ga.tcache_max;
  if (mallctl("arenas.tcache_max", &ga.tcache_max, &sz, NULL, 0) != 0)
    ga.tcache_max = SIZE_MAX; /* unknown: assume everything may be cached */
  ga.ind = ind;
  ga.flags = MALLOCX_ARENA(ind) | MALLOCX_TCACHE_NONE;
  log_debug("GPU arena %u over window %p + %zu", ind, (void *)window_lo, window_len);
  return 0;
}

void *arena_alloc(size_t n, size_t align, bool zero)
{
  int flags = ga.flags | (align > 16 ? MALLOCX_ALIGN(align) : 0) | (zero ? MALLOCX_ZERO : 0);
  return mallocx(n ? n : 1, flags);
}

void *arena_realloc(void *p, size_t n) { return rallocx(p, n, ga.flags); }

void arena_free(void *p) { dallocx(p, MALLOCX_TCACHE_NONE); }

size_t arena_tcache_max(void) { return ga.tcache_max; }

void arena_purge(void)
{
  if (ga.flags == 0)
    return;
  char name[64];
  snprintf(name, sizeof name, "arena.%u.purge", ga.ind);
  mallctl(name, NULL, NULL, NULL, 0);
}
