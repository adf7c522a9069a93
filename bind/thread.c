/* The bind thread's loop. Its lock guards only the wakeup flags: every
 * backend call and purge is made without it. */
#include "thread.h"
#include "ahead.h"
#include "calls.h"
#include "idle.h"
#include "../arena/chunks.h"
#include "../arena/decay.h"
#include "../arena/pages.h"
#include "../config/config.h"
#include "../config/fault.h"
#include "../config/log.h"

#include <pthread.h>
#include <time.h>

enum { TICK_MS = 250 };

static struct {
  pthread_mutex_t lock;
  pthread_cond_t work;
  int mode;                 /* enum cfg_bind */
  bool kick, stop, running;
  pthread_t thread;
} th = { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER };

static void *bind_main(void *arg)
{
  (void)arg;
  struct backend *be = calls_backend();
  be->ops->attach(be);
  pthread_mutex_lock(&th.lock);
  while (!th.stop) {
    th.kick = false;
    pthread_mutex_unlock(&th.lock);
    ahead_work();
    idle_tick(th.mode);
    bool dirty = pages_tick();
    /* Timed work (idle units, decaying pages) wakes us every tick. */
    bool timed = dirty || chunks_bound_bytes() > 0;
    pthread_mutex_lock(&th.lock);
    if (!th.stop && !th.kick) {
      if (timed) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += TICK_MS * 1000000L;
        t.tv_sec += t.tv_nsec / 1000000000L;
        t.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&th.work, &th.lock, &t);
      } else {
        pthread_cond_wait(&th.work, &th.lock);
      }
    }
  }
  pthread_mutex_unlock(&th.lock);
  return NULL;
}

bool thread_start(int mode)
{
  pthread_mutex_lock(&th.lock);
  th.mode = mode;
  th.running = !fault_hit(FAULT_THREAD) && pthread_create(&th.thread, NULL, bind_main, NULL) == 0;
  bool ok = th.running;
  pthread_mutex_unlock(&th.lock);
  if (ok)
    decay_handed_over(thread_kick);
  if (!ok)
    log_warn("cannot start the bind thread; binding when registrations need it");
  return ok;
}

bool thread_running(void) { return __atomic_load_n(&th.running, __ATOMIC_ACQUIRE); }

void thread_kick(void)
{
  pthread_mutex_lock(&th.lock);
  th.kick = true;
  pthread_cond_signal(&th.work);
  pthread_mutex_unlock(&th.lock);
}

void thread_stop(void)
{
  pthread_mutex_lock(&th.lock);
  th.stop = true;
  pthread_cond_broadcast(&th.work);
  bool running = th.running;
  pthread_t t = th.thread;
  th.running = false;
  pthread_mutex_unlock(&th.lock);
  if (running)
    pthread_join(t, NULL);
  decay_handed_over(NULL);
}

void thread_fork(enum fork_phase ph)
{
  if (ph != FORK_CHILD) {
    fork_mutex(&th.lock, ph);
    return;
  }
  pthread_mutex_init(&th.lock, NULL);
  pthread_cond_init(&th.work, NULL);
  th.running = false;
  th.kick = th.stop = false;
}
