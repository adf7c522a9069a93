/* Units the application registered in and no longer does are unbound a
 * second after their last registration ended, units bound ahead and never
 * registered in a minute after they were bound (a forecast that did not
 * come true; the pinned region's after five seconds), units emptied by
 * frees at once; their free pages then
 * decay back to the system (arena/pages.c). */
#include "idle.h"
#include "calls.h"
#include "engine.h"
#include "../arena/chunks.h"
#include "../arena/gpu_arena.h"
#include "../config/config.h"

enum { IDLE_MS = 1000, UNCLAIMED_MS = 60000, PINNED_AHEAD_MS = 5000 };

static struct { uint64_t auto_unbound; /* atomic */ } id;

size_t idle_unbind(unsigned mask, unsigned claimed_ms, unsigned unclaimed_ms, size_t want)
{
  size_t done = 0;
  uintptr_t cursor = 0;
  struct chunk_run r;
  while ((want == 0 || done < want) &&
         chunks_take_idle(&cursor, mask, claimed_ms, unclaimed_ms, &r))
    if (calls_unregister(&r))
      done += r.size;
  return done;
}

void idle_tick(int mode)
{
  size_t n;
  if (mode == CFG_BIND_EAGER) {
    n = idle_unbind(ENGINE_ALL, NEVER, NEVER, 0);
  } else {
    n = idle_unbind(ENGINE_ALL, IDLE_MS, NEVER, 0);
    n += idle_unbind(ENGINE_SIZE | ENGINE_SITE, NEVER, UNCLAIMED_MS, 0);
    n += idle_unbind(ENGINE_BIT(REG_PINNED), NEVER, PINNED_AHEAD_MS, 0);
  }
  if (n)
    __atomic_add_fetch(&id.auto_unbound, n, __ATOMIC_RELAXED);
}

bool idle_reclaim(size_t want)
{
  return idle_unbind(ENGINE_ALL & ~ENGINE_BIT(REG_PINNED), 0, 0, want) > 0;
}

uint64_t idle_auto_unbound(void) { return __atomic_load_n(&id.auto_unbound, __ATOMIC_RELAXED); }

size_t bind_trim(void)
{
  if (!engine_live())
    return 0;
  size_t n = idle_unbind(ENGINE_ALL, 0, 0, 0);
  arena_purge();
  return n;
}

void idle_fork(enum fork_phase ph)
{
  if (ph == FORK_CHILD)
    id.auto_unbound = 0;
}
