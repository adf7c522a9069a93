/* Do no harm, seen from a program (GPUSCATTER_BACKEND=sim):
 *   idle GIB          allocate GIB of weight-sized buffers, touch, never
 *                     register: nothing bound, resident memory as allocated
 *   large GIB         blocks of 8 MiB and more, freed: resident at once
 *   freed GIB reg|no  allocate, maybe register and unregister, free: resident
 *                     memory returns to where it started within seconds
 *   pressure MIB      register and free MIB, then allocate MIB of small
 *                     pieces: the first MIB must not stay resident (run in
 *                     a memory cgroup by the test)
 * Prints what it measured; exits 1 when a bound is passed. */
#include "stats_json.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static size_t rss(void)
{
  unsigned long size = 0, res = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  CHECK(f && fscanf(f, "%lu %lu", &size, &res) == 2, "statm");
  fclose(f);
  return res * (size_t)sysconf(_SC_PAGESIZE);
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Weight-like sizes: 1 KiB to 50 MiB, log-uniform, up to total bytes. */
static int weights(char **p, size_t *sz, int max, size_t total)
{
  uint64_t s = 1234567;
  size_t sum = 0;
  int n = 0;
  while (sum < total && n < max) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double lg = 10 + (double)(s % 1000) / 1000.0 * 15.6; /* 2^10 .. 2^25.6 */
    size_t b = (size_t)(1ull << (int)lg) + (size_t)(s >> 40) % (1ull << (int)lg);
    if (sum + b > total)
      b = total - sum;
    p[n] = malloc(b);
    CHECK(p[n], "malloc %zu", b);
    memset(p[n], (int)n, b);
    sz[n++] = b;
    sum += b;
  }
  return n;
}

static int (*reg)(void *, size_t, unsigned);
static int (*unreg)(void *);

/* Each buffer registered, then each unregistered, as a loader pins its
 * weights and lets them go. */
static void register_all(char **p, size_t *sz, int n)
{
  for (int i = 0; i < n; i++)
    CHECK(reg(p[i], sz[i], 0) == 0, "register");
  for (int i = 0; i < n; i++)
    CHECK(unreg(p[i]) == 0, "unregister");
}

int main(int argc, char **argv)
{
  reg = (int (*)(void *, size_t, unsigned))dlsym(RTLD_DEFAULT, "cudaHostRegister");
  unreg = (int (*)(void *))dlsym(RTLD_DEFAULT, "cudaHostUnregister");
  CHECK(reg && unreg, "no runtime calls (preload gpuscatter with the sim backend)");
  const char *m = argc > 1 ? argv[1] : "";
  double amount = argc > 2 ? atof(argv[2]) : 1;
  enum { MAXN = 20000 };
  static char *p[MAXN];
  static size_t sz[MAXN];

  if (!strcmp(m, "idle")) {
    size_t total = (size_t)(amount * 1024) * MB, before = rss();
    int n = weights(p, sz, MAXN, total);
    usleep(500000); /* the bind thread has every chance to pin something */
    size_t grown = rss() - before;
    unsigned long long bound = stats_value("chunks", "bound_bytes"),
                       placed = stats_value("allocations", "gpu_bytes");
    printf("idle: %d buffers, %zu MiB, %llu MiB placed, resident +%zu MiB (%+.2f%%), %llu bytes bound\n",
           n, total / MB, placed / MB, grown / MB, (double)grown * 100 / (double)total - 100, bound);
    CHECK(bound == 0, "memory the program never registered was bound");
    CHECK(placed >= total / 2, "too little was placed for the test to mean anything");
    CHECK(grown <= total + total * 3 / 100 + 64 * MB, "resident memory grew past allocated + 3%% + a chunk");
    return 0;
  }
  if (!strcmp(m, "freed")) {
    bool doreg = argc > 3 && !strcmp(argv[3], "reg");
    size_t total = (size_t)(amount * 1024) * MB, before = rss();
    int n = weights(p, sz, MAXN, total);
    size_t peak = rss();
    if (doreg)
      register_all(p, sz, n);
    for (int i = 0; i < n; i++)
      free(p[i]);
    double t0 = now();
    size_t r = rss();
    /* Small pieces churn meanwhile, as a program goes on running; they are
     * ordinary memory, under jemalloc's own 10 s decay: 16 MiB of slack. */
    size_t limit = before + total * 3 / 100 + 16 * MB;
    while (now() - t0 < 8 && r > limit) {
      free(malloc(300 << 10));
      usleep(50000);
      r = rss();
    }
    printf("freed (%s): %zu MiB allocated (resident +%zu MiB), %.1f s after the frees resident is "
           "+%zu MiB over the start\n", doreg ? "registered first" : "never registered",
           total / MB, (peak - before) / MB, now() - t0, (r > before ? r - before : 0) / MB);
    CHECK(r <= limit, "freed memory did not go back within 8 s");
    return 0;
  }
  if (!strcmp(m, "large")) {
    /* Blocks of 8 MiB and more go back when freed, with no later call to
     * drive a decay: as glibc (munmap) and jemalloc (its oversize arena)
     * give them back. */
    size_t total = (size_t)(amount * 1024) * MB, before = rss();
    int n = 0;
    for (size_t got = 0; got < total && n < MAXN; got += sz[n++]) {
      sz[n] = (8 + (size_t)(n % 5) * 4) * MB;
      p[n] = malloc(sz[n]);
      CHECK(p[n] != NULL, "malloc");
      memset(p[n], 1, sz[n]);
    }
    size_t peak = rss();
    unsigned long long placed = stats_value("allocations", "gpu_bytes");
    for (int i = 0; i < n; i++)
      free(p[i]);
    size_t r = rss();
    printf("large: %d blocks of 8-24 MiB, %zu MiB placed, resident +%zu MiB, right after the frees "
           "+%zu MiB\n", n, (size_t)(placed / MB), (peak - before) / MB,
           (r > before ? r - before : 0) / MB);
    CHECK(placed >= total / 2, "too little was placed for the test to mean anything");
    CHECK(r <= before + 16 * MB, "freed large blocks stayed resident");
    return 0;
  }
  if (!strcmp(m, "pressure")) {
    size_t total = (size_t)amount * MB;
    int n = weights(p, sz, MAXN, total);
    register_all(p, sz, n);
    for (int i = 0; i < n; i++)
      free(p[i]);
    usleep(1500000); /* the engine's idle delay and a tick */
    size_t k = 0;
    for (size_t sum = 0; sum < total && k < MAXN; sum += 100 << 10) {
      p[k] = malloc(100 << 10);
      memset(p[k++], 1, 100 << 10);
    }
    printf("pressure: registered, unregistered and freed %zu MiB, then allocated as much again: "
           "resident %zu MiB\n", total / MB, rss() / MB);
    return 0;
  }
  fprintf(stderr, "usage: noharm idle|freed|large|pressure AMOUNT [reg|no]\n");
  return 2;
}
