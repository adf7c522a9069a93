/* Registration calls. For a range inside one unit the engine binds (now,
 * if need be) the answer comes from the app-view table: no driver round
 * trip. The unit holds one reference per registration answered in it, so
 * it cannot be unbound under the application (arena/chunks.h). A failing
 * answer is replayed through the real runtime (a call that fails the same
 * way) so that cudaGetLastError/hipGetLastError read what they would have
 * without gpuscatter. */
#include "register.h"
#include "hostalloc.h"
#include "route.h"
#include "../arena/window.h"
#include "../bind/engine.h"
#include "../classify/classify.h"
#include "../config/config.h"
#include "../config/counters.h"
#include "../runtime/regtable.h"
#include "../runtime/runtime.h"

/* What the application registered inside the window, per flavor; and the
 * window ranges passed through to the runtime (spanning two units, in a
 * unit the backend refused or the budget would not bind), whose later
 * calls pass through too. */
static struct {
  struct regtable app[FAMILY_N], passed[FAMILY_N];
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

/* Answer rc, setting the runtime's last error as its own call would. */
static int fail(enum flavor f, int rc, uintptr_t unit_base)
{
  const struct rt_ops *o = rt_ops(f);
  int e = errnum(f, rc);
  if (o->set_error) {
    o->set_error(e);
  } else if (rc == REG_INVALID && o->reg) {
    o->reg(NULL, 0, 0);
  } else if (rc == REG_ALREADY && o->reg && unit_base) {
    o->reg((void *)unit_base, 1, 0); /* overlaps our unit's registration */
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
static int capture_check(enum flavor f, uintptr_t unit_base)
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
    fail(f, prev_rc, unit_base);
  return 0;
}

static int no_runtime(enum flavor f) { return flavor(f)->err.no_device; }

/* The application called its runtime: the engine starts, and learning
 * starts recording (the slow path then starts lower). */
void app_runtime_call(enum flavor f)
{
  bind_runtime_seen(f);
  if (__builtin_expect(classify_runtime_seen(), 0))
    if (cfg_get() != NULL)
      route_classify_ready(cfg_get());
}

int app_fail_invalid(enum flavor f) { return fail(f, REG_INVALID, 0); }

/* The driver API needs a current context: without one, the driver answers. */
bool app_has_context(enum flavor f)
{
  const struct rt_ops *o = rt_ops(f);
  void *ctx = NULL;
  return o->current_context == NULL || (o->current_context(&ctx) == 0 && ctx != NULL);
}

/* The device the calling thread uses (what the runtime would record). */
int app_current_device(enum flavor f)
{
  const struct rt_ops *o = rt_ops(f);
  int d = 0;
  if (o->get_device == NULL || o->get_device(&d) != 0)
    d = bind_device();
  return d;
}

static int pass_register(enum flavor f, void *p, size_t size, unsigned flags)
{
  const struct rt_ops *o = rt_ops(f);
  int rc = o->reg ? o->reg(p, size, flags) : no_runtime(f);
  if (rc == 0 && p && window_contains(p) && size) {
    struct reg r = { (uintptr_t)p, size, flags, 0 };
    regtable_add(&rg.passed[flavor(f)->family], &r, true);
    chunks_foreign((uintptr_t)p, size, +1);
  }
  return rc;
}

int app_register(enum flavor f, void *p, size_t size, unsigned flags)
{
  ctr_add(CTR_APP_CALLS, 1);
  app_runtime_call(f);
  const struct flavor_desc *fd = flavor(f);
  if (p == NULL || !window_contains(p) || !bind_live(f) || !app_has_context(f) ||
      (size > 1 && !window_contains((const char *)p + size - 1))) {
    ctr_add(CTR_MISSES, 1);
    classify_miss(p, size); /* the site that allocated it may learn */
    return pass_register(f, p, size, flags);
  }
  if (size == 0 || (flags & ~fd->reg_flags))
    return fail(f, REG_INVALID, 0);
  /* The runtime's own pinned memory cannot be registered (measured: 1). */
  if (pinned_find(f, p, NULL))
    return fail(f, REG_INVALID, 0);
  /* Over a range passed through to the runtime: the runtime answers (it
   * holds that registration, with its overlap rules). */
  if (regtable_overlaps(&rg.passed[flavor(f)->family], (uintptr_t)p, size)) {
    ctr_add(CTR_MISSES, 1);
    classify_miss(p, size);
    return pass_register(f, p, size, flags);
  }
  struct chunk_info c;
  if (bind_acquire((uintptr_t)p, size, bind_slack(), &c) != CHUNK_BOUND) {
    ctr_add(CTR_MISSES, 1);
    classify_miss(p, size);
    return pass_register(f, p, size, flags);
  }
  int rc = capture_check(f, c.unit_base);
  if (rc == 0) {
    struct reg r = { (uintptr_t)p, size, flags, app_current_device(f) };
    rc = regtable_add(&rg.app[flavor(f)->family], &r, fd->overlap_ok);
    if (rc != REG_OK)
      rc = fail(f, rc, c.unit_base);
  }
  if (rc != 0) {
    chunks_release((uintptr_t)p);
    return rc;
  }
  ctr_add(CTR_HITS, 1);
  classify_hit(p, size);
  bind_evidence(c.region, size);
  return 0;
}

int app_unregister(enum flavor f, void *p)
{
  ctr_add(CTR_APP_UNREGISTERS, 1);
  app_runtime_call(f);
  const struct rt_ops *o = rt_ops(f);
  struct reg r;
  if (p == NULL || !window_contains(p) || !bind_live(f) || !app_has_context(f))
    return o->unreg ? o->unreg(p) : no_runtime(f);
  if (pinned_find(f, p, NULL))
    return fail(f, REG_INVALID, 0); /* pinned memory is not a registration */
  if (regtable_remove(&rg.passed[flavor(f)->family], (uintptr_t)p, &r) == REG_OK) {
    chunks_foreign(r.base, r.size, -1);
    return o->unreg ? o->unreg(p) : no_runtime(f);
  }
  /* Inside a range passed through, or in a unit that is not bound (the
   * backend refused it, or it never needed binding): we answered nothing
   * there, the runtime answers. */
  struct chunk_info c;
  if (regtable_find(&rg.passed[flavor(f)->family], (uintptr_t)p, NULL) ||
      chunks_lookup((uintptr_t)p, &c) != CHUNK_BOUND)
    return o->unreg ? o->unreg(p) : no_runtime(f);
  int rc = capture_check(f, c.unit_base);
  if (rc != 0)
    return rc;
  rc = regtable_remove(&rg.app[flavor(f)->family], (uintptr_t)p, NULL);
  if (rc == REG_OK) {
    chunks_release((uintptr_t)p);
    return 0;
  }
  /* HIP's own runtime aborts the process on an interior pointer; we answer
   * hipErrorInvalidValue instead. */
  return fail(f, rc, c.unit_base);
}

/* For queries: the app's registration holding p, or pass through. Window
 * memory the application never registered is "not registered", whatever
 * its unit's state: we answer that ourselves. */
enum { Q_PASS, Q_FOUND, Q_PINNED, Q_UNREGISTERED };
static int query(enum flavor f, const void *p, struct reg *r, struct chunk_info *c)
{
  app_runtime_call(f);
  if (p == NULL || !window_contains(p) || !bind_live(f) || !app_has_context(f) ||
      regtable_find(&rg.passed[flavor(f)->family], (uintptr_t)p, NULL))
    return Q_PASS;
  if (pinned_find(f, p, r)) /* a served block holds its unit: it is BOUND */
    return chunks_lookup((uintptr_t)p, c) == CHUNK_BOUND ? Q_PINNED : Q_PASS;
  if (!regtable_find(&rg.app[flavor(f)->family], (uintptr_t)p, r))
    return Q_UNREGISTERED;
  /* A registration holds its unit: it is BOUND. */
  return chunks_lookup((uintptr_t)p, c) == CHUNK_BOUND ? Q_FOUND : Q_PASS;
}

int app_device_pointer(enum flavor f, void **d, void *p, unsigned flags)
{
  struct reg r;
  struct chunk_info c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->devptr ? o->devptr(d, p, flags) : no_runtime(f);
  }
  if (q == Q_UNREGISTERED || flags != 0 || d == NULL)
    return fail(f, REG_INVALID, 0);
  *d = (void *)(c.dev + ((uintptr_t)p - c.unit_base));
  return 0;
}

int app_get_flags(enum flavor f, unsigned *out, void *p)
{
  struct reg r;
  struct chunk_info c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->getflags ? o->getflags(out, p) : no_runtime(f);
  }
  if (q == Q_UNREGISTERED || out == NULL)
    return fail(f, REG_INVALID, 0);
  *out = flavor_flags_answer(f, r.flags, q == Q_PINNED);
  return 0;
}

int app_pointer_attributes(enum flavor f, void *attr, const void *p)
{
  struct reg r;
  struct chunk_info c;
  int q = query(f, p, &r, &c);
  if (q == Q_PASS) {
    const struct rt_ops *o = rt_ops(f);
    return o->attrs ? o->attrs(attr, p) : no_runtime(f);
  }
  struct rt_ptr_attr *a = attr;
  if (a == NULL)
    return fail(f, REG_INVALID, 0);
  /* The answer for the runtime that is loaded: hipPointerAttribute_t
   * changed meaning under the same layout (flavor.h). */
  const struct flavor_attr_abi *abi = rt_attr_abi(f);
  if (q == Q_FOUND || q == Q_PINNED) {
    a->type = abi->host;
    a->device = r.device; /* the device current when the application registered */
    a->devicePointer = (void *)(c.dev + ((uintptr_t)p - c.unit_base));
    a->hostPointer = (void *)p;
    return 0;
  }
  if (abi->unregistered_fails)
    return fail(f, REG_INVALID, 0);
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
  app_runtime_call(f);
  const struct rt_ops *o = rt_ops(f);
  int (*e)(void) = clear ? o->last_error : o->peek_error;
  return e ? e() : 0;
}

int app_get_device_count(enum flavor f, int *n)
{
  app_runtime_call(f);
  const struct rt_ops *o = rt_ops(f);
  return o->device_count ? o->device_count(n) : no_runtime(f);
}

int app_get_device(enum flavor f, int *d)
{
  app_runtime_call(f);
  const struct rt_ops *o = rt_ops(f);
  return o->get_device ? o->get_device(d) : no_runtime(f);
}

int app_set_device(enum flavor f, int d)
{
  app_runtime_call(f);
  const struct rt_ops *o = rt_ops(f);
  return o->set_device ? o->set_device(d) : no_runtime(f);
}

void app_fork(enum fork_phase ph)
{
  /* The child owns no registrations: its runtime context did not survive. */
  for (int g = 0; g < FAMILY_N; g++) {
    fork_mutex(&rg.app[g].lock, ph);
    fork_mutex(&rg.passed[g].lock, ph);
    if (ph == FORK_CHILD) {
      regtable_clear(&rg.app[g]);
      regtable_clear(&rg.passed[g]);
    }
  }
}
