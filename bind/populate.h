/* Faulting a unit's pages in before it is registered. */
#ifndef GPUSCATTER_POPULATE_H
#define GPUSCATTER_POPULATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make every page of [base, base + size) present and writable, on several
 * threads when the range is large (more when the application waits for
 * it: waited_for), keeping its contents. Advisory where
 * MADV_POPULATE_WRITE does it: a kernel without it leaves it to the
 * registration. The range must be mapped read-write. */
void populate(uintptr_t base, size_t size, bool waited_for);

/* The same in the background, every slice on a helper: the caller
 * registers the previous range while these pages are faulted in. A job
 * begun must be ended (its helpers joined) before the caller returns to
 * the application or waits for anything. */
enum { POPULATE_THREADS_MAX = 16 };
struct populate_slice { uintptr_t base; size_t size; bool touch; };
struct populate_job {
  pthread_t t[POPULATE_THREADS_MAX];
  struct populate_slice s[POPULATE_THREADS_MAX];
  unsigned n, started, first;
};
void populate_begin(struct populate_job *j, uintptr_t base, size_t size, bool waited_for);
void populate_end(struct populate_job *j);

#endif
