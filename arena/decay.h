/* Free pages go back on a clock even when the program is idle. The bind
 * thread ticks the page regions while it runs; a process without one (no
 * runtime call yet, or binding that could not start a thread) gets a
 * short-lived thread at a free that leaves pages waiting for their decay:
 * it gives them back every tick and ends once none are left. */
#ifndef GPUSCATTER_DECAY_H
#define GPUSCATTER_DECAY_H

#include "../config/fork.h"

#include <stdbool.h>

/* A free left pages waiting for their decay in a region that had none (no
 * lock of ours held). */
void decay_note(void);

/* From now on the bind thread ticks the regions, woken by kick when pages
 * start to wait; NULL: no longer. */
void decay_handed_over(void (*kick)(void));

void decay_fork(enum fork_phase ph);

#endif
