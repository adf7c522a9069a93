/* A library whose constructor, run inside dlopen with the loader's lock
 * held, waits for a thread that allocates memory the library places in
 * the window (large blocks, new chunks, new call sites). Nothing on the
 * allocation path may wait for the loader: this must not hang. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MB ((size_t)1 << 20)

__attribute__((noinline)) static void *site_a(size_t n) { void *p = malloc(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *site_b(size_t n) { void *p = malloc(n); __asm__ volatile("" ::: "memory"); return p; }
__attribute__((noinline)) static void *site_c(size_t n) { void *p = calloc(1, n); __asm__ volatile("" ::: "memory"); return p; }

static void *worker(void *arg)
{
  (void)arg;
  void *keep[24];
  for (int i = 0; i < 24; i++) { /* 24 x 16 MiB live: several new chunks */
    keep[i] = (i % 3 == 0 ? site_a : i % 3 == 1 ? site_b : site_c)(16 * MB);
    if (keep[i])
      memset(keep[i], i, 64 * 1024);
  }
  for (int i = 0; i < 24; i++)
    free(keep[i]);
  for (int i = 0; i < 200; i++) /* small blocks from the same sites */
    free(site_a(4096 + (size_t)i * 64));
  return NULL;
}

__attribute__((constructor)) static void ctorwait_init(void)
{
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL) == 0)
    pthread_join(t, NULL);
}

int ctorwait_loaded(void) { return 1; }
