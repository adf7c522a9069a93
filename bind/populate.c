/* Registering untouched memory costs several times more than registering
 * present pages (measured on an H200 VM: 176 against 25 ms per GiB of huge
 * pages), and the first touch is the dearer part. How it is made matters
 * (same VM, fresh huge pages, ms per GiB on 1/2/4/8/16 threads):
 * MADV_POPULATE_WRITE 136/96/47/97/80 stops scaling at four threads, while
 * writing to each page scales on: 144/103/53/31/21. So a large range is
 * cut into slices of at least 16 MiB (a few ms of work each: a thread
 * costs tens of microseconds), one per thread, up to half the machine's
 * CPUs when binding ahead (the application is running beside us) and all
 * of them, at most sixteen, when the application waits for the range or
 * soon will (the pinned region's next step);
 * with four threads or more each touches its pages, else
 * MADV_POPULATE_WRITE does it. The touch is an atomic
 * "or 0": a range bound on evidence may already hold the application's
 * data, and a thread of the application may be writing it. Helpers are
 * joined before return (nothing survives a fork or outlives the call) and
 * block every signal (the application's handlers never run on them). */
#include "populate.h"
#include "../config/os.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

enum { SLICE_MIN = 16 << 20, TOUCH_FROM = 4, HELPER_STACK = 64 << 10 };

static void *fault_in(void *arg)
{
  struct populate_slice *s = arg;
  if (!s->touch) {
    os_populate((void *)s->base, s->size);
    return NULL;
  }
  for (uintptr_t p = s->base & ~(uintptr_t)4095; p < s->base + s->size; p += 4096)
    __atomic_fetch_or((volatile char *)p, 0, __ATOMIC_RELAXED);
  return NULL;
}

static unsigned threads_for(size_t size, bool waited_for)
{
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  size_t n = size / SLICE_MIN;
  size_t most = cpus > 1 ? (size_t)(waited_for ? cpus : cpus / 2) : 1;
  if (most > POPULATE_THREADS_MAX)
    most = POPULATE_THREADS_MAX;
  if (n > most)
    n = most;
  return n > 1 ? (unsigned)n : 1;
}

/* Slices for every thread but the caller's (slice 0) when caller_works,
 * else for all of them. */
static void start(struct populate_job *j, uintptr_t base, size_t size, bool waited_for,
                  bool caller_works)
{
  unsigned threads = threads_for(size, waited_for);
  size_t per = (size / threads + 4095) & ~(size_t)4095;
  j->n = threads;
  j->started = 0;
  j->first = caller_works ? 1 : 0;
  for (unsigned i = 0; i < threads; i++) {
    uintptr_t b = base + (size_t)i * per;
    size_t n = i == threads - 1 ? base + size - b : per;
    j->s[i] = (struct populate_slice){ b, n, threads >= TOUCH_FROM };
  }
  if (threads <= j->first)
    return;
  pthread_attr_t a;
  sigset_t all, old;
  sigfillset(&all);
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, HELPER_STACK);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  for (; j->first + j->started < threads; j->started++)
    if (pthread_create(&j->t[j->started], &a, fault_in, &j->s[j->first + j->started]) != 0)
      break;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&a);
}

void populate_begin(struct populate_job *j, uintptr_t base, size_t size, bool waited_for)
{
  start(j, base, size, waited_for, false);
}

void populate_end(struct populate_job *j)
{
  for (unsigned i = j->first + j->started; i < j->n; i++)
    fault_in(&j->s[i]); /* helpers that could not start: here */
  for (unsigned i = 0; i < j->started; i++)
    pthread_join(j->t[i], NULL);
  j->n = j->started = 0;
}

void populate(uintptr_t base, size_t size, bool waited_for)
{
  struct populate_job j;
  start(&j, base, size, waited_for, true);
  fault_in(&j.s[0]);
  populate_end(&j);
}
