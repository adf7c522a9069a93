/* Binding ahead of registrations, on the bind thread, where there is
 * evidence (docs/DESIGN.md, "Binding"). */
#ifndef GPUSCATTER_AHEAD_H
#define GPUSCATTER_AHEAD_H

#include "../config/fork.h"

#include <stdbool.h>
#include <stddef.h>

/* The backend is live: mode (enum cfg_bind) and a bind thread decide what
 * is bound ahead; runs are at most bind_max bytes; forecast: a run with
 * these arguments registered what the call sites place, so it is bound
 * ahead from the start. */
void ahead_start(int mode, size_t bind_max, bool thread, bool forecast);

/* The bind thread's share: grow the pinned region if asked, then bind
 * what the regions bound ahead hold. */
void ahead_work(void);

/* Bind the pending chunks of the regions in mask now (how: AHEAD_NEWEST,
 * a region's open newest chunk too; AHEAD_DENSE, only what is mostly
 * resident). */
void ahead_bind(unsigned mask, unsigned how);

/* Whether some region is bound ahead, and whether memory placed by size
 * is (for the statistics). */
bool ahead_any(void);
bool ahead_size(void);

void ahead_fork(enum fork_phase ph);

#endif
