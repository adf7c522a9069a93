/* Registration semantics, one line per case: what the runtime answers.
 * Runs against whatever provides the cuda and hip calls: the real runtime,
 * the same under gpuscatter, or gpuscatter's simulated runtime; the tables
 * must be identical.  usage: conformance cuda|hip */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct attr { int type; int device; void *devicePointer; void *hostPointer; long reserved[8]; };

#define ROW(...) (printf(__VA_ARGS__), putchar('\n'))

static struct {
  int (*reg)(void *, size_t, unsigned);
  int (*unreg)(void *);
  int (*devptr)(void **, void *, unsigned);
  int (*getflags)(unsigned *, void *);
  int (*attrs)(struct attr *, const void *);
  int (*last)(void);
  int (*peek)(void);
  /* CUDA's stream capture, where the runtime provides it */
  int (*stream_create)(void **);
  int (*begin_capture)(void *, int);
  int (*end_capture)(void *, void **);
  /* Pinned allocations: the runtime's, and for CUDA the driver API's */
  int (*host_alloc)(void **, size_t, unsigned);
  int (*malloc_host)(void **, size_t);
  int (*free_host)(void *);
  int (*cu_alloc_host)(void **, size_t);
  int (*cu_host_alloc)(void **, size_t, unsigned);
  int (*cu_free_host)(void *);
  int (*cu_get_flags)(unsigned *, void *);
  int (*cu_devptr)(unsigned long long *, void *, unsigned);
  int (*set_device)(int);
  int (*device_count)(int *);
  int (*malloc_dev)(void **, size_t);
  int (*memcpy)(void *, const void *, size_t, int);
  int (*free_dev)(void *);
} rt;

/* Load the runtime first, as a program linked to it has it; then take
 * the first definition in the global scope (gpuscatter's, when preloaded). */
static void *sym(const char *const *libs, const char *name)
{
  for (int i = 0; libs[i]; i++)
    if (dlopen(libs[i], RTLD_NOW | RTLD_GLOBAL))
      break;
  void *s = dlsym(RTLD_DEFAULT, name);
  if (!s) {
    fprintf(stderr, "conformance: %s not found\n", name);
    exit(2);
  }
  return s;
}

static void bind(int hip)
{
  static const char *const cuda_libs[] = { "libcudart.so.13", "libcudart.so.12", NULL };
  static const char *const hip_libs[] = { "libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5", NULL };
  const char *const *l = hip ? hip_libs : cuda_libs;
  const char *p = hip ? "hip" : "cuda";
  char n[64];
#define GET(field, suffix) snprintf(n, sizeof n, "%s%s", p, suffix), *(void **)&rt.field = sym(l, n)
  GET(reg, "HostRegister");
  GET(unreg, "HostUnregister");
  GET(devptr, "HostGetDevicePointer");
  GET(getflags, "HostGetFlags");
  GET(attrs, "PointerGetAttributes");
  GET(last, "GetLastError");
  GET(peek, "PeekAtLastError");
  GET(set_device, "SetDevice");
  if (hip) {
    GET(host_alloc, "HostMalloc");
    GET(malloc_host, "MallocHost");
    GET(free_host, "HostFree");
  } else {
    GET(host_alloc, "HostAlloc");
    GET(malloc_host, "MallocHost");
    GET(free_host, "FreeHost");
    /* The driver API: the real libcuda when there is one, else (the
     * simulated runtime) gpuscatter's. */
    static const char *const cu[] = { "libcuda.so.1", NULL };
    *(void **)&rt.cu_alloc_host = sym(cu, "cuMemAllocHost_v2");
    *(void **)&rt.cu_host_alloc = sym(cu, "cuMemHostAlloc");
    *(void **)&rt.cu_free_host = sym(cu, "cuMemFreeHost");
    *(void **)&rt.cu_get_flags = sym(cu, "cuMemHostGetFlags");
    *(void **)&rt.cu_devptr = sym(cu, "cuMemHostGetDevicePointer_v2");
  }
  /* Optional: what the simulated runtime does not have. */
  snprintf(n, sizeof n, "%sGetDeviceCount", p), *(void **)&rt.device_count = dlsym(RTLD_DEFAULT, n);
  snprintf(n, sizeof n, "%sMalloc", p), *(void **)&rt.malloc_dev = dlsym(RTLD_DEFAULT, n);
  snprintf(n, sizeof n, "%sMemcpy", p), *(void **)&rt.memcpy = dlsym(RTLD_DEFAULT, n);
  snprintf(n, sizeof n, "%sFree", p), *(void **)&rt.free_dev = dlsym(RTLD_DEFAULT, n);
  if (!hip) {
    *(void **)&rt.stream_create = dlsym(RTLD_DEFAULT, "cudaStreamCreate");
    *(void **)&rt.begin_capture = dlsym(RTLD_DEFAULT, "cudaStreamBeginCapture");
    *(void **)&rt.end_capture = dlsym(RTLD_DEFAULT, "cudaStreamEndCapture");
  }
}

/* Registration inside a stream capture: the runtime refuses (900) and the
 * capture is invalidated (901 at its end), except in relaxed mode. */
static void capture_rows(char *p)
{
  if (!rt.stream_create || !rt.begin_capture || !rt.end_capture) {
    ROW("stream capture: not available");
    return;
  }
  static const char *const mode[] = { "global", "thread-local", "relaxed" };
  void *s = NULL, *graph = NULL;
  if (rt.stream_create(&s) != 0) { /* no device: the simulated runtime, or none */
    rt.last();
    ROW("stream capture: not available");
    return;
  }
  for (int m = 0; m < 3; m++) {
    int b = rt.begin_capture(s, m);
    int r = rt.reg(p, 4096, 0);
    int u = r == 0 ? rt.unreg(p) : -1;
    int e = rt.end_capture(s, &graph);
    ROW("register during %s capture: %d (unregister %d), begin %d, end %d", mode[m], r, u, b, e);
    rt.last();
  }
  int b = rt.begin_capture(s, 0);
  int r1 = rt.reg(NULL, 0, 0);
  int e = rt.end_capture(s, &graph);
  ROW("register(NULL, 0) during global capture: %d, end %d", r1, e);
  rt.last();
  rt.reg(p, 8192, 0);
  b = rt.begin_capture(s, 0);
  int r2 = rt.reg(p, 1, 0);
  e = rt.end_capture(s, &graph);
  ROW("register of 1 registered byte during global capture: %d, begin %d, end %d", r2, b, e);
  rt.last();
  ROW("unregister after capture: %d", rt.unreg(p));
  rt.last();
}

#define MB ((size_t)1 << 20)
static int hip;

/* Pinned allocations (cudaHostAlloc and friends), measured on CUDA 13. */
static void pinned_rows(char *heap)
{
  void *p = NULL, *q = NULL;
  unsigned fl = 0;
  struct attr at;
  int r = rt.host_alloc(&p, MB, 0);
  int f1 = rt.getflags(&fl, p);
  unsigned v1 = fl;
  int f2 = rt.getflags(&fl, (char *)p + 100);
  ROW("pinned alloc 1 MiB flags 0: %d, page aligned %d, zeroed %d; flags %d %#x, interior %d %#x", r,
      r == 0 && ((uintptr_t)p & 4095) == 0, r == 0 && ((char *)p)[MB - 1] == 0, f1, v1, f2, fl);
  for (unsigned f = 1; f < 8; f++) {
    q = NULL;
    int a = rt.host_alloc(&q, 4096, f);
    int g = a == 0 ? rt.getflags(&fl, q) : -1;
    int fr = a == 0 ? rt.free_host(q) : -1;
    ROW("pinned alloc flags %u: %d; flags %d %#x; free %d", f, a, g, a == 0 ? fl : 0, fr);
  }
  static const unsigned bad[] = { 8, 16, 0x80000000u };
  for (int i = 0; i < (hip ? 0 : 3); i++) {
    q = NULL;
    int a = rt.host_alloc(&q, 4096, bad[i]);
    ROW("pinned alloc flags %#x: %d", bad[i], a);
    if (a == 0)
      rt.free_host(q);
  }
  rt.last();
  q = (void *)1;
  int z = rt.host_alloc(&q, 0, 0);
  ROW("pinned alloc size 0: %d, pointer %s", z, q == NULL ? "NULL" : "set");
  q = (void *)1;
  z = rt.malloc_host(&q, 0);
  ROW("malloc host size 0: %d, pointer %s", z, q == NULL ? "NULL" : "set");
  ROW("pinned alloc NULL out-pointer: %d", rt.host_alloc(NULL, 4096, 0));
  rt.last();
  if (!hip) {
    int big = rt.host_alloc(&q, (size_t)1 << 50, 0);
    int le = rt.last();
    ROW("pinned alloc 2^50 bytes: %d; last error %d", big, le);
  }
  memset(&at, 0x55, sizeof at);
  int ra = rt.attrs(&at, (char *)p + 100);
  ROW("attributes of pinned interior: %d, type %d, device %d, devicePointer==p %d, hostPointer==p %d",
      ra, at.type, at.device, at.devicePointer == (char *)p + 100, at.hostPointer == (char *)p + 100);
  void *d = NULL;
  int rd = rt.devptr(&d, p, 0);
  ROW("device pointer of pinned memory: %d, == p %d", rd, d == p);
  if (!hip) {
    int rg = rt.reg(p, 4096, 0), ur = rt.unreg(p), le = rt.last();
    ROW("register pinned memory: %d; unregister it: %d; last error %d", rg, ur, le);
  }
  int fi = rt.free_host((char *)p + 100), le = rt.last();
  ROW("free pinned interior: %d; last error %d", fi, le);
  ROW("free pinned: %d", rt.free_host(p));
  ROW("free pinned twice: %d", rt.free_host(p));
  rt.last();
  ROW("free pinned of a heap pointer: %d", rt.free_host(heap));
  rt.last();
  ROW("free pinned NULL: %d", rt.free_host(NULL));
  if (hip || !rt.cu_alloc_host)
    return;
  /* The driver API, once the runtime has made its context current. */
  void *c = NULL;
  int ca = rt.cu_alloc_host(&c, MB);
  unsigned long long dp = 0;
  int cf = ca == 0 ? rt.cu_get_flags(&fl, c) : -1;
  unsigned cv = fl;
  int cd = ca == 0 ? rt.cu_devptr(&dp, c, 0) : -1;
  ROW("cuMemAllocHost 1 MiB: %d; cuMemHostGetFlags %d %#x; device pointer %d, == p %d", ca, cf,
      cv, cd, (void *)(uintptr_t)dp == c);
  int fc = rt.free_host(c), fa = rt.cu_free_host(c);
  ROW("cudaFreeHost of cuMemAllocHost memory: %d; cuMemFreeHost again: %d", fc, fa);
  rt.last();
  void *w = NULL;
  int h0 = rt.cu_host_alloc(&w, 65536, 0);
  int h0f = h0 == 0 ? rt.cu_free_host(w) : -1;
  int h4 = rt.cu_host_alloc(&w, 65536, 4);
  int h4f = h4 == 0 ? rt.cu_free_host(w) : -1;
  ROW("cuMemHostAlloc flags 0: %d, free %d; WriteCombined: %d, free %d", h0, h0f, h4, h4f);
  int fn = rt.cu_free_host(NULL), fh = rt.cu_free_host(heap);
  ROW("cuMemFreeHost NULL: %d; of a heap pointer: %d", fn, fh);
  rt.last();
}

static char *buf(void);

/* Copy n bytes of p to device dev and back: whether they came back equal
 * (-1: the copy failed). */
static int round_trip(int dev, const char *p, size_t n)
{
  void *d = NULL;
  char *back = malloc(n);
  rt.set_device(dev);
  int ok = -1;
  if (back && rt.malloc_dev(&d, n) == 0) {
    if (rt.memcpy(d, p, n, 1) == 0 && rt.memcpy(back, d, n, 2) == 0)
      ok = memcmp(back, p, n) == 0;
    rt.free_dev(d);
  }
  free(back);
  rt.last();
  return ok;
}

/* Several GPUs: the device a registration reports is the one current when
 * the application registered, whatever device binding started on; a
 * Portable registration copies to every device. */
static void device_rows(void)
{
  int n = 0;
  if (!rt.device_count || !rt.malloc_dev || !rt.memcpy || !rt.free_dev ||
      rt.device_count(&n) != 0 || n < 2) {
    rt.last();
    ROW("two devices: not available");
    return;
  }
  char *b = buf();
  rt.set_device(1);
  int r = rt.reg(b, MB, 1 /* Portable */);
  struct attr at;
  memset(&at, 0x55, sizeof at);
  int ra = rt.attrs(&at, b + 100);
  ROW("register on device 1 after binding started on 0: %d; attributes %d, device %d, host==p %d",
      r, ra, at.device, at.hostPointer == b + 100);
  ROW("Portable registration copied to device 1: %d, device 0: %d", round_trip(1, b, MB),
      round_trip(0, b, MB));
  rt.set_device(0);
  memset(&at, 0x55, sizeof at);
  ra = rt.attrs(&at, b + 100);
  ROW("attributes with device 0 current: %d, device %d", ra, at.device);
  ROW("unregister from device 0: %d", rt.unreg(b));
  rt.last();
  void *p = NULL;
  rt.set_device(1);
  int h = rt.host_alloc(&p, MB, 0);
  memset(&at, 0x55, sizeof at);
  ra = h == 0 ? rt.attrs(&at, p) : -1;
  ROW("pinned alloc on device 1: %d; attributes %d, device %d", h, ra, at.device);
  if (h == 0)
    rt.free_host(p);
  rt.set_device(0);
  rt.last();
  free(b);
}

/* A fresh GPU-sized buffer for each case: under gpuscatter it lies in the
 * window, like a model weight. */
static char *buf(void)
{
  void *p = NULL;
  if (posix_memalign(&p, 64, 4 * MB) != 0)
    exit(2);
  memset(p, 1, 4 * MB);
  return p;
}


int main(int argc, char **argv)
{
  hip = argc > 1 && strcmp(argv[1], "hip") == 0;
  bind(hip);
  rt.set_device(0); /* the runtime's context, current on this thread (the driver API needs it) */
  rt.last(); /* start from a clean last-error state */
  char *a = buf(), *b = buf();

  ROW("register NULL: %d", rt.reg(NULL, 4096, 0));
  ROW("register size 0: %d", rt.reg(a, 0, 0));
  static const unsigned good[] = { 0, 1, 2, 3, 8 };
  for (int i = 0; i < 5; i++) {
    int r = rt.reg(a + 8192, MB, good[i]);
    ROW("register flags %#x: %d, unregister: %d", good[i], r, rt.unreg(a + 8192));
  }
  static const unsigned bad[] = { 4, 0x10, 0x80000000u };
  for (int i = 0; i < 3; i++) {
    int r = rt.reg(a + 8192, MB, bad[i]);
    int u = r == 0 ? rt.unreg(a + 8192) : -1;
    ROW("register flags %#x: %d (unregister: %d)", bad[i], r, u);
  }

  ROW("register: %d", rt.reg(a + MB, MB, 1));
  ROW("same range again: %d", rt.reg(a + MB, MB, 1));
  ROW("interior sub-range: %d", rt.reg(a + MB + 4096, 4096, 1));
  ROW("partial overlap: %d", rt.reg(a + MB + MB / 2, MB, 1));
  ROW("superset: %d", rt.reg(a + MB - 4096, MB + 8192, 1));
  ROW("last error after failures: %d", rt.peek());
  ROW("register elsewhere: %d", rt.reg(a + 3 * MB, 4096, 0));
  ROW("last error not cleared by a success: %d", rt.last());
  ROW("last error after reading it: %d", rt.last());

  void *d0 = NULL, *d1 = NULL;
  int r0 = rt.devptr(&d0, a + MB, 0), r1 = rt.devptr(&d1, a + MB + 1000, 0);
  ROW("device pointer of base: %d; interior: %d, base + offset: %d", r0, r1,
      r0 == 0 && r1 == 0 && (char *)d1 == (char *)d0 + 1000);
  ROW("device pointer with flags 1: %d", rt.devptr(&d1, a + MB, 1));
  ROW("device pointer of unregistered memory: %d", rt.devptr(&d1, b, 0));
  rt.last();

  unsigned fl = 0;
  int rf = rt.getflags(&fl, a + MB + 77);
  ROW("flags of interior pointer: %d, %#x", rf, fl);
  ROW("flags of unregistered memory: %d", rt.getflags(&fl, b));
  rt.last();

  struct attr at;
  memset(&at, 0x55, sizeof at);
  int ra = rt.attrs(&at, a + MB + 4096);
  ROW("attributes of registered interior: %d, type %d, device %d, devicePointer==p %d, "
      "hostPointer==p %d", ra, at.type, at.device, at.devicePointer == a + MB + 4096,
      at.hostPointer == a + MB + 4096);
  memset(&at, 0x55, sizeof at);
  ra = rt.attrs(&at, b + 12345);
  ROW("attributes of unregistered memory: %d, type %d, device %d, devicePointer NULL %d, "
      "hostPointer %s", ra, at.type, at.device, at.devicePointer == NULL,
      at.hostPointer == NULL ? "NULL" : at.hostPointer == b + 12345 ? "p" : "other");
  rt.last();

  ROW("two ranges in one page: %d, %d", rt.reg(b + 100, 100, 0), rt.reg(b + 300, 100, 0));
  ROW("unregister both: %d, %d", rt.unreg(b + 100), rt.unreg(b + 300));
  ROW("unregister interior pointer: %d", rt.unreg(a + MB + 4096));
  ROW("unregister outside any registration: %d", rt.unreg(b + 4096));
  ROW("unregister: %d", rt.unreg(a + MB));
  ROW("unregister twice: %d", rt.unreg(a + MB));
  ROW("last error: %d", rt.last());
  rt.unreg(a + 3 * MB);
  if (hip) { /* HIP accepted the overlapping ones: take them back */
    rt.unreg(a + MB + 4096);
    rt.unreg(a + MB + MB / 2);
    rt.unreg(a + MB - 4096);
    rt.unreg(a + MB);
  }
  /* Two pages of which the second is unmapped. */
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m + pg, pg);
  m[0] = 1;
  ROW("range running past the mapping: %d", rt.reg(m, 2 * pg, 0));
  rt.last();
  munmap(m, pg);
  capture_rows(b);
  pinned_rows(b);
  device_rows();
  free(a);
  free(b);
  return 0;
}
