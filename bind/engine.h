/* The batch bind engine: queues committed chunks, coalesces address-
 * adjacent ones into one backend call (up to GPUSCATTER_BIND_MAX), binds
 * them lazily or on a background thread, and unbinds on request. */
#ifndef GPUSCATTER_ENGINE_H
#define GPUSCATTER_ENGINE_H

#include "../arena/chunks.h"
#include "../config/fork.h"
#include "../runtime/flavor.h"

#include <stdbool.h>

/* The application made a runtime call of this flavor: pick and start the
 * backend on first call. Cheap on later calls. */
void bind_runtime_seen(enum flavor f);

/* Whether chunks of this flavor's application are bound by a backend. */
bool bind_live(enum flavor f);

/* The device the chunks are registered on (the application's), 0 before
 * one is known. */
int bind_device(void);

/* Make sure the unit holding addr is bound (binding what is pending if
 * need be). Returns the chunk's state, or -1 if addr is in no chunk. */
int bind_ensure(uintptr_t addr, struct chunk *out);

/* Bind everything pending now. */
void bind_flush(void);

/* Unbind every bound unit in which in_use finds no application
 * registration. Returns the bytes unbound. */
size_t bind_trim(bool (*in_use)(uintptr_t base, size_t size));

struct bind_stats { const char *backend; uint64_t reg, unreg, failed; double seconds; };
void bind_stats(struct bind_stats *s);

/* At load: a backend that needs no runtime (sim) is live from the start. */
void bind_start_at_load(void);

/* The engine's and the backends' fork handling. */
void bind_fork(enum fork_phase ph);

#endif
