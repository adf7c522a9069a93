/* The chunk table. Chunks are committed in address order, so appending
 * keeps the array sorted and lookups are a binary search. The array lives
 * in its own mapping: this code runs inside jemalloc's extent hooks, where
 * calling malloc is not allowed. */
#include "chunks.h"
#include "window.h"
#include "../config/log.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

static struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;  /* a run finished binding */
  bool live;               /* new chunks are queued for binding */
  void (*notify)(void);
  struct chunk *v;     /* sorted by base */
  size_t n, cap;
  size_t chunk_size;
  uintptr_t cursor;    /* next free byte of the newest chunk */
} ct = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

void chunks_init(size_t chunk_size)
{
  ct.chunk_size = (chunk_size + WINDOW_ALIGN - 1) & ~(WINDOW_ALIGN - 1);
  /* At most one chunk per 2 MiB of window; untouched entries cost nothing. */
  size_t cap = window_len / WINDOW_ALIGN + 1;
  void *v = mmap(NULL, cap * sizeof(struct chunk), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (v != MAP_FAILED) {
    ct.v = v;
    ct.cap = cap;
  }
}

static struct chunk *newest(void) { return ct.n ? &ct.v[ct.n - 1] : NULL; }

/* Index of the chunk holding a, or -1. Caller holds the lock. */
static long find(uintptr_t a)
{
  size_t lo = 0, hi = ct.n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (a < ct.v[mid].base)
      hi = mid;
    else if (a - ct.v[mid].base >= ct.v[mid].size)
      lo = mid + 1;
    else
      return (long)mid;
  }
  return -1;
}

void *chunks_carve(void *new_addr, size_t size, size_t alignment)
{
  if (alignment < 4096)
    alignment = 4096;
  void *ret = NULL;
  bool queued = false;
  pthread_mutex_lock(&ct.lock);
  struct chunk *c = newest();
  uintptr_t at = (ct.cursor + alignment - 1) & ~(alignment - 1);
  if (new_addr != NULL) {
    /* Growing an extent in place: only possible at the cursor. */
    if (c && (uintptr_t)new_addr == ct.cursor && ct.cursor + size <= c->base + c->size) {
      ret = new_addr;
      ct.cursor += size;
    }
  } else if (c && at >= ct.cursor && at + size <= c->base + c->size) {
    ret = (void *)at;
    ct.cursor = at + size;
  } else if (ct.n < ct.cap) {
    /* A new chunk: the configured size, or larger for one big extent. The
     * tail of the previous chunk stays unused rather than letting an extent
     * straddle two registration units. */
    /* Chunk bases are 2 MiB aligned: only a larger alignment needs slack. */
    size_t pad = alignment > WINDOW_ALIGN ? alignment - WINDOW_ALIGN : 0;
    size_t need = (size + pad + WINDOW_ALIGN - 1) & ~(WINDOW_ALIGN - 1);
    size_t csize = need > ct.chunk_size ? need : ct.chunk_size;
    void *base = window_commit(csize);
    if (base == NULL && csize > need) { /* the budget may still fit a smaller one */
      csize = need;
      base = window_commit(csize);
    }
    if (base != NULL) {
      struct chunk *nc = &ct.v[ct.n];
      nc->base = (uintptr_t)base;
      nc->size = csize;
      /* The newest chunk is still being filled: binding it now would race
       * the program's writes for memory bandwidth and page tables, and
       * prefault pages about to be overwritten (measured on an H200: 8 GiB
       * loaded in 0.73 s instead of 0.28 s). Queue the one before it. */
      if (ct.live && c && c->state == CHUNK_COMMITTED) {
        c->state = CHUNK_PENDING;
        queued = true;
      }
      nc->state = CHUNK_COMMITTED;
      nc->unit = (unsigned)ct.n;
      nc->dev = 0;
      ct.n++;
      at = (nc->base + alignment - 1) & ~(alignment - 1);
      ret = (void *)at;
      ct.cursor = at + size;
      log_debug("chunk %zu: %zu bytes at %p", ct.n - 1, nc->size, base);
    }
  }
  pthread_mutex_unlock(&ct.lock);
  if (queued && ct.notify)
    ct.notify();
  return ret;
}

bool chunks_find(uintptr_t addr, struct chunk *out)
{
  pthread_mutex_lock(&ct.lock);
  long i = find(addr);
  if (i >= 0)
    *out = ct.v[i];
  pthread_mutex_unlock(&ct.lock);
  return i >= 0;
}

bool chunks_same_unit(uintptr_t a, size_t n)
{
  pthread_mutex_lock(&ct.lock);
  long i = find(a), j = n ? find(a + n - 1) : i;
  bool same = i >= 0 && j >= 0 && ct.v[i].unit == ct.v[j].unit;
  pthread_mutex_unlock(&ct.lock);
  return same;
}

bool chunks_may_purge(uintptr_t a, size_t n)
{
  bool ok = n > 0;
  pthread_mutex_lock(&ct.lock);
  for (uintptr_t p = a; ok && p < a + n;) {
    long i = find(p);
    ok = i >= 0 && ct.v[i].state == CHUNK_COMMITTED;
    if (ok)
      p = ct.v[i].base + ct.v[i].size;
  }
  pthread_mutex_unlock(&ct.lock);
  return ok;
}

void chunks_set_state(uintptr_t base, int state)
{
  pthread_mutex_lock(&ct.lock);
  long i = find(base);
  if (i >= 0)
    ct.v[i].state = state;
  pthread_mutex_unlock(&ct.lock);
}

void chunks_fork(enum fork_phase ph)
{
  /* Not taken in PREPARE: jemalloc's extent hooks take this lock with an
   * arena lock held, and jemalloc's own prepare handler, which takes those,
   * runs after ours. Entries are only appended or have single words
   * stored, so the table a child inherits is consistent. */
  if (ph != FORK_CHILD)
    return;
  pthread_mutex_init(&ct.lock, NULL);
  pthread_cond_init(&ct.changed, NULL);
  ct.live = false;
  for (size_t i = 0; i < ct.n; i++) {
    ct.v[i].state = CHUNK_COMMITTED;
    ct.v[i].unit = (unsigned)i;
    ct.v[i].dev = 0;
  }
}

void chunks_go_live(void (*notify)(void))
{
  pthread_mutex_lock(&ct.lock);
  ct.notify = notify;
  ct.live = true;
  for (size_t i = 0; i + 1 < ct.n; i++) /* all but the newest, as in carve */
    if (ct.v[i].state == CHUNK_COMMITTED)
      ct.v[i].state = CHUNK_PENDING;
  pthread_mutex_unlock(&ct.lock);
  if (notify)
    notify();
}

static void seal_locked(void)
{
  struct chunk *c = newest();
  if (c == NULL || c->state != CHUNK_COMMITTED || ct.n == ct.cap)
    return;
  uintptr_t end = c->base + c->size;
  uintptr_t cut = (ct.cursor + WINDOW_ALIGN - 1) & ~(WINDOW_ALIGN - 1);
  if (cut <= c->base || cut >= end)
    return;
  c->size = cut - c->base;
  ct.v[ct.n] = (struct chunk){ cut, end - cut, CHUNK_COMMITTED, (unsigned)ct.n, 0 };
  ct.n++;
  ct.cursor = cut; /* later extents start above the cut */
}

void chunks_seal_newest(void)
{
  pthread_mutex_lock(&ct.lock);
  seal_locked();
  pthread_mutex_unlock(&ct.lock);
}

void chunks_queue_all(void)
{
  pthread_mutex_lock(&ct.lock);
  seal_locked();
  for (size_t i = 0; i < ct.n; i++)
    if (ct.v[i].state == CHUNK_COMMITTED)
      ct.v[i].state = CHUNK_PENDING;
  pthread_mutex_unlock(&ct.lock);
}

bool chunks_take_run(size_t max, struct chunk_run *r)
{
  bool found = false;
  pthread_mutex_lock(&ct.lock);
  for (size_t i = 0; i < ct.n && !found; i++) {
    if (ct.v[i].state != CHUNK_PENDING)
      continue;
    size_t j = i, size = 0;
    /* Chunks are carved back to back: pending neighbours are contiguous. */
    while (j < ct.n && ct.v[j].state == CHUNK_PENDING &&
           (j == i || size + ct.v[j].size <= max) &&
           (j == i || ct.v[j].base == ct.v[j - 1].base + ct.v[j - 1].size)) {
      ct.v[j].state = CHUNK_BINDING;
      size += ct.v[j].size;
      j++;
    }
    *r = (struct chunk_run){ i, j - i, ct.v[i].base, size };
    found = true;
  }
  pthread_mutex_unlock(&ct.lock);
  return found;
}

void chunks_finish_run(const struct chunk_run *r, bool ok, uintptr_t dev)
{
  pthread_mutex_lock(&ct.lock);
  for (size_t k = r->first; k < r->first + r->count; k++) {
    ct.v[k].state = ok ? CHUNK_BOUND : CHUNK_FAILED;
    ct.v[k].unit = (unsigned)r->first;
    ct.v[k].dev = ok ? dev + (ct.v[k].base - r->base) : 0;
  }
  pthread_cond_broadcast(&ct.changed);
  pthread_mutex_unlock(&ct.lock);
}

bool chunks_take_bound_unit(uintptr_t *cursor, struct chunk_run *r)
{
  bool found = false;
  pthread_mutex_lock(&ct.lock);
  for (size_t i = 0; i < ct.n && !found; i++) {
    if (ct.v[i].state != CHUNK_BOUND || ct.v[i].base < *cursor)
      continue;
    size_t j = i, size = 0;
    while (j < ct.n && ct.v[j].state == CHUNK_BOUND && ct.v[j].unit == ct.v[i].unit) {
      ct.v[j].state = CHUNK_BINDING;
      size += ct.v[j].size;
      j++;
    }
    *r = (struct chunk_run){ i, j - i, ct.v[i].base, size };
    *cursor = ct.v[i].base + size;
    found = true;
  }
  pthread_mutex_unlock(&ct.lock);
  return found;
}

void chunks_finish_unbind(const struct chunk_run *r, bool ok)
{
  pthread_mutex_lock(&ct.lock);
  for (size_t k = r->first; k < r->first + r->count; k++) {
    ct.v[k].state = ok ? CHUNK_COMMITTED : CHUNK_BOUND;
    if (ok) {
      ct.v[k].unit = (unsigned)k;
      ct.v[k].dev = 0;
    }
  }
  pthread_cond_broadcast(&ct.changed);
  pthread_mutex_unlock(&ct.lock);
}

int chunks_wait(uintptr_t addr, struct chunk *out)
{
  int state = -1;
  pthread_mutex_lock(&ct.lock);
  for (;;) {
    long i = find(addr);
    if (i < 0)
      break;
    state = ct.v[i].state;
    *out = ct.v[i];
    if (state != CHUNK_BINDING)
      break;
    pthread_cond_wait(&ct.changed, &ct.lock);
  }
  pthread_mutex_unlock(&ct.lock);
  return state;
}

void chunks_stats(struct chunks_stats *s)
{
  memset(s, 0, sizeof *s);
  pthread_mutex_lock(&ct.lock);
  for (size_t i = 0; i < ct.n; i++) {
    s->count++;
    s->bytes += ct.v[i].size;
    if (ct.v[i].state == CHUNK_BOUND) {
      s->bound++;
      s->bound_bytes += ct.v[i].size;
    }
  }
  pthread_mutex_unlock(&ct.lock);
}
