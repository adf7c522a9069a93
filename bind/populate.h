/* Faulting a unit's pages in before it is registered. */
#ifndef GPUSCATTER_POPULATE_H
#define GPUSCATTER_POPULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make every page of [base, base + size) present and writable, on several
 * threads when the range is large (more when the application waits for
 * it: waited_for), keeping its contents. Advisory where
 * MADV_POPULATE_WRITE does it: a kernel without it leaves it to the
 * registration. The range must be mapped read-write. */
void populate(uintptr_t base, size_t size, bool waited_for);

#endif
