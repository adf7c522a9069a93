/* The batch bind engine. What is bound, and when (docs/DESIGN.md,
 * "Binding"):
 *   - a unit the application registers in, at that registration, on its
 *     thread, with the closed unbound chunks around it in one call;
 *   - ahead of any registration, on the bind thread, the chunks of regions
 *     with evidence: REG_SITE (call sites that register), REG_SIZE once the
 *     application has registered a quarter of what was placed there, every
 *     region with GPUSCATTER_BIND=eager. A region's newest chunk waits: the
 *     program may still be filling it;
 *   - never otherwise: a process that registers nothing pins nothing.
 * Units the application registered in and no longer does are unbound a
 * second later, units bound ahead by size alone and never registered in a
 * minute later, and their free pages given back. Chunks are chosen in
 * arena/chunks.c's state machine, so registrations, purges and unbinding
 * never interleave wrongly; this file only decides and calls the backend. */
#include "engine.h"
#include "backend.h"
#include "populate.h"
#include "../arena/gpu_arena.h"
#include "../arena/pages.h"
#include "../arena/window.h"
#include "../config/config.h"
#include "../config/counters.h"
#include "../config/fault.h"
#include "../config/log.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { ENG_IDLE, ENG_STARTING, ENG_LIVE, ENG_OFF };
enum { IDLE_MS = 1000, UNCLAIMED_MS = 60000, PINNED_AHEAD_MS = 5000, TICK_MS = 250 };
enum { PIPE_RUN = 256 << 20 };

#define BIT(r) (1u << (r))
#define SIZE_REGIONS (BIT(REG_SIZE) | BIT(REG_SIZE_SMALL))
#define SITE_REGIONS (BIT(REG_SITE) | BIT(REG_SITE_SMALL))
#define ALL_REGIONS ((1u << REG_N) - 1)

/* What binding did over time, for the statistics' time line: a point at
 * each backend call, halved (every other point kept) when full. */
struct timeline {
  struct bind_point p[BIND_TIMELINE_N];
  unsigned n, every, skipped;
  double t0;
};

static struct {
  pthread_mutex_t lock;
  pthread_cond_t work;
  int state;
  struct backend be;
  const char *why;          /* no backend: why */
  size_t bind_max;
  int mode;                 /* enum cfg_bind */
  unsigned ahead;           /* regions bound ahead (atomic) */
  bool kick, stop, thread_running, exit_hooked;
  pthread_t thread;
  uint64_t reg, unreg, failed, sync_binds, ahead_binds, auto_unbinds;
  uint64_t size_registered; /* bytes the application registered in REG_SIZE (atomic) */
  size_t grow;              /* bytes the pinned region should grow by ahead (atomic) */
  uintptr_t grown;          /* where it last grew ahead (atomic) */
  double seconds;
  double populate_wait;     /* binding waited for pages to be faulted in */
  bool warned, unbind_warned;
  pid_t owner;              /* the process that started the backend */
  struct timeline tl;
} eng = { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER, .why = "no runtime call yet" };

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool live(void) { return __atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_LIVE; }

/* After a backend call, outside eng.lock (the counters are read lock-free). */
static void timeline_note(void)
{
  uint64_t c[CTR_N];
  ctr_sum(c);
  size_t bound = chunks_bound_bytes();
  double t = now();
  pthread_mutex_lock(&eng.lock);
  struct timeline *tl = &eng.tl;
  if (tl->every == 0) {
    tl->every = 1;
    tl->t0 = t;
  }
  if (++tl->skipped >= tl->every) {
    tl->skipped = 0;
    if (tl->n == BIND_TIMELINE_N) {
      for (unsigned i = 0; i < BIND_TIMELINE_N / 2; i++)
        tl->p[i] = tl->p[2 * i + 1];
      tl->n = BIND_TIMELINE_N / 2;
      tl->every *= 2;
    }
    tl->p[tl->n++] = (struct bind_point){ (t - tl->t0) * 1e3, bound, eng.reg + eng.unreg,
                                          c[CTR_HITS] + c[CTR_MISSES] };
  }
  pthread_mutex_unlock(&eng.lock);
}

unsigned bind_timeline(struct bind_point *out, unsigned max)
{
  pthread_mutex_lock(&eng.lock);
  unsigned n = eng.tl.n < max ? eng.tl.n : max;
  memcpy(out, eng.tl.p, n * sizeof *out);
  pthread_mutex_unlock(&eng.lock);
  return n;
}

/* The backend's error as text: "EFAULT (Bad address)", or the number. */
static const char *error_text(int rc, char *buf, size_t len)
{
  if (eng.be.ops->error_name)
    return eng.be.ops->error_name(rc, buf, len);
  snprintf(buf, len, "error %d", rc);
  return buf;
}

/* Register a chosen run whose pages are present. Backend calls are no
 * cancellation points for the application's thread: cancelled inside
 * one, it would leave its units BINDING for ever. */
static void register_run(const struct chunk_run *r, bool more, bool ahead)
{
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  uintptr_t dev = 0;
  double t0 = now();
  int rc = fault_hit(FAULT_BIND) ? 999 /* cudaErrorUnknown */
                                 : eng.be.ops->reg(&eng.be, r->base, r->size, more, &dev);
  double dt = now() - t0;
  pthread_mutex_lock(&eng.lock);
  eng.reg++;
  eng.seconds += dt;
  if (ahead)
    eng.ahead_binds++;
  else
    eng.sync_binds++;
  bool warn = rc != 0 && !eng.warned;
  if (rc != 0) {
    eng.failed++;
    eng.warned = true;
  }
  pthread_mutex_unlock(&eng.lock);
  char e[96];
  if (warn)
    log_warn("%s backend could not register %zu bytes at %p (%s); "
             "registrations there pass through to the runtime", eng.be.ops->name, r->size,
             (void *)r->base, error_text(rc, e, sizeof e));
  chunks_bound(r, rc == 0, dev, eng.be.device);
  timeline_note();
  pthread_setcancelstate(old, NULL);
}

static void waited(double t0)
{
  double dt = now() - t0;
  pthread_mutex_lock(&eng.lock);
  eng.populate_wait += dt;
  pthread_mutex_unlock(&eng.lock);
}

/* The range is chosen, so nothing purges it meanwhile (invariant 2). */
static void bind_run(const struct chunk_run *r, bool more, bool ahead)
{
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  double t0 = now();
  populate(r->base, r->size, !ahead);
  waited(t0);
  pthread_setcancelstate(old, NULL);
  register_run(r, more, ahead);
}

/* Binding ahead is a pipeline: the next run is faulted in on helper
 * threads while this one is registered (the driver call pins pages on one
 * thread; faulting in scales with threads), so runs ahead are kept to
 * PIPE_RUN. Choosing one run ahead also tells the backend which call ends
 * the batch. With soon, the application will wait for these runs (the
 * pinned region's next step: it outruns the bind thread while PyTorch
 * pins), so faulting in takes as many threads as when it waits (H200,
 * `pin_memory()` of 8 GiB: 1.21-1.44 s against 1.49 and 3.05 with half). */
static void pipe_bind(bool (*next)(void *, struct chunk_run *), void *arg, bool soon)
{
  struct chunk_run r, n;
  bool have = next(arg, &r);
  double t0;
  if (have) {
    t0 = now();
    populate(r.base, r.size, soon);
    waited(t0);
  }
  while (have) {
    bool more = next(arg, &n);
    struct populate_job j;
    if (more)
      populate_begin(&j, n.base, n.size, soon);
    register_run(&r, more, true);
    if (more) {
      t0 = now();
      populate_end(&j);
      waited(t0);
    }
    r = n;
    have = more;
  }
}

static bool unbind_run(const struct chunk_run *r)
{
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  double t0 = now();
  int rc = fault_hit(FAULT_UNBIND) ? 999 : eng.be.ops->unreg(&eng.be, r->base, r->size);
  pthread_mutex_lock(&eng.lock);
  eng.unreg++;
  eng.seconds += now() - t0;
  bool warn = rc != 0 && !eng.unbind_warned;
  eng.unbind_warned |= rc != 0;
  pthread_mutex_unlock(&eng.lock);
  char e[96];
  if (warn)
    log_warn("%s backend could not unregister %zu bytes at %p (%s); they stay registered",
             eng.be.ops->name, r->size, (void *)r->base, error_text(rc, e, sizeof e));
  chunks_unbound(r, rc == 0);
  if (rc == 0)
    pages_unbound(r->base, r->size);
  timeline_note();
  pthread_setcancelstate(old, NULL);
  return rc == 0;
}

struct ahead { unsigned mask; bool newest; };

static size_t pipe_run(void) { return eng.bind_max < PIPE_RUN ? eng.bind_max : PIPE_RUN; }

static bool next_ahead(void *arg, struct chunk_run *r)
{
  struct ahead *a = arg;
  return chunks_choose_ahead(a->mask, a->newest, pipe_run(), r);
}

static void bind_ahead(unsigned mask, bool newest)
{
  struct ahead a = { mask, newest };
  pipe_bind(next_ahead, &a, false);
}

/* Unbind what qualifies; returns the bytes unbound. */
static size_t unbind_idle(unsigned mask, unsigned claimed_ms, unsigned unclaimed_ms, size_t want)
{
  size_t done = 0;
  uintptr_t cursor = 0;
  struct chunk_run r;
  while ((want == 0 || done < want) &&
         chunks_take_idle(&cursor, mask, claimed_ms, unclaimed_ms, &r))
    if (unbind_run(&r))
      done += r.size;
  return done;
}

static void kick(void);

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
  __atomic_store_n(&eng.grown, a, __ATOMIC_RELEASE);
  struct grow g = { a, a + size };
  pipe_bind(next_grown, &g, true);
}

void bind_grow_pinned(size_t size)
{
  if (!live() || !eng.thread_running)
    return;
  __atomic_store_n(&eng.grow, size, __ATOMIC_RELEASE);
  kick();
}

uintptr_t bind_grown_pinned(void) { return __atomic_load_n(&eng.grown, __ATOMIC_ACQUIRE); }

static void *bind_main(void *arg)
{
  (void)arg;
  eng.be.ops->attach(&eng.be);
  pthread_mutex_lock(&eng.lock);
  while (!eng.stop) {
    eng.kick = false;
    pthread_mutex_unlock(&eng.lock);
    size_t g = __atomic_exchange_n(&eng.grow, 0, __ATOMIC_ACQ_REL);
    if (g)
      grow_pinned(g);
    bind_ahead(__atomic_load_n(&eng.ahead, __ATOMIC_ACQUIRE), false);
    if (eng.mode != CFG_BIND_EAGER) {
      size_t n = unbind_idle(ALL_REGIONS, IDLE_MS, NEVER, 0);
      n += unbind_idle(SIZE_REGIONS, NEVER, UNCLAIMED_MS, 0);
      n += unbind_idle(BIT(REG_PINNED), NEVER, PINNED_AHEAD_MS, 0);
      if (n) {
        pthread_mutex_lock(&eng.lock);
        eng.auto_unbinds += n;
        pthread_mutex_unlock(&eng.lock);
      }
    }
    bool dirty = false;
    for (enum region g = 0; g < REG_N; g++)
      if (region_is_pages(g)) {
        pages_purge(g, false, 0);
        dirty |= pages_dirty(g);
      }
    /* Timed work (idle units, decaying pages) wakes us every tick. */
    bool timed = dirty || chunks_bound_bytes() > 0;
    pthread_mutex_lock(&eng.lock);
    if (!eng.stop && !eng.kick) {
      if (timed) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += TICK_MS * 1000000L;
        t.tv_sec += t.tv_nsec / 1000000000L;
        t.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&eng.work, &eng.lock, &t);
      } else {
        pthread_cond_wait(&eng.work, &eng.lock);
      }
    }
  }
  pthread_mutex_unlock(&eng.lock);
  return NULL;
}

static void kick(void)
{
  pthread_mutex_lock(&eng.lock);
  eng.kick = true;
  pthread_cond_signal(&eng.work);
  pthread_mutex_unlock(&eng.lock);
}

/* Before the runtime's own exit handlers: a bind thread inside the runtime
 * while it tears down would crash the host program. */
static void bind_shutdown(void)
{
  pthread_mutex_lock(&eng.lock);
  eng.stop = true;
  pthread_cond_broadcast(&eng.work);
  bool bind = eng.thread_running;
  pthread_t bt = eng.thread;
  eng.thread_running = false;
  pthread_mutex_unlock(&eng.lock);
  if (bind)
    pthread_join(bt, NULL);
  /* A forked child inherits this handler and, for the amdgpu backend, the
   * parent's open device file: releasing from there would destroy the
   * parent's buffer objects. */
  if (eng.be.ops && eng.be.ops->fini && eng.owner == getpid() && live()) {
    __atomic_store_n(&eng.state, ENG_OFF, __ATOMIC_RELEASE);
    eng.be.ops->fini(&eng.be);
  }
}

/* Once, whichever thread comes first. */
static void hook_exit(void)
{
  bool no = false;
  if (__atomic_compare_exchange_n(&eng.exit_hooked, &no, true, false, __ATOMIC_ACQ_REL,
                                  __ATOMIC_RELAXED))
    atexit(bind_shutdown);
}

/* The backend table decides; one that does not serve this flavor leaves
 * its calls to the runtime, once said. */
static const struct backend_ops *choose(const struct cfg *c, enum flavor f)
{
  if (c->backend == CFG_BACKEND_OFF) {
    eng.why = "GPUSCATTER_BACKEND=off";
    return NULL;
  }
  const struct backend_ops *b = backend_choose(c->backend, f);
  if (b == NULL) {
    eng.why = "GPUSCATTER_BACKEND does not serve the application's runtime";
    log_warn("GPUSCATTER_BACKEND does not serve this application's %s calls; they pass through",
             flavor(f)->name);
  }
  return b;
}

/* Start the backend for flavor f. */
static void start(enum flavor f)
{
  const struct cfg *c = cfg_get();
  int s = ENG_IDLE;
  if (c == NULL || !__atomic_compare_exchange_n(&eng.state, &s, ENG_STARTING, false,
                                                __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
    return;
  eng.bind_max = c->bind_max;
  eng.mode = c->bind;
  eng.be = (struct backend){ .ops = choose(c, f), .flavor = f, .device = -1 };
  if (eng.be.ops == NULL || eng.be.ops->init(&eng.be) != 0) {
    if (eng.be.ops)
      eng.why = "the backend could not start (GPUSCATTER_LOG=info says why)";
    __atomic_store_n(&eng.state, ENG_OFF, __ATOMIC_RELEASE);
    return;
  }
  eng.owner = getpid();
  if (eng.be.ops->fini)
    hook_exit();
  unsigned ahead = eng.mode == CFG_BIND_EAGER ? ALL_REGIONS & ~BIT(REG_PINNED) : SITE_REGIONS;
  if (eng.mode != CFG_BIND_LAZY) {
    pthread_mutex_lock(&eng.lock);
    eng.thread_running = !fault_hit(FAULT_THREAD) &&
                         pthread_create(&eng.thread, NULL, bind_main, NULL) == 0;
    pthread_mutex_unlock(&eng.lock);
    if (eng.thread_running)
      hook_exit();
    else
      log_warn("cannot start the bind thread; binding when registrations need it");
  }
  __atomic_store_n(&eng.ahead, eng.thread_running ? ahead : 0, __ATOMIC_RELEASE);
  log_info("%s backend live on device %d (%s binding, a window of up to %zu GiB, at most %zu MiB "
           "pinned)", eng.be.ops->name, eng.be.device, cfg_word("GPUSCATTER_BIND", eng.mode),
           c->window >> 30, c->max_pinned >> 20);
  __atomic_store_n(&eng.state, ENG_LIVE, __ATOMIC_RELEASE);
  window_use_hugepages();
  if (eng.thread_running)
    kick();
}

void bind_runtime_seen(enum flavor f)
{
  if (__builtin_expect(__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_IDLE, 0))
    start(f);
}

bool bind_start_at_load(void)
{
  const struct cfg *c = cfg_get();
  const struct backend_ops *b = c ? backend_named(c->backend) : NULL;
  if (b && b->live_at_load)
    start(FLAVOR_CUDA);
  return live();
}

bool bind_live(enum flavor f) { return live() && (eng.be.ops->flavors & (1u << f)); }

int bind_device(void) { return live() && eng.be.device >= 0 ? eng.be.device : 0; }

/* The budget is full: unbind units no registration holds, on this thread. */
static bool reclaim(size_t want)
{
  return unbind_idle(ALL_REGIONS & ~BIT(REG_PINNED), 0, 0, want) > 0;
}

int bind_acquire(uintptr_t a, size_t n, struct chunk_info *out)
{
  bool reclaimed = false;
  for (int tries = 0;; tries++) {
    int st = chunks_acquire(a, n, out);
    if (st != CHUNK_COMMITTED || !live())
      return st;
    struct chunk_run r;
    switch (chunks_choose(a, eng.bind_max, &r)) {
    case CHOOSE_OK:
      bind_run(&r, false, false);
      continue;
    case CHOOSE_FOREIGN:
      return CHUNK_COMMITTED;
    case CHOOSE_BUDGET:
      if (reclaimed || !reclaim(out->unit_size))
        return CHUNK_COMMITTED;
      reclaimed = true;
      continue;
    case CHOOSE_BUSY:
      if (tries > 10000)
        return CHUNK_COMMITTED; /* never seen: a purge that does not end */
      sched_yield();
      continue;
    }
  }
}

void bind_evidence(enum region r, size_t bytes)
{
  if ((r == REG_SIZE || r == REG_SIZE_SMALL) && eng.mode == CFG_BIND_ASYNC &&
      !(__atomic_load_n(&eng.ahead, __ATOMIC_RELAXED) & BIT(REG_SIZE))) {
    uint64_t reg = __atomic_add_fetch(&eng.size_registered, bytes, __ATOMIC_RELAXED);
    uint64_t v[CTR_N];
    ctr_sum(v);
    /* A quarter of what was placed by size is registered: the program
     * registers what it loads. */
    if (reg * 4 >= v[CTR_SIZE_BYTES] && eng.thread_running) {
      __atomic_or_fetch(&eng.ahead, SIZE_REGIONS, __ATOMIC_RELEASE);
      log_debug("binding placed-by-size memory ahead: %llu of %llu bytes registered",
                (unsigned long long)reg, (unsigned long long)v[CTR_SIZE_BYTES]);
      kick();
    }
  }
}

void bind_chunk_added(void)
{
  if (live() && eng.thread_running && __atomic_load_n(&eng.ahead, __ATOMIC_RELAXED))
    kick();
}

void bind_unit_emptied(void)
{
  if (live() && eng.thread_running)
    kick();
}

void bind_flush(void)
{
  if (live())
    bind_ahead(ALL_REGIONS & ~BIT(REG_PINNED), true);
}

size_t bind_trim(void)
{
  if (!live())
    return 0;
  size_t n = unbind_idle(ALL_REGIONS, 0, 0, 0);
  arena_purge();
  return n;
}

void bind_stats(struct bind_stats *s)
{
  pthread_mutex_lock(&eng.lock);
  bool on = eng.state == ENG_LIVE;
  *s = (struct bind_stats){
    .backend = on ? eng.be.ops->name : "none", .why = on ? "" : eng.why,
    .device = on ? eng.be.device : -1, .reg = eng.reg, .unreg = eng.unreg, .failed = eng.failed,
    .sync_binds = eng.sync_binds, .ahead_binds = eng.ahead_binds,
    .auto_unbinds = eng.auto_unbinds, .seconds = eng.seconds,
    .populate_wait = eng.populate_wait,
    .size_ahead = (eng.ahead & BIT(REG_SIZE)) != 0,
  };
  pthread_mutex_unlock(&eng.lock);
}

void bind_fork(enum fork_phase ph)
{
  if (ph != FORK_CHILD) {
    fork_mutex(&eng.lock, ph);
    backends_fork(ph);
    return;
  }
  /* The child has no bind thread and owns no registrations; a CUDA or HIP
   * context does not survive fork either, so its calls pass through. A
   * backend live from the start is live in the child too. */
  backends_fork(ph);
  pthread_mutex_init(&eng.lock, NULL);
  pthread_cond_init(&eng.work, NULL);
  eng.thread_running = false;
  eng.kick = eng.stop = false;
  eng.ahead = 0;
  eng.size_registered = 0;
  eng.grow = 0;
  eng.grown = 0;
  eng.tl = (struct timeline){ .n = 0 };
  eng.reg = eng.unreg = eng.failed = eng.sync_binds = eng.ahead_binds = eng.auto_unbinds = 0;
  eng.seconds = eng.populate_wait = 0;
  if (eng.be.ops && eng.be.ops->live_at_load) {
    eng.state = ENG_IDLE;
  } else if (eng.state != ENG_IDLE) {
    eng.state = ENG_OFF;
    eng.why = "a forked child: the parent's runtime context does not survive fork";
  }
}
