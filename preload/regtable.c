/* Registration table: a sorted array, binary search, one lock. Its memory
 * comes from jemalloc's ordinary arenas directly (never the GPU arena, and
 * never through our own malloc, whose routing could call back in). */
#include "regtable.h"
#include "real.h"

#include <string.h>

/* First index whose base is >= a. */
static size_t lower(const struct regtable *t, uintptr_t a)
{
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t->v[mid].base < a)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Index of a registration holding p, or -1. Caller holds the lock. */
static long find(const struct regtable *t, uintptr_t p)
{
  size_t i = lower(t, p + 1); /* entries with base <= p lie before i */
  while (i-- > 0) {
    const struct reg *r = &t->v[i];
    if (p - r->base < r->size)
      return (long)i;
    if (p - r->base >= t->max_size)
      break; /* nothing further left can reach p */
  }
  return -1;
}

static bool overlaps(const struct regtable *t, uintptr_t base, size_t size)
{
  if (find(t, base) >= 0)
    return true;
  size_t i = lower(t, base);
  return i < t->n && t->v[i].base < base + size;
}

int regtable_add(struct regtable *t, uintptr_t base, size_t size, unsigned flags)
{
  int rc = REG_OK;
  pthread_mutex_lock(&t->lock);
  if (!t->overlap_ok && overlaps(t, base, size)) {
    rc = REG_ALREADY;
  } else {
    if (t->n == t->cap) {
      size_t cap = t->cap ? t->cap * 2 : 256;
      struct reg *v = real.realloc(t->v, cap * sizeof *v);
      if (v == NULL) {
        pthread_mutex_unlock(&t->lock);
        return REG_INVALID; /* out of memory: refuse rather than lose track */
      }
      t->v = v;
      t->cap = cap;
    }
    size_t i = lower(t, base);
    while (i < t->n && t->v[i].base == base) /* equal bases: latest last */
      i++;
    memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof *t->v);
    t->v[i] = (struct reg){ base, size, flags };
    t->n++;
    if (size > t->max_size)
      t->max_size = size;
  }
  pthread_mutex_unlock(&t->lock);
  return rc;
}

int regtable_remove(struct regtable *t, uintptr_t p, struct reg *removed)
{
  int rc;
  pthread_mutex_lock(&t->lock);
  size_t i = lower(t, p + 1);
  if (i > 0 && t->v[i - 1].base == p) { /* the latest with that base */
    if (removed)
      *removed = t->v[i - 1];
    memmove(&t->v[i - 1], &t->v[i], (t->n - i) * sizeof *t->v);
    t->n--;
    rc = REG_OK;
  } else {
    rc = find(t, p) >= 0 ? REG_INVALID : REG_NOT_REGISTERED;
  }
  pthread_mutex_unlock(&t->lock);
  return rc;
}

bool regtable_find(struct regtable *t, uintptr_t p, struct reg *out)
{
  pthread_mutex_lock(&t->lock);
  long i = find(t, p);
  if (i >= 0 && out)
    *out = t->v[i];
  pthread_mutex_unlock(&t->lock);
  return i >= 0;
}

bool regtable_overlaps(struct regtable *t, uintptr_t base, size_t size)
{
  pthread_mutex_lock(&t->lock);
  bool o = overlaps(t, base, size);
  pthread_mutex_unlock(&t->lock);
  return o;
}

size_t regtable_count(struct regtable *t)
{
  pthread_mutex_lock(&t->lock);
  size_t n = t->n;
  pthread_mutex_unlock(&t->lock);
  return n;
}

void regtable_clear(struct regtable *t)
{
  pthread_mutex_lock(&t->lock);
  t->n = 0;
  t->max_size = 0;
  pthread_mutex_unlock(&t->lock);
}
