/* Deep keys. _Unwind_Backtrace walks the stack by its unwind tables; each
 * frame costs a table lookup, so it is taken only for shared sites (a few
 * microseconds per allocation from them). */
#include "unwind.h"
#include "modules.h"

#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <unwind.h>

extern int _dl_find_object(void *, struct dl_find_object *) __attribute__((weak));

static struct { uintptr_t self_lo, self_hi; } uw;
static __thread int inside;

struct walk { uintptr_t *pc; int depth, n, skip; };

static _Unwind_Reason_Code frame(struct _Unwind_Context *ctx, void *arg)
{
  struct walk *w = arg;
  uintptr_t ip = (uintptr_t)_Unwind_GetIP(ctx);
  if (ip == 0)
    return _URC_END_OF_STACK;
  if (w->n == 0 && ip >= uw.self_lo && ip < uw.self_hi)
    return _URC_NO_REASON; /* ours: malloc, routing, this function */
  w->pc[w->n++] = ip;
  return w->n == w->depth ? _URC_END_OF_STACK : _URC_NO_REASON;
}

bool unwind_available(void)
{
  if (_dl_find_object == NULL)
    return false;
  if (uw.self_hi == 0) {
    struct dl_find_object o;
    if (_dl_find_object((void *)(uintptr_t)&unwind_available, &o) != 0)
      return false;
    uw.self_lo = (uintptr_t)o.dlfo_map_start;
    uw.self_hi = (uintptr_t)o.dlfo_map_end;
  }
  return true;
}

int unwind_capture(uintptr_t *pc, int depth)
{
  if (inside || !unwind_available())
    return 0;
  if (depth > UNWIND_MAX)
    depth = UNWIND_MAX;
  inside = 1;
  struct walk w = { pc, depth, 0, 0 };
  _Unwind_Backtrace(frame, &w);
  inside = 0;
  return w.n;
}
