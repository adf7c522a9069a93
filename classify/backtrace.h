/* Return addresses of the current call, outside gpuscatter, through
 * libunwind (loaded only when a classification mode needs it). */
#ifndef GPUSCATTER_BACKTRACE_H
#define GPUSCATTER_BACKTRACE_H

#include <stdbool.h>
#include <stdint.h>

enum { BT_MAX = 16 };

/* At load, outside any allocation: find libunwind and our own code's
 * address range. False when backtraces cannot be taken. */
bool bt_init(void);

/* Up to depth (≤ BT_MAX) return addresses, the first outside gpuscatter
 * first. 0 when none can be taken now: libunwind missing, or this thread
 * is already inside a backtrace (libunwind and the loader may allocate). */
int bt_capture(uintptr_t *pc, int depth);

#endif
