/* The backend's calls on chosen runs: each made with no lock of ours held,
 * out of reach of thread cancellation, counted, timed and put on the time
 * line. */
#ifndef GPUSCATTER_CALLS_H
#define GPUSCATTER_CALLS_H

#include "backend.h"
#include "engine.h"
#include "../arena/chunks.h"

#include <stdbool.h>

/* The backend that is live from now on (copied). */
void calls_start(const struct backend *be);
struct backend *calls_backend(void);

/* Seconds on the monotonic clock. */
double calls_now(void);

/* Fault in a chosen run and register it: waited_for, the application is
 * waiting (or soon will), so faulting in takes every helper it can. */
void calls_bind(const struct chunk_run *r, bool waited_for, bool ahead);

/* Register a chosen run whose pages are present; more: another run of
 * this batch follows. */
void calls_register(const struct chunk_run *r, bool more, bool ahead);

/* Binding waited for pages to be faulted in since t0. */
void calls_waited(double t0);

/* Unregister a unit taken for unbinding; true when the backend gave it
 * back. */
bool calls_unregister(const struct chunk_run *r);

/* The counters, into the engine's statistics. */
void calls_stats(struct bind_stats *s);

/* The child owns no registrations and has made no calls. */
void calls_fork(enum fork_phase ph);

#endif
