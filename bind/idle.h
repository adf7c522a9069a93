/* Giving back what the application no longer uses: units unbound, their
 * free pages purged (docs/DESIGN.md, "Binding"). */
#ifndef GPUSCATTER_IDLE_H
#define GPUSCATTER_IDLE_H

#include "../config/fork.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Unbind the units of the regions in mask that qualify (chunks_take_idle),
 * at most want bytes (0: no limit). Returns the bytes unbound. */
size_t idle_unbind(unsigned mask, unsigned claimed_ms, unsigned unclaimed_ms, size_t want);

/* The bind thread's share, every tick: units left idle, by their age;
 * with GPUSCATTER_BIND=eager (mode), which keeps what is placed bound,
 * only units emptied by frees. */
void idle_tick(int mode);

/* The budget is full: unbind units no registration holds, on this
 * thread. True when something was. */
bool idle_reclaim(size_t want);

/* Bytes unbound by idle_tick so far. */
uint64_t idle_auto_unbound(void);

void idle_fork(enum fork_phase ph);

#endif
