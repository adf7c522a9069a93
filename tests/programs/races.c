/* Races the library must make impossible, each run for a while on many
 * threads with the simulated runtime (GPUSCATTER_BACKEND=sim). Each mode
 * fails loudly on the first wrong answer; a hang is caught by alarm().
 * usage: races MODE [SECONDS|COUNT]
 *   trim     registrations and queries while another thread trims
 *   newest   4 KiB registrations in the newest chunk while it grows
 *   cancel   threads cancelled while they wait for a unit or bind one
 *   forks    fork while other threads hold every module's locks
 *   passed   a sub-range of a range passed through to the runtime
 *   unbind   registrations racing automatic unbinding and purging
 *   pinned   pinned allocations of mixed sizes and calls (runtime and
 *            driver, freed crosswise) against registrations, with forks
 *   loader   a constructor (inside dlopen) waiting for a thread that places
 *            memory; fork while other threads are inside dlopen and walk
 *            the stack for a shared call site (races loader CTORLIB LIB N) */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stats_json.h"

#define MB ((size_t)1 << 20)
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

struct attr { int type; int device; void *devicePointer; void *hostPointer; long reserved[8]; };

static int (*reg)(void *, size_t, unsigned);
static int (*unreg)(void *);
static int (*getflags)(unsigned *, void *);
static int (*attrs)(struct attr *, const void *);
static int (*devptr)(void **, void *, unsigned);
static size_t (*trim)(void);
static double deadline;
static atomic_ulong ops, wrong;

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void bind_syms(void)
{
  /* A real runtime, for runs on a GPU (RACES_RUNTIME=libcudart.so.13). */
  const char *rt = getenv("RACES_RUNTIME");
  if (rt && !dlopen(rt, RTLD_NOW | RTLD_GLOBAL))
    fprintf(stderr, "races: %s: %s\n", rt, dlerror());
  *(void **)&reg = dlsym(RTLD_DEFAULT, "cudaHostRegister");
  *(void **)&unreg = dlsym(RTLD_DEFAULT, "cudaHostUnregister");
  *(void **)&getflags = dlsym(RTLD_DEFAULT, "cudaHostGetFlags");
  *(void **)&attrs = dlsym(RTLD_DEFAULT, "cudaPointerGetAttributes");
  *(void **)&devptr = dlsym(RTLD_DEFAULT, "cudaHostGetDevicePointer");
  *(void **)&trim = dlsym(RTLD_DEFAULT, "gpuscatter_trim");
  CHECK(reg && unreg && getflags && attrs && devptr && trim, "gpuscatter (sim) is not preloaded");
}

/* A registration that succeeded must be seen as registered until it is
 * undone: flags, attributes and a device pointer from the unit. */
static void registered(char *p, size_t n, const char *what)
{
  unsigned f = 0;
  struct attr a = { 0 };
  void *d = NULL;
  if (getflags(&f, p + n / 2) != 0 || f != 2 || attrs(&a, p + n - 1) != 0 || a.type != 1 ||
      devptr(&d, p, 0) != 0 || d == NULL) {
    atomic_fetch_add(&wrong, 1);
    fprintf(stderr, "%s: %p registered but reported flags %u type %d devptr %p\n", what, (void *)p,
            f, a.type, d);
  }
}

static void *trim_worker(void *arg)
{
  (void)arg;
  while (now() < deadline) {
    size_t n = 8 * MB;
    char *p = malloc(n);
    memset(p, 1, n);
    int rc = reg(p, n, 0);
    if (rc != 0) {
      atomic_fetch_add(&wrong, 1);
      fprintf(stderr, "register: %d\n", rc);
    }
    registered(p, n, "trim");
    usleep(100);
    registered(p, n, "trim, later");
    if (unreg(p) != 0)
      atomic_fetch_add(&wrong, 1);
    free(p);
    atomic_fetch_add(&ops, 1);
  }
  return NULL;
}

static void *trimmer(void *arg)
{
  (void)arg;
  while (now() < deadline)
    trim();
  return NULL;
}

static void *allocator(void *arg)
{
  (void)arg;
  uint64_t s = 88172645463325252ull;
  char *keep[16] = { 0 };
  while (now() < deadline) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    int i = (int)(s % 16);
    free(keep[i]);
    size_t n = (size_t)(256 << 10) + (size_t)(s >> 40) % (2 * MB);
    keep[i] = malloc(n);
    memset(keep[i], 2, n);
  }
  for (int i = 0; i < 16; i++)
    free(keep[i]);
  return NULL;
}

/* Each thread registers its own 4 KiB pieces of a buffer in the newest
 * chunk: nobody else registered them, so every answer must be 0. */
static void *piece_worker(void *arg)
{
  (void)arg;
  while (now() < deadline) {
    char *b = malloc(MB);
    memset(b, 3, MB);
    for (size_t off = 0; off < MB; off += 64 << 10) {
      int rc = reg(b + off, 4096, 0);
      if (rc != 0) {
        atomic_fetch_add(&wrong, 1);
        fprintf(stderr, "4 KiB piece at %p: %d\n", (void *)(b + off), rc);
      }
    }
    for (size_t off = 0; off < MB; off += 64 << 10)
      if (unreg(b + off) != 0)
        atomic_fetch_add(&wrong, 1);
    free(b);
    atomic_fetch_add(&ops, 1);
  }
  return NULL;
}

static int run_threads(void *(*a)(void *), int na, void *(*b)(void *), int nb, double seconds)
{
  pthread_t t[16];
  deadline = now() + seconds;
  for (int i = 0; i < na + nb; i++)
    CHECK(pthread_create(&t[i], NULL, i < na ? a : b, NULL) == 0, "thread");
  for (int i = 0; i < na + nb; i++)
    pthread_join(t[i], NULL);
  return (int)atomic_load(&wrong);
}

/* --- cancellation --------------------------------------------------------- */

static char *unit_buf;
static void *register_one(void *arg)
{
  char *p = arg;
  reg(p, 4096, 0); /* waits for, or makes, the unit's binding */
  return NULL;
}

static int cancel_mode(void)
{
  /* The sim backend charges SIM_GIB_MS: binding this unit takes about a
   * second, during which the second thread waits for it. */
  unit_buf = malloc(48 * MB);
  memset(unit_buf, 4, 48 * MB);
  pthread_t binder, waiter;
  CHECK(pthread_create(&binder, NULL, register_one, unit_buf) == 0, "thread");
  usleep(100000);
  CHECK(pthread_create(&waiter, NULL, register_one, unit_buf + 8192) == 0, "thread");
  usleep(100000);
  pthread_cancel(waiter);  /* waiting for the unit */
  pthread_cancel(binder);  /* inside the backend call */
  pthread_join(waiter, NULL);
  pthread_join(binder, NULL);
  /* Neither left a lock held or a unit binding for ever. */
  alarm(20);
  CHECK(reg(unit_buf + 3 * 4096, 4096, 0) == 0, "registration after the cancellations");
  char *other = malloc(48 * MB);
  memset(other, 5, 48 * MB);
  CHECK(reg(other, 48 * MB, 0) == 0, "a new unit after the cancellations");
  puts("cancel: a thread cancelled while waiting for a unit and one cancelled while binding it "
       "left nothing locked or half-bound");
  return 0;
}

/* --- fork while locks are held ------------------------------------------- */

/* Distinct call sites: each of these allocates from its own return address. */
#define SITE(i) static void *site##i(size_t n) { return malloc(n + i); }
#define SITES8(b) SITE(b##0) SITE(b##1) SITE(b##2) SITE(b##3) SITE(b##4) SITE(b##5) SITE(b##6) SITE(b##7)
SITES8(1) SITES8(2) SITES8(3) SITES8(4)
static void *(*const sites[])(size_t) = {
  site10, site11, site12, site13, site14, site15, site16, site17, site20, site21, site22,
  site23, site24, site25, site26, site27, site30, site31, site32, site33, site34, site35,
  site36, site37, site40, site41, site42, site43, site44, site45, site46, site47,
};
enum { NSITES = sizeof sites / sizeof sites[0] };

/* Ever new call stacks (new sites for a classifier that looks past the
 * return address): a random path through four functions, a few deep. */
static void *deep(uint64_t path, int depth, size_t n);
static __attribute__((noinline)) void *via0(uint64_t p, int d, size_t n) { void *r = deep(p >> 2, d - 1, n); __asm__ volatile("" ::: "memory"); return r; }
static __attribute__((noinline)) void *via1(uint64_t p, int d, size_t n) { void *r = deep(p >> 2, d - 1, n); __asm__ volatile("" ::: "memory"); return r; }
static __attribute__((noinline)) void *via2(uint64_t p, int d, size_t n) { void *r = deep(p >> 2, d - 1, n); __asm__ volatile("" ::: "memory"); return r; }
static __attribute__((noinline)) void *via3(uint64_t p, int d, size_t n) { void *r = deep(p >> 2, d - 1, n); __asm__ volatile("" ::: "memory"); return r; }
static __attribute__((noinline)) void *deep(uint64_t path, int depth, size_t n)
{
  if (depth <= 0)
    return sites[path % NSITES](n);
  switch (path & 3) {
  case 0: return via0(path, depth, n);
  case 1: return via1(path, depth, n);
  case 2: return via2(path, depth, n);
  default: return via3(path, depth, n);
  }
}

static void *lock_holder(void *arg)
{
  long kind = (long)arg;
  uint64_t s = 0x9e3779b97f4a7c15ull + (uint64_t)kind;
  while (now() < deadline) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    if (kind == 0) { /* call sites and learning: the site table, the profile */
      void *p = deep(s, (int)(s >> 60) % 8, 4096 + (size_t)(s % 8192));
      if (s % 3 == 0 && reg(p, 4096, 0) == 0)
        unreg(p);
      free(p);
    } else if (kind == 1) { /* registrations: the tables, the engine, the simulated driver */
      char *p = malloc(MB);
      if (reg(p, MB, 0) == 0)
        unreg(p);
      free(p);
    } else { /* placed blocks: the page allocator and the chunk table */
      void *p = malloc((size_t)(256 << 10) + (size_t)(s % (4 * MB)));
      free(p);
    }
  }
  return NULL;
}

/* Fork n children that each run child(), which leaves, while the nt
 * threads t run; then stop and join them. A child that hangs is killed by
 * alarm(): any is a failure. */
static void fork_children(int n, void (*child)(void), pthread_t *t, int nt)
{
  int hung = 0;
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      alarm(10);
      child();
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
      hung++;
    else
      CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d: status %d", i, st);
  }
  deadline = 0;
  for (int i = 0; i < nt; i++)
    pthread_join(t[i], NULL);
  CHECK(hung == 0, "%d of %d children hung", hung, n);
}

static void forks_child(void)
{
  for (int k = 0; k < NSITES; k++)
    free(sites[k](5000));
  char *p = malloc(2 * MB);
  memset(p, 6, 2 * MB);
  int rc = reg(p, 2 * MB, 0);
  int rc2 = unreg(p);
  free(p);
  exit(rc == 0 && rc2 == 0 ? 0 : 3); /* runs exit handlers, ours included */
}

static int forks_mode(int n)
{
  pthread_t t[6];
  deadline = now() + 3600;
  for (long i = 0; i < 6; i++)
    CHECK(pthread_create(&t[i], NULL, lock_holder, (void *)(i < 3 ? 0L : i - 2)) == 0, "thread");
  fork_children(n, forks_child, t, 6);
  printf("forks: %d children forked while threads held the site table, profile, registration "
         "tables, engine, simulated driver and page allocator locks: all finished\n", n);
  return 0;
}

/* --- a range passed through to the runtime ---------------------------------- */

static int passed_mode(void)
{
  /* GPUSCATTER_CHUNK_SIZE=4M: two 3 MiB blocks fill the first chunk (6 MiB),
   * the third starts the next one, right after. */
  char *a = malloc(3 * MB), *b = malloc(3 * MB), *c = malloc(3 * MB);
  CHECK(c == b + 3 * MB, "blocks not back to back: %p %p", (void *)b, (void *)c);
  char *span = b + 2 * MB; /* 2 MiB across two units */
  CHECK(reg(span, 2 * MB, 0) == 0, "a range spanning two units: the runtime registers it");
  int sub = reg(span + 4096, 4096, 0);
  int twice = reg(span, 2 * MB, 0);
  CHECK(sub == 712 && twice == 712, "inside a passed range: %d and %d, the runtime says 712", sub,
        twice);
  CHECK(unreg(span) == 0, "unregister the passed range");
  CHECK(unreg(span) == 713, "unregister it twice: 713");
  CHECK(reg(span + 4096, 4096, 0) == 0 && unreg(span + 4096) == 0, "the unit is usable again");
  free(a), free(b), free(c);
  puts("passed: a sub-range of a range passed through gets the runtime's 712, a second unregister 713");
  return 0;
}

/* --- automatic unbinding against registrations ---------------------------- */

static void *unbind_worker(void *arg)
{
  long id = (long)arg;
  while (now() < deadline) {
    /* Register, let go, wait past the idle delay so the engine unbinds and
     * purges, then register again: each answer must be right. */
    size_t n = (size_t)(1 + id) * MB;
    char *p = malloc(n);
    memset(p, 7, n);
    if (reg(p, n, 0) != 0)
      atomic_fetch_add(&wrong, 1);
    registered(p, n, "unbind");
    unreg(p);
    usleep(id % 2 ? 1100000 : 1000);
    if (reg(p, n, 0) != 0)
      atomic_fetch_add(&wrong, 1);
    registered(p, n, "unbind, again");
    for (size_t i = 0; i < n; i += 4096)
      if (p[i] != 7) {
        atomic_fetch_add(&wrong, 1);
        fprintf(stderr, "data lost at %p\n", (void *)(p + i));
        break;
      }
    unreg(p);
    free(p);
    atomic_fetch_add(&ops, 1);
  }
  return NULL;
}

/* --- pinned allocations ---------------------------------------------------- */

static int (*host_alloc)(void **, size_t, unsigned), (*malloc_host)(void **, size_t);
static int (*free_host)(void *), (*cu_alloc)(void **, size_t), (*cu_free)(void *);

static void *pinned_worker(void *arg)
{
  uint64_t s = 0x2545F4914F6CDD1Dull * (uint64_t)(1 + (long)arg);
  struct { unsigned char *p; size_t n; unsigned char v; int how; } b[16] = { { 0 } };
  while (now() < deadline) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    int i = (int)(s % 16);
    if (b[i].p) {
      for (size_t k = 0; k < b[i].n; k += 1024)
        if (b[i].p[k] != b[i].v) {
          atomic_fetch_add(&wrong, 1);
          fprintf(stderr, "pinned block %p lost its data\n", (void *)b[i].p);
          break;
        }
      /* Freed crosswise: the runtime frees the driver's and the reverse. */
      int rc = b[i].how == 2 ? free_host(b[i].p) : (s & 1) ? cu_free(b[i].p) : free_host(b[i].p);
      if (rc != 0) {
        atomic_fetch_add(&wrong, 1);
        fprintf(stderr, "freeing a pinned block: %d\n", rc);
      }
      b[i].p = NULL;
      atomic_fetch_add(&ops, 1);
      continue;
    }
    size_t n = (size_t)4096 << (s >> 40) % 12; /* 4 KiB .. 8 MiB */
    void *p = NULL;
    int how = (int)(s >> 20) % 3;
    int rc = how == 0 ? host_alloc(&p, n, (unsigned)(s >> 30) & 3) : how == 1 ? malloc_host(&p, n)
           : cu_alloc(&p, n);
    if (rc != 0 || p == NULL || ((uintptr_t)p & 4095) || ((unsigned char *)p)[n - 1] != 0) {
      atomic_fetch_add(&wrong, 1);
      fprintf(stderr, "pinned allocation of %zu: %d, %p (aligned, zeroed?)\n", n, rc, p);
      continue;
    }
    b[i].p = p;
    b[i].n = n;
    b[i].v = (unsigned char)(1 + (s >> 50) % 250);
    b[i].how = how;
    memset(p, b[i].v, n);
  }
  for (int i = 0; i < 16; i++)
    if (b[i].p)
      free_host(b[i].p);
  return NULL;
}

static int pinned_mode(double secs)
{
  *(void **)&host_alloc = dlsym(RTLD_DEFAULT, "cudaHostAlloc");
  *(void **)&malloc_host = dlsym(RTLD_DEFAULT, "cudaMallocHost");
  *(void **)&free_host = dlsym(RTLD_DEFAULT, "cudaFreeHost");
  *(void **)&cu_alloc = dlsym(RTLD_DEFAULT, "cuMemAllocHost_v2");
  *(void **)&cu_free = dlsym(RTLD_DEFAULT, "cuMemFreeHost");
  CHECK(host_alloc && malloc_host && free_host && cu_alloc && cu_free, "pinned allocation calls");
  pthread_t t[6];
  deadline = now() + secs;
  for (long i = 0; i < 6; i++)
    CHECK(pthread_create(&t[i], NULL, i < 4 ? pinned_worker : trim_worker, (void *)i) == 0, "thread");
  int forks = 0;
  while (now() < deadline) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      alarm(10);
      void *p = NULL;
      int rc = host_alloc(&p, 1 << 20, 0);
      if (rc == 0)
        memset(p, 1, 1 << 20), rc = free_host(p);
      _exit(rc == 0 ? 0 : 3);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %d", st);
    forks++;
    usleep(50000);
  }
  for (int i = 0; i < 6; i++)
    pthread_join(t[i], NULL);
  printf("pinned: %lu pinned allocations and registrations on 6 threads, %d forks, %lu wrong\n",
         atomic_load(&ops), forks, atomic_load(&wrong));
  return atomic_load(&wrong) != 0;
}

/* --- the dynamic loader's lock ----------------------------------------------- */

/* A return address shared by callers that register and callers that do
 * not: learning keys it by deeper frames, so each allocation from it walks
 * the stack. */
static __attribute__((noinline)) void *shared_site(size_t n)
{
  void *p = malloc(n);
  __asm__ volatile("" ::: "memory");
  return p;
}
static __attribute__((noinline)) void *registering_caller(size_t n) { void *p = shared_site(n); __asm__ volatile("" ::: "memory"); return p; }
static __attribute__((noinline)) void *plain_caller(size_t n) { void *p = shared_site(n); __asm__ volatile("" ::: "memory"); return p; }

static const char *loop_libs[2];

static void *dlopen_loop(void *arg)
{
  const char *lib = loop_libs[(long)arg];
  while (now() < deadline) {
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    CHECK(h, "dlopen %s: %s", lib, dlerror());
    dlclose(h);
  }
  return NULL;
}

static void *deep_allocator(void *arg)
{
  (void)arg;
  while (now() < deadline) {
    void *p = registering_caller(8192);
    if (reg(p, 8192, 0) == 0)
      unreg(p);
    free(p);
    free(plain_caller(8192));
  }
  return NULL;
}

static bool real_runtime;

static void loader_child(void)
{
  for (int k = 0; k < 16; k++) {
    void *q = k % 2 ? plain_caller(8192) : registering_caller(8192);
    /* A real runtime must not be called in a forked child (CUDA is not
     * fork-safe: a lock its other threads held stays held). */
    if (k % 2 == 0 && !real_runtime)
      CHECK(reg(q, 8192, 0) == 0 && unreg(q) == 0, "register in the child");
    free(q);
  }
  for (int k = 0; k < NSITES; k++)
    free(sites[k](5000));
  /* _exit, and no dlopen: glibc 2.36 resets neither the loader's write
   * lock nor the exit handlers' lock in a child, and the other threads
   * take both (dlopen, dlclose of a C++ library): exit or dlopen here can
   * hang on glibc's own lock (seen: 24 of 1000). */
  _exit(0);
}

static int loader_mode(const char *ctorlib, const char *lib, int n)
{
  real_runtime = getenv("RACES_RUNTIME") != NULL;
  /* The runtime is live, and the shared site has been demoted to deeper
   * frames: it registered, then was freed unregistered many times. */
  char *p = malloc(8 * MB);
  CHECK(reg(p, 8 * MB, 0) == 0 && unreg(p) == 0, "register");
  free(p);
  for (int i = 0; i < 4; i++) {
    void *q = registering_caller(8192);
    CHECK(reg(q, 8192, 0) == 0 && unreg(q) == 0, "register a block from the shared site");
    free(q);
  }
  for (int i = 0; i < 64; i++)
    free(plain_caller(8192));
  unsigned long long walked = stats_value("classify", "deep_keys");
  free(plain_caller(8192));
  CHECK(stats_value("classify", "deep_keys") > walked,
        "the shared site is not keyed by deeper frames: %s", stats_text);

  /* (a) The constructor's thread allocates while dlopen holds the lock. */
  alarm(30);
  void *h = dlopen(ctorlib, RTLD_NOW | RTLD_LOCAL);
  CHECK(h, "dlopen %s: %s", ctorlib, dlerror());
  dlclose(h);
  alarm(0);

  /* (b) Fork while threads are inside dlopen (one of them in that
   * constructor) and others walk the stack. */
  loop_libs[0] = ctorlib, loop_libs[1] = lib;
  deadline = now() + 3600;
  pthread_t t[4];
  for (long i = 0; i < 4; i++)
    CHECK(pthread_create(&t[i], NULL, i < 2 ? dlopen_loop : deep_allocator, (void *)(i % 2)) == 0,
          "thread");
  fork_children(n, loader_child, t, 4);
  printf("loader: a constructor waited for a thread placing memory inside dlopen; %d children "
         "forked while threads were inside dlopen and walking the stack: all finished\n", n);
  return 0;
}

int main(int argc, char **argv)
{
  bind_syms();
  const char *m = argc > 1 ? argv[1] : "";
  double secs = argc > 2 ? atof(argv[2]) : 2;
  if (!strcmp(m, "trim")) {
    alarm((unsigned)secs + 30);
    int w = run_threads(trim_worker, 4, trimmer, 1, secs);
    printf("trim: %lu registrations checked while trimming, %d reported unregistered\n",
           atomic_load(&ops), w);
    return w != 0;
  }
  if (!strcmp(m, "newest")) {
    alarm((unsigned)secs + 30);
    int w = run_threads(piece_worker, 4, allocator, 1, secs);
    printf("newest: %lu rounds of 4 KiB registrations in a growing chunk, %d wrong answers\n",
           atomic_load(&ops), w);
    return w != 0;
  }
  if (!strcmp(m, "unbind")) {
    alarm((unsigned)secs + 30);
    pthread_t t[4];
    deadline = now() + secs;
    for (long i = 0; i < 4; i++)
      CHECK(pthread_create(&t[i], NULL, unbind_worker, (void *)i) == 0, "thread");
    for (int i = 0; i < 4; i++)
      pthread_join(t[i], NULL);
    printf("unbind: %lu register/idle/register rounds against automatic unbinding, %lu wrong\n",
           atomic_load(&ops), atomic_load(&wrong));
    return atomic_load(&wrong) != 0;
  }
  if (!strcmp(m, "cancel"))
    return cancel_mode();
  if (!strcmp(m, "pinned")) {
    alarm((unsigned)secs + 30);
    return pinned_mode(secs);
  }
  if (!strcmp(m, "forks"))
    return forks_mode(argc > 2 ? atoi(argv[2]) : 100);
  if (!strcmp(m, "passed"))
    return passed_mode();
  if (!strcmp(m, "loader") && argc > 3)
    return loader_mode(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 100);
  fprintf(stderr, "usage: races trim|newest|cancel|forks|passed|unbind|pinned [SECONDS|COUNT]\n"
                  "       races loader CTORLIB LIB [COUNT]\n");
  return 2;
}
