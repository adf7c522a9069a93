/* A table of registered host ranges with a runtime's overlap rules: the
 * application's view of what it registered, and the simulated runtime's
 * record of what the driver holds. */
#ifndef GPUSCATTER_REGTABLE_H
#define GPUSCATTER_REGTABLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error numbers shared by cudaError_t and hipError_t for these cases. */
enum { REG_OK = 0, REG_INVALID = 1, REG_ALREADY = 712, REG_NOT_REGISTERED = 713 };

enum flavor { FLAVOR_CUDA, FLAVOR_HIP };

struct reg { uintptr_t base; size_t size; unsigned flags; };

struct regtable {
  pthread_mutex_t lock;
  struct reg *v;      /* entries v[off .. off + n), sorted by base;
                         overlapping only for HIP */
  size_t off, n, cap;
  size_t max_size;    /* bounds the backward scan of a containment search */
  bool overlap_ok;    /* HIP accepts overlapping registrations */
};

#define REGTABLE_INIT(hip) { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, 0, hip }

/* REG_OK or REG_ALREADY (CUDA: any byte in common with a registration). */
int regtable_add(struct regtable *t, uintptr_t base, size_t size, unsigned flags);

/* Remove the registration that starts at p: REG_OK; REG_INVALID when p is
 * inside one but not its start; REG_NOT_REGISTERED otherwise. */
int regtable_remove(struct regtable *t, uintptr_t p, struct reg *removed);

/* The registration holding p (the innermost, latest for HIP overlaps). */
bool regtable_find(struct regtable *t, uintptr_t p, struct reg *out);

/* Whether any registration has a byte in [base, base + size). */
bool regtable_overlaps(struct regtable *t, uintptr_t base, size_t size);

void regtable_clear(struct regtable *t);

#endif
