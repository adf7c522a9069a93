/* The engine's front: which backend, started when, and what the
 * application's threads ask of it. What is bound, and when
 * (docs/DESIGN.md, "Binding"):
 *   - a unit the application registers in, at that registration, on its
 *     thread, with the closed unbound chunks around it in one call (here);
 *   - ahead of any registration, on the bind thread, where there is
 *     evidence (ahead.c);
 *   - never otherwise: a process that registers nothing pins nothing.
 * What is no longer used is unbound by idle.c. Chunks are chosen in
 * arena/chunks.c's state machine, so registrations, purges and unbinding
 * never interleave wrongly. */
#include "engine.h"
#include "ahead.h"
#include "backend.h"
#include "calls.h"
#include "idle.h"
#include "thread.h"
#include "timeline.h"
#include "../arena/window.h"
#include "../classify/classify.h"
#include "../config/config.h"
#include "../config/log.h"
#include "../config/os.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

enum { ENG_IDLE, ENG_STARTING, ENG_LIVE, ENG_OFF };

static struct {
  int state;                /* atomic */
  const char *why;          /* no backend: why */
  size_t bind_max;
  size_t slack;             /* bind_slack() */
  int mode;                 /* enum cfg_bind */
  bool exit_hooked;
  pid_t owner;              /* the process that started the backend */
} eng = { .why = "no runtime call yet" };

static bool live(void) { return __atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_LIVE; }

bool engine_live(void) { return live(); }

/* Before the runtime's own exit handlers: a bind thread inside the runtime
 * while it tears down would crash the host program. */
static void bind_shutdown(void)
{
  thread_stop();
  /* A forked child inherits this handler and, for the amdgpu backend, the
   * parent's open device file: releasing from there would destroy the
   * parent's buffer objects. */
  struct backend *be = calls_backend();
  if (be->ops && be->ops->fini && eng.owner == getpid() && live()) {
    __atomic_store_n(&eng.state, ENG_OFF, __ATOMIC_RELEASE);
    be->ops->fini(be);
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
  eng.slack = c->chunk_size;
  eng.mode = c->bind;
  struct backend be = { .ops = choose(c, f), .flavor = f, .device = -1 };
  if (be.ops == NULL || be.ops->init(&be) != 0) {
    if (be.ops)
      eng.why = "the backend could not start (GPUSCATTER_LOG=info says why)";
    __atomic_store_n(&eng.state, ENG_OFF, __ATOMIC_RELEASE);
    return;
  }
  calls_start(&be);
  eng.owner = getpid();
  if (be.ops->fini)
    hook_exit();
  /* In every mode: lazy binds nothing ahead, but what a registration bound
   * must still be unbound, and freed pages given back, without waiting for
   * the program's next call. */
  bool thread = thread_start(eng.mode);
  if (thread)
    hook_exit();
  ahead_start(eng.mode, eng.bind_max, thread && eng.mode != CFG_BIND_LAZY, classify_forecast());
  log_info("%s backend live on device %d (%s binding, a window of up to %zu GiB, at most %zu MiB "
           "pinned)", be.ops->name, be.device, cfg_word("GPUSCATTER_BIND", eng.mode),
           c->window >> 30, c->max_pinned >> 20);
  __atomic_store_n(&eng.state, ENG_LIVE, __ATOMIC_RELEASE);
  /* Huge pages where memory will be registered, or is filled as it is
   * loaded; zeroed blocks (often sparse) once there is evidence (ahead.c). */
  window_use_hugepages(REG_SIZE);
  window_use_hugepages(REG_SITE);
  window_use_hugepages(REG_PINNED);
  if (eng.mode == CFG_BIND_EAGER)
    window_use_hugepages(REG_ZERO);
  if (thread)
    thread_kick();
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

bool bind_live(enum flavor f) { return live() && (calls_backend()->ops->flavors & (1u << f)); }

int bind_device(void)
{
  int d = live() ? calls_backend()->device : -1;
  return d >= 0 ? d : 0;
}

size_t bind_slack(void) { return eng.slack; }

/* Pages of [a, a + n) faulted in by registering it, beyond those of
 * [ra, ra + rn) (the registration's own). */
static size_t extra(uintptr_t a, size_t n, uintptr_t ra, size_t rn)
{
  size_t miss = os_nonresident(a, n);
  uintptr_t lo = ra > a ? ra : a, hi = ra + rn < a + n ? ra + rn : a + n;
  lo &= ~(uintptr_t)4095;
  hi = (hi + 4095) & ~(uintptr_t)4095;
  size_t own = hi > lo ? os_nonresident(lo, hi - lo) : 0;
  return miss > own ? miss - own : 0;
}

/* What a unit being chosen reaches so far: [lo, hi), its bytes, and what
 * binding it would fault in beyond the registration. */
struct reach { uintptr_t lo, hi; size_t span, cost, slack; };

/* The unbound chunk holding a joins if the slack and bind_max still allow. */
static bool join(struct reach *r, uintptr_t a)
{
  uintptr_t b;
  size_t s, c;
  if (!chunks_extent(a, &b, &s) || chunks_peek(a, NULL) != CHUNK_COMMITTED ||
      r->span + s > eng.bind_max || r->cost + (c = os_nonresident(b, s)) > r->slack)
    return false;
  r->cost += c;
  r->span += s;
  r->lo = b < r->lo ? b : r->lo;
  r->hi = b + s > r->hi ? b + s : r->hi;
  return true;
}

/* Where a registration's unit may reach while binding it faults in at
 * most slack bytes beyond the registration: the chunk holding it (false
 * when even that costs more), then its unbound neighbours, nearest first,
 * while the slack lasts and the run stays within bind_max. States and
 * residency are read without a lock (mincore): hints for the choice,
 * which chunks.c makes under its lock. */
static bool reach(uintptr_t a, size_t n, size_t slack, uintptr_t *lo, uintptr_t *hi)
{
  uintptr_t b;
  size_t s;
  if (!chunks_extent(a, &b, &s))
    return false;
  struct reach r = { b, b + s, s, extra(b, s, a, n), slack };
  if (r.cost > slack)
    return false;
  for (bool left = true, right = true; left || right;) {
    left = left && r.lo > 0 && join(&r, r.lo - 1);
    right = right && join(&r, r.hi);
  }
  *lo = r.lo;
  *hi = r.hi;
  return true;
}

int bind_acquire(uintptr_t a, size_t n, size_t slack, struct chunk_info *out)
{
  bool reclaimed = false;
  for (int tries = 0;; tries++) {
    int st = chunks_acquire(a, n, out);
    if (st != CHUNK_COMMITTED || !live())
      return st;
    uintptr_t lo = 0, hi = UINTPTR_MAX;
    if (slack != BIND_ANY && !reach(a, n, slack, &lo, &hi))
      return CHUNK_COMMITTED; /* the runtime pins just the range */
    struct chunk_run r;
    switch (chunks_choose_within(a, eng.bind_max, lo, hi, &r)) {
    case CHOOSE_OK:
      calls_bind(&r, true, false);
      /* Something is bound now: the bind thread, asleep without a timer
       * while nothing was, must tick to unbind it once it is idle. */
      if (thread_running())
        thread_kick();
      continue;
    case CHOOSE_FOREIGN:
      return CHUNK_COMMITTED;
    case CHOOSE_BUDGET:
      if (reclaimed || !idle_reclaim(out->unit_size))
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

void bind_chunk_added(void)
{
  if (live() && thread_running() && ahead_any())
    thread_kick();
}

void bind_unit_emptied(void)
{
  if (live() && thread_running())
    thread_kick();
}

void bind_flush(void)
{
  if (live())
    ahead_bind(ENGINE_ALL & ~ENGINE_BIT(REG_PINNED), AHEAD_NEWEST);
}

void bind_stats(struct bind_stats *s)
{
  bool on = live();
  const struct backend *be = calls_backend();
  *s = (struct bind_stats){
    .backend = on ? be->ops->name : "none", .why = on ? "" : eng.why,
    .device = on ? be->device : -1, .auto_unbinds = idle_auto_unbound(),
    .size_ahead = ahead_size(),
  };
  calls_stats(s);
}

void bind_fork(enum fork_phase ph)
{
  if (ph == FORK_PREPARE) {
    thread_fork(ph);
    calls_fork(ph);
    timeline_fork(ph);
    backends_fork(ph);
    return;
  }
  if (ph == FORK_PARENT) {
    backends_fork(ph);
    timeline_fork(ph);
    calls_fork(ph);
    thread_fork(ph);
    return;
  }
  /* The child has no bind thread and owns no registrations; a CUDA or HIP
   * context does not survive fork either, so its calls pass through. A
   * backend live from the start is live in the child too. */
  backends_fork(ph);
  thread_fork(ph);
  calls_fork(ph);
  timeline_fork(ph);
  ahead_fork(ph);
  idle_fork(ph);
  const struct backend *be = calls_backend();
  if (be->ops && be->ops->live_at_load) {
    eng.state = ENG_IDLE;
  } else if (eng.state != ENG_IDLE) {
    eng.state = ENG_OFF;
    eng.why = "a forked child: the parent's runtime context does not survive fork";
  }
}
