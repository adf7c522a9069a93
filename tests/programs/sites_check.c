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
 *            function the rule does not name do not.
 * With SITES_CHECK_WAIT=FILE, learn and profile end by creating FILE.ready
 * and waiting (up to 20 s) for FILE to exist: a test changes what the
 * program's exit will find. */
#include "stats_json.h"

#include <dlfcn.h>
#include <stdint.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Many distinct call sites: generated stubs, each calling malloc (and
 * free) from its own return address (x86-64). */
static void (*stub_at(unsigned char *code, int i))(void) { return (void (*)(void))(code + 16 + 29 * (size_t)i); }

static unsigned char *make_stubs(int n)
{
  size_t len = 16 + 29 * (size_t)n;
  unsigned char *code = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(code != MAP_FAILED, "mmap");
  void *mp = (void *)malloc, *fp = (void *)free;
  memcpy(code, &mp, 8);
  memcpy(code + 8, &fp, 8);
  for (int i = 0; i < n; i++) {
    unsigned char *s = code + 16 + 29 * (size_t)i;
    static const unsigned char body[29] = {
      0x48, 0x83, 0xec, 0x08,             /* sub rsp, 8 */
      0xbf, 0x00, 0x10, 0x00, 0x00,       /* mov edi, 4096 */
      0xff, 0x15, 0, 0, 0, 0,             /* call [rip + malloc slot] */
      0x48, 0x89, 0xc7,                   /* mov rdi, rax */
      0xff, 0x15, 0, 0, 0, 0,             /* call [rip + free slot] */
      0x48, 0x83, 0xc4, 0x08,             /* add rsp, 8 */
      0xc3 };                             /* ret */
    memcpy(s, body, sizeof body);
    int32_t r1 = (int32_t)((intptr_t)code - (intptr_t)(s + 15));
    int32_t r2 = (int32_t)((intptr_t)(code + 8) - (intptr_t)(s + 24));
    memcpy(s + 11, &r1, 4);
    memcpy(s + 20, &r2, 4);
  }
  CHECK(mprotect(code, len, PROT_READ | PROT_EXEC) == 0, "mprotect");
  return code;
}

/* A generic wrapper: one return address for both of its callers. */
__attribute__((noinline)) static void *wrap(size_t n)
{
  void *p = NULL;
  CHECK(posix_memalign(&p, 64, n) == 0, "posix_memalign");
  __asm__ volatile("" ::: "memory"); /* no tail call */
  return p;
}
__attribute__((noinline)) static char *via_a(size_t n) { char *p = wrap(n); memset(p, 'a', n); return p; }
__attribute__((noinline)) static char *via_b(size_t n) { char *p = wrap(n); memset(p, 'b', n); return p; }

/* Weights: tensor storage from one site (posix_memalign(64), as
 * c10::alloc_cpu), 256 B to 4 MiB, all allocated first. */
__attribute__((noinline)) static char *tensor(size_t n)
{
  void *p = NULL;
  CHECK(posix_memalign(&p, 64, n) == 0, "posix_memalign");
  memset(p, 't', n);
  return p;
}
__attribute__((noinline)) static char *scratch(size_t n)
{
  void *p = NULL;
  CHECK(posix_memalign(&p, 64, n) == 0, "posix_memalign");
  memset(p, 's', n);
  return p;
}

static size_t weight_size(unsigned *seed)
{
  *seed = *seed * 1103515245u + 12345u;
  unsigned lg = 8 + (*seed >> 8) % 15; /* 256 B .. 4 MiB */
  *seed = *seed * 1103515245u + 12345u;
  size_t n = ((size_t)1 << lg) + (size_t)(*seed >> 8) % ((size_t)1 << lg);
  return n > (4u << 20) ? 4u << 20 : n;
}

/* One call instruction for f, whatever the loop around it becomes. */
__attribute__((noinline)) static int many_round(int i)
{
  char *p = f(20000);
  int in = in_window(p);
  CHECK(reg(p, 20000, 0) == 0 && unreg(p) == 0, "register %d", i);
  free(p);
  return in;
}

static void wait_for_go(void)
{
  const char *go = getenv("SITES_CHECK_WAIT");
  if (go == NULL)
    return;
  char ready[4096];
  snprintf(ready, sizeof ready, "%s.ready", go);
  FILE *f = fopen(ready, "w");
  CHECK(f != NULL, "cannot create %s", ready);
  fclose(f);
  for (int i = 0; i < 2000 && access(go, F_OK) != 0; i++)
    usleep(10000);
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
    enum { OTHERS = 40000 };
    unsigned char *code = make_stubs(OTHERS);
    int in = 0;
    for (int i = 0; i <= n; i++) {
      int here = many_round(i);
      in += i > 0 && here;
      if (i == 0)
        for (int k = 0; k < OTHERS; k++)
          stub_at(code, k)();
    }
    printf("many: %d other sites; f still placed %d/%d; hot sites %llu\n", OTHERS, in, n,
           stats_value("classify", "hot_sites"));
    return 0;
  }
  if (strcmp(m, "weights") == 0) {
    /* ComfyUI's order: every tensor allocated, then each registered; the
     * scratch site makes the same sizes and registers none. First, as any
     * CUDA program does, a device call (its answer does not matter). */
    int (*count)(int *) = (int (*)(int *))dlsym(RTLD_DEFAULT, "cudaGetDeviceCount");
    int devices = 0;
    CHECK(count, "cudaGetDeviceCount");
    count(&devices);
    char **t = calloc((size_t)n, sizeof *t), **x = calloc((size_t)n, sizeof *x);
    size_t *sz = calloc((size_t)n, sizeof *sz);
    CHECK(t && x && sz, "calloc");
    for (int i = 0; i < n; i++) {
      sz[i] = weight_size(&seed);
      t[i] = tensor(sz[i]);
      x[i] = scratch(sz[i]);
    }
    int t_in = 0, x_in = 0, x_small = 0, x_small_in = 0;
    for (int i = 0; i < n; i++) {
      t_in += in_window(t[i]);
      x_in += in_window(x[i]);
      x_small += sz[i] < (256u << 10);
      x_small_in += sz[i] < (256u << 10) && in_window(x[i]);
      reg(t[i], sz[i], 0); /* answered or not, it teaches the site */
    }
    for (int i = 0; i < n; i++) {
      unreg(t[i]);
      for (size_t k = 0; k < sz[i]; k += 4096)
        CHECK(t[i][k] == 't' && x[i][k] == 's', "data lost");
      free(t[i]);
      free(x[i]);
    }
    printf("weights: tensors placed %d/%d; scratch placed %d/%d, of its small ones %d/%d\n", t_in,
           n, x_in, n, x_small_in, x_small);
    return 0;
  }
  if (strcmp(m, "wrapper") == 0) {
    /* Both callers allocate through one wrapper (one return address); only
     * a's memory is registered, b's is freed unregistered. */
    int a_in = 0, b_in = 0;
    for (int i = 0; i < n; i++) {
      size_t sz = 4096 + (size_t)(i % 16) * 1024;
      char *a = via_a(sz), *b = via_b(sz);
      a_in += in_window(a);
      b_in += in_window(b);
      reg(a, sz, 0);
      unreg(a);
      free(a);
      free(b);
    }
    printf("wrapper: a placed %d/%d, b placed %d/%d; deep sites %llu, demoted %llu\n", a_in, n,
           b_in, n, stats_value("classify", "deep_sites"), stats_value("classify", "demoted"));
    return 0;
  }
  if (strcmp(m, "loaded") == 0) {
    /* PyTorch's order through one allocator function: every weight
     * allocated (caller a), then each registered, then temporaries
     * (caller b) freed unregistered. The first run finds the return
     * address shared only after the weights were allocated. */
    char **w = calloc((size_t)n, sizeof *w);
    CHECK(w, "calloc");
    int w_in = 0, t_in = 0;
    for (int i = 0; i < n; i++)
      w[i] = via_a(4096 + (size_t)(i % 16) * 1024);
    for (int i = 0; i < n; i++) {
      w_in += in_window(w[i]);
      reg(w[i], 4096 + (size_t)(i % 16) * 1024, 0);
    }
    for (int i = 0; i < 200; i++) {
      char *t = via_b(8192);
      t_in += in_window(t);
      free(t);
    }
    for (int i = 0; i < n; i++) {
      unreg(w[i]);
      CHECK(w[i][0] == 'a', "data lost");
      free(w[i]);
    }
    printf("loaded: weights placed %d/%d, temporaries placed %d/200; demoted %llu\n", w_in, n, t_in,
           stats_value("classify", "demoted"));
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
  wait_for_go();
  return 0;
}
