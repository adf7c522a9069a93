/* What binding did over time, for the statistics: a point at each backend
 * call (bind_timeline() in engine.h reads it). */
#ifndef GPUSCATTER_TIMELINE_H
#define GPUSCATTER_TIMELINE_H

#include "../config/fork.h"

#include <stdint.h>

/* A backend call was made; calls: the backend's calls so far. */
void timeline_note(uint64_t calls);

void timeline_fork(enum fork_phase ph);

#endif
