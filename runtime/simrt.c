/* The simulated runtime. It keeps what "the driver" has registered and
 * allocated pinned, per family (CUDA's runtime and driver API share), with
 * each flavor's rules (runtime/flavor.c), and sleeps for what a call would
 * cost: GPUSCATTER_SIM_CALL_US per call plus GPUSCATTER_SIM_GIB_MS per GiB
 * registered (GPUSCATTER_SIM_HUGE_GIB_MS where the range is huge-page
 * backed), and GPUSCATTER_SIM_ALLOC_GIB_MS per GiB allocated pinned:
 * figures measured on an H200 in a KVM guest. */
#include "simrt.h"
#include "regtable.h"
#include "../arena/window.h"
#include "../config/config.h"
#include "../config/os.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static struct {
  struct regtable driver[FAMILY_N];  /* registrations */
  struct regtable pinned[FAMILY_N];  /* pinned allocations */
} sim = { .driver = { REGTABLE_INIT, REGTABLE_INIT }, .pinned = { REGTABLE_INIT, REGTABLE_INIT } };
static __thread int last_error[FLAVOR_N];

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

static void charge(uintptr_t base, size_t bytes, bool alloc)
{
  const struct cfg *c = cfg_get();
  if (c == NULL)
    return;
  bool huge = window_huge((void *)base);
  unsigned per_gib = alloc ? c->sim_alloc_gib_ms : huge ? c->sim_huge_gib_ms : c->sim_gib_ms;
  wait_us((double)c->sim_call_us + (double)bytes / (double)(1ull << 30) * per_gib * 1000.0);
}

static int fail(enum flavor f, int rc)
{
  if (rc != 0)
    last_error[f] = rc;
  return rc;
}

static struct regtable *driver(enum flavor f) { return &sim.driver[flavor(f)->family]; }
static struct regtable *pinned(enum flavor f) { return &sim.pinned[flavor(f)->family]; }

static int reg(enum flavor f, void *p, size_t size, unsigned flags)
{
  const struct flavor_desc *fd = flavor(f);
  if (p == NULL || size == 0 || (flags & ~fd->reg_flags))
    return fail(f, fd->err.invalid);
  if (!os_mapped((uintptr_t)p, size) || regtable_overlaps(pinned(f), (uintptr_t)p, size))
    return fail(f, fd->err.invalid); /* pinned memory cannot be registered */
  /* The driver pins every page of the range: faulted in, resident. */
  uintptr_t first = (uintptr_t)p & ~(uintptr_t)4095;
  os_populate((void *)first, (((uintptr_t)p + size + 4095) & ~(uintptr_t)4095) - first);
  charge((uintptr_t)p, size, false);
  struct reg r = { (uintptr_t)p, size, flags, 0 };
  int rc = regtable_add(driver(f), &r, fd->overlap_ok);
  return fail(f, rc == REG_ALREADY ? fd->err.already : rc == REG_OK ? 0 : fd->err.invalid);
}

static int unreg(enum flavor f, void *p)
{
  const struct flavor_desc *fd = flavor(f);
  if (regtable_find(pinned(f), (uintptr_t)p, NULL))
    return fail(f, fd->err.invalid);
  charge((uintptr_t)p, 0, false);
  int rc = regtable_remove(driver(f), (uintptr_t)p, NULL);
  return fail(f, rc == REG_OK ? 0 : rc == REG_NOT_REGISTERED ? fd->err.not_registered
                                                             : fd->err.invalid);
}

/* Registered or pinned: what the runtime knows of p. */
static bool known(enum flavor f, const void *p, struct reg *r, bool *alloc)
{
  if (regtable_find(pinned(f), (uintptr_t)p, r)) {
    *alloc = true;
    return true;
  }
  *alloc = false;
  return regtable_find(driver(f), (uintptr_t)p, r);
}

static int devptr(enum flavor f, void **d, void *p, unsigned flags)
{
  struct reg r;
  bool alloc;
  if (d == NULL || flags != 0 || !known(f, p, &r, &alloc))
    return fail(f, flavor(f)->err.invalid);
  *d = p; /* unified addressing: the device sees the host address */
  return 0;
}

static int getflags(enum flavor f, unsigned *out, void *p)
{
  const struct flavor_desc *fd = flavor(f);
  struct reg r;
  bool alloc;
  if (out == NULL || !known(f, p, &r, &alloc))
    return fail(f, fd->err.invalid);
  *out = flavor_flags_answer(f, r.flags, alloc);
  return 0;
}

static int attrs(enum flavor f, void *attr, const void *p)
{
  const struct flavor_attr_abi *abi = &flavor(f)->abi_new;
  struct rt_ptr_attr *a = attr;
  struct reg r;
  bool alloc;
  if (a == NULL)
    return fail(f, flavor(f)->err.invalid);
  if (known(f, p, &r, &alloc))
    *a = (struct rt_ptr_attr){ abi->host, 0, (void *)p, (void *)p };
  else
    *a = (struct rt_ptr_attr){ abi->unregistered, -2, NULL, (void *)p };
  return 0;
}

/* Pinned allocation, as the runtime's own: fresh zeroed pages, page
 * aligned, at the measured cost. */
static int host_alloc(enum flavor f, void **pp, size_t n, unsigned flags)
{
  const struct flavor_desc *fd = flavor(f);
  if (pp == NULL || (flags & ~fd->alloc_flags))
    return fail(f, fd->err.invalid);
  if (n == 0) {
    *pp = NULL;
    return 0;
  }
  if (n > ((size_t)1 << 46))
    return fail(f, fd->err.no_memory);
  void *p = os_map_app(n);
  if (p == NULL)
    return fail(f, fd->err.no_memory);
  charge((uintptr_t)p, n, true);
  struct reg r = { (uintptr_t)p, n, flags, 0 };
  regtable_add(pinned(f), &r, true);
  *pp = p;
  return 0;
}

static int host_free(enum flavor f, void *p)
{
  const struct flavor_desc *fd = flavor(f);
  if (p == NULL)
    return 0;
  struct reg r;
  if (regtable_remove(pinned(f), (uintptr_t)p, &r) != REG_OK)
    return fail(f, fd->err.invalid);
  charge((uintptr_t)p, 0, false);
  os_unmap(p, r.size);
  return 0;
}

static int get_last(enum flavor f) { int e = last_error[f]; last_error[f] = 0; return e; }
static int get_device(int *d) { if (d) *d = 0; return 0; }
static int set_device(int d) { (void)d; return 0; }
static int device_count(int *n) { if (n) *n = 1; return 0; }
static int current_context(void **c) { if (c) *c = (void *)&sim; return 0; }

/* A current release of each: CUDA 13.0, HIP 6.x (the current ABI). */
static int sim_version(enum flavor f, int *v)
{
  if (v)
    *v = flavors[f].new_abi_major ? flavors[f].new_abi_major * flavors[f].version_div : 13000;
  return 0;
}

#define FLAVORED(name, f)                                                       \
  static int name##_reg(void *p, size_t s, unsigned fl) { return reg(f, p, s, fl); } \
  static int name##_unreg(void *p) { return unreg(f, p); }                          \
  static int name##_devptr(void **d, void *p, unsigned fl) { return devptr(f, d, p, fl); } \
  static int name##_getflags(unsigned *o, void *p) { return getflags(f, o, p); }     \
  static int name##_attrs(void *a, const void *p) { return attrs(f, a, p); }         \
  static int name##_last(void) { return get_last(f); }                              \
  static int name##_peek(void) { return last_error[f]; }                             \
  static int name##_version(int *v) { return sim_version(f, v); }                   \
  static int name##_alloc(void **p, size_t n, unsigned fl) { return host_alloc(f, p, n, fl); } \
  static int name##_free(void *p) { return host_free(f, p); }                        \
  static void name##_set(int e) { fail(f, e); }
#define OPS(name)                                                                         \
  { .reg = name##_reg, .unreg = name##_unreg, .devptr = name##_devptr,                    \
    .getflags = name##_getflags, .attrs = name##_attrs, .last_error = name##_last,        \
    .peek_error = name##_peek, .get_device = get_device, .set_device = set_device,        \
    .version = name##_version, .device_count = device_count, .host_alloc = name##_alloc,  \
    .host_free = name##_free, .current_context = current_context, .set_error = name##_set }

FLAVORED(cuda, FLAVOR_CUDA)
FLAVORED(hip, FLAVOR_HIP)
FLAVORED(cu, FLAVOR_CU)

static const struct rt_ops ops[FLAVOR_N] = {
  [FLAVOR_CUDA] = OPS(cuda), [FLAVOR_HIP] = OPS(hip), [FLAVOR_CU] = OPS(cu)
};

const struct rt_ops *simrt_ops(enum flavor f) { return &ops[f]; }

void simrt_fork(enum fork_phase ph)
{
  for (int g = 0; g < FAMILY_N; g++) {
    fork_mutex(&sim.driver[g].lock, ph);
    fork_mutex(&sim.pinned[g].lock, ph);
    if (ph == FORK_CHILD)
      regtable_clear(&sim.driver[g]);
  }
}
