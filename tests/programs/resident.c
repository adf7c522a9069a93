/* What registering costs in resident memory, under gpuscatter's sim
 * backend or natively (the program then only needs a runtime's symbols):
 * natively the driver pins just the range registered, so registering N
 * bytes adds N; under gpuscatter it may add one chunk more (its unit).
 * usage: resident untouched|aligned|sparse|loop|fork
 *   untouched: eight 256 MiB buffers never written, 1 MiB of one registered;
 *   aligned:   six 6 MiB blocks aligned to 1 GiB, all registered;
 *   sparse:    a 4 GiB calloc touched once per MiB, nothing registered;
 *   loop:      200 rounds of allocate 1 MiB, register, unregister, free;
 *   fork:      the first pinned allocation of a forked child of a process
 *              that pinned 1 GiB, against the parent's own first one;
 *   teach:     200 buffers of 64 KiB from one call site, filled and
 *              registered (the profile learns the site);
 *   forecast:  then, from that site, eight 256 MiB buffers never written
 *              and never registered: nothing may be bound or faulted in;
 *   weights:   from that site, 100 buffers of 1 MiB filled, then (after the
 *              bind thread's ticks) registered; prints the bytes bound
 *              before the first registration. Later arguments are ignored
 *              (they make another mode of the program).
 * Prints "MODE: added X MiB (limit Y MiB); ..." and fails past the limit.
 * With the library, also waits for the registrations' units to be given
 * back (nothing stays pinned once they end). */
#include "stats_json.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static int (*reg)(void *, size_t, unsigned);
static int (*unreg)(void *);
static int (*host_alloc)(void **, size_t, unsigned);
static int (*free_host)(void *);
static int gs; /* gpuscatter is preloaded */

static size_t rss(void)
{
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  size_t kb = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %zu kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  return kb * 1024;
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t chunk(void)
{
  const char *c = getenv("GPUSCATTER_CHUNK_SIZE");
  return c ? strtoull(c, NULL, 10) * MB : 64 * MB; /* tests give it in MiB */
}

/* Nothing stays bound once the registrations end: within 5 s. */
static void given_back(const char *what)
{
  if (!gs)
    return;
  double t0 = now();
  while (stats_value("chunks", "bound_bytes") > 0 && now() - t0 < 5)
    usleep(50000);
  unsigned long long left = stats_value("chunks", "bound_bytes");
  CHECK(left == 0, "%s: %llu bytes still bound 5 s after the registrations ended", what, left);
}

/* One call site for teach and forecast. */
__attribute__((noinline)) static char *from_site(size_t n)
{
  char *p = malloc(n);
  CHECK(p != NULL, "malloc");
  return p;
}

static void verdict(const char *what, size_t added, size_t limit, const char *more)
{
  printf("%s: added %zu MiB (limit %zu MiB)%s\n", what, added / MB, limit / MB, more);
  CHECK(added <= limit, "%s: %zu MiB resident more, limit %zu MiB", what, added / MB, limit / MB);
}

int main(int argc, char **argv)
{
  *(void **)&reg = dlsym(RTLD_DEFAULT, "cudaHostRegister");
  *(void **)&unreg = dlsym(RTLD_DEFAULT, "cudaHostUnregister");
  *(void **)&host_alloc = dlsym(RTLD_DEFAULT, "cudaHostAlloc");
  *(void **)&free_host = dlsym(RTLD_DEFAULT, "cudaFreeHost");
  gs = dlsym(RTLD_DEFAULT, "gpuscatter_stats_json") != NULL;
  CHECK(reg && unreg && host_alloc && free_host, "no runtime: preload gpuscatter (sim backend)");
  const char *m = argc > 1 ? argv[1] : "";
  size_t slack = chunk() + 8 * MB; /* one chunk; the rest: our tables, the test's pages */

  if (strcmp(m, "untouched") == 0) {
    char *b[8];
    for (int i = 0; i < 8; i++)
      CHECK((b[i] = malloc(256 * MB)) != NULL, "malloc");
    size_t r0 = rss();
    CHECK(reg(b[3] + 100 * MB, MB, 0) == 0, "register");
    size_t added = rss() - r0;
    CHECK(unreg(b[3] + 100 * MB) == 0, "unregister");
    verdict(m, added, MB + slack, "");
    given_back(m);
    for (int i = 0; i < 8; i++)
      free(b[i]);
    return 0;
  }
  if (strcmp(m, "aligned") == 0) {
    void *b[6];
    size_t r0 = rss();
    for (int i = 0; i < 6; i++) {
      CHECK(posix_memalign(&b[i], (size_t)1 << 30, 6 * MB) == 0, "posix_memalign");
      CHECK(reg(b[i], 6 * MB, 0) == 0, "register");
    }
    size_t added = rss() - r0;
    for (int i = 0; i < 6; i++)
      CHECK(unreg(b[i]) == 0, "unregister");
    verdict(m, added, 36 * MB + slack, "");
    given_back(m);
    for (int i = 0; i < 6; i++)
      free(b[i]);
    return 0;
  }
  if (strcmp(m, "sparse") == 0) {
    size_t r0 = rss();
    char *b = calloc(4096, MB);
    CHECK(b != NULL, "calloc");
    for (size_t i = 0; i < 4096; i++)
      b[i * MB] = 1;
    size_t added = rss() - r0;
    free(b);
    verdict(m, added, 16 * MB + 8 * MB, " (4096 pages touched)");
    return 0;
  }
  if (strcmp(m, "loop") == 0) {
    size_t r0 = rss(), peak = 0;
    for (int i = 0; i < 200; i++) {
      char *b = malloc(MB);
      CHECK(b != NULL, "malloc");
      CHECK(reg(b, MB, 0) == 0, "register");
      size_t r = rss();
      peak = r - r0 > peak ? r - r0 : peak;
      CHECK(unreg(b) == 0, "unregister");
      free(b);
    }
    verdict(m, peak, MB + slack, " at the peak of 200 rounds");
    given_back(m);
    return 0;
  }
  if (strcmp(m, "fork") == 0) {
    void *first, *big;
    double t0 = now();
    CHECK(host_alloc(&first, 64 << 10, 0) == 0, "cudaHostAlloc");
    double parent_s = now() - t0;
    CHECK(host_alloc(&big, 1 << 30, 0) == 0, "cudaHostAlloc 1 GiB");
    memset(big, 1, 1 << 30);
    int fd[2];
    CHECK(pipe(fd) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
      size_t r0 = rss();
      void *p;
      double t1 = now();
      int rc = host_alloc(&p, 64 << 10, 0);
      double child_s = now() - t1;
      char msg[128];
      int n = snprintf(msg, sizeof msg, "%d %.6f %zu\n", rc, child_s, rss() - r0);
      if (write(fd[1], msg, (size_t)n) != n)
        _exit(3);
      _exit(0);
    }
    close(fd[1]);
    char msg[128] = "";
    ssize_t got = read(fd[0], msg, sizeof msg - 1);
    int status;
    waitpid(pid, &status, 0);
    int rc = -1;
    double child_s = 0;
    size_t added = 0;
    CHECK(got > 0 && sscanf(msg, "%d %lf %zu", &rc, &child_s, &added) == 3 && rc == 0,
          "the child's cudaHostAlloc: %s", msg);
    char more[160];
    snprintf(more, sizeof more, "; the child's first pinned allocation %.1f ms, the parent's %.1f ms",
             child_s * 1e3, parent_s * 1e3);
    verdict(m, added, 64 * MB, more);
    CHECK(child_s <= 5 * parent_s + 0.1, "the child's first pinned allocation took %.1f ms, "
          "the parent's %.1f ms", child_s * 1e3, parent_s * 1e3);
    free_host(big);
    free_host(first);
    return 0;
  }
  /* RESIDENT_TEACH=1 teaches under any mode's arguments (a mode is the
   * arguments: forecast's own run can be taught this way). */
  if (strcmp(m, "teach") == 0 || getenv("RESIDENT_TEACH")) {
    for (int i = 0; i < 200; i++) {
      char *b = from_site(64 << 10);
      memset(b, 1, 64 << 10);
      CHECK(reg(b, 64 << 10, 0) == 0, "register");
      CHECK(unreg(b) == 0, "unregister");
      free(b);
    }
    printf("teach: 200 registrations from one site\n");
    return 0;
  }
  if (strcmp(m, "forecast") == 0) {
    size_t r0 = rss();
    char *b[8];
    for (int i = 0; i < 8; i++)
      b[i] = from_site(256 * MB);
    usleep(1500000); /* the bind thread's ticks */
    size_t added = rss() - r0;
    unsigned long long bound = gs ? stats_value("chunks", "bound_bytes") : 0;
    unsigned long long site = gs ? stats_value("allocations", "by_site_bytes") : 0;
    char more[128];
    snprintf(more, sizeof more, "; %llu MiB placed by the learned site, %llu bytes bound",
             site / MB, bound);
    verdict(m, added, 8 * MB, more);
    CHECK(bound == 0, "forecast: %llu bytes bound ahead with no registration in this run", bound);
    for (int i = 0; i < 8; i++)
      free(b[i]);
    return 0;
  }
  if (strcmp(m, "mapped") == 0) {
    /* Registrations into memory the program mapped itself (aimdo's host
     * buffer): they teach no mode. */
    char *map = mmap(NULL, 64 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED, "mmap");
    for (int i = 0; i < 64; i++) {
      memset(map + (size_t)i * MB, 1, MB);
      CHECK(reg(map + (size_t)i * MB, MB, 0) == 0, "register");
    }
    for (int i = 0; i < 64; i++)
      CHECK(unreg(map + (size_t)i * MB) == 0, "unregister");
    munmap(map, 64 * MB);
    printf("mapped: 64 registrations in an mmap\n");
    return 0;
  }
  if (strcmp(m, "weights") == 0) {
    char *b[100];
    for (int i = 0; i < 100; i++) {
      b[i] = from_site(MB);
      memset(b[i], 1, MB);
    }
    usleep(800000);
    unsigned long long before = stats_value("chunks", "bound_bytes");
    for (int i = 0; i < 100; i++)
      CHECK(reg(b[i], MB, 0) == 0, "register");
    printf("weights: %llu bytes bound before the first registration\n", before);
    for (int i = 0; i < 100; i++) {
      CHECK(unreg(b[i]) == 0, "unregister");
      free(b[i]);
    }
    return 0;
  }
  fprintf(stderr, "usage: resident untouched|aligned|sparse|loop|fork|teach|forecast|mapped|weights\n");
  return 2;
}
