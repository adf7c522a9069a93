/* The batch bind engine: binds units when there is evidence that the
 * application registers memory in them, unbinds units it no longer
 * registers in, and gives their free pages back (docs/DESIGN.md,
 * "Binding"). Backend calls are made on the bind thread or on the
 * application thread that needs a unit now, never with a lock of ours
 * held. Its files, by job: engine.c starts the backend and answers the
 * application's threads; calls.c makes the backend calls; ahead.c binds
 * ahead; idle.c unbinds; thread.c runs the bind thread; timeline.c keeps
 * the time line. */
#ifndef GPUSCATTER_ENGINE_H
#define GPUSCATTER_ENGINE_H

#include "../arena/chunks.h"
#include "../config/fork.h"
#include "../runtime/flavor.h"

#include <stdbool.h>

/* Region masks: a bit per region. */
#define ENGINE_BIT(r) (1u << (r))
#define ENGINE_SIZE (ENGINE_BIT(REG_SIZE) | ENGINE_BIT(REG_ZERO) | ENGINE_BIT(REG_SIZE_SMALL))
#define ENGINE_SITE (ENGINE_BIT(REG_SITE) | ENGINE_BIT(REG_SITE_SMALL))
#define ENGINE_ALL ((1u << REG_N) - 1)

/* Whether a backend is live (for the engine's own files). */
bool engine_live(void);

/* The application made a runtime call of this flavor: pick and start the
 * backend on first call. Cheap on later calls. */
void bind_runtime_seen(enum flavor f);

/* Whether a backend binds units for this flavor's calls. */
bool bind_live(enum flavor f);

/* The device the backend registers on, 0 before one is known. */
int bind_device(void);

/* The unit holding [a, a + n), bound if need be (now, on this thread) and
 * held for one registration when BOUND (chunks_release gives it back).
 * Binding it faults in at most slack bytes beyond the range that were not
 * resident (BIND_ANY: whatever it takes, for the pinned region's fresh
 * units); its neighbours join while the slack lasts. Returns its state, or
 * -1 when the range is in no chunk or spans units. COMMITTED back means
 * it was not bound (the slack, the budget, a registration passed through
 * over it): the caller passes through. */
#define BIND_ANY ((size_t)-1)
int bind_acquire(uintptr_t a, size_t n, size_t slack, struct chunk_info *out);

/* What a registration may fault in beyond its own range: one chunk
 * (GPUSCATTER_CHUNK_SIZE). Registering N bytes natively pins N; here at
 * most N and a chunk. */
size_t bind_slack(void);

/* A registration was answered in a unit of region r (evidence for
 * binding the region ahead). */
void bind_evidence(enum region r, size_t bytes);

/* A new chunk was started (from the allocation path, outside jemalloc):
 * wakes the bind thread when its region is bound ahead. */
void bind_chunk_added(void);

/* A free left a bound unit mostly empty: wake the bind thread to unbind
 * it and give its pages back. */
void bind_unit_emptied(void);

/* Grow the pinned region by size bytes ahead of need, bound on the bind
 * thread (none: nothing happens). bind_grown_pinned(): where it last grew,
 * 0 before. */
void bind_grow_pinned(size_t size);
uintptr_t bind_grown_pinned(void);

/* Bind everything not yet bound now, in every region. */
void bind_flush(void);

/* Unbind every unit the application holds no registration in, and give
 * its free pages back. Returns the bytes unbound. */
size_t bind_trim(void);

struct bind_stats {
  const char *backend, *why;   /* the backend live, or "none" and why */
  int device;
  uint64_t reg, unreg, failed, sync_binds, ahead_binds, auto_unbinds;
  double seconds, populate_wait;
  bool size_ahead;
};
void bind_stats(struct bind_stats *s);

/* The time line: at each backend call, milliseconds since the first, bytes
 * bound, backend calls and the application's registrations so far (at
 * most BIND_TIMELINE_N points, evenly thinned). Returns how many. */
enum { BIND_TIMELINE_N = 128 };
struct bind_point { double ms; uint64_t bound, calls, app_registrations; };
unsigned bind_timeline(struct bind_point *out, unsigned max);

/* At load: a backend that needs no runtime (sim) is live from the start
 * (true when it started). */
bool bind_start_at_load(void);

/* The engine's and the backends' fork handling. */
void bind_fork(enum fork_phase ph);

#endif
