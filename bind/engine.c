/* The batch bind engine. Chunks are committed inside jemalloc's extent
 * hooks, where no backend call may be made: the hook only marks them
 * pending and wakes the engine. Backend calls happen on the bind thread
 * (async) or on the application thread that needs a chunk (lazy), never
 * with a lock of ours held. */
#include "engine.h"
#include "backend.h"
#include "../config/config.h"
#include "../config/fault.h"
#include "../arena/window.h"
#include "../config/log.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

enum { ENG_IDLE, ENG_STARTING, ENG_LIVE, ENG_OFF };

static struct {
  pthread_mutex_t lock;
  pthread_cond_t work;
  int state;
  struct backend be;
  size_t bind_max;
  bool async, kick, stop, thread_running, exit_hooked;
  pthread_t thread;
  uint64_t reg, unreg, failed;
  double seconds;
  bool warned, unbind_warned;
  pid_t owner;            /* the process that started the backend */
} eng = { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER };

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The backend's error as text: "EFAULT (Bad address)", or the number. */
static const char *error_text(int rc, char *buf, size_t len)
{
  if (eng.be.ops->error_name)
    return eng.be.ops->error_name(rc, buf, len);
  snprintf(buf, len, "error %d", rc);
  return buf;
}

static void bind_run(const struct chunk_run *r, bool more)
{
  /* Fault the pages in first, on huge pages where allowed: registering
   * untouched memory costs several times more (measured: 122 ms against
   * 12.5 ms per GiB). Both advisory. */
  if (window_hugepages_allowed())
    madvise((void *)r->base, r->size, MADV_HUGEPAGE);
  madvise((void *)r->base, r->size, MADV_POPULATE_WRITE);
  uintptr_t dev = 0;
  double t0 = now();
  int rc = fault_hit(FAULT_BIND) ? 999 /* cudaErrorUnknown */
                                 : eng.be.ops->reg(&eng.be, r->base, r->size, more, &dev);
  double dt = now() - t0;
  pthread_mutex_lock(&eng.lock);
  eng.reg++;
  eng.seconds += dt;
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
  chunks_finish_run(r, rc == 0, dev);
}

/* One run ahead, so that the backend knows which call ends the batch. */
static void bind_pending(void)
{
  struct chunk_run r, next;
  bool have = chunks_take_run(eng.bind_max, &r);
  while (have) {
    bool more = chunks_take_run(eng.bind_max, &next);
    bind_run(&r, more);
    r = next;
    have = more;
  }
}

static void *bind_main(void *arg)
{
  (void)arg;
  eng.be.ops->attach(&eng.be);
  pthread_mutex_lock(&eng.lock);
  while (!eng.stop) {
    eng.kick = false;
    pthread_mutex_unlock(&eng.lock);
    bind_pending();
    pthread_mutex_lock(&eng.lock);
    while (!eng.stop && !eng.kick)
      pthread_cond_wait(&eng.work, &eng.lock);
  }
  pthread_mutex_unlock(&eng.lock);
  return NULL;
}

/* Called from the chunk table, possibly inside jemalloc's hooks: only
 * signals. */
static void notify(void)
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
  if (eng.be.ops && eng.be.ops->fini && eng.owner == getpid() &&
      __atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_LIVE) {
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
  if (c->backend == CFG_BACKEND_OFF)
    return NULL;
  const struct backend_ops *b = backend_choose(c->backend, f);
  if (b == NULL)
    log_warn("GPUSCATTER_BACKEND does not serve this application's %s calls; they pass through",
             flavor(f)->name);
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
  eng.async = c->bind == CFG_BIND_ASYNC;
  eng.be = (struct backend){ .ops = choose(c, f), .flavor = f, .device = -1 };
  if (eng.be.ops == NULL || eng.be.ops->init(&eng.be) != 0) {
    __atomic_store_n(&eng.state, ENG_OFF, __ATOMIC_RELEASE);
    return;
  }
  log_debug("%s backend live on device %d (%s binding)", eng.be.ops->name, eng.be.device,
            eng.async ? "async" : "lazy");
  eng.owner = getpid();
  if (eng.be.ops->fini)
    hook_exit();
  if (eng.async) {
    pthread_mutex_lock(&eng.lock);
    eng.thread_running = !fault_hit(FAULT_THREAD) &&
                         pthread_create(&eng.thread, NULL, bind_main, NULL) == 0;
    pthread_mutex_unlock(&eng.lock);
    if (eng.thread_running)
      hook_exit();
    else
      log_warn("cannot start the bind thread; binding lazily");
  }
  __atomic_store_n(&eng.state, ENG_LIVE, __ATOMIC_RELEASE);
  window_use_hugepages();
  chunks_go_live(eng.thread_running ? notify : NULL);
}

void bind_runtime_seen(enum flavor f)
{
  if (__builtin_expect(__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_IDLE, 0))
    start(f);
}

void bind_start_at_load(void)
{
  const struct cfg *c = cfg_get();
  const struct backend_ops *b = c ? backend_named(c->backend) : NULL;
  if (b && b->live_at_load)
    start(FLAVOR_CUDA);
}

bool bind_live(enum flavor f)
{
  int s = __atomic_load_n(&eng.state, __ATOMIC_ACQUIRE);
  return s == ENG_LIVE && (eng.be.ops->flavors & (1u << f));
}

int bind_device(void)
{
  if (__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) != ENG_LIVE || eng.be.device < 0)
    return 0;
  return eng.be.device;
}

int bind_ensure(uintptr_t addr, struct chunk *out)
{
  if (__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) != ENG_LIVE)
    return -1;
  for (;;) {
    /* Waits only while the chunk is being bound; pending work is done here
     * rather than waited for (the bind thread may be busy elsewhere). */
    int st = chunks_wait(addr, out);
    if (st == CHUNK_COMMITTED) { /* the newest, or unbound by a trim */
      chunks_seal_newest();
      chunks_set_state(out->base, CHUNK_PENDING);
      continue;
    }
    if (st != CHUNK_PENDING)
      return st;
    if (!eng.thread_running)
      chunks_queue_all(); /* lazy: everything, in as few calls as it takes */
    bind_pending();
  }
}

void bind_flush(void)
{
  if (__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_LIVE) {
    chunks_queue_all();
    bind_pending();
  }
}

size_t bind_trim(bool (*in_use)(uintptr_t, size_t))
{
  if (__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) != ENG_LIVE)
    return 0;
  size_t freed = 0;
  uintptr_t cursor = 0;
  struct chunk_run r;
  while (chunks_take_bound_unit(&cursor, &r)) {
    if (in_use(r.base, r.size)) {
      chunks_finish_unbind(&r, false);
      continue;
    }
    double t0 = now();
    int rc = fault_hit(FAULT_UNBIND) ? 999 : eng.be.ops->unreg(&eng.be, r.base, r.size);
    pthread_mutex_lock(&eng.lock);
    eng.unreg++;
    eng.seconds += now() - t0;
    bool warn = rc != 0 && !eng.unbind_warned;
    eng.unbind_warned |= rc != 0;
    pthread_mutex_unlock(&eng.lock);
    char e[96];
    if (warn)
      log_warn("%s backend could not unregister %zu bytes at %p (%s); they stay registered",
               eng.be.ops->name, r.size, (void *)r.base, error_text(rc, e, sizeof e));
    chunks_finish_unbind(&r, rc == 0);
    if (rc == 0)
      freed += r.size;
  }
  return freed;
}

void bind_stats(struct bind_stats *s)
{
  pthread_mutex_lock(&eng.lock);
  s->backend = eng.state == ENG_LIVE ? eng.be.ops->name : "none";
  s->reg = eng.reg;
  s->unreg = eng.unreg;
  s->failed = eng.failed;
  s->seconds = eng.seconds;
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
  eng.state = eng.be.ops && eng.be.ops->live_at_load ? ENG_IDLE : ENG_OFF;
}
