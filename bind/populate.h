/* Faulting a unit's pages in before it is registered. */
#ifndef GPUSCATTER_POPULATE_H
#define GPUSCATTER_POPULATE_H

#include <stddef.h>
#include <stdint.h>

/* Make every page of [base, base + size) present and writable, on a few
 * threads when the range is large. Advisory: a kernel without
 * MADV_POPULATE_WRITE leaves it to the registration. */
void populate(uintptr_t base, size_t size);

#endif
