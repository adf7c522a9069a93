/* Backend calls on chosen runs. A run is chosen in arena/chunks.c's state
 * machine before it gets here (COMMITTED -> BINDING, or BOUND ->
 * UNBINDING), so nothing purges or binds it meanwhile (invariant 2). */
#include "calls.h"
#include "populate.h"
#include "timeline.h"
#include "../arena/pages.h"
#include "../config/fault.h"
#include "../config/log.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

static struct {
  pthread_mutex_t lock;     /* the counters */
  struct backend be;
  uint64_t reg, unreg, failed, sync_binds, ahead_binds;
  double seconds;
  double populate_wait;     /* binding waited for pages to be faulted in */
  bool warned, unbind_warned;
} cl = { .lock = PTHREAD_MUTEX_INITIALIZER };

void calls_start(const struct backend *be) { cl.be = *be; }

struct backend *calls_backend(void) { return &cl.be; }

double calls_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The backend's error as text: "EFAULT (Bad address)", or the number. */
static const char *error_text(int rc, char *buf, size_t len)
{
  if (cl.be.ops->error_name)
    return cl.be.ops->error_name(rc, buf, len);
  snprintf(buf, len, "error %d", rc);
  return buf;
}

/* After a backend call, outside the lock (the counters are read lock-free). */
static void noted(void)
{
  pthread_mutex_lock(&cl.lock);
  uint64_t calls = cl.reg + cl.unreg;
  pthread_mutex_unlock(&cl.lock);
  timeline_note(calls);
}

/* Backend calls are no cancellation points for the application's thread:
 * cancelled inside one, it would leave its units BINDING for ever. */
void calls_register(const struct chunk_run *r, bool more, bool ahead)
{
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  uintptr_t dev = 0;
  double t0 = calls_now();
  int rc = fault_hit(FAULT_BIND) ? 999 /* cudaErrorUnknown */
                                 : cl.be.ops->reg(&cl.be, r->base, r->size, more, &dev);
  double dt = calls_now() - t0;
  pthread_mutex_lock(&cl.lock);
  cl.reg++;
  cl.seconds += dt;
  if (ahead)
    cl.ahead_binds++;
  else
    cl.sync_binds++;
  bool warn = rc != 0 && !cl.warned;
  if (rc != 0) {
    cl.failed++;
    cl.warned = true;
  }
  pthread_mutex_unlock(&cl.lock);
  char e[96];
  if (warn)
    log_warn("%s backend could not register %zu bytes at %p (%s); "
             "registrations there pass through to the runtime", cl.be.ops->name, r->size,
             (void *)r->base, error_text(rc, e, sizeof e));
  chunks_bound(r, rc == 0, dev, cl.be.device);
  noted();
  pthread_setcancelstate(old, NULL);
}

void calls_waited(double t0)
{
  double dt = calls_now() - t0;
  pthread_mutex_lock(&cl.lock);
  cl.populate_wait += dt;
  pthread_mutex_unlock(&cl.lock);
}

void calls_bind(const struct chunk_run *r, bool waited_for, bool ahead)
{
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  double t0 = calls_now();
  populate(r->base, r->size, waited_for);
  calls_waited(t0);
  pthread_setcancelstate(old, NULL);
  calls_register(r, false, ahead);
}

bool calls_unregister(const struct chunk_run *r)
{
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  double t0 = calls_now();
  int rc = fault_hit(FAULT_UNBIND) ? 999 : cl.be.ops->unreg(&cl.be, r->base, r->size);
  pthread_mutex_lock(&cl.lock);
  cl.unreg++;
  cl.seconds += calls_now() - t0;
  bool warn = rc != 0 && !cl.unbind_warned;
  cl.unbind_warned |= rc != 0;
  pthread_mutex_unlock(&cl.lock);
  char e[96];
  if (warn)
    log_warn("%s backend could not unregister %zu bytes at %p (%s); they stay registered",
             cl.be.ops->name, r->size, (void *)r->base, error_text(rc, e, sizeof e));
  chunks_unbound(r, rc == 0);
  if (rc == 0)
    pages_unbound(r->base, r->size);
  noted();
  pthread_setcancelstate(old, NULL);
  return rc == 0;
}

void calls_stats(struct bind_stats *s)
{
  pthread_mutex_lock(&cl.lock);
  s->reg = cl.reg;
  s->unreg = cl.unreg;
  s->failed = cl.failed;
  s->sync_binds = cl.sync_binds;
  s->ahead_binds = cl.ahead_binds;
  s->seconds = cl.seconds;
  s->populate_wait = cl.populate_wait;
  pthread_mutex_unlock(&cl.lock);
}

void calls_fork(enum fork_phase ph)
{
  fork_mutex(&cl.lock, ph);
  if (ph != FORK_CHILD)
    return;
  cl.reg = cl.unreg = cl.failed = cl.sync_binds = cl.ahead_binds = 0;
  cl.seconds = cl.populate_wait = 0;
}
