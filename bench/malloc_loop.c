/* Allocation loops for instruction counting.
 * usage: malloc_loop small|mixed|candidate THREADS ITERATIONS [window]
 *   small: malloc then free at once, sizes 16..256 (the pure fast path)
 *   mixed: a ring of live buffers, 16 B .. 32 KiB, replaced at random
 *   candidate: malloc then free at once, sizes 4..64 KiB, six calls deep:
 *           what call-site classification adds per candidate allocation
 *   window: first make one 1 MiB allocation and keep it, so that under
 *           gpuscatter a GPU window exists and free checks it */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long iters;
static int mixed, candidate;

/* Six frames under malloc, as in a real program. */
__attribute__((noinline)) static void *d6(size_t n) { void *p = malloc(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *d5(size_t n) { void *p = d6(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *d4(size_t n) { void *p = d5(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *d3(size_t n) { void *p = d4(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *d2(size_t n) { void *p = d3(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *d1(size_t n) { void *p = d2(n); __asm__ volatile("" ::: "memory"); return p; }

static void *run(void *arg)
{
  uint64_t s = (uintptr_t)arg * 2654435761u + 1;
  enum { RING = 1024 };
  void *ring[RING] = { 0 };
  uintptr_t sink = 0;
  for (long i = 0; i < iters; i++) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    if (candidate) {
      void *p = d1(4096 + (s & 0xf000) + (s >> 52));
      sink += (uintptr_t)p;
      free(p);
    } else if (!mixed) {
      void *p = malloc(16 + (s & 240));
      sink += (uintptr_t)p;
      free(p);
    } else {
      unsigned k = (unsigned)(s >> 20) % RING;
      free(ring[k]);
      size_t n = (size_t)16 << ((s >> 40) % 12); /* 16 B .. 32 KiB */
      ring[k] = malloc(n + (s & 63));
      ((char *)ring[k])[0] = 1;
    }
  }
  for (int k = 0; k < RING; k++)
    free(ring[k]);
  return (void *)sink;
}

int main(int argc, char **argv)
{
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: malloc_loop small|mixed|candidate THREADS ITERATIONS [window]\n");
    return 2;
  }
  void *keep = argc == 5 ? malloc(1 << 20) : NULL;
  mixed = strcmp(argv[1], "mixed") == 0;
  candidate = strcmp(argv[1], "candidate") == 0;
  int threads = atoi(argv[2]);
  iters = atol(argv[3]);
  pthread_t t[16];
  for (int i = 0; i < threads && i < 16; i++)
    pthread_create(&t[i], NULL, run, (void *)(uintptr_t)(i + 1));
  for (int i = 0; i < threads && i < 16; i++)
    pthread_join(t[i], NULL);
  free(keep);
  return 0;
}
