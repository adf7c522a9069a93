/* Return addresses of the current call, outside gpuscatter, for the deep
 * call-site keys of sites whose return address is shared (a generic
 * wrapper such as PyMem_RawMalloc). Through libgcc's unwinder, which finds
 * unwind tables with _dl_find_object (lock-free) where glibc has it. */
#ifndef GPUSCATTER_UNWIND_H
#define GPUSCATTER_UNWIND_H

#include <stdbool.h>
#include <stdint.h>

enum { UNWIND_MAX = 16 };

/* Whether deep keys can be taken without the loader's lock. */
bool unwind_available(void);

/* Up to depth (at most UNWIND_MAX) return addresses, the first outside
 * gpuscatter first; 0 when none can be taken (not available, or this
 * thread is already unwinding). */
int unwind_capture(uintptr_t *pc, int depth);

#endif
