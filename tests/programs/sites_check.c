/* Call-site classification seen from a program (sim backend).
 * usage: sites_check learn|profile|rule N
 *   learn:   f() makes 8-64 KiB buffers and registers them, g() makes the
 *            same sizes and never does; prints how many of f's later
 *            registrations hit and how many of g's buffers entered the
 *            window. A g buffer shrunk in place and registered must not
 *            teach g (a stale record).
 *   profile: the same, expecting hits from the first allocation.
 *   churn:   the way models load, twice: N f buffers, each followed by
 *            50 allocations from g freed at once, and only then
 *            registered. The first load teaches f's site (a record
 *            survives the churn); the second load must hit.
 *   rule:    allocations in libsiterule.so (a rule names it; or the
 *            library SITERULE_LIB names) enter the window, those of a
 *            function the rule does not name do not. */
#include "stats_json.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static int (*reg)(void *, size_t, unsigned);
static int (*unreg)(void *);

static int in_window(const void *p)
{
  uintptr_t base = stats_value("window", "base"), size = stats_value("window", "size");
  return (uintptr_t)p - base < size;
}

/* No tail calls: each function's frame is on the stack under malloc. */
__attribute__((noinline)) static char *f(size_t n)
{
  char *p = malloc(n);
  CHECK(p, "malloc");
  memset(p, 'f', n);
  return p;
}

__attribute__((noinline)) static char *g(size_t n)
{
  char *p = malloc(n);
  CHECK(p, "malloc");
  memset(p, 'g', n);
  return p;
}

/* 8^5 distinct call paths: each of five functions calls the next level
 * through one of eight call instructions chosen by three bits of path
 * (each followed by different code, so the compiler cannot merge them). */
static volatile unsigned after[8];
static void *walk(int level, unsigned path);
#define CASE(k) case k: p = walk(level - 1, path >> 3); after[k]++; break;
#define STEP(i)                                                                   \
  __attribute__((noinline)) static void *w##i(int level, unsigned path)          \
  {                                                                               \
    void *p = NULL;                                                               \
    switch (path & 7) { CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) } \
    return p;                                                                     \
  }
STEP(0) STEP(1) STEP(2) STEP(3) STEP(4)
static void *walk(int level, unsigned path)
{
  static void *(*const fn[5])(int, unsigned) = { w0, w1, w2, w3, w4 };
  if (level == 0)
    return malloc(4096);
  return fn[level - 1](level, path);
}

/* One call instruction for f, whatever the loop around it becomes. */
__attribute__((noinline)) static int many_round(int i)
{
  char *p = f(20000);
  int in = in_window(p);
  if (i == 0)
    CHECK(reg(p, 20000, 0) == 0 && unreg(p) == 0, "register");
  free(p);
  return in;
}

static size_t size_at(unsigned *seed)
{
  *seed = *seed * 1103515245u + 12345u;
  return 8192 + (*seed >> 8) % (57 * 1024);
}

int main(int argc, char **argv)
{
  *(void **)&reg = dlsym(RTLD_DEFAULT, "cudaHostRegister");
  *(void **)&unreg = dlsym(RTLD_DEFAULT, "cudaHostUnregister");
  CHECK(reg && unreg, "gpuscatter is not preloaded");
  const char *m = argc > 1 ? argv[1] : "";
  int n = argc > 2 ? atoi(argv[2]) : 400;

  if (strcmp(m, "rule") == 0) {
    const char *lib = getenv("SITERULE_LIB") ? getenv("SITERULE_LIB") : "libsiterule.so";
    void *h = dlopen(lib, RTLD_NOW);
    CHECK(h, "dlopen %s: %s", lib, dlerror());
    char *(*named)(size_t) = (char *(*)(size_t))dlsym(h, "siterule_alloc");
    char *(*other)(size_t) = (char *(*)(size_t))dlsym(h, "siterule_other");
    int in = 0, out = 0;
    for (int i = 0; i < n; i++) {
      char *a = named(16384), *b = other(16384);
      in += in_window(a);
      out += in_window(b);
      free(a);
      free(b);
    }
    printf("rule: named %d/%d in the window, other %d/%d\n", in, n, out, n);
    return 0;
  }

  unsigned seed = 1;
  if (strcmp(m, "many") == 0) {
    /* f's site learned, then tens of thousands of other sites: the table
     * stays bounded and forgets them, not f's. */
    int in = 0;
    for (int i = 0; i <= n; i++) {
      int here = many_round(i);
      in += i > 0 && here;
      if (i == 0)
        for (unsigned path = 0; path < 8 * 8 * 8 * 8 * 8; path++)
          free(walk(5, path));
    }
    printf("many: 32768 other sites; f still placed %d/%d; hot sites %llu\n", in, n,
           stats_value("classify", "hot_sites"));
    return 0;
  }
  if (strcmp(m, "churn") == 0) {
    char **fs = calloc((size_t)n, sizeof *fs);
    size_t *ns = calloc((size_t)n, sizeof *ns);
    CHECK(fs && ns, "calloc");
    unsigned long long hits[2], learned = 0;
    for (int round = 0; round < 2; round++) { /* the same call sites twice */
      unsigned long long before = stats_value("registrations", "hits");
      for (int i = 0; i < n; i++) {
        fs[i] = f(ns[i] = size_at(&seed));
        for (int k = 0; k < 50; k++)
          free(g(size_at(&seed)));
      }
      for (int i = 0; i < n; i++)
        CHECK(reg(fs[i], ns[i], 0) == 0, "register");
      hits[round] = stats_value("registrations", "hits") - before;
      if (round == 0)
        learned = stats_value("classify", "hot_sites");
      for (int i = 0; i < n; i++) {
        CHECK(unreg(fs[i]) == 0, "unregister");
        free(fs[i]);
      }
    }
    printf("churn: first load %llu/%d hit, hot sites then %llu; second load %llu/%d hit\n",
           hits[0], n, learned, hits[1], n);
    return 0;
  }
  unsigned long long hits0 = 0;
  int later = 0, g_in = 0, first_hit = -1, stale = 0;
  for (int i = 0; i < n; i++) {
    size_t sz = size_at(&seed);
    char *fp = f(sz), *gp = g(sz);
    unsigned long long before = stats_value("registrations", "hits");
    CHECK(reg(fp, sz, 0) == 0, "register f's buffer");
    int hit = stats_value("registrations", "hits") > before;
    if (hit && first_hit < 0)
      first_hit = i;
    if (i == 0)
      hits0 = stats_value("registrations", "hits");
    else
      later += hit;
    if (i > 0)
      g_in += in_window(gp);
    for (size_t k = 0; k < sz; k += 4096)
      CHECK(fp[k] == 'f' && gp[k] == 'g', "data lost");
    CHECK(unreg(fp) == 0, "unregister f's buffer");
    if (i == n / 2) {
      /* A stale record: g's buffer freed, its address taken by an
       * allocation gpuscatter does not see (jemalloc's own API, another
       * size of the same size class), and registered. g must not learn. */
      void *(*jm)(size_t, int) = (void *(*)(size_t, int))dlsym(RTLD_DEFAULT, "mallocx");
      size_t (*jn)(size_t, int) = (size_t (*)(size_t, int))dlsym(RTLD_DEFAULT, "nallocx");
      CHECK(jm && jn, "jemalloc's API");
      size_t other = jn(sz + 1, 0) == jn(sz, 0) ? sz + 1 : sz - 1;
      free(gp);
      char *q = jm(other, 0);
      if (q == gp) {
        stale = 1;
        reg(q, other, 0);
        unreg(q);
      }
      gp = q;
    }
    free(fp);
    free(gp);
  }
  printf("%s: first hit at %d; later f registrations %d/%d hit; first %s; g in window %d/%d; "
         "stale record %s\n", m, first_hit, later, n - 1, hits0 ? "hit" : "missed", g_in, n - 1,
         stale ? "registered" : "not made");
  return 0;
}
