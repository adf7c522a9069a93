/* The simulated runtime. It keeps what "the driver" has registered, per
 * flavor, with that flavor's rules (design brief, runtime semantics), and
 * sleeps for what a call would cost: GPUSCATTER_SIM_CALL_US per call plus
 * GPUSCATTER_SIM_GIB_MS per GiB (GPUSCATTER_SIM_HUGE_GIB_MS where the range
 * is huge-page backed), figures measured on an H200 in a KVM guest. */
#include "sim.h"
#include "backend.h"
#include "../arena/window.h"
#include "../config/config.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

static struct regtable driver[2] = { REGTABLE_INIT(false), REGTABLE_INIT(true) };
static struct regtable chunks_bound = REGTABLE_INIT(false);
static __thread int last_error[2];

static double now_us(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Sleep most of the time, spin the rest: nanosleep alone overshoots a
 * 80 us wait by about as much again, which would double the model. */
static void wait_us(double us)
{
  double end = now_us() + us;
  if (us > 300) {
    double s = us - 150;
    struct timespec t = { (time_t)(s / 1e6), (long)((s - (double)(time_t)(s / 1e6) * 1e6) * 1e3) };
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
      ;
  }
  while (now_us() < end)
    ;
}

static void charge(uintptr_t base, size_t bytes)
{
  const struct cfg *c = cfg_get();
  if (c == NULL)
    return;
  bool huge = c->hugepages && window_contains((void *)base);
  unsigned per_gib = huge ? c->sim_huge_gib_ms : c->sim_gib_ms;
  wait_us((double)c->sim_call_us + (double)bytes / (double)(1ull << 30) * per_gib * 1000.0);
}

static int fail(enum flavor f, int rc)
{
  if (rc != 0)
    last_error[f] = rc;
  return rc;
}

/* The whole range is mapped (mincore fails with ENOMEM on a hole). */
static bool mapped(uintptr_t p, size_t n)
{
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t a = p & ~(pg - 1);
  size_t len = ((p + n + pg - 1) & ~(pg - 1)) - a;
  static __thread unsigned char vec[4096];
  for (size_t off = 0; off < len; off += sizeof vec * pg) {
    size_t l = len - off < sizeof vec * pg ? len - off : sizeof vec * pg;
    if (mincore((void *)(a + off), l, vec) != 0 && errno == ENOMEM)
      return false;
  }
  return true;
}

static int reg(enum flavor f, void *p, size_t size, unsigned flags)
{
  unsigned valid = f == FLAVOR_CUDA ? 0xBu : 0x8000000Fu;
  if (p == NULL || size == 0 || (flags & ~valid))
    return fail(f, REG_INVALID);
  if (!mapped((uintptr_t)p, size))
    return fail(f, REG_INVALID);
  charge((uintptr_t)p, size);
  return fail(f, regtable_add(&driver[f], (uintptr_t)p, size, flags));
}

static int unreg(enum flavor f, void *p)
{
  charge((uintptr_t)p, 0);
  return fail(f, regtable_remove(&driver[f], (uintptr_t)p, NULL));
}

static int devptr(enum flavor f, void **d, void *p, unsigned flags)
{
  if (d == NULL || flags != 0 || !regtable_find(&driver[f], (uintptr_t)p, NULL))
    return fail(f, REG_INVALID);
  *d = p; /* unified addressing: the device sees the host address */
  return 0;
}

static int getflags(enum flavor f, unsigned *out, void *p)
{
  struct reg r;
  if (out == NULL || !regtable_find(&driver[f], (uintptr_t)p, &r))
    return fail(f, REG_INVALID);
  *out = f == FLAVOR_CUDA ? (r.flags & 1u) | 2u : r.flags;
  return 0;
}

static int attrs(enum flavor f, void *attr, const void *p)
{
  struct rt_ptr_attr *a = attr;
  if (a == NULL)
    return fail(f, REG_INVALID);
  if (regtable_find(&driver[f], (uintptr_t)p, NULL))
    *a = (struct rt_ptr_attr){ 1, 0, (void *)p, (void *)p };
  else
    *a = (struct rt_ptr_attr){ 0, -2, NULL, (void *)p };
  return 0;
}

static int get_last(enum flavor f) { int e = last_error[f]; last_error[f] = 0; return e; }

#define FLAVORED(name, f)                                                       \
  static int name##_reg(void *p, size_t s, unsigned fl) { return reg(f, p, s, fl); } \
  static int name##_unreg(void *p) { return unreg(f, p); }                          \
  static int name##_devptr(void **d, void *p, unsigned fl) { return devptr(f, d, p, fl); } \
  static int name##_getflags(unsigned *o, void *p) { return getflags(f, o, p); }     \
  static int name##_attrs(void *a, const void *p) { return attrs(f, a, p); }         \
  static int name##_last(void) { return get_last(f); }                              \
  static int name##_peek(void) { return last_error[f]; }                             \
  static void name##_set(int e) { fail(f, e); }

FLAVORED(cuda, FLAVOR_CUDA)
FLAVORED(hip, FLAVOR_HIP)

static const struct rt_ops ops[2] = {
  { cuda_reg, cuda_unreg, cuda_devptr, cuda_getflags, cuda_attrs, cuda_last, cuda_peek, cuda_set },
  { hip_reg, hip_unreg, hip_devptr, hip_getflags, hip_attrs, hip_last, hip_peek, hip_set },
};

const struct rt_ops *sim_ops(enum flavor f) { return &ops[f]; }

/* --- the sim backend: chunk registrations with the same cost model ---- */

static int sim_init(void) { return 0; }
static void sim_attach(void) {}

static int sim_bind(uintptr_t base, size_t size, bool more, uintptr_t *dev)
{
  (void)more;
  charge(base, size);
  int rc = regtable_add(&chunks_bound, base, size, 3);
  *dev = base;
  return rc;
}

static int sim_unbind(uintptr_t base, size_t size)
{
  (void)size;
  charge(base, 0);
  return regtable_remove(&chunks_bound, base, NULL);
}

struct backend backend_sim = { .name = "sim", .init = sim_init, .attach = sim_attach,
                               .reg = sim_bind, .unreg = sim_unbind, .device = 0 };
