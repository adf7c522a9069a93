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
  enum flavor flavor;
  struct backend *be;
  size_t bind_max;
  bool async, kick, stop, thread_running, watching, exit_hooked;
  pthread_t thread, watcher;
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
  if (eng.be->error_name)
    return eng.be->error_name(rc, buf, len);
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
                                 : eng.be->reg(r->base, r->size, more, &dev);
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
             "registrations there pass through to the runtime", eng.be->name, r->size,
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
  eng.be->attach();
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
  bool bind = eng.thread_running, watch = eng.watching;
  pthread_t bt = eng.thread, wt = eng.watcher;
  if (bind && watch && pthread_equal(bt, wt))
    watch = false; /* the watcher became the bind thread: join it once */
  eng.thread_running = eng.watching = false;
  pthread_mutex_unlock(&eng.lock);
  if (bind)
    pthread_join(bt, NULL);
  if (watch)
    pthread_join(wt, NULL);
  /* A forked child inherits this handler and, for the amdgpu backend, the
   * parent's open device file: releasing from there would destroy the
   * parent's buffer objects. */
  if (eng.be && eng.be->fini && eng.owner == getpid() &&
      __atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_LIVE) {
    __atomic_store_n(&eng.state, ENG_OFF, __ATOMIC_RELEASE);
    eng.be->fini();
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

/* auto: the backend of the runtime the application calls. The others
 * serve one flavor; the application's calls of the other pass through. */
static struct backend *choose(const struct cfg *c, enum flavor f)
{
  bool cuda = f == FLAVOR_CUDA;
  struct backend *be = NULL;
  switch (c->backend) {
  case CFG_BACKEND_SIM: return &backend_sim;
  case CFG_BACKEND_AUTO: return cuda ? &backend_cuda : &backend_hip;
  case CFG_BACKEND_CUDA: be = cuda ? &backend_cuda : NULL; break;
  case CFG_BACKEND_HIP: be = cuda ? NULL : &backend_hip; break;
  case CFG_BACKEND_AMDGPU: be = cuda ? NULL : &backend_amdgpu; break;
  default: return NULL; /* off */
  }
  if (be == NULL)
    log_warn("GPUSCATTER_BACKEND does not serve this application's %s calls; they pass through",
             cuda ? "CUDA" : "HIP");
  return be;
}

/* Start the backend for flavor f. With on_this_thread, the caller becomes
 * the bind thread (the watcher does) instead of a new one being made. */
static void start_on(enum flavor f, bool on_this_thread)
{
  const struct cfg *c = cfg_get();
  int s = ENG_IDLE;
  if (c == NULL || !__atomic_compare_exchange_n(&eng.state, &s, ENG_STARTING, false,
                                                __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
    return;
  eng.flavor = f;
  eng.bind_max = c->bind_max;
  eng.async = c->bind == CFG_BIND_ASYNC;
  eng.be = choose(c, f);
  if (eng.be == NULL || eng.be->init() != 0) {
    __atomic_store_n(&eng.state, ENG_OFF, __ATOMIC_RELEASE);
    return;
  }
  log_debug("%s backend live on device %d (%s binding)", eng.be->name, eng.be->device,
            eng.async ? "async" : "lazy");
  eng.owner = getpid();
  if (eng.be->fini)
    hook_exit();
  if (eng.async) {
    pthread_mutex_lock(&eng.lock);
    if (on_this_thread) {
      eng.thread = pthread_self();
      eng.thread_running = true;
    } else {
      eng.thread_running = !fault_hit(FAULT_THREAD) &&
                           pthread_create(&eng.thread, NULL, bind_main, NULL) == 0;
    }
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

static void start(enum flavor f) { start_on(f, false); }

void bind_runtime_seen(enum flavor f)
{
  if (__builtin_expect(__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) == ENG_IDLE, 0))
    start(f);
}

void bind_start_sim(void) { start(FLAVOR_CUDA); }

/* Polls the driver with a growing interval (5 ms to 1 s) until a device is
 * in use, then becomes the bind thread. Waits on the engine's condition so
 * that exit can wake it. */
static void *watch_main(void *arg)
{
  (void)arg;
  long wait_ms = 5;
  for (;;) {
    int dev = -1;
    if (__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) != ENG_IDLE)
      break; /* the application's own call started the engine */
    if (backend_cuda.probe(&dev) == 1) {
      backend_cuda.device = dev;
      start_on(FLAVOR_CUDA, true);
      if (eng.thread_running && pthread_equal(eng.thread, pthread_self()))
        return bind_main(NULL);
      break;
    }
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += wait_ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    pthread_mutex_lock(&eng.lock);
    bool stop = eng.stop;
    if (!stop)
      pthread_cond_timedwait(&eng.work, &eng.lock, &t);
    stop = eng.stop;
    pthread_mutex_unlock(&eng.lock);
    if (stop)
      break;
    wait_ms = wait_ms < 500 ? wait_ms * 2 : 1000;
  }
  return NULL; /* joined at exit */
}

void bind_arena_grew(void)
{
  if (__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) != ENG_IDLE ||
      __atomic_load_n(&eng.watching, __ATOMIC_ACQUIRE))
    return;
  const struct cfg *c = cfg_get();
  int dev;
  if (c == NULL || c->bind != CFG_BIND_ASYNC ||
      (c->backend != CFG_BACKEND_AUTO && c->backend != CFG_BACKEND_CUDA) ||
      backend_cuda.probe(&dev) < 0)
    return; /* no driver in this process: nothing to wait for */
  bool no = false;
  if (!__atomic_compare_exchange_n(&eng.watching, &no, true, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_RELAXED))
    return;
  pthread_mutex_lock(&eng.lock);
  bool ok = pthread_create(&eng.watcher, NULL, watch_main, NULL) == 0;
  pthread_mutex_unlock(&eng.lock);
  if (ok)
    hook_exit();
  else
    __atomic_store_n(&eng.watching, false, __ATOMIC_RELEASE);
}

bool bind_live(enum flavor f)
{
  int s = __atomic_load_n(&eng.state, __ATOMIC_ACQUIRE);
  /* The simulated runtime answers both flavors. */
  return s == ENG_LIVE && (eng.flavor == f || eng.be == &backend_sim);
}

int bind_device(void)
{
  if (__atomic_load_n(&eng.state, __ATOMIC_ACQUIRE) != ENG_LIVE || eng.be->device < 0)
    return 0;
  return eng.be->device;
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
    int rc = fault_hit(FAULT_UNBIND) ? 999 : eng.be->unreg(r.base, r.size);
    pthread_mutex_lock(&eng.lock);
    eng.unreg++;
    eng.seconds += now() - t0;
    bool warn = rc != 0 && !eng.unbind_warned;
    eng.unbind_warned |= rc != 0;
    pthread_mutex_unlock(&eng.lock);
    char e[96];
    if (warn)
      log_warn("%s backend could not unregister %zu bytes at %p (%s); they stay registered",
               eng.be->name, r.size, (void *)r.base, error_text(rc, e, sizeof e));
    chunks_finish_unbind(&r, rc == 0);
    if (rc == 0)
      freed += r.size;
  }
  return freed;
}

void bind_stats(struct bind_stats *s)
{
  pthread_mutex_lock(&eng.lock);
  s->backend = eng.state == ENG_LIVE ? eng.be->name : "none";
  s->reg = eng.reg;
  s->unreg = eng.unreg;
  s->failed = eng.failed;
  s->seconds = eng.seconds;
  pthread_mutex_unlock(&eng.lock);
}

void bind_after_fork_child(void)
{
  /* The child has no bind thread and owns no registrations; a CUDA or HIP
   * context does not survive fork either, so its calls pass through. */
  pthread_mutex_init(&eng.lock, NULL);
  pthread_cond_init(&eng.work, NULL);
  eng.thread_running = eng.watching = false;
  eng.state = eng.be == &backend_sim ? ENG_IDLE : ENG_OFF;
}
