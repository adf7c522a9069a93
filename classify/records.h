/* Which site allocated a pointer: a bounded, lossy, lock-free record
 * written by candidate allocations and read by registrations and by frees
 * of placed memory. A record is trusted only for the exact allocation it
 * was written for (pointer and size), so an address freed and reused by an
 * allocation we did not see teaches nothing. */
#ifndef GPUSCATTER_RECORDS_H
#define GPUSCATTER_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At load (learning). */
bool records_init(void);

/* p (n bytes) came from site h (key: the site's key then). */
void records_put(const void *p, size_t n, unsigned h, uint64_t key);

/* The site of the allocation p of n bytes (n 0: any size), marking it
 * registered when mark; *tag is records_tag() of the site's key when the
 * record was written (the handle may stand for another site since). 0 when
 * there is no trustworthy record. */
unsigned records_get(const void *p, size_t n, bool mark, uint32_t *tag, bool *was_registered);

uint32_t records_tag(uint64_t key);

#endif
