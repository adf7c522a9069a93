/* What the driver charges for registering small buffers, by where they
 * lie. 2000 buffers of 256 B-64 KiB (the sizes of tests/gpu/torch_sites.py
 * --from-256), filled, then each registered (flag 1, as ComfyUI does) and
 * unregistered; one JSON line with the registration phase and the number
 * of mappings (/proc/self/maps lines) before and after it.
 *   reg_layout [malloc|packed|pages|gaps]
 * malloc: posix_memalign(64), from whatever allocator is loaded (glibc, or
 * jemalloc or gpuscatter when preloaded); packed: back to back at 64-byte
 * alignment in one mapping, as glibc's heap lays them out; pages: each
 * from a page boundary, back to back; gaps: each from a page boundary with
 * an untouched page between. Why: a first run's registrations, which
 * gpuscatter passes through, were slower on jemalloc's layout than on
 * glibc's (docs/DESIGN.md, "Call sites"). Needs a CUDA runtime and device
 * (or gpuscatter's sim backend, to try it). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { N = 2000 };

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int mappings(void)
{
  FILE *f = fopen("/proc/self/maps", "r");
  int n = 0, c;
  while (f && (c = fgetc(f)) != EOF)
    n += c == '\n';
  if (f)
    fclose(f);
  return n;
}

int main(int argc, char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "malloc";
  if (strcmp(mode, "malloc") && strcmp(mode, "packed") && strcmp(mode, "pages") && strcmp(mode, "gaps")) {
    fprintf(stderr, "usage: reg_layout [malloc|packed|pages|gaps]\n");
    return 2;
  }
  void *h = dlopen("libcudart.so.13", RTLD_NOW | RTLD_GLOBAL);
  if (!h)
    h = dlopen("libcudart.so.12", RTLD_NOW | RTLD_GLOBAL);
  /* gpuscatter's definitions first when it is preloaded. */
  int (*reg)(void *, size_t, unsigned) = (int (*)(void *, size_t, unsigned))dlsym(RTLD_DEFAULT, "cudaHostRegister");
  int (*unreg)(void *) = (int (*)(void *))dlsym(RTLD_DEFAULT, "cudaHostUnregister");
  int (*dmalloc)(void **, size_t) = (int (*)(void **, size_t))dlsym(RTLD_DEFAULT, "cudaMalloc");
  void *d = NULL;
  /* The runtime in use first, as in an application (the simulated
   * runtime has no cudaMalloc and needs none). */
  if (!reg || !unreg || (dmalloc && dmalloc(&d, 1 << 20) != 0)) {
    fprintf(stderr, "reg_layout: needs a CUDA runtime and a device, or gpuscatter's sim backend\n");
    return 2;
  }
  static char *p[N];
  static size_t s[N];
  srand(1);
  size_t total = 0;
  for (int i = 0; i < N; i++)
    total += s[i] = (size_t)(64 + rand() % (16384 - 64)) * 4;
  char *base = NULL;
  if (strcmp(mode, "malloc")) {
    base = mmap(NULL, total + (size_t)N * 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
      return 2;
  }
  size_t off = 0;
  for (int i = 0; i < N; i++) {
    if (base == NULL) {
      if (posix_memalign((void **)&p[i], 64, s[i]) != 0)
        return 2;
    } else {
      off = !strcmp(mode, "packed") ? (off + 63) & ~(size_t)63
                                    : ((off + 4095) & ~(size_t)4095) + (!strcmp(mode, "gaps") ? 4096 : 0);
      p[i] = base + off;
      off += s[i];
    }
    memset(p[i], i & 0x7f, s[i]);
  }
  int m0 = mappings(), failed = 0;
  double t0 = now();
  for (int i = 0; i < N; i++)
    failed += reg(p[i], s[i], 1) != 0;
  double t_reg = now() - t0;
  int m1 = mappings();
  t0 = now();
  for (int i = 0; i < N; i++)
    failed += unreg(p[i]) != 0;
  double t_unreg = now() - t0;
  printf("{\"phase\": \"reg-layout\", \"layout\": \"%s\", \"buffers\": %d, \"bytes\": %zu, "
         "\"register_ms\": %.2f, \"unregister_ms\": %.2f, \"mappings_before\": %d, "
         "\"mappings_registered\": %d, \"mappings_after\": %d, \"failures\": %d}\n",
         mode, N, total, t_reg * 1e3, t_unreg * 1e3, m0, m1, mappings(), failed);
  return failed ? 1 : 0;
}
