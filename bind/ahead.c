/* Binding ahead. The regions bound ahead: REG_SITE (call sites that
 * register) once this run registers in it, REG_SIZE once the application
 * has registered a quarter of what was placed there, every region with
 * GPUSCATTER_BIND=eager; only chunks the program has filled (mostly
 * resident), and a region's newest chunk waits while the program may
 * still be filling it.
 * The pinned region grows a step ahead of need. Binding ahead is a
 * pipeline: the next run is faulted in on helper threads while this one
 * is registered (the driver call pins pages on one thread; faulting in
 * scales with threads), so runs ahead are kept to PIPE_RUN. */
#include "ahead.h"
#include "calls.h"
#include "engine.h"
#include "populate.h"
#include "thread.h"
#include "../arena/chunks.h"
#include "../arena/pages.h"
#include "../arena/window.h"
#include "../config/config.h"
#include "../config/counters.h"
#include "../config/log.h"

enum { PIPE_RUN = 256 << 20 };

static struct {
  unsigned mask;            /* regions bound ahead (atomic) */
  int mode;                 /* enum cfg_bind */
  size_t bind_max;
  bool thread;
  uint64_t size_registered; /* bytes the application registered in REG_SIZE (atomic) */
  size_t grow;              /* bytes the pinned region should grow by ahead (atomic) */
  uintptr_t grown;          /* where it last grew ahead (atomic) */
} ah;

void ahead_start(int mode, size_t bind_max, bool thread, bool forecast)
{
  ah.mode = mode;
  ah.bind_max = bind_max;
  ah.thread = thread;
  /* Eager binds every region ahead from the start; otherwise call-site
   * memory is, when a run with these arguments registered it, else once
   * this run registers in it (bind_evidence): a profile places memory
   * where the last runs registered, but another mode of the same program
   * may not register at all. */
  unsigned mask = mode == CFG_BIND_EAGER ? ENGINE_ALL & ~ENGINE_BIT(REG_PINNED)
                : forecast ? ENGINE_SITE : 0;
  __atomic_store_n(&ah.mask, thread ? mask : 0, __ATOMIC_RELEASE);
}

bool ahead_any(void) { return __atomic_load_n(&ah.mask, __ATOMIC_RELAXED) != 0; }

bool ahead_size(void) { return (__atomic_load_n(&ah.mask, __ATOMIC_RELAXED) & ENGINE_BIT(REG_SIZE)) != 0; }

static size_t pipe_run(void) { return ah.bind_max < PIPE_RUN ? ah.bind_max : PIPE_RUN; }

/* Choosing one run ahead also tells the backend which call ends the
 * batch. With soon, the application will wait for these runs (the pinned
 * region's next step: it outruns the bind thread while PyTorch pins), so
 * faulting in takes as many threads as when it waits (H200, `pin_memory()`
 * of 8 GiB: 1.21-1.44 s against 1.49 and 3.05 with half). */
static void pipe_bind(bool (*next)(void *, struct chunk_run *), void *arg, bool soon)
{
  struct chunk_run r, n;
  bool have = next(arg, &r);
  double t0;
  if (have) {
    t0 = calls_now();
    populate(r.base, r.size, soon);
    calls_waited(t0);
  }
  while (have) {
    bool more = next(arg, &n);
    struct populate_job j;
    if (more)
      populate_begin(&j, n.base, n.size, soon);
    calls_register(&r, more, true);
    if (more) {
      t0 = calls_now();
      populate_end(&j);
      calls_waited(t0);
    }
    r = n;
    have = more;
  }
}

struct regions { unsigned mask, how; };

static bool next_ahead(void *arg, struct chunk_run *r)
{
  struct regions *a = arg;
  return chunks_choose_ahead(a->mask, a->how, pipe_run(), r);
}

void ahead_bind(unsigned mask, unsigned how)
{
  struct regions a = { mask, how };
  pipe_bind(next_ahead, &a, false);
}

/* The pinned region grows ahead of need: fresh space carved, left free,
 * and bound here, while the application fills what it has. */
struct grow { uintptr_t x, end; };

static bool next_grown(void *arg, struct chunk_run *r)
{
  struct grow *g = arg;
  while (g->x < g->end) {
    enum choose c = chunks_choose(g->x, pipe_run(), r);
    if (c == CHOOSE_OK) {
      g->x = r->base + r->size;
      return true;
    }
    struct chunk_info u;
    if (c != CHOOSE_BUSY || chunks_lookup(g->x, &u) < 0 || u.unit_base + u.unit_size <= g->x)
      break; /* the budget, or a passed-through registration */
    g->x = u.unit_base + u.unit_size; /* an allocation bound it first */
  }
  g->x = g->end;
  return false;
}

static void grow_pinned(size_t size)
{
  uintptr_t a = pages_grow(REG_PINNED, size);
  if (a == 0)
    return;
  __atomic_store_n(&ah.grown, a, __ATOMIC_RELEASE);
  struct grow g = { a, a + size };
  pipe_bind(next_grown, &g, true);
}

void ahead_work(void)
{
  size_t g = __atomic_exchange_n(&ah.grow, 0, __ATOMIC_ACQ_REL);
  if (g)
    grow_pinned(g);
  /* Eager binds what is placed; async what there is evidence for, once
   * the program has filled it. */
  ahead_bind(__atomic_load_n(&ah.mask, __ATOMIC_ACQUIRE), ah.mode == CFG_BIND_EAGER ? 0 : AHEAD_DENSE);
}

void bind_grow_pinned(size_t size)
{
  if (!engine_live() || !ah.thread)
    return;
  __atomic_store_n(&ah.grow, size, __ATOMIC_RELEASE);
  thread_kick();
}

uintptr_t bind_grown_pinned(void) { return __atomic_load_n(&ah.grown, __ATOMIC_ACQUIRE); }

void bind_evidence(enum region r, size_t bytes)
{
  /* A registration answered in memory placed for a call site: the sites
   * the profile named register in this run too. */
  if ((r == REG_SITE || r == REG_SITE_SMALL) && ah.thread &&
      !(__atomic_load_n(&ah.mask, __ATOMIC_RELAXED) & ENGINE_BIT(REG_SITE))) {
    __atomic_or_fetch(&ah.mask, ENGINE_SITE, __ATOMIC_RELEASE);
    log_debug("binding memory placed by call site ahead: this run registers in it");
    thread_kick();
  }
  if ((r == REG_SIZE || r == REG_ZERO || r == REG_SIZE_SMALL) && ah.mode == CFG_BIND_ASYNC &&
      ah.thread &&
      !(__atomic_load_n(&ah.mask, __ATOMIC_RELAXED) & ENGINE_BIT(REG_SIZE))) {
    uint64_t reg = __atomic_add_fetch(&ah.size_registered, bytes, __ATOMIC_RELAXED);
    uint64_t v[CTR_N];
    ctr_sum(v);
    /* A quarter of what was placed by size is registered: the program
     * registers what it loads. */
    if (reg * 4 >= v[CTR_SIZE_BYTES]) {
      __atomic_or_fetch(&ah.mask, ENGINE_SIZE, __ATOMIC_RELEASE);
      window_use_hugepages(REG_ZERO);
      log_debug("binding placed-by-size memory ahead: %llu of %llu bytes registered",
                (unsigned long long)reg, (unsigned long long)v[CTR_SIZE_BYTES]);
      thread_kick();
    }
  }
}

void ahead_fork(enum fork_phase ph)
{
  if (ph != FORK_CHILD)
    return;
  ah.thread = false;
  ah.mask = 0;
  ah.size_registered = 0;
  ah.grow = 0;
  ah.grown = 0;
}
