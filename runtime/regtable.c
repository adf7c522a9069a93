/* Registration table: a sorted array with room at both ends, so that an
 * insertion or removal moves whichever side is shorter (programs register
 * and unregister in address order, or in reverse: both cost nothing).
 * Binary search, one lock. Its memory comes from jemalloc's ordinary arenas
 * directly (never the GPU arena, and never through our own malloc, whose
 * routing could call back in). */
#include "regtable.h"

#include <jemalloc/jemalloc.h>
#include <string.h>

#define AT(t, i) ((t)->v[(t)->off + (i)])

/* First index whose base is >= a. */
static size_t lower(const struct regtable *t, uintptr_t a)
{
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (AT(t, mid).base < a)
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
    const struct reg *r = &AT(t, i);
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
  return i < t->n && AT(t, i).base < base + size;
}

/* Make room for one entry at index i (0 <= i <= n). */
static bool open_slot(struct regtable *t, size_t i)
{
  if (i < t->n / 2 && t->off > 0) { /* shift the front left */
    memmove(&t->v[t->off - 1], &t->v[t->off], i * sizeof *t->v);
    t->off--;
    return true;
  }
  if (t->off + t->n == t->cap) {
    if (t->off > t->cap / 4) { /* plenty of room in front: recentre */
      size_t off = t->off / 2;
      memmove(&t->v[off], &t->v[t->off], t->n * sizeof *t->v);
      t->off = off;
    } else {
      size_t cap = t->cap ? t->cap * 2 : 256;
      /* jemalloc's own arena 0, never ours: our routing could call back in. */
      int fl = MALLOCX_ARENA(0) | MALLOCX_TCACHE_NONE;
      struct reg *v = t->v ? rallocx(t->v, cap * sizeof *v, fl) : mallocx(cap * sizeof *v, fl);
      if (v == NULL)
        return false;
      t->v = v;
      t->cap = cap;
    }
  }
  memmove(&AT(t, i + 1), &AT(t, i), (t->n - i) * sizeof *t->v);
  return true;
}

static void close_slot(struct regtable *t, size_t i)
{
  if (i < t->n / 2) {
    memmove(&t->v[t->off + 1], &t->v[t->off], i * sizeof *t->v);
    t->off++;
  } else {
    memmove(&AT(t, i), &AT(t, i + 1), (t->n - i - 1) * sizeof *t->v);
  }
  t->n--;
}

int regtable_add(struct regtable *t, const struct reg *r, bool overlap_ok)
{
  uintptr_t base = r->base;
  size_t size = r->size;
  int rc = REG_OK;
  pthread_mutex_lock(&t->lock);
  if (!overlap_ok && overlaps(t, base, size)) {
    rc = REG_ALREADY;
  } else {
    size_t i = lower(t, base);
    while (i < t->n && AT(t, i).base == base) /* equal bases: latest last */
      i++;
    if (!open_slot(t, i)) {
      pthread_mutex_unlock(&t->lock);
      return REG_INVALID; /* out of memory: refuse rather than lose track */
    }
    AT(t, i) = *r;
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
  if (i > 0 && AT(t, i - 1).base == p) { /* the latest with that base */
    if (removed)
      *removed = AT(t, i - 1);
    close_slot(t, i - 1);
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
    *out = AT(t, i);
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

void regtable_clear(struct regtable *t)
{
  pthread_mutex_lock(&t->lock);
  t->n = t->off = 0;
  t->max_size = 0;
  pthread_mutex_unlock(&t->lock);
}

void regtable_destroy(struct regtable *t)
{
  if (t->v != NULL)
    dallocx(t->v, MALLOCX_TCACHE_NONE);
  t->v = NULL;
  t->n = t->off = t->cap = 0;
  t->max_size = 0;
}
