/* Registration calls. For a range inside one bound registration unit the
 * answer comes from the app-view table: no driver round trip. A failing
 * answer is replayed through the real runtime (a call that fails the same
 * way) so that cudaGetLastError/hipGetLastError read what they would have
 * without gpuscatter. */
#include "register.h"
#include "../arena/window.h"
#include "../bind/engine.h"
#include "../classify/classify.h"
#include "../config/config.h"
#include "../config/counters.h"
#include "../runtime/regtable.h"
#include "../runtime/runtime.h"

/* What the application registered inside the window, per flavor; and the
 * window ranges we passed through to the runtime (spanning two units, or
 * in a unit the backend refused), whose later calls must pass through too. */
static struct {
  struct regtable app[FLAVOR_N], passed[FLAVOR_N];
} rg = {
  .app = { REGTABLE_INIT, REGTABLE_INIT },
  .passed = { REGTABLE_INIT, REGTABLE_INIT },
};

/* A static object nobody registers: unregistering it fails with 713. */
static char never_registered;

/* The flavor's number for a regtable outcome. */
static int errnum(enum flavor f, int rc)
{
  const struct flavor_errors *e = &flavor(f)->err;
  return rc == REG_OK ? 0 : rc == REG_ALREADY ? e->already
       : rc == REG_NOT_REGISTERED ? e->not_registered : e->invalid;
}

static int fail(enum flavor f, int rc, const struct chunk *c)
{
  const struct rt_ops *o = rt_ops(f);
  int e = errnum(f, rc);
  if (o->set_error) {
    o->set_error(e);
  } else if (rc == REG_INVALID && o->reg) {
    o->reg(NULL, 0, 0);
  } else if (rc == REG_ALREADY && o->reg && c) {
    o->reg((void *)c->base, 1, 0); /* overlaps our chunk registration */
  } else if (rc == REG_NOT_REGISTERED && o->unreg) {
    o->unreg(&never_registered);
  }
  return e;
}

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
  const struct flavor_errors *e = &flavor(f)->err;
  if (!e->capture || o->set_error || !o->reg || !o->peek_error || !o->last_error)
    return 0; /* no such rule; the simulated runtime has no captures */
  int prev = o->peek_error();
  int prev_rc = prev == e->invalid ? REG_INVALID : prev == e->already ? REG_ALREADY
              : prev == e->not_registered ? REG_NOT_REGISTERED : -1;
  if (prev != 0 && prev_rc < 0)
    return 0; /* an unread error we could not restore: keep it, skip the probe */
  int rc = o->reg(NULL, 0, 0);
  if (rc == e->capture)
    return rc;
  o->last_error();
  if (prev != 0)
    fail(f, prev_rc, c);
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
    int rc = o->reg ? o->reg(p, size, flags) : flavor(f)->err.no_device;
    if (rc == 0 && p && window_contains(p))
      regtable_add(&rg.passed[f], (uintptr_t)p, size, flags, true);
    return rc;
  }
  if (size == 0 || (flags & ~flavor(f)->reg_flags))
    return fail(f, REG_INVALID, &c);
  int rc = capture_check(f, &c);
  if (rc != 0)
    return rc;
  rc = regtable_add(&rg.app[f], (uintptr_t)p, size, flags, flavor(f)->overlap_ok);
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
      regtable_remove(&rg.passed[f], (uintptr_t)p, NULL) == REG_OK)
    return o->unreg ? o->unreg(p) : flavor(f)->err.no_device;
  /* Outside a bound unit (one the backend refused, or not yet bound) we
   * answered nothing: the runtime answers. */
  struct chunk c;
  if (!chunks_find((uintptr_t)p, &c) || c.state != CHUNK_BOUND)
    return o->unreg ? o->unreg(p) : flavor(f)->err.no_device;
  int rc = capture_check(f, &c);
  if (rc != 0)
    return rc;
  rc = regtable_remove(&rg.app[f], (uintptr_t)p, NULL);
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
      regtable_find(&rg.passed[f], (uintptr_t)p, NULL) || !chunks_find((uintptr_t)p, c) ||
      c->state != CHUNK_BOUND)
    return Q_PASS;
  return regtable_find(&rg.app[f], (uintptr_t)p, r) ? Q_FOUND : Q_UNREGISTERED;
}

int app_device_pointer(enum flavor f, void **d, void *p, unsigned flags)
{
  struct reg r;
  struct chunk c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->devptr ? o->devptr(d, p, flags) : flavor(f)->err.no_device;
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
    return o->getflags ? o->getflags(out, p) : flavor(f)->err.no_device;
  }
  if (q == Q_UNREGISTERED || out == NULL)
    return fail(f, REG_INVALID, &c);
  *out = (r.flags & flavor(f)->flags_keep) | flavor(f)->flags_add;
  return 0;
}

int app_pointer_attributes(enum flavor f, void *attr, const void *p)
{
  struct reg r;
  struct chunk c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->attrs ? o->attrs(attr, p) : flavor(f)->err.no_device;
  }
  struct rt_ptr_attr *a = attr;
  if (a == NULL)
    return fail(f, REG_INVALID, &c);
  /* The answer for the runtime that is loaded: hipPointerAttribute_t
   * changed meaning under the same layout (flavor.h). */
  const struct flavor_attr_abi *abi = rt_attr_abi(f);
  if (q == Q_FOUND) {
    a->type = abi->host;
    a->device = bind_device(); /* whose context registered the chunk */
    a->devicePointer = (void *)(c.dev + ((uintptr_t)p - c.base));
    a->hostPointer = (void *)p;
    return 0;
  }
  if (abi->unregistered_fails)
    return fail(f, REG_INVALID, &c);
  a->type = abi->unregistered; /* measured: CUDA 13 still reports hostPointer */
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

bool app_in_use(uintptr_t base, size_t size)
{
  for (int f = 0; f < FLAVOR_N; f++)
    if (regtable_overlaps(&rg.app[f], base, size) || regtable_overlaps(&rg.passed[f], base, size))
      return true;
  return false;
}

void app_fork(enum fork_phase ph)
{
  /* The child owns no registrations: its runtime context did not survive. */
  for (int f = 0; f < FLAVOR_N; f++) {
    fork_mutex(&rg.app[f].lock, ph);
    fork_mutex(&rg.passed[f].lock, ph);
    if (ph == FORK_CHILD) {
      regtable_clear(&rg.app[f]);
      regtable_clear(&rg.passed[f]);
    }
  }
}
