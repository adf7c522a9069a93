/* A table of registered host ranges with a runtime's overlap rules: the
 * application's view of what it registered, and the simulated runtime's
 * record of what the driver holds. */
#ifndef GPUSCATTER_REGTABLE_H
#define GPUSCATTER_REGTABLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Outcomes; each flavor has its own number for them (flavor.h). */
enum { REG_OK = 0, REG_INVALID, REG_ALREADY, REG_NOT_REGISTERED };

struct reg { uintptr_t base; size_t size; unsigned flags; int device; };

struct regtable {
  pthread_mutex_t lock;
  struct reg *v;      /* entries v[off .. off + n), sorted by base;
                         overlapping where the flavor allows */
  size_t off, n, cap;
  size_t max_size;    /* bounds the backward scan of a containment search */
};

#define REGTABLE_INIT { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, 0 }

/* REG_OK, or REG_ALREADY when a registration shares a byte with the range
 * and overlap_ok (the flavor's rule) is false. */
int regtable_add(struct regtable *t, const struct reg *r, bool overlap_ok);

/* Remove the registration that starts at p: REG_OK; REG_INVALID when p is
 * inside one but not its start; REG_NOT_REGISTERED otherwise. */
int regtable_remove(struct regtable *t, uintptr_t p, struct reg *removed);

/* The registration holding p (the innermost, latest for HIP overlaps). */
bool regtable_find(struct regtable *t, uintptr_t p, struct reg *out);

/* Whether any registration has a byte in [base, base + size). */
bool regtable_overlaps(struct regtable *t, uintptr_t base, size_t size);

void regtable_clear(struct regtable *t);

/* Give the table's memory back (tests). */
void regtable_destroy(struct regtable *t);

#endif
