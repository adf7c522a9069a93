/* The workload users run, reduced to its registration pattern.
 *   scatter [--n N] [--fixed BYTES] [--model GIB] [--cycles K] [--bandwidth MIB]
 *           [--churn SECONDS] [--hip]
 * Phase "scatter": N malloc buffers (4 KiB .. 16 MiB log-uniform, or fixed
 * size), each registered, used, unregistered and freed, as a data loader
 * does. Phase "model": posix_memalign(64) tensors of a diffusion-model-like
 * size mix, each registered with flag 1 as ComfyUI does per weight. Both
 * report load_s, the time to allocate and fill the buffers (the loader).
 * --bandwidth: host-to-device copy rate from one registered buffer (needs a
 * real GPU). --churn: a data loader's loop (allocate, register, use,
 * unregister, free) for SECONDS; registrations per second.
 * --hostalloc N: N pinned allocations (cudaHostAlloc, 4 KiB .. 128 MiB, or
 * --fixed), each filled, then freed (cudaFreeHost); --driver-alloc N: the
 * same with the driver API's cuMemAllocHost (64 KiB .. 4 MiB), as
 * comfy-aimdo pins per module. --fork: whether a child can read pinned memory its parent got
 * from cudaHostAlloc. Prints one JSON object per phase. The runtime calls
 * are found at run time: gpuscatter's own (preloaded), or the real runtime's. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static struct {
  int (*reg)(void *, size_t, unsigned);
  int (*unreg)(void *);
  int (*malloc_dev)(void **, size_t);
  int (*memcpy)(void *, const void *, size_t, int);
  int (*sync)(void);
  int (*free_dev)(void *);
} rt;
static int (*stats_json)(char *, size_t);

static void *sym(int hip, const char *name, int required)
{
  static const char *const cuda_libs[] = { "libcudart.so.13", "libcudart.so.12", NULL };
  static const char *const hip_libs[] = { "libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5", NULL };
  char n[64];
  snprintf(n, sizeof n, "%s%s", hip ? "hip" : "cuda", name);
  /* Load the runtime first (if there is one), then take the first
   * definition: gpuscatter's when it is preloaded. */
  for (const char *const *l = hip ? hip_libs : cuda_libs; *l; l++)
    if (dlopen(*l, RTLD_NOW | RTLD_GLOBAL))
      break;
  void *s = dlsym(RTLD_DEFAULT, n);
  if (!s && required) {
    fprintf(stderr, "scatter: %s not found (no GPU runtime, and gpuscatter not preloaded "
                    "with GPUSCATTER_BACKEND=sim)\n", n);
    exit(2);
  }
  return s;
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static size_t log_uniform(size_t lo, size_t hi)
{
  double l = __builtin_log((double)lo), h = __builtin_log((double)hi);
  double x = l + (h - l) * ((double)(next() >> 11) / 9007199254740992.0);
  return (size_t)__builtin_exp(x);
}

/* Driver registration calls so far, from gpuscatter's statistics: its own
 * backend calls plus the registrations it passed through (-1 without it). */
static long stat_after(const char *j, const char *key)
{
  const char *p = strstr(j, key);
  return p ? atol(p + strlen(key)) : 0;
}

static long backend_calls(void)
{
  char j[4096];
  if (!stats_json || stats_json(j, sizeof j) < 0)
    return -1;
  return stat_after(j, "\"backend_calls\": {\"register\": ") + stat_after(j, "\"misses\": ");
}

/* load_s: the time to allocate and fill the buffers (negative: not timed). */
static void report(const char *phase, size_t n, size_t bytes, double reg_s, double unreg_s,
                   long calls0, int failures, double load_s)
{
  long calls = backend_calls();
  printf("{\"phase\": \"%s\", \"registrations\": %zu, \"bytes\": %zu, \"register_s\": %.6f, "
         "\"unregister_s\": %.6f, \"backend_calls\": %ld, \"failures\": %d", phase, n, bytes,
         reg_s, unreg_s, calls < 0 ? (long)n : calls - calls0, failures);
  if (load_s >= 0)
    printf(", \"load_s\": %.6f", load_s);
  printf("}\n");
  fflush(stdout);
}

static int scatter(size_t n, size_t fixed, int cycles)
{
  char **p = calloc(n, sizeof *p);
  size_t *sz = calloc(n, sizeof *sz), bytes = 0;
  int failures = 0;
  double reg = 0, unreg = 0, load = 0;
  long calls0 = backend_calls();
  for (int c = 0; c < cycles; c++) {
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
      sz[i] = fixed ? fixed : log_uniform(4096, 16u << 20);
      p[i] = malloc(sz[i]);
      memset(p[i], (int)i, sz[i]); /* the loader fills the buffer */
      bytes += sz[i];
    }
    load += now() - t0;
    t0 = now();
    for (size_t i = 0; i < n; i++)
      failures += rt.reg(p[i], sz[i], 0) != 0;
    reg += now() - t0;
    t0 = now();
    for (size_t i = 0; i < n; i++)
      failures += rt.unreg(p[i]) != 0;
    unreg += now() - t0;
    for (size_t i = 0; i < n; i++)
      free(p[i]);
  }
  report(fixed ? "scatter-fixed" : "scatter", n * (size_t)cycles, bytes, reg, unreg, calls0, failures,
         load);
  free(p);
  free(sz);
  return failures;
}

/* A diffusion model's weights: many small norms and biases, a body of
 * 1-50 MiB matrices, a few hundred-MiB embeddings. */
static int model(double gib)
{
  size_t budget = (size_t)(gib * (double)(1u << 30)), bytes = 0, n = 0, cap = 4096;
  void **t = calloc(cap, sizeof *t);
  size_t *sz = calloc(cap, sizeof *sz);
  double t_load = now();
  while (bytes < budget && n < cap) {
    uint64_t r = next() % 100;
    size_t s = r < 45 ? log_uniform(1024, 64 << 10) : r < 97 ? log_uniform(1 << 20, 50u << 20)
                                                              : log_uniform(100u << 20, 400u << 20);
    if (bytes + s > budget)
      s = budget - bytes < 4096 ? 4096 : budget - bytes;
    if (posix_memalign(&t[n], 64, s) != 0)
      return 1;
    memset(t[n], 1, s);
    sz[n++] = s;
    bytes += s;
  }
  t_load = now() - t_load;
  long calls0 = backend_calls();
  int failures = 0;
  double t0 = now();
  for (size_t i = 0; i < n; i++)
    failures += rt.reg(t[i], sz[i], 1) != 0;
  double reg = now() - t0;
  t0 = now();
  for (size_t i = 0; i < n; i++)
    failures += rt.unreg(t[i]) != 0;
  double unreg = now() - t0;
  report("model", n, bytes, reg, unreg, calls0, failures, t_load);
  for (size_t i = 0; i < n; i++)
    free(t[i]);
  free(t);
  free(sz);
  return failures;
}

static int bandwidth(size_t mib)
{
  size_t n = mib << 20;
  char *h = malloc(n);
  void *d = NULL;
  memset(h, 3, n);
  if (!rt.malloc_dev || !rt.memcpy || rt.malloc_dev(&d, n) != 0) {
    fprintf(stderr, "scatter: --bandwidth needs a GPU\n");
    return 1;
  }
  int rc = rt.reg(h, n, 0);
  rt.memcpy(d, h, n, 1 /* host to device */);
  rt.sync();
  double best = 0;
  for (int i = 0; i < 10; i++) {
    double t0 = now();
    rt.memcpy(d, h, n, 1);
    rt.sync();
    double gbs = (double)n / (now() - t0) / 1e9;
    best = gbs > best ? gbs : best;
  }
  printf("{\"phase\": \"bandwidth\", \"bytes\": %zu, \"register_rc\": %d, \"h2d_gbs\": %.2f}\n", n, rc, best);
  rt.unreg(h);
  rt.free_dev(d);
  free(h);
  return rc != 0;
}

static int churn(double seconds)
{
  size_t n = 0;
  int failures = 0;
  double t0 = now(), reg = 0;
  while (now() - t0 < seconds) {
    size_t s = log_uniform(64 << 10, 4u << 20);
    char *p = malloc(s);
    memset(p, (int)n, s);
    double r0 = now();
    failures += rt.reg(p, s, 0) != 0;
    failures += rt.unreg(p) != 0;
    reg += now() - r0;
    free(p);
    n++;
  }
  double total = now() - t0;
  printf("{\"phase\": \"churn\", \"registrations\": %zu, \"seconds\": %.3f, "
         "\"register_s\": %.6f, \"per_second\": %.0f, \"failures\": %d}\n", n, total, reg,
         (double)n / total, failures);
  return failures;
}

/* Allocate, fill and free N pinned blocks through ALLOC/FREE (the runtime's
 * or the driver's signature: both take (void **, size_t[, flags])). */
static int hostalloc(const char *phase, size_t n, size_t lo, size_t hi,
                     int (*alloc)(void **, size_t, unsigned), int (*alloc2)(void **, size_t),
                     int (*release)(void *))
{
  void **p = calloc(n, sizeof *p);
  size_t bytes = 0;
  int failures = 0;
  double t_alloc = 0, t_fill = 0, t0;
  for (size_t i = 0; i < n; i++) {
    size_t s = lo == hi ? lo : log_uniform(lo, hi);
    t0 = now();
    int rc = alloc ? alloc(&p[i], s, 0) : alloc2(&p[i], s);
    t_alloc += now() - t0;
    if (rc != 0 || !p[i]) {
      failures++;
      p[i] = NULL;
      continue;
    }
    t0 = now();
    for (size_t k = 0; k < s; k += 4096) /* the memory arrives zeroed */
      failures += ((char *)p[i])[k] != 0;
    memset(p[i], (int)i, s);
    t_fill += now() - t0;
    bytes += s;
  }
  t0 = now();
  for (size_t i = 0; i < n; i++)
    if (p[i])
      failures += release(p[i]) != 0;
  double t_free = now() - t0;
  printf("{\"phase\": \"%s\", \"allocations\": %zu, \"bytes\": %zu, \"alloc_s\": %.6f, "
         "\"fill_s\": %.6f, \"free_s\": %.6f, \"failures\": %d}\n", phase, n, bytes, t_alloc,
         t_fill, t_free, failures);
  fflush(stdout);
  free(p);
  return failures;
}

/* Native CUDA pinned memory and fork: can the child read it? */
static int fork_check(int (*alloc)(void **, size_t, unsigned), int (*release)(void *))
{
  char *p = NULL;
  if (alloc((void **)&p, 1 << 20, 0) != 0)
    return 1;
  memset(p, 7, 1 << 20);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int ok = p[0] == 7 && p[(1 << 20) - 1] == 7;
    p[1] = 9; /* and write */
    _exit(ok ? 0 : 3);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  printf("{\"phase\": \"fork\", \"child_exit\": %d, \"child_signal\": %d, \"parent_sees\": %d}\n",
         WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0, p[1]);
  release(p);
  return 0;
}

int main(int argc, char **argv)
{
  size_t n = 4000, fixed = 0, bw = 0, host_n = 0, drv_n = 0;
  int forkc = 0;
  double gib = 0, churn_s = 0;
  int hip = 0, cycles = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--n") && i + 1 < argc) n = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--fixed") && i + 1 < argc) fixed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--model") && i + 1 < argc) gib = atof(argv[++i]);
    else if (!strcmp(argv[i], "--cycles") && i + 1 < argc) cycles = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--bandwidth") && i + 1 < argc) bw = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--churn") && i + 1 < argc) churn_s = atof(argv[++i]);
    else if (!strcmp(argv[i], "--hip")) hip = 1;
    else if (!strcmp(argv[i], "--hostalloc") && i + 1 < argc) host_n = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--driver-alloc") && i + 1 < argc) drv_n = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--fork")) forkc = 1;
    else { fprintf(stderr, "usage: scatter [--n N] [--fixed BYTES] [--model GIB] [--cycles K] "
                           "[--bandwidth MIB] [--churn S] [--hostalloc N] [--driver-alloc N] "
                           "[--fork] [--hip]\n"); return 2; }
  }
  *(void **)&rt.reg = sym(hip, "HostRegister", 1);
  *(void **)&rt.unreg = sym(hip, "HostUnregister", 1);
  *(void **)&rt.malloc_dev = sym(hip, "Malloc", 0);
  *(void **)&rt.memcpy = sym(hip, "Memcpy", 0);
  *(void **)&rt.sync = sym(hip, "DeviceSynchronize", 0);
  *(void **)&rt.free_dev = sym(hip, "Free", 0);
  *(void **)&stats_json = dlsym(RTLD_DEFAULT, "gpuscatter_stats_json");
  if (rt.malloc_dev) { /* the runtime is in use before loading, as in an application */
    void *d = NULL;
    if (rt.malloc_dev(&d, 1 << 20) == 0)
      rt.free_dev(d);
    /* Frameworks check for errors after runtime calls (PyTorch after every
     * launch); gpuscatter takes that as the sign that the runtime is live. */
    int (*last)(void) = (int (*)(void))sym(hip, "GetLastError", 0);
    if (last)
      last();
  }
  int bad = 0;
  if (host_n || forkc) {
    int (*alloc)(void **, size_t, unsigned) = (int (*)(void **, size_t, unsigned))sym(hip, hip ? "HostMalloc" : "HostAlloc", 1);
    int (*release)(void *) = (int (*)(void *))sym(hip, hip ? "HostFree" : "FreeHost", 1);
    if (forkc)
      return fork_check(alloc, release);
    return hostalloc(hip ? "hipHostMalloc" : "cudaHostAlloc", host_n, fixed ? fixed : 4096,
                     fixed ? fixed : 128u << 20, alloc, NULL, release);
  }
  if (drv_n) {
    dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    int (*alloc)(void **, size_t) = (int (*)(void **, size_t))dlsym(RTLD_DEFAULT, "cuMemAllocHost_v2");
    int (*release)(void *) = (int (*)(void *))dlsym(RTLD_DEFAULT, "cuMemFreeHost");
    if (!alloc || !release) {
      fprintf(stderr, "scatter: --driver-alloc needs the CUDA driver (libcuda.so.1)\n");
      return 2;
    }
    return hostalloc("cuMemAllocHost", drv_n, 64 << 10, 4u << 20, NULL, alloc, release);
  }
  if (bw)
    return bandwidth(bw);
  if (churn_s > 0)
    return churn(churn_s);
  if (n)
    bad += scatter(n, fixed, cycles);
  if (gib > 0)
    bad += model(gib);
  return bad ? 1 : 0;
}
