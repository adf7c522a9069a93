/* Registering untouched memory costs several times more than registering
 * present pages (measured on an H200: 122 against 12.5 ms per GiB), and
 * the first touch is the dearer part: in a KVM guest, 176 ms per GiB of
 * huge pages on one thread, 89 on two, no better on more (118 on four, 90
 * on eight). So a large range is faulted in by two short-lived threads,
 * each on its own half. They are joined before
 * return (nothing survives a fork or outlives the call) and block every
 * signal (the application's handlers never run on them). */
#include "populate.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

enum { SLICE_MIN = 128 << 20, HELPERS_MAX = 1, HELPER_STACK = 64 << 10 };

struct slice { uintptr_t base; size_t size; };

static void *fault_in(void *arg)
{
  struct slice *s = arg;
  madvise((void *)s->base, s->size, MADV_POPULATE_WRITE);
  return NULL;
}

static unsigned helpers_for(size_t size)
{
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  size_t n = size / SLICE_MIN; /* slices, this thread's included */
  if (cpus > 0 && n > (size_t)cpus / 2)
    n = (size_t)cpus / 2;
  if (n > HELPERS_MAX + 1)
    n = HELPERS_MAX + 1;
  return n > 1 ? (unsigned)n - 1 : 0;
}

void populate(uintptr_t base, size_t size)
{
  unsigned helpers = helpers_for(size);
  pthread_t t[HELPERS_MAX];
  struct slice s[HELPERS_MAX + 1];
  unsigned started = 0;
  size_t per = (size / (helpers + 1) + 4095) & ~(size_t)4095;
  for (unsigned i = 0; i <= helpers; i++) {
    uintptr_t b = base + (size_t)i * per;
    size_t n = i == helpers ? base + size - b : per;
    s[i] = (struct slice){ b, n };
  }
  if (helpers) {
    pthread_attr_t a;
    sigset_t all, old;
    sigfillset(&all);
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, HELPER_STACK);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (; started < helpers; started++)
      if (pthread_create(&t[started], &a, fault_in, &s[started + 1]) != 0)
        break;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&a);
  }
  fault_in(&s[0]);
  for (unsigned i = started + 1; i <= helpers; i++)
    fault_in(&s[i]); /* helpers that could not start: here */
  for (unsigned i = 0; i < started; i++)
    pthread_join(t[i], NULL);
}
