/* The bind thread: binds ahead, unbinds what is idle, and gives decayed
 * pages back, woken by work and by a tick while timed work is pending. */
#ifndef GPUSCATTER_THREAD_H
#define GPUSCATTER_THREAD_H

#include "../config/fork.h"

#include <stdbool.h>

/* Start it (mode: enum cfg_bind). False when it cannot be (warned). */
bool thread_start(int mode);
bool thread_running(void);

/* Wake it: there is work. */
void thread_kick(void);

/* Stop it and wait for it to end (at exit). */
void thread_stop(void);

/* The child has no bind thread. */
void thread_fork(enum fork_phase ph);

#endif
