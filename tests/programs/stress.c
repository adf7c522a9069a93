/* Allocation stress: threads mixing every allocation function and size,
 * realloc chains, and frees on other threads through a shared exchange.
 * Every buffer carries a pattern that is checked before it is freed.
 * usage: stress THREADS SECONDS [MAX_SIZE] */
#include "patterns.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

struct buf { unsigned char *p; size_t n; uint64_t seed; };

#define SLOTS 256
static struct buf exchange[SLOTS];
static pthread_mutex_t exchange_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong total_ops, cross_frees;
static double deadline;
static size_t max_size = 4u << 20;

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static struct buf make(uint64_t *s)
{
  struct buf b = { NULL, rand_size(s, 1, max_size), rng_next(s) };
  size_t al = (size_t)1 << (3 + rng_next(s) % 10); /* 8 .. 4096 */
  void *p = NULL;
  switch (rng_next(s) % 8) {
  case 0: p = calloc(1, b.n); break;
  case 1: if (posix_memalign(&p, al, b.n)) p = NULL; break;
  case 2: p = aligned_alloc(al, b.n); break;
  case 3: p = memalign(al, b.n); break;
  case 4: p = valloc(b.n); break;
  default: p = malloc(b.n); break;
  }
  if (p == NULL) {
    fprintf(stderr, "FAIL: allocation of %zu failed\n", b.n);
    abort();
  }
  b.p = p;
  pat_fill(b.p, b.n, b.seed);
  return b;
}

static void drop(struct buf *b, const char *what)
{
  if (b->p == NULL)
    return;
  pat_check(b->p, b->n, b->seed, what);
  free(b->p);
  b->p = NULL;
}

static void *worker(void *arg)
{
  uint64_t s = (uintptr_t)arg * 0x2545F4914F6CDD1Dull + 1;
  struct buf mine[64] = { { 0 } };
  unsigned long ops = 0;
  while (now() < deadline) {
    for (int k = 0; k < 256; k++, ops++) {
      struct buf *b = &mine[rng_next(&s) % 64];
      switch (rng_next(&s) % 4) {
      case 0: /* realloc chain: contents survive, new tail gets a pattern */
        if (b->p) {
          pat_check(b->p, b->n, b->seed, "before realloc");
          size_t n = rand_size(&s, 1, max_size);
          unsigned char *q = realloc(b->p, n);
          if (!q) { fprintf(stderr, "FAIL: realloc\n"); abort(); }
          size_t keep = n < b->n ? n : b->n;
          pat_check(q, keep, b->seed, "after realloc");
          b->p = q;
          b->n = n;
          pat_fill(q, n, b->seed);
          break;
        }
        /* fall through */
      case 1:
        drop(b, "own free");
        *b = make(&s);
        break;
      case 2: { /* swap with the exchange: frees happen on other threads */
        pthread_mutex_lock(&exchange_lock);
        struct buf *e = &exchange[rng_next(&s) % SLOTS];
        struct buf t = *e;
        *e = *b;
        *b = t;
        pthread_mutex_unlock(&exchange_lock);
        if (b->p) {
          atomic_fetch_add(&cross_frees, 1);
          drop(b, "cross-thread free");
        }
        break;
      }
      default:
        if (b->p)
          pat_check(b->p, b->n, b->seed, "check");
      }
    }
  }
  for (int i = 0; i < 64; i++)
    drop(&mine[i], "final");
  atomic_fetch_add(&total_ops, ops);
  return NULL;
}

int main(int argc, char **argv)
{
  int threads = argc > 1 ? atoi(argv[1]) : 8;
  double secs = argc > 2 ? atof(argv[2]) : 2;
  if (argc > 3)
    max_size = (size_t)strtoull(argv[3], NULL, 0);
  deadline = now() + secs;
  pthread_t t[64];
  for (int i = 0; i < threads && i < 64; i++)
    pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1));
  for (int i = 0; i < threads && i < 64; i++)
    pthread_join(t[i], NULL);
  for (int i = 0; i < SLOTS; i++)
    drop(&exchange[i], "exchange");
  printf("stress: %d threads, %lu operations, %lu cross-thread frees: ok\n", threads,
         (unsigned long)total_ops, (unsigned long)cross_frees);
  return 0;
}
