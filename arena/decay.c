/* A free that leaves pages to decay in a process with no bind thread
 * starts this thread; it sleeps a tick, gives back what is past its decay
 * (PAGES_DECAY_MS), and ends when nothing waits. Without it, memory freed
 * by a program that then idles stayed resident for good (1.3 GiB of 1 MiB
 * blocks, measured; glibc gives it back at once, jemalloc within its decay
 * when something ticks it). The thread blocks every signal (the
 * application's handlers never run on it) and is detached: nothing joins
 * it, and a forked child starts its own when it needs one. */
#include "decay.h"
#include "pages.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

enum { TICK_MS = 250, STACK = 64 << 10 };

static struct {
  bool running;   /* atomic: a thread exists or is being started */
  void (*handed)(void); /* atomic: the bind thread's wakeup, when it ticks */
  bool failed;    /* atomic: pthread_create failed; frees tick instead */
} dc;

static void *tick(void *arg)
{
  (void)arg;
  for (;;) {
    struct timespec t = { 0, TICK_MS * 1000000L };
    nanosleep(&t, NULL);
    if (pages_tick() && !__atomic_load_n(&dc.handed, __ATOMIC_ACQUIRE))
      continue;
    __atomic_store_n(&dc.running, false, __ATOMIC_RELEASE);
    /* A free between the check and the store saw running and started
     * nothing: take its pages over, unless another thread did. */
    if (!pages_tick() || __atomic_load_n(&dc.handed, __ATOMIC_ACQUIRE) ||
        __atomic_exchange_n(&dc.running, true, __ATOMIC_ACQ_REL))
      return NULL;
  }
}

void decay_note(void)
{
  void (*kick)(void) = __atomic_load_n(&dc.handed, __ATOMIC_ACQUIRE);
  if (kick) {
    kick(); /* it waits untimed while nothing decays */
    return;
  }
  if (__atomic_load_n(&dc.running, __ATOMIC_RELAXED) || __atomic_load_n(&dc.failed, __ATOMIC_RELAXED))
    return;
  if (__atomic_exchange_n(&dc.running, true, __ATOMIC_ACQ_REL))
    return;
  pthread_t t;
  pthread_attr_t a;
  sigset_t all, old;
  sigfillset(&all);
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, STACK);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&t, &a, tick, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&a);
  if (rc != 0) {
    __atomic_store_n(&dc.failed, true, __ATOMIC_RELAXED);
    __atomic_store_n(&dc.running, false, __ATOMIC_RELEASE);
  }
}

void decay_handed_over(void (*kick)(void))
{
  __atomic_store_n(&dc.handed, kick, __ATOMIC_RELEASE);
}

void decay_fork(enum fork_phase ph)
{
  if (ph == FORK_CHILD) { /* no thread of ours exists there */
    dc.running = false;
    dc.handed = NULL;
  }
}
