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
  free(a);
  free(b);
  return 0;
}
