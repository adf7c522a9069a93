/* GPU arena behaviour seen from a real program under LD_PRELOAD.
 * usage: arena_check place|align|realloc|calloc|budget|exhaust|fork
 * Settings come from the environment (the test script sets them). */
#include "patterns.h"

#include <dlfcn.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static char json[4096];

static uint64_t stat_of(const char *section, const char *key)
{
  int (*f)(char *, size_t) = (int (*)(char *, size_t))dlsym(RTLD_DEFAULT, "gpuscatter_stats_json");
  CHECK(f != NULL, "gpuscatter_stats_json not found: is the library preloaded?");
  f(json, sizeof json);
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\": {", section);
  const char *s = strstr(json, pat);
  CHECK(s != NULL, "no %s in %s", section, json);
  snprintf(pat, sizeof pat, "\"%s\": ", key);
  const char *k = strstr(s, pat);
  CHECK(k != NULL, "no %s.%s in %s", section, key, json);
  return strtoull(k + strlen(pat), NULL, 10);
}

static int in_window(const void *p)
{
  uint64_t base = stat_of("window", "base"), size = stat_of("window", "size");
  return size && (uintptr_t)p - base < size;
}

static size_t rss(void)
{
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0, res = 0;
  CHECK(f && fscanf(f, "%lu %lu", &pages, &res) == 2, "statm");
  fclose(f);
  return res * (size_t)sysconf(_SC_PAGESIZE);
}

static size_t env_size(const char *name)
{
  const char *v = getenv(name);
  CHECK(v != NULL, "%s must be set", name);
  char *end;
  size_t n = strtoull(v, &end, 10);
  if (*end == 'K') n <<= 10;
  if (*end == 'M') n <<= 20;
  return n;
}

/* 4000 GPU-bound allocations of 64 KiB .. 4 MiB interleaved with small ones. */
static int place(void)
{
  size_t chunk = env_size("GPUSCATTER_CHUNK_SIZE"), min = env_size("GPUSCATTER_MIN_SIZE");
  static unsigned char *gpu[4000], *small[4000];
  static size_t gn[4000];
  uint64_t s = 42;
  size_t total = 0;
  void *first = malloc(min);
  free(first);
  size_t rss0 = rss();
  for (int i = 0; i < 4000; i++) {
    gn[i] = rand_size(&s, 64 << 10, 4 << 20);
    gpu[i] = malloc(gn[i]);
    small[i] = malloc(rand_size(&s, 1, 32 << 10));
    total += gn[i];
    CHECK(gpu[i] && small[i], "allocation failed");
  }
  for (int i = 0; i < 4000; i++) {
    CHECK(in_window(gpu[i]), "GPU-bound %zu bytes at %p outside the window", gn[i], (void *)gpu[i]);
    CHECK(!in_window(small[i]), "ordinary allocation %p inside the window", (void *)small[i]);
    memset(gpu[i], 1, gn[i]);
  }
  size_t grown = rss() - rss0;
  uint64_t chunks = stat_of("chunks", "count");
  uint64_t limit = total / chunk + 16;
  double over = (double)grown - (double)total;
  printf("place: %zu bytes in 4000 GPU allocations, %llu chunks (limit %llu), resident growth %zu "
         "(%+.2f%% of allocated; limit one chunk + 2%% = %zu)\n", total, (unsigned long long)chunks,
         (unsigned long long)limit, grown, over * 100 / (double)total, chunk + total / 50);
  CHECK(chunks <= limit, "%llu chunks", (unsigned long long)chunks);
  CHECK(over <= (double)(chunk + total / 50), "resident overhead %.0f bytes", over);
  CHECK(stat_of("allocations", "gpu") >= 4000, "gpu count %s", json);
  for (int i = 0; i < 4000; i++) {
    free(gpu[i]);
    free(small[i]);
  }
  return 0;
}

static int align(void)
{
  size_t min = env_size("GPUSCATTER_MIN_SIZE");
  for (size_t al = 64; al <= 2 * MB; al <<= 1) {
    void *p = NULL;
    CHECK(posix_memalign(&p, al, min) == 0, "posix_memalign %zu", al);
    CHECK((uintptr_t)p % al == 0 && in_window(p), "posix_memalign(%zu): %p", al, p);
    memset(p, 2, min);
    free(p);
    p = aligned_alloc(al, min + al);
    CHECK((uintptr_t)p % al == 0 && in_window(p), "aligned_alloc(%zu): %p", al, p);
    free(p);
    p = memalign(al, min * 2);
    CHECK((uintptr_t)p % al == 0 && in_window(p), "memalign(%zu): %p", al, p);
    free(p);
  }
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  void *v = valloc(min), *pv = pvalloc(min + 1);
  CHECK((uintptr_t)v % pg == 0 && in_window(v), "valloc");
  CHECK((uintptr_t)pv % pg == 0 && in_window(pv) && malloc_usable_size(pv) >= min + pg, "pvalloc");
  free(v);
  free(pv);
  void *small = NULL;
  CHECK(posix_memalign(&small, 4096, 100) == 0 && !in_window(small), "small aligned in window");
  free(small);
  puts("align: posix_memalign, aligned_alloc, memalign 64 B .. 2 MiB, valloc, pvalloc: ok");
  return 0;
}

static int realloc_both_ways(void)
{
  size_t min = env_size("GPUSCATTER_MIN_SIZE");
  unsigned char *p = malloc(1000);
  pat_fill(p, 1000, 1);
  CHECK(!in_window(p), "small in window");
  p = realloc(p, min * 2); /* grows past the threshold: moves in */
  CHECK(in_window(p), "grown allocation not moved into the window");
  pat_check(p, 1000, 1, "moved in");
  pat_fill(p, min * 2, 2);
  p = realloc(p, min * 8);
  CHECK(in_window(p), "grown GPU allocation left the window");
  pat_check(p, min * 2, 2, "grown");
  p = realloc(p, 100); /* shrinks below the threshold: stays */
  CHECK(in_window(p), "shrunk GPU allocation left the window");
  pat_check(p, 100, 2, "shrunk");
  free(p);
  p = realloc(NULL, min);
  CHECK(in_window(p), "realloc(NULL, big)");
  CHECK(realloc(p, 0) == NULL, "realloc(p, 0)");
  p = reallocarray(NULL, min, 2);
  CHECK(in_window(p), "reallocarray");
  free(p);
  puts("realloc: ordinary -> GPU past the threshold, GPU stays GPU, contents kept: ok");
  return 0;
}

static int calloc_zero(void)
{
  size_t min = env_size("GPUSCATTER_MIN_SIZE");
  for (int r = 0; r < 20; r++) {
    size_t n = min * (size_t)(1 + r % 4);
    unsigned char *p = malloc(n);
    CHECK(in_window(p), "malloc not in window");
    memset(p, 0xff, n);
    free(p);
    p = calloc(1, n);
    CHECK(in_window(p), "calloc not in window");
    for (size_t i = 0; i < n; i++)
      CHECK(p[i] == 0, "calloc byte %zu of %zu is %u after reuse", i, n, p[i]);
    memset(p, 0xee, n);
    free(p);
  }
  puts("calloc: zeroed on every reuse: ok");
  return 0;
}

/* 64 allocations of 32 MiB, all succeeding: how many landed in the window. */
static int alloc_64(void **p)
{
  int inside = 0;
  for (int i = 0; i < 64; i++) {
    p[i] = malloc(32 * MB);
    CHECK(p[i] != NULL, "allocation %d failed", i);
    inside += in_window(p[i]);
  }
  return inside;
}

/* Allocate past the budget (or the window): every allocation succeeds,
 * the excess is ordinary, and the refusals are counted. */
static int over_limit(const char *what, const char *counter_section, const char *counter)
{
  void *p[64];
  int inside = alloc_64(p);
  uint64_t refused = stat_of(counter_section, counter), fallback = stat_of("allocations", "ordinary_fallback");
  printf("%s: 64 x 32 MiB, %d in the window, %llu refusals, %llu ordinary fallbacks\n", what,
         inside, (unsigned long long)refused, (unsigned long long)fallback);
  CHECK(inside > 0 && inside < 64, "%d inside", inside);
  CHECK(refused > 0 && fallback >= (uint64_t)(64 - inside), "counters: %s", json);
  for (int i = 0; i < 64; i++)
    free(p[i]);
  return 0;
}

/* The pinned budget limits what is registered, not what is placed: with
 * no registration, everything is placed and nothing bound or refused. */
static int within_budget(void)
{
  void *p[64];
  int inside = alloc_64(p);
  printf("budget: 64 x 32 MiB past a 512 MiB budget, %d in the window, %llu bytes bound\n", inside,
         (unsigned long long)stat_of("chunks", "bound_bytes"));
  CHECK(inside == 64, "%d inside", inside);
  CHECK(stat_of("chunks", "bound_bytes") == 0 && stat_of("budget", "refused") == 0, "%s", json);
  for (int i = 0; i < 64; i++)
    free(p[i]);
  return 0;
}

static int fork_check(void)
{
  size_t min = env_size("GPUSCATTER_MIN_SIZE");
  unsigned char *a[16];
  for (int i = 0; i < 16; i++) {
    a[i] = malloc(min * 2);
    CHECK(in_window(a[i]), "not in window");
    pat_fill(a[i], min * 2, (uint64_t)i);
  }
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 16; i++) { /* the child writes its copies */
      pat_check(a[i], min * 2, (uint64_t)i, "child sees parent data");
      pat_fill(a[i], min * 2, (uint64_t)i + 100);
    }
    CHECK(stat_of("chunks", "bound") == 0, "child owns registrations");
    unsigned char *b = malloc(min * 3); /* and allocates new GPU memory */
    CHECK(in_window(b), "child allocation not in window");
    pat_fill(b, min * 3, 7);
    pat_check(b, min * 3, 7, "child new");
    free(b);
    if (write(fds[1], "x", 1) != 1)
      _exit(3);
    _exit(0);
  }
  char c;
  CHECK(read(fds[0], &c, 1) == 1, "child died");
  for (int i = 0; i < 16; i++) /* while the parent checks its own */
    pat_check(a[i], min * 2, (uint64_t)i, "parent data after child wrote");
  int st;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
  for (int i = 0; i < 16; i++)
    free(a[i]);
  puts("fork: child writes arena memory and allocates, parent's data intact: ok");
  return 0;
}

int main(int argc, char **argv)
{
  const char *m = argc > 1 ? argv[1] : "";
  if (!strcmp(m, "place")) return place();
  if (!strcmp(m, "align")) return align();
  if (!strcmp(m, "realloc")) return realloc_both_ways();
  if (!strcmp(m, "calloc")) return calloc_zero();
  if (!strcmp(m, "budget")) return within_budget();
  if (!strcmp(m, "exhaust")) return over_limit("window exhaustion", "window", "exhausted");
  if (!strcmp(m, "fork")) return fork_check();
  fprintf(stderr, "usage: arena_check place|align|realloc|calloc|budget|exhaust|fork\n");
  return 2;
}
