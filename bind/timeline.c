/* The time line: at most BIND_TIMELINE_N points; when full, every other
 * point is dropped and only every second call is noted from then on, so
 * the points stay evenly spread over the whole run. */
#include "timeline.h"
#include "calls.h"
#include "../config/counters.h"

#include <pthread.h>
#include <string.h>

static struct {
  pthread_mutex_t lock;
  struct bind_point p[BIND_TIMELINE_N];
  unsigned n, every, skipped;
  double t0;
} tl = { .lock = PTHREAD_MUTEX_INITIALIZER };

void timeline_note(uint64_t calls)
{
  uint64_t c[CTR_N];
  ctr_sum(c);
  size_t bound = chunks_bound_bytes();
  double t = calls_now();
  pthread_mutex_lock(&tl.lock);
  if (tl.every == 0) {
    tl.every = 1;
    tl.t0 = t;
  }
  if (++tl.skipped >= tl.every) {
    tl.skipped = 0;
    if (tl.n == BIND_TIMELINE_N) {
      for (unsigned i = 0; i < BIND_TIMELINE_N / 2; i++)
        tl.p[i] = tl.p[2 * i + 1];
      tl.n = BIND_TIMELINE_N / 2;
      tl.every *= 2;
    }
    tl.p[tl.n++] = (struct bind_point){ (t - tl.t0) * 1e3, bound, calls,
                                        c[CTR_HITS] + c[CTR_MISSES] };
  }
  pthread_mutex_unlock(&tl.lock);
}

unsigned bind_timeline(struct bind_point *out, unsigned max)
{
  pthread_mutex_lock(&tl.lock);
  unsigned n = tl.n < max ? tl.n : max;
  memcpy(out, tl.p, n * sizeof *out);
  pthread_mutex_unlock(&tl.lock);
  return n;
}

void timeline_fork(enum fork_phase ph)
{
  fork_mutex(&tl.lock, ph);
  if (ph == FORK_CHILD)
    tl.n = tl.every = tl.skipped = 0;
}
