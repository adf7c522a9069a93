/* Test-only fault injection (GPUSCATTER_FAULT): make chosen operations
 * fail, to prove that every failure falls back and warns once. */
#ifndef GPUSCATTER_FAULT_H
#define GPUSCATTER_FAULT_H

#include <stdbool.h>

enum fault_point { FAULT_RESERVE, FAULT_COMMIT, FAULT_MAP, FAULT_BIND, FAULT_UNBIND,
                   FAULT_THREAD, FAULT_STATS, FAULT_N };

/* Counts one attempt at p; true when this attempt must fail. */
bool fault_hit(enum fault_point p);

#endif
