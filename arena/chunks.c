/* The chunk table. Each region's chunks are appended in address order and
 * never move, so lookups are lock-free binary searches (the count is
 * published after the entry is written; a newest chunk's size only grows).
 * Two kinds of lock:
 *   - a carve lock per region: its frontier (taken inside jemalloc's
 *     extent hooks, so never in PREPARE at fork);
 *   - the table lock: unit state transitions, registration counts and
 *     the waits for them; never held across a backend call or a purge.
 * Lock order: carve, then table. State words are atomics: a purge
 * (lock-free, from the hooks) and a choice (under the table lock) settle
 * on one word by compare-and-swap. */
#include "chunks.h"
#include "../config/clock.h"
#include "../config/log.h"
#include "../config/os.h"

#include <pthread.h>
#include <string.h>

/* A chunk's state word: the state in the low byte, purges in flight above. */
#define STATE(w) ((int)((w) & 0xff))
#define PURGING(w) ((w) >> 8)
#define WORD(state, purging) ((uint32_t)(state) | ((uint32_t)(purging) << 8))

enum { SPARSE_MS = 100 }; /* how long an emptied unit stays bound */

struct chunk {
  uintptr_t base;
  size_t size;           /* atomic: the newest grows while open */
  uint32_t word;         /* atomic */
  uint32_t unit;         /* index of its unit's first chunk */
  uint32_t foreign;      /* registrations passed through over it */
  long live;             /* atomic: bytes of page-allocator blocks in it */
  /* The unit's, on its first chunk: */
  uint32_t refs;         /* application registrations answered inside */
  bool claimed;          /* the application registered in it */
  uint64_t idle_ms;      /* when refs last dropped to 0 */
  uintptr_t dev;
  int device;
};

struct region_tab {
  pthread_mutex_t carve;
  struct chunk *v;
  size_t n, cap;         /* n: atomic */
  uintptr_t cursor;      /* next free byte of the newest chunk */
  bool open;             /* the newest chunk may still grow */
};

static struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;  /* a unit finished binding or unbinding */
  struct region_tab r[REG_N];
  size_t chunk_size, max_bound, bound_bytes, generation;
  uint64_t budget_refused;
} ct = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

static uintptr_t align_up(uintptr_t a, size_t al) { return (a + al - 1) & ~(uintptr_t)(al - 1); }

void chunks_init(size_t chunk_size, size_t max_bound)
{
  ct.chunk_size = align_up(chunk_size, WINDOW_ALIGN);
  ct.max_bound = max_bound;
  /* Chunks are at least 2 MiB: at most one per 2 MiB of a region. The
   * arrays are touched only as chunks are added. */
  size_t cap = window_region_size() / WINDOW_ALIGN + 1;
  for (enum region r = 0; r < REG_N; r++) {
    struct region_tab *t = &ct.r[r];
    pthread_mutex_init(&t->carve, NULL);
    void *v = os_map(cap * sizeof(struct chunk));
    if (v != NULL) {
      t->v = v;
      t->cap = cap;
    }
    t->cursor = window_region_base(r);
  }
}

static struct region_tab *tab_of(uintptr_t a)
{
  return window_contains((void *)a) ? &ct.r[window_region((void *)a)] : NULL;
}

/* Index of the chunk holding a in t, or -1. Lock-free. */
static long find_in(struct region_tab *t, uintptr_t a)
{
  size_t lo = 0, hi = __atomic_load_n(&t->n, __ATOMIC_ACQUIRE);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    struct chunk *c = &t->v[mid];
    if (a < c->base)
      hi = mid;
    else if (a - c->base >= __atomic_load_n(&c->size, __ATOMIC_ACQUIRE))
      lo = mid + 1;
    else
      return (long)mid;
  }
  return -1;
}

static struct chunk *find(uintptr_t a, struct region_tab **tp)
{
  struct region_tab *t = tab_of(a);
  long i = t ? find_in(t, a) : -1;
  if (tp)
    *tp = t;
  return i < 0 ? NULL : &t->v[i];
}

static uint32_t word_of(struct chunk *c) { return __atomic_load_n(&c->word, __ATOMIC_ACQUIRE); }
static int state_of(struct chunk *c) { return STATE(word_of(c)); }

static void set_state(struct chunk *c, int state)
{
  uint32_t w = word_of(c);
  while (!__atomic_compare_exchange_n(&c->word, &w, WORD(state, PURGING(w)), false,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    ;
}

/* --- carving ------------------------------------------------------------ */

uintptr_t chunks_carve(enum region r, uintptr_t new_addr, size_t size, size_t align)
{
  struct region_tab *t = &ct.r[r];
  if (align < 4096)
    align = 4096;
  if (t->v == NULL || size == 0)
    return 0;
  uintptr_t limit = window_region_base(r) + window_region_size(), ret = 0;
  pthread_mutex_lock(&t->carve);
  size_t n = t->n;
  struct chunk *c = n ? &t->v[n - 1] : NULL;
  /* The newest grows while it is open and not yet chosen for binding; one
   * that reached the chunk size closes, and the next carve starts anew. */
  bool grow = c && t->open && state_of(c) == CHUNK_COMMITTED &&
              (t->cursor - c->base < ct.chunk_size || (new_addr && new_addr == t->cursor));
  if (c && t->open && !grow && !new_addr)
    t->open = false;
  uintptr_t at = new_addr ? new_addr : align_up(grow ? t->cursor : (c ? c->base + c->size
                                                                        : window_region_base(r)), align);
  /* An over-aligned block starts a chunk of its own at its alignment,
   * leaving the gap as unused address space: a chunk grown over the gap
   * would fault the gap in when bound (6 MiB blocks aligned to 1 GiB: a
   * GiB each). Runs never coalesce across such a hole. */
  if (grow && !new_addr && at - t->cursor >= WINDOW_ALIGN) {
    grow = false;
    t->open = false;
    at = align_up(c->base + c->size, align);
  }
  if ((new_addr && (!grow || new_addr != t->cursor)) || at + size > limit || at + size < at) {
    if (!new_addr)
      window_count_exhausted();
    goto out;
  }
  uintptr_t end = align_up(at + size, WINDOW_ALIGN);
  if (grow) {
    uintptr_t old_end = c->base + c->size;
    if (end > old_end) {
      if (window_commit(old_end, end - old_end) != 0)
        goto out;
      __atomic_store_n(&c->size, end - c->base, __ATOMIC_RELEASE);
    }
  } else {
    if (n == t->cap)
      goto out;
    uintptr_t base = c ? c->base + c->size : window_region_base(r);
    if (at - base >= WINDOW_ALIGN)
      base = at & ~(uintptr_t)(WINDOW_ALIGN - 1);
    if (window_commit(base, end - base) != 0)
      goto out;
    c = &t->v[n];
    *c = (struct chunk){ .base = base, .size = end - base, .word = WORD(CHUNK_COMMITTED, 0),
                         .unit = (uint32_t)n, .device = -1 };
    __atomic_store_n(&t->n, n + 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&ct.generation, 1, __ATOMIC_RELAXED);
    t->open = true;
    log_debug("region %d chunk %zu at %p", (int)r, n, (void *)base);
  }
  t->cursor = at + size;
  ret = at;
out:
  pthread_mutex_unlock(&t->carve);
  return ret;
}

/* Bytes in use in unit u and its size (table lock held). */
static bool sparse(struct region_tab *t, size_t u)
{
  long live = 0;
  size_t size = 0;
  enum region r = (enum region)(t - ct.r);
  if (!region_is_pages(r) || r == REG_PINNED)
    return false; /* jemalloc's slabs are not counted; pinned blocks come and go */
  for (size_t k = u; k < t->n && t->v[k].unit == u; k++) {
    live += __atomic_load_n(&t->v[k].live, __ATOMIC_RELAXED);
    size += t->v[k].size;
  }
  return live * 4 < (long)size;
}

bool chunks_live(uintptr_t a, long delta)
{
  struct region_tab *t;
  struct chunk *c = find(a, &t);
  if (c == NULL)
    return false;
  long now_live = __atomic_add_fetch(&c->live, delta, __ATOMIC_RELAXED);
  if (delta > 0 || state_of(c) != CHUNK_BOUND || t == &ct.r[REG_PINNED])
    return false;
  struct chunk *u = &t->v[c->unit];
  return __atomic_load_n(&u->refs, __ATOMIC_RELAXED) == 0 && now_live * 4 < (long)c->size;
}

bool chunks_same_chunk(uintptr_t a, size_t n)
{
  struct chunk *x = find(a, NULL), *y = n ? find(a + n - 1, NULL) : x;
  return x != NULL && x == y;
}

/* --- purges ------------------------------------------------------------- */

static bool purge_one(struct chunk *c)
{
  uint32_t w = word_of(c);
  for (;;) {
    int s = STATE(w);
    if (s != CHUNK_COMMITTED && s != CHUNK_FAILED)
      return false;
    if (__atomic_compare_exchange_n(&c->word, &w, WORD(s, PURGING(w) + 1), false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
      return true;
  }
}

static void purge_done(struct chunk *c) { __atomic_sub_fetch(&c->word, 1u << 8, __ATOMIC_ACQ_REL); }

/* The chunks under [a, a + n), first to last; false if one is missing. */
static bool span(uintptr_t a, size_t n, struct region_tab **tp, long *first, long *last)
{
  struct region_tab *t = tab_of(a);
  if (t == NULL || n == 0 || tab_of(a + n - 1) != t)
    return false;
  *first = find_in(t, a);
  *last = find_in(t, a + n - 1);
  *tp = t;
  return *first >= 0 && *last >= *first;
}

bool chunks_purge_begin(uintptr_t a, size_t n)
{
  struct region_tab *t;
  long i, j;
  if (!span(a, n, &t, &i, &j))
    return false;
  for (long k = i; k <= j; k++)
    if (!purge_one(&t->v[k])) {
      while (k-- > i)
        purge_done(&t->v[k]);
      return false;
    }
  return true;
}

void chunks_purge_end(uintptr_t a, size_t n)
{
  struct region_tab *t;
  long i, j;
  if (span(a, n, &t, &i, &j))
    for (long k = i; k <= j; k++)
      purge_done(&t->v[k]);
}

/* --- registrations --------------------------------------------------------- */

/* Waits are no cancellation points for our callers: a thread cancelled in
 * one would exit holding the table lock. */
static void wait_changed(void)
{
  int old;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  pthread_cond_wait(&ct.changed, &ct.lock);
  pthread_setcancelstate(old, NULL);
}

static void info_of(struct region_tab *t, struct chunk *c, struct chunk_info *out)
{
  struct chunk *u = &t->v[c->unit];
  size_t size = 0;
  for (size_t k = c->unit; k < t->n && t->v[k].unit == c->unit; k++)
    size += t->v[k].size;
  *out = (struct chunk_info){ .region = (enum region)(t - ct.r), .state = state_of(c),
                              .base = c->base, .unit_base = u->base, .unit_size = size,
                              .dev = u->dev, .device = u->device };
}

static int settle(uintptr_t a, size_t n, struct chunk_info *out, bool take)
{
  int st = -1;
  pthread_mutex_lock(&ct.lock);
  for (;;) {
    struct region_tab *t;
    struct chunk *c = find(a, &t), *d = n > 1 ? find(a + n - 1, NULL) : c;
    if (c == NULL || d == NULL || d->unit != c->unit || tab_of(a + (n ? n - 1 : 0)) != t)
      break;
    st = state_of(c);
    if (st == CHUNK_BINDING || st == CHUNK_UNBINDING) {
      wait_changed();
      continue;
    }
    info_of(t, c, out);
    if (take && st == CHUNK_BOUND) {
      struct chunk *u = &t->v[c->unit];
      u->refs++;
      u->claimed = true;
    }
    break;
  }
  pthread_mutex_unlock(&ct.lock);
  return st;
}

int chunks_acquire(uintptr_t a, size_t n, struct chunk_info *out) { return settle(a, n, out, true); }
int chunks_lookup(uintptr_t a, struct chunk_info *out) { return settle(a, 1, out, false); }

void chunks_release(uintptr_t a)
{
  pthread_mutex_lock(&ct.lock);
  struct region_tab *t;
  struct chunk *c = find(a, &t);
  if (c != NULL) {
    struct chunk *u = &t->v[c->unit];
    if (u->refs > 0 && --u->refs == 0)
      u->idle_ms = clock_ms();
  }
  pthread_mutex_unlock(&ct.lock);
}

void chunks_foreign(uintptr_t a, size_t n, int delta)
{
  struct region_tab *t;
  long i, j;
  pthread_mutex_lock(&ct.lock);
  if (span(a, n ? n : 1, &t, &i, &j))
    for (long k = i; k <= j; k++)
      if (delta > 0 || t->v[k].foreign > 0)
        t->v[k].foreign += (uint32_t)delta;
  pthread_mutex_unlock(&ct.lock);
}

/* --- binding ------------------------------------------------------------- */

/* Whether chunk k of t may join a run being chosen: COMMITTED, no purge
 * in flight, nothing passed through over it; and closed unless allowed. */
static bool eligible(struct region_tab *t, size_t k, bool open_ok)
{
  struct chunk *c = &t->v[k];
  if (c->foreign || word_of(c) != WORD(CHUNK_COMMITTED, 0))
    return false;
  return open_ok || k + 1 < t->n || !t->open;
}

/* Chunk k ends where chunk k + 1 begins (no hole between: one backend
 * call registers a run, so it must be one range). */
static bool adjacent(struct region_tab *t, size_t k)
{
  return t->v[k].base + t->v[k].size == t->v[k + 1].base;
}

/* Claim the word: COMMITTED with no purge, to BINDING. */
static bool claim(struct chunk *c)
{
  uint32_t w = WORD(CHUNK_COMMITTED, 0);
  return __atomic_compare_exchange_n(&c->word, &w, WORD(CHUNK_BINDING, 0), false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE);
}

static bool fits_budget(size_t more) { return ct.bound_bytes + more <= ct.max_bound; }

/* Chunks [lo, hi) of t, already claimed, become one run (table lock held). */
static void make_run(struct region_tab *t, size_t lo, size_t hi, size_t size, struct chunk_run *r)
{
  for (size_t m = lo; m < hi; m++)
    t->v[m].unit = (uint32_t)lo;
  ct.bound_bytes += size;
  *r = (struct chunk_run){ (enum region)(t - ct.r), lo, hi - lo, t->v[lo].base, size };
}

/* Close the newest chunk so the next carve starts a new one (carve lock
 * held): binding covers what is in use, not an untouched tail. */
static void seal(struct region_tab *t) { t->open = false; }

enum choose chunks_choose(uintptr_t a, size_t max, struct chunk_run *r)
{
  return chunks_choose_within(a, max, 0, UINTPTR_MAX, r);
}

bool chunks_extent(uintptr_t a, uintptr_t *base, size_t *size)
{
  struct chunk *c = find(a, NULL);
  if (c == NULL)
    return false;
  *base = c->base;
  *size = __atomic_load_n(&c->size, __ATOMIC_ACQUIRE);
  return true;
}

enum choose chunks_choose_within(uintptr_t a, size_t max, uintptr_t lo_addr, uintptr_t hi_addr,
                                 struct chunk_run *r)
{
  struct region_tab *t = tab_of(a);
  if (t == NULL)
    return CHOOSE_BUSY;
  enum choose ok = CHOOSE_BUSY;
  pthread_mutex_lock(&t->carve);
  pthread_mutex_lock(&ct.lock);
  long f = find_in(t, a);
  size_t i = (size_t)f;
  if (f >= 0 && t->v[i].foreign) {
    ok = CHOOSE_FOREIGN;
    goto out;
  }
  if (f < 0 || !eligible(t, i, true))
    goto out;
  if (!fits_budget(t->v[i].size)) {
    ct.budget_refused++;
    ok = CHOOSE_BUDGET;
    goto out;
  }
  if (!claim(&t->v[i]))
    goto out; /* a purge started: the caller tries again */
  if (i + 1 == t->n)
    seal(t);
  /* With what is pending around it, in one call: closed COMMITTED
   * neighbours, within max bytes and the budget. */
  size_t lo = i, hi = i + 1, size = t->v[i].size;
  while (lo > 0 && t->v[lo - 1].base >= lo_addr && adjacent(t, lo - 1) && eligible(t, lo - 1, false) &&
         size + t->v[lo - 1].size <= max && fits_budget(size + t->v[lo - 1].size) &&
         claim(&t->v[lo - 1]))
    size += t->v[--lo].size;
  while (hi < t->n && t->v[hi].base + t->v[hi].size <= hi_addr && adjacent(t, hi - 1) &&
         eligible(t, hi, false) &&
         size + t->v[hi].size <= max && fits_budget(size + t->v[hi].size) && claim(&t->v[hi]))
    size += t->v[hi++].size;
  make_run(t, lo, hi, size, r);
  ok = CHOOSE_OK;
out:
  pthread_mutex_unlock(&ct.lock);
  pthread_mutex_unlock(&t->carve);
  return ok;
}

/* Ahead of registrations only what holds allocations: a page-allocator
 * chunk under a quarter in use is not worth pinning (nor would it stay:
 * it is what unbinding looks for); with dense, only what is mostly
 * resident (a mincore under the lock: tens of microseconds a chunk, on
 * the bind thread). */
static bool worth_ahead(struct region_tab *t, size_t k, bool dense)
{
  struct chunk *c = &t->v[k];
  if (region_is_pages((enum region)(t - ct.r)) &&
      __atomic_load_n(&c->live, __ATOMIC_RELAXED) * 4 < (long)c->size)
    return false;
  return !dense || os_nonresident(c->base, c->size) * 4 <= c->size;
}

bool chunks_choose_ahead(unsigned region_mask, unsigned how, size_t max, struct chunk_run *r)
{
  bool newest = how & AHEAD_NEWEST, dense = how & AHEAD_DENSE;
  for (enum region g = 0; g < REG_N; g++) {
    if (!(region_mask & (1u << g)))
      continue;
    struct region_tab *t = &ct.r[g];
    bool ok = false;
    pthread_mutex_lock(&t->carve);
    pthread_mutex_lock(&ct.lock);
    for (size_t i = 0; i < t->n && !ok; i++) {
      if (!eligible(t, i, newest) || !worth_ahead(t, i, dense))
        continue;
      if (!fits_budget(t->v[i].size)) {
        ct.budget_refused++;
        break; /* nothing more in this region */
      }
      if (!claim(&t->v[i]))
        continue;
      size_t j = i + 1, size = t->v[i].size;
      while (j < t->n && adjacent(t, j - 1) && eligible(t, j, newest) && worth_ahead(t, j, dense) &&
             size + t->v[j].size <= max && fits_budget(size + t->v[j].size) && claim(&t->v[j]))
        size += t->v[j++].size;
      if (j == t->n)
        seal(t);
      make_run(t, i, j, size, r);
      ok = true;
    }
    pthread_mutex_unlock(&ct.lock);
    pthread_mutex_unlock(&t->carve);
    if (ok)
      return true;
  }
  return false;
}

void chunks_bound(const struct chunk_run *r, bool ok, uintptr_t dev, int device)
{
  struct region_tab *t = &ct.r[r->region];
  pthread_mutex_lock(&ct.lock);
  for (size_t k = r->first; k < r->first + r->count; k++) {
    set_state(&t->v[k], ok ? CHUNK_BOUND : CHUNK_FAILED);
    t->v[k].unit = (uint32_t)(ok ? r->first : k);
  }
  struct chunk *u = &t->v[r->first];
  u->dev = ok ? dev : 0;
  u->device = ok ? device : -1;
  u->refs = 0;
  u->claimed = false;
  u->idle_ms = clock_ms();
  if (!ok)
    ct.bound_bytes -= r->size;
  pthread_cond_broadcast(&ct.changed);
  pthread_mutex_unlock(&ct.lock);
}

bool chunks_take_idle(uintptr_t *cursor, unsigned region_mask, unsigned claimed_ms,
                      unsigned unclaimed_ms, struct chunk_run *r)
{
  bool found = false;
  uint64_t t_now = clock_ms();
  pthread_mutex_lock(&ct.lock);
  for (enum region g = 0; g < REG_N && !found; g++) {
    struct region_tab *t = &ct.r[g];
    if (!(region_mask & (1u << g)))
      continue;
    for (size_t i = 0; i < t->n && !found; i++) {
      struct chunk *u = &t->v[i];
      if (u->unit != i || u->base < *cursor || state_of(u) != CHUNK_BOUND || u->refs)
        continue;
      /* A unit emptied by frees goes soon, not at once: a program that
       * allocates, registers, unregisters and frees in a loop (a data
       * loader) would otherwise bind and unbind it every time (measured:
       * 0.7x the registrations per second of no arenas at all). */
      unsigned need = u->claimed ? claimed_ms : unclaimed_ms;
      bool emptied = t_now - u->idle_ms >= SPARSE_MS && sparse(t, i);
      if ((need == NEVER || t_now - u->idle_ms < need) && !emptied)
        continue;
      size_t j = i, size = 0;
      for (; j < t->n && t->v[j].unit == i; j++) {
        set_state(&t->v[j], CHUNK_UNBINDING);
        size += t->v[j].size;
      }
      *r = (struct chunk_run){ g, i, j - i, u->base, size };
      *cursor = u->base + size;
      found = true;
    }
  }
  pthread_mutex_unlock(&ct.lock);
  return found;
}

void chunks_unbound(const struct chunk_run *r, bool ok)
{
  struct region_tab *t = &ct.r[r->region];
  pthread_mutex_lock(&ct.lock);
  for (size_t k = r->first; k < r->first + r->count; k++) {
    set_state(&t->v[k], ok ? CHUNK_COMMITTED : CHUNK_BOUND);
    if (ok) {
      t->v[k].unit = (uint32_t)k;
      t->v[k].refs = 0;
      t->v[k].claimed = false;
      t->v[k].dev = 0;
      t->v[k].device = -1;
    }
  }
  if (ok)
    ct.bound_bytes -= r->size;
  else
    t->v[r->first].idle_ms = clock_ms(); /* try again later, not at once */
  pthread_cond_broadcast(&ct.changed);
  pthread_mutex_unlock(&ct.lock);
}

int chunks_peek(uintptr_t a, unsigned *purging)
{
  struct chunk *c = find(a, NULL);
  uint32_t w = c ? word_of(c) : 0;
  if (purging)
    *purging = PURGING(w);
  return c ? STATE(w) : -1;
}

size_t chunks_bound_bytes(void) { return __atomic_load_n(&ct.bound_bytes, __ATOMIC_RELAXED); }

size_t chunks_generation(void) { return __atomic_load_n(&ct.generation, __ATOMIC_RELAXED); }

void chunks_fork(enum fork_phase ph)
{
  /* PREPARE takes the table lock (never taken inside jemalloc's hooks),
   * not the carve locks (which are): the child gets those new, and a
   * frontier whose last step another thread had not finished loses at
   * most that step's space. */
  fork_mutex(&ct.lock, ph);
  if (ph != FORK_CHILD)
    return;
  pthread_cond_init(&ct.changed, NULL);
  for (enum region g = 0; g < REG_N; g++) {
    struct region_tab *t = &ct.r[g];
    pthread_mutex_init(&t->carve, NULL);
    /* What the child carves is its own chunk: binding it never faults in
     * (and copies) the parent's pages around it. */
    t->open = false;
    for (size_t k = 0; k < t->n; k++) {
      struct chunk *c = &t->v[k];
      /* Purges in flight belonged to threads the child does not have. */
      c->word = WORD(CHUNK_COMMITTED, 0);
      c->unit = (uint32_t)k;
      c->foreign = c->refs = 0;
      c->claimed = false;
      c->dev = 0;
      c->device = -1;
    }
  }
  ct.bound_bytes = 0;
}

void chunks_stats(struct chunks_stats *s)
{
  memset(s, 0, sizeof *s);
  pthread_mutex_lock(&ct.lock);
  for (enum region g = 0; g < REG_N; g++)
    for (size_t i = 0; i < ct.r[g].n; i++) {
      struct chunk *c = &ct.r[g].v[i];
      s->count++;
      s->bytes += c->size;
      s->region_bytes[g] += c->size;
      if (state_of(c) == CHUNK_BOUND) {
        s->bound++;
        s->bound_bytes += c->size;
        s->region_bound[g] += c->size;
      }
    }
  s->max_bound = ct.max_bound;
  s->budget_refused = ct.budget_refused;
  pthread_mutex_unlock(&ct.lock);
}
