/* Allocation stress: threads mixing every allocation function and size,
 * realloc chains, and frees on other threads through a shared exchange.
 * Every buffer carries a pattern that is checked before it is freed.
 * With GPU_MIN, every allocation is also checked for where it lives: at
 * least GPU_MIN bytes (or grown from a GPU allocation) inside the window,
 * anything else outside, so no GPU pointer is ever handed out as an
 * ordinary one, nor the reverse. Where cudaHostRegister is reachable (the
 * library with GPUSCATTER_BACKEND=sim), buffers are also registered and
 * unregistered concurrently, each call checked.
 * usage: stress THREADS SECONDS [MAX_SIZE [GPU_MIN]] */
#include "patterns.h"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

struct buf { unsigned char *p; size_t n; uint64_t seed; int gpu; };

#define SLOTS 256
static struct buf exchange[SLOTS];
static pthread_mutex_t exchange_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong total_ops, cross_frees, registrations;
static int (*reg)(void *, size_t, unsigned);
static int (*unreg)(void *);
static double deadline;
static size_t max_size = 4u << 20;
static size_t gpu_min;
static uintptr_t win_base, win_size;

static void check_home(const struct buf *b, const char *what)
{
  if (gpu_min == 0)
    return;
  int inside = (uintptr_t)b->p - win_base < win_size;
  if (inside != b->gpu) {
    fprintf(stderr, "FAIL: %s: %zu bytes at %p %s the window\n", what, b->n, (void *)b->p,
            inside ? "inside" : "outside");
    abort();
  }
}

/* The window exists after the first GPU-bound allocation; ask the library. */
static void find_window(void)
{
  int (*f)(char *, size_t) = (int (*)(char *, size_t))dlsym(RTLD_DEFAULT, "gpuscatter_stats_json");
  char json[2048];
  void *p = malloc(gpu_min);
  if (f == NULL || f(json, sizeof json) < 0) {
    fprintf(stderr, "FAIL: GPU_MIN given but libgpuscatter.so is not preloaded\n");
    exit(1);
  }
  const char *w = strstr(json, "\"window\": {\"base\": ");
  unsigned long long base = 0, size = 0;
  if (!w || sscanf(w, "\"window\": {\"base\": %llu, \"size\": %llu", &base, &size) != 2 || !size) {
    fprintf(stderr, "FAIL: no window in %s\n", json);
    exit(1);
  }
  win_base = (uintptr_t)base;
  win_size = (uintptr_t)size;
  free(p);
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static struct buf make(uint64_t *s)
{
  struct buf b = { NULL, rand_size(s, 1, max_size), rng_next(s), 0 };
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
  b.gpu = gpu_min && b.n >= gpu_min;
  check_home(&b, "new allocation");
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
          b->gpu = b->gpu || (gpu_min && n >= gpu_min);
          check_home(b, "realloc");
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
        if (b->p && reg && (rng_next(&s) & 1)) {
          int r = reg(b->p, b->n, 1), u = unreg(b->p);
          if (r != 0 || u != 0) {
            fprintf(stderr, "FAIL: register %d, unregister %d for %zu bytes at %p\n", r, u, b->n,
                    (void *)b->p);
            abort();
          }
          atomic_fetch_add(&registrations, 1);
        }
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
  if (argc > 4 && (gpu_min = (size_t)strtoull(argv[4], NULL, 0)) != 0)
    find_window();
  *(void **)&reg = dlsym(RTLD_DEFAULT, "cudaHostRegister");
  *(void **)&unreg = dlsym(RTLD_DEFAULT, "cudaHostUnregister");
  const char *be = getenv("GPUSCATTER_BACKEND");
  if (!be || strcmp(be, "sim") != 0)
    reg = NULL; /* only the simulated runtime answers without a GPU */
  deadline = now() + secs;
  pthread_t t[64];
  for (int i = 0; i < threads && i < 64; i++)
    pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1));
  /* Meanwhile, fork: the child allocates in both homes, checks a buffer
   * the workers may be using, and exits through exit() (atexit handlers,
   * the library's included). Any deadlock or crash fails the run. */
  unsigned forks = 0;
  while (now() < deadline - 0.2) {
    struct timespec nap = { 0, 100 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    pid_t pid = fork();
    if (pid < 0)
      continue;
    if (pid == 0) {
      for (int k = 0; k < 64; k++) {
        size_t n = (size_t)1 << (8 + k % 14);
        unsigned char *p = malloc(n);
        if (p == NULL)
          _exit(2);
        memset(p, k, n);
        if (p[n - 1] != (unsigned char)k)
          _exit(3);
        free(p);
      }
      exit(0);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "FAIL: a child forked under load ended with status %d\n", st);
      return 1;
    }
    forks++;
  }
  for (int i = 0; i < threads && i < 64; i++)
    pthread_join(t[i], NULL);
  for (int i = 0; i < SLOTS; i++)
    drop(&exchange[i], "exchange");
  printf("stress: %d threads, %lu operations, %lu cross-thread frees, %lu register/unregister "
         "pairs, %u forks%s: ok\n", threads, (unsigned long)total_ops, (unsigned long)cross_frees,
         (unsigned long)registrations, forks, gpu_min ? ", every pointer where its size says" : "");
  return 0;
}
