/* Routing and its lazy initialisation. The configuration is read at the
 * first allocation that reaches the slow path; the window and arenas are
 * made at the first placed one, so a process that never makes one pays
 * nothing beyond a size compare. */
#include "route.h"
#include "../arena/chunks.h"
#include "../arena/gpu_arena.h"
#include "../arena/pages.h"
#include "../arena/window.h"
#include "../bind/engine.h"
#include "../classify/classify.h"
#include "../config/config.h"
#include "../config/counters.h"

#include <errno.h>
#include <jemalloc/jemalloc.h>
#include <stdint.h>
#include <string.h>

size_t route_min;

/* A relocation, not code: valid before any constructor runs. */
void (*route_free)(void *) = real_early_free;

static void free_checked(void *p)
{
  if (__builtin_expect(window_contains(p), 0))
    route_free_window(p);
  else
    real.free(p);
}

void route_resolved(void)
{
  /* Never overwrite free_checked: once a window pointer may exist, every
   * free must look at the window. */
  void (*expected)(void *) = real_early_free;
  __atomic_compare_exchange_n(&route_free, &expected, real.free, false, __ATOMIC_RELEASE,
                              __ATOMIC_RELAXED);
}

static enum { ARENA_UNTRIED, ARENA_TRYING, ARENA_READY, ARENA_FAILED } arena_state;

static const struct cfg *configure(void)
{
  const struct cfg *c = cfg_get(); /* NULL while another thread reads it */
  if (c != NULL && route_threshold() == 0)
    __atomic_store_n(&route_min, c->backend == CFG_BACKEND_OFF || !c->arenas ? SIZE_MAX : c->min_size,
                     __ATOMIC_RELAXED);
  return c;
}

static bool arena_ready(const struct cfg *c)
{
  int s = __atomic_load_n(&arena_state, __ATOMIC_ACQUIRE);
  if (s == ARENA_READY)
    return true;
  if (s != ARENA_UNTRIED ||
      !__atomic_compare_exchange_n(&arena_state, &s, ARENA_TRYING, false, __ATOMIC_ACQUIRE,
                                   __ATOMIC_RELAXED))
    return false; /* another thread is making it: this allocation stays ordinary */
  if (arena_init(c) != 0) {
    __atomic_store_n(&route_min, SIZE_MAX, __ATOMIC_RELAXED);
    __atomic_store_n(&arena_state, ARENA_FAILED, __ATOMIC_RELEASE);
    return false;
  }
  /* Before the first window pointer is handed out: page-allocator blocks
   * are not jemalloc's, so every free must look at the window. */
  __atomic_store_n(&route_free, free_checked, __ATOMIC_RELEASE);
  __atomic_store_n(&arena_state, ARENA_READY, __ATOMIC_RELEASE);
  return true;
}

bool route_window_ready(void)
{
  const struct cfg *c = configure();
  return c != NULL && arena_ready(c);
}

/* A candidate that stayed ordinary, for route_note() to record. */
static __thread struct { struct cl_site s; size_t n; } pending;

/* Where n bytes from call site ra go: REG_SITE (its site registers),
 * REG_SIZE (large enough), or REG_N (ordinary). */
static enum region placement(const struct cfg *c, size_t n, const void *ra, struct cl_site *s)
{
  if (c->max_size != 0 && n > c->max_size)
    return REG_N;
  *s = classify_site(n, ra);
  if (s->hot)
    return REG_SITE;
  if (n >= c->min_size)
    return REG_SIZE;
  pending.s = *s;
  pending.n = n;
  return REG_N;
}

void route_note(void *p)
{
  if (__builtin_expect(pending.s.h != 0, 0)) {
    classify_record(p, pending.n, pending.s);
    pending.s.h = 0;
  }
}

void route_classify_ready(const struct cfg *c)
{
  size_t n = c->site_min_size < c->min_size ? c->site_min_size : c->min_size;
  if (route_threshold() != SIZE_MAX)
    __atomic_store_n(&route_min, n, __ATOMIC_RELAXED);
}

void *route_try_gpu(size_t n, size_t align, bool zero, const void *ra)
{
  pending.s.h = 0;
  const struct cfg *c = configure();
  if (c == NULL || n < route_threshold())
    return NULL;
  struct cl_site s = { 0, false };
  enum region kind = placement(c, n, ra, &s);
  if (kind == REG_N)
    return NULL;
  void *p = arena_ready(c) ? arena_alloc(kind, n, align, zero) : NULL;
  if (p == NULL) {
    ctr_add(CTR_FALLBACK, 1);
    pending.s = s; /* ordinary after all: still a candidate */
    pending.n = n;
    return NULL;
  }
  classify_record(p, n, s);
  ctr_add(CTR_GPU_ALLOCS, 1);
  ctr_add(CTR_GPU_BYTES, n);
  ctr_add(kind == REG_SITE ? CTR_SITE_BYTES : CTR_SIZE_BYTES, n);
  static __thread size_t seen;
  size_t g = chunks_generation();
  if (__builtin_expect(g != seen, 0)) { /* a new chunk: the bind thread may want it */
    seen = g;
    bind_chunk_added();
  }
  return p;
}

static void *ordinary(size_t n, size_t align, bool zero)
{
  if (align <= 16)
    return zero ? real.calloc(1, n) : real.malloc(n);
  void *p = mallocx(n ? n : 1, MALLOCX_ALIGN(align) | (zero ? MALLOCX_ZERO : 0));
  if (p == NULL)
    errno = ENOMEM;
  return p;
}

void *route_alloc(size_t n, size_t align, bool zero, const void *ra)
{
  void *p = route_try_gpu(n, align, zero, ra);
  if (p != NULL)
    return p;
  p = ordinary(n, align, zero);
  route_note(p);
  return p;
}

void route_free_window(void *p)
{
  int saved = errno; /* a purge may fail and set it */
  classify_freed(p);
  arena_free(p);
  if (pages_take_sparse())
    bind_unit_emptied();
  errno = saved;
}

size_t route_usable_window(const void *p) { return arena_usable(p); }

/* realloc across arenas: copy what fits into q, release p with release. */
static void *move_to(void *q, void *p, size_t old, size_t n, void (*release)(void *))
{
  memcpy(q, p, old < n ? old : n);
  release(p);
  return q;
}

void *route_realloc(void *p, size_t n, const void *ra)
{
  if (p == NULL)
    return route_alloc(n, 0, false, ra);
  if (n == 0) { /* glibc: realloc(p, 0) frees p and returns NULL */
    free(p);
    return NULL;
  }
  void *q;
  if (window_contains(p)) {
    /* A placed allocation stays in the window while it has room. */
    if ((q = arena_realloc(p, n)) != NULL)
      return q; /* (its record stays p's: a moved block is learned from again) */
    ctr_add(CTR_FALLBACK, 1);
    if ((q = ordinary(n, 0, false)) == NULL)
      return NULL;
    return move_to(q, p, arena_usable(p), n, route_free_window);
  }
  /* An ordinary allocation grown past the threshold moves into the window. */
  if ((q = route_try_gpu(n, 0, false, ra)) != NULL)
    return move_to(q, p, real.usable_size(p), n, real.free);
  q = real_realloc(p, n);
  route_note(q);
  return q;
}
