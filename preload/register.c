/* Registration calls. For a range inside one bound registration unit the
 * answer comes from the app-view table: no driver round trip. A failing
 * answer is replayed through the real runtime (a call that fails the same
 * way) so that cudaGetLastError/hipGetLastError read what they would have
 * without gpuscatter. */
#include "register.h"
#include "classify.h"
#include "counters.h"
#include "runtime.h"
#include "../arena/window.h"
#include "../bind/engine.h"
#include "../config/config.h"

enum { NO_DEVICE = 100 }; /* cudaErrorNoDevice, hipErrorNoDevice */

/* What the application registered inside the window, per flavor; and the
 * window ranges we passed through to the runtime (spanning two units, or
 * in a unit the backend refused), whose later calls must pass through too. */
static struct regtable app[2] = { REGTABLE_INIT(false), REGTABLE_INIT(true) };
static struct regtable passed[2] = { REGTABLE_INIT(false), REGTABLE_INIT(true) };

/* A static object nobody registers: unregistering it fails with 713. */
static char never_registered;

static int fail(enum flavor f, int rc, const struct chunk *c)
{
  const struct rt_ops *o = rt_ops(f);
  if (o->set_error) {
    o->set_error(rc);
  } else if (rc == REG_INVALID && o->reg) {
    o->reg(NULL, 0, 0);
  } else if (rc == REG_ALREADY && o->reg && c) {
    o->reg((void *)c->base, 1, 0); /* overlaps our chunk registration */
  } else if (rc == REG_NOT_REGISTERED && o->unreg) {
    o->unreg(&never_registered);
  }
  return rc;
}

enum { CAPTURE_UNSUPPORTED = 900 }; /* cudaErrorStreamCaptureUnsupported */

/* CUDA refuses registration during a stream capture (in global mode, one
 * in any thread) and invalidates that capture. Only the runtime knows
 * whether one is active, so ask it with a call that fails argument
 * validation (measured on CUDA 13: the capture check comes first). Outside
 * a capture the probe's error is cleared and the earlier one replayed;
 * inside, the runtime answers 900 and invalidates the capture itself,
 * exactly as for the application's own call. */
static int capture_check(enum flavor f, const struct chunk *c)
{
  const struct rt_ops *o = rt_ops(f);
  if (f != FLAVOR_CUDA || o->set_error || !o->reg || !o->peek_error || !o->last_error)
    return 0; /* HIP has no such rule; the simulated runtime no captures */
  int prev = o->peek_error();
  if (prev != 0 && prev != REG_INVALID && prev != REG_ALREADY && prev != REG_NOT_REGISTERED)
    return 0; /* an unread error we could not restore: keep it, skip the probe */
  int rc = o->reg(NULL, 0, 0);
  if (rc == CAPTURE_UNSUPPORTED)
    return rc;
  o->last_error();
  if (prev != 0)
    fail(f, prev, c);
  return 0;
}

/* Whether [p, p + size) is ours to answer: inside the window, inside one
 * registration unit, and that unit bound. */
static bool ours(enum flavor f, const void *p, size_t size, struct chunk *c)
{
  if (p == NULL || !window_contains(p) || !bind_live(f))
    return false;
  if (size > 1 && (!window_contains((const char *)p + size - 1) ||
                   !chunks_same_unit((uintptr_t)p, size)))
    return false;
  return bind_ensure((uintptr_t)p, c) == CHUNK_BOUND;
}

int app_register(enum flavor f, void *p, size_t size, unsigned flags)
{
  ctr_add(CTR_APP_CALLS, 1);
  bind_runtime_seen(f);
  struct chunk c;
  if (!ours(f, p, size, &c)) {
    ctr_add(CTR_MISSES, 1);
    if (!window_contains(p))
      classify_miss(p, size); /* the site that allocated it may learn */
    const struct rt_ops *o = rt_ops(f);
    int rc = o->reg ? o->reg(p, size, flags) : NO_DEVICE;
    if (rc == 0 && p && window_contains(p))
      regtable_add(&passed[f], (uintptr_t)p, size, flags);
    return rc;
  }
  /* CUDA: Portable 1, Mapped 2, ReadOnly 8 (IoMemory 4 is refused on
   * anonymous memory). HIP adds IoMemory, and Uncached 0x80000000. */
  unsigned valid = f == FLAVOR_CUDA ? 0xBu : 0x8000000Fu;
  if (size == 0 || (flags & ~valid))
    return fail(f, REG_INVALID, &c);
  int rc = capture_check(f, &c);
  if (rc != 0)
    return rc;
  rc = regtable_add(&app[f], (uintptr_t)p, size, flags);
  if (rc != 0)
    return fail(f, rc, &c);
  ctr_add(CTR_HITS, 1);
  return 0;
}

int app_unregister(enum flavor f, void *p)
{
  ctr_add(CTR_APP_UNREGISTERS, 1);
  bind_runtime_seen(f);
  const struct rt_ops *o = rt_ops(f);
  if (p == NULL || !window_contains(p) || !bind_live(f) ||
      regtable_remove(&passed[f], (uintptr_t)p, NULL) == REG_OK)
    return o->unreg ? o->unreg(p) : NO_DEVICE;
  /* Outside a bound unit (one the backend refused, or not yet bound) we
   * answered nothing: the runtime answers. */
  struct chunk c;
  if (!chunks_find((uintptr_t)p, &c) || c.state != CHUNK_BOUND)
    return o->unreg ? o->unreg(p) : NO_DEVICE;
  int rc = capture_check(f, &c);
  if (rc != 0)
    return rc;
  rc = regtable_remove(&app[f], (uintptr_t)p, NULL);
  /* HIP's own runtime aborts the process on an interior pointer; we answer
   * hipErrorInvalidValue instead. */
  return rc == REG_OK ? 0 : fail(f, rc, &c);
}

/* For queries: the app's registration holding p, or pass through. */
enum { Q_PASS, Q_FOUND, Q_UNREGISTERED };
static int query(enum flavor f, const void *p, struct reg *r, struct chunk *c)
{
  bind_runtime_seen(f);
  if (p == NULL || !window_contains(p) || !bind_live(f) ||
      regtable_find(&passed[f], (uintptr_t)p, NULL) || !chunks_find((uintptr_t)p, c) ||
      c->state != CHUNK_BOUND)
    return Q_PASS;
  return regtable_find(&app[f], (uintptr_t)p, r) ? Q_FOUND : Q_UNREGISTERED;
}

int app_device_pointer(enum flavor f, void **d, void *p, unsigned flags)
{
  struct reg r;
  struct chunk c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->devptr ? o->devptr(d, p, flags) : NO_DEVICE;
  }
  if (q == Q_UNREGISTERED || flags != 0 || d == NULL)
    return fail(f, REG_INVALID, &c);
  *d = (void *)(c.dev + ((uintptr_t)p - c.base));
  return 0;
}

int app_get_flags(enum flavor f, unsigned *out, void *p)
{
  struct reg r;
  struct chunk c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->getflags ? o->getflags(out, p) : NO_DEVICE;
  }
  if (q == Q_UNREGISTERED || out == NULL)
    return fail(f, REG_INVALID, &c);
  /* CUDA reports Portable as registered, and always Mapped. */
  *out = f == FLAVOR_CUDA ? (r.flags & 1u) | 2u : r.flags;
  return 0;
}

/* hipPointerAttribute_t changed meaning under the same layout: HIP 5 has
 * hipMemoryTypeHost = 0 and fails on unregistered memory; HIP 6 and later
 * have hipMemoryTypeUnregistered = 0, hipMemoryTypeHost = 1. Answer for the
 * runtime that is loaded. */
static int hip_major(void)
{
  static int major;
  const struct cfg *c = cfg_get();
  if (c != NULL && c->backend == CFG_BACKEND_SIM)
    return 6; /* the simulated runtime speaks the current ABI */
  if (major == 0) {
    int (*ver)(int *) = (int (*)(int *))rt_real_sym(FLAVOR_HIP, "hipRuntimeGetVersion");
    int v = 0;
    major = ver && ver(&v) == 0 && v > 0 ? v / 10000000 : 6;
  }
  return major;
}

int app_pointer_attributes(enum flavor f, void *attr, const void *p)
{
  struct reg r;
  struct chunk c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->attrs ? o->attrs(attr, p) : NO_DEVICE;
  }
  struct rt_ptr_attr *a = attr;
  if (a == NULL)
    return fail(f, REG_INVALID, &c);
  bool hip5 = f == FLAVOR_HIP && hip_major() < 6;
  if (q == Q_FOUND) {
    a->type = hip5 ? 0 : 1; /* host */
    a->device = bind_device(); /* whose context registered the chunk */
    a->devicePointer = (void *)(c.dev + ((uintptr_t)p - c.base));
    a->hostPointer = (void *)p;
    return 0;
  }
  if (hip5)
    return fail(f, REG_INVALID, &c);
  a->type = 0; /* unregistered; measured: CUDA 13 still reports hostPointer */
  a->device = -2;
  a->devicePointer = NULL;
  a->hostPointer = (void *)p;
  return 0;
}

int app_last_error(enum flavor f, bool clear)
{
  /* Frameworks call this after every kernel launch: a sure sign that the
   * runtime is live, usually long before the first registration. */
  bind_runtime_seen(f);
  const struct rt_ops *o = rt_ops(f);
  int (*e)(void) = clear ? o->last_error : o->peek_error;
  return e ? e() : 0;
}

static bool overlaps_any(struct regtable *t, uintptr_t base, size_t size)
{
  return regtable_overlaps(&t[0], base, size) || regtable_overlaps(&t[1], base, size);
}

bool app_in_use(uintptr_t base, size_t size)
{
  return overlaps_any(app, base, size) || overlaps_any(passed, base, size);
}

void app_after_fork_child(void)
{
  /* The child owns no registrations: its runtime context did not survive. */
  for (int f = 0; f < 2; f++) {
    pthread_mutex_init(&app[f].lock, NULL);
    pthread_mutex_init(&passed[f].lock, NULL);
    regtable_clear(&app[f]);
    regtable_clear(&passed[f]);
  }
}
