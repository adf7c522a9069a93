/* The page allocator. Boundary tags live in a side map, one word per page
 * of the region, set on the first and last page of every block, so that
 * nothing is written into the blocks themselves (a free block may be
 * untouched, or registered). Free blocks are nodes in size bins (first fit
 * in the block's own bin, else the head of a larger one) and, while their
 * pages are dirty, in a list ordered by the time they were freed. All of
 * a region's state is under its lock, which is never held across a
 * system call: a block being given back is marked busy and purged with the
 * lock released. Lock order: pages, then the chunk table's carve lock. */
#include "pages.h"
#include "chunks.h"
#include "decay.h"
#include "../config/clock.h"
#include "../config/os.h"

#include <pthread.h>
#include <string.h>

/* Map words. 0: no boundary here. */
enum { TAG_USED = 1u << 31, TAG_FREE = 1u << 30, TAG_BUSY = 1u << 29, TAG_MASK = 0x1fffffffu };
enum { NBINS = 128, SCAN = 16, NIL = 0 };

struct node {
  uint32_t page, npages;     /* page index in the region */
  uint32_t prev, next;       /* bin list, or the busy list */
  uint32_t dprev, dnext;     /* dirty (or held) list */
  uint64_t freed_ms;
  uint8_t bin, dirty, held;  /* held: dirty inside a registered chunk */
};

struct region_pages {
  pthread_mutex_t lock;
  uint32_t *map;
  struct node *nodes;        /* nodes[0] unused: index 0 is NIL */
  uint32_t cap, used, spare; /* spare: a free-node list through next */
  uint32_t bins[NBINS];
  uint64_t binmask[NBINS / 64];
  uint32_t dirty_head, dirty_tail, held_head, busy;
  uint64_t blocks, bytes, free_bytes, dirty_bytes, purged_bytes;
};

static struct {
  struct region_pages r[REG_ZERO + 1];
  bool sparse;  /* a bound unit with no registration is now mostly free */
} pg = {
  .r = { [REG_SIZE] = { .lock = PTHREAD_MUTEX_INITIALIZER },
         [REG_SITE] = { .lock = PTHREAD_MUTEX_INITIALIZER },
         [REG_PINNED] = { .lock = PTHREAD_MUTEX_INITIALIZER },
         [REG_ZERO] = { .lock = PTHREAD_MUTEX_INITIALIZER } },
};

static uintptr_t page_addr(enum region r, uint32_t page)
{
  return window_region_base(r) + (uintptr_t)page * PAGE;
}

/* 16 exact bins for 1..16 pages, then four per power of two. */
static unsigned bin_of(uint32_t n)
{
  if (n <= 16)
    return n - 1;
  unsigned lg = 31 - (unsigned)__builtin_clz(n);
  unsigned b = 16 + (lg - 4) * 4 + ((n >> (lg - 2)) & 3);
  return b < NBINS ? b : NBINS - 1;
}

static bool ensure_map(struct region_pages *rp)
{
  if (rp->map)
    return true;
  size_t n = window_region_size() / PAGE * sizeof(uint32_t);
  void *m = os_map(n);
  if (m == NULL)
    return false;
  rp->map = m;
  return true;
}

static uint32_t node_new(struct region_pages *rp)
{
  if (rp->spare) {
    uint32_t i = rp->spare;
    rp->spare = rp->nodes[i].next;
    return i;
  }
  if (rp->used + 1 >= rp->cap) {
    uint32_t cap = rp->cap ? rp->cap * 2 : 1024;
    void *v = os_remap(rp->nodes, rp->cap * sizeof *rp->nodes, cap * sizeof *rp->nodes);
    if (v == NULL)
      return NIL;
    rp->nodes = v;
    rp->cap = cap;
    if (rp->used == 0)
      rp->used = 1; /* keep 0 as NIL */
  }
  return rp->used++;
}

static void node_drop(struct region_pages *rp, uint32_t i)
{
  rp->nodes[i].next = rp->spare;
  rp->spare = i;
}

static void tag(struct region_pages *rp, uint32_t page, uint32_t npages, uint32_t word)
{
  rp->map[page] = word;
  rp->map[page + npages - 1] = word;
}

/* --- lists ---------------------------------------------------------- */

static void bin_insert(struct region_pages *rp, uint32_t i)
{
  struct node *n = &rp->nodes[i];
  unsigned b = bin_of(n->npages);
  n->bin = (uint8_t)b;
  n->prev = NIL;
  n->next = rp->bins[b];
  if (n->next)
    rp->nodes[n->next].prev = i;
  rp->bins[b] = i;
  rp->binmask[b / 64] |= 1ull << (b % 64);
}

static void bin_remove(struct region_pages *rp, uint32_t i)
{
  struct node *n = &rp->nodes[i];
  if (n->prev)
    rp->nodes[n->prev].next = n->next;
  else
    rp->bins[n->bin] = n->next;
  if (n->next)
    rp->nodes[n->next].prev = n->prev;
  if (rp->bins[n->bin] == NIL)
    rp->binmask[n->bin / 64] &= ~(1ull << (n->bin % 64));
}

/* The dirty list (oldest first) and the held list share the links. */
static void dirty_append(struct region_pages *rp, uint32_t i)
{
  struct node *n = &rp->nodes[i];
  n->held = 0;
  n->dnext = NIL;
  n->dprev = rp->dirty_tail;
  if (rp->dirty_tail)
    rp->nodes[rp->dirty_tail].dnext = i;
  else
    rp->dirty_head = i;
  rp->dirty_tail = i;
}

static void held_push(struct region_pages *rp, uint32_t i)
{
  struct node *n = &rp->nodes[i];
  n->held = 1;
  n->dprev = NIL;
  n->dnext = rp->held_head;
  if (n->dnext)
    rp->nodes[n->dnext].dprev = i;
  rp->held_head = i;
}

static void dirty_remove(struct region_pages *rp, uint32_t i)
{
  struct node *n = &rp->nodes[i];
  if (n->dprev)
    rp->nodes[n->dprev].dnext = n->dnext;
  else if (n->held)
    rp->held_head = n->dnext;
  else
    rp->dirty_head = n->dnext;
  if (n->dnext)
    rp->nodes[n->dnext].dprev = n->dprev;
  else if (!n->held)
    rp->dirty_tail = n->dprev;
}

/* Take a free node out of every list (it stays allocated as a node). */
static void unlink_free(struct region_pages *rp, uint32_t i)
{
  bin_remove(rp, i);
  if (rp->nodes[i].dirty) {
    dirty_remove(rp, i);
    rp->dirty_bytes -= (uint64_t)rp->nodes[i].npages * PAGE;
  }
  rp->free_bytes -= (uint64_t)rp->nodes[i].npages * PAGE;
}

/* Make [page, page + npages) a free block, merged with free neighbours.
 * dirty: its pages may be resident. */
/* Whether pages a and b (adjacent) lie in one chunk: blocks never span
 * two, so no allocation ever spans two registration units (invariant 1). */
static bool same_chunk(enum region r, uint32_t a, uint32_t b)
{
  return chunks_same_chunk(page_addr(r, a < b ? a : b), 2 * PAGE);
}

static uint32_t make_free(struct region_pages *rp, uint32_t page, uint32_t npages, bool dirty,
                          uint64_t freed_ms)
{
  enum region r = (enum region)(rp - pg.r);
  uint32_t i = node_new(rp);
  if (i == NIL)
    return NIL; /* out of nodes: the pages are lost to this process, not corrupted */
  uint32_t pages_max = (uint32_t)(window_region_size() / PAGE);
  /* Merged boundaries are cleared: inside a block every word is 0, so no
   * stale tag is ever read as a neighbour's. */
  if (page > 0 && (rp->map[page - 1] & TAG_FREE) && same_chunk(r, page - 1, page)) {
    uint32_t j = rp->map[page - 1] & TAG_MASK;
    struct node *l = &rp->nodes[j];
    unlink_free(rp, j);
    rp->map[l->page] = rp->map[page - 1] = rp->map[page] = 0;
    /* The older age wins: a block freed again and again next to an old
     * one must not keep the old one from decaying. */
    if (l->dirty && (!dirty || l->freed_ms < freed_ms))
      freed_ms = l->freed_ms;
    dirty |= l->dirty;
    npages += l->npages;
    page = l->page;
    node_drop(rp, j);
  }
  if (page + npages < pages_max && (rp->map[page + npages] & TAG_FREE) &&
      same_chunk(r, page + npages - 1, page + npages)) {
    uint32_t j = rp->map[page + npages] & TAG_MASK;
    struct node *h = &rp->nodes[j];
    unlink_free(rp, j);
    rp->map[page + npages - 1] = rp->map[h->page] = rp->map[h->page + h->npages - 1] = 0;
    if (h->dirty && (!dirty || h->freed_ms < freed_ms))
      freed_ms = h->freed_ms;
    dirty |= h->dirty;
    npages += h->npages;
    node_drop(rp, j);
  }
  struct node *n = &rp->nodes[i];
  *n = (struct node){ .page = page, .npages = npages, .freed_ms = freed_ms, .dirty = dirty };
  tag(rp, page, npages, TAG_FREE | i);
  bin_insert(rp, i);
  rp->free_bytes += (uint64_t)npages * PAGE;
  if (dirty) {
    rp->dirty_bytes += (uint64_t)npages * PAGE;
    dirty_append(rp, i);
  }
  return i;
}

/* Pages to skip from page (of a region at base) so that the block's
 * address is aligned to apages pages: alignment is of addresses, and a
 * region base is only 2 MiB aligned. */
static uint32_t skip_for(uintptr_t base, uint32_t page, uint32_t apages)
{
  uintptr_t al = (uintptr_t)apages * PAGE, a = base + (uintptr_t)page * PAGE;
  return (uint32_t)(((al - a % al) % al) / PAGE);
}

/* A free node that fits npages at the alignment (in pages), or NIL. */
static uint32_t find_fit(struct region_pages *rp, uintptr_t base, uint32_t npages, uint32_t apages,
                         uint32_t *skip)
{
  uint32_t need = npages + apages - 1;
  unsigned b = bin_of(need);
  int k = 0;
  for (uint32_t i = rp->bins[b]; i && k < SCAN; i = rp->nodes[i].next, k++) {
    struct node *n = &rp->nodes[i];
    uint32_t s = skip_for(base, n->page, apages);
    if (n->npages >= npages + s) {
      *skip = s;
      return i;
    }
  }
  for (unsigned c = b + 1; c < NBINS; c++) {
    uint64_t m = rp->binmask[c / 64] >> (c % 64);
    if (m == 0) {
      c = (c / 64 + 1) * 64 - 1;
      continue;
    }
    c += (unsigned)__builtin_ctzll(m);
    if (c >= NBINS)
      break;
    uint32_t i = rp->bins[c];
    struct node *n = &rp->nodes[i];
    *skip = skip_for(base, n->page, apages);
    if (n->npages >= npages + *skip)
      return i;
  }
  return NIL;
}

static void *alloc(enum region r, size_t n, size_t align, bool zero, size_t step, bool *fresh);

void *pages_alloc(enum region r, size_t n, size_t align, bool zero)
{
  return alloc(r, n, align, zero, 0, NULL);
}

void *pages_alloc_step(enum region r, size_t n, size_t step, bool zero, bool *fresh)
{
  return alloc(r, n, PAGE, zero, step, fresh);
}

static void *alloc(enum region r, size_t n, size_t align, bool zero, size_t step, bool *fresh)
{
  struct region_pages *rp = &pg.r[r];
  if (n > window_region_size()) {
    window_count_exhausted();
    return NULL;
  }
  size_t bytes = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
  if (bytes == 0)
    bytes = PAGE;
  if (align < PAGE)
    align = PAGE;
  if (bytes / PAGE >= TAG_MASK || align / PAGE >= TAG_MASK)
    return NULL;
  uint32_t npages = (uint32_t)(bytes / PAGE), apages = (uint32_t)(align / PAGE);
  pthread_mutex_lock(&rp->lock);
  void *p = NULL;
  bool dirty = false;
  if (!ensure_map(rp))
    goto out;
  uint32_t skip = 0, i = find_fit(rp, window_region_base(r), npages, apages, &skip);
  if (i != NIL) {
    struct node f = rp->nodes[i];
    unlink_free(rp, i);
    node_drop(rp, i);
    rp->map[f.page] = rp->map[f.page + f.npages - 1] = 0;
    dirty = f.dirty;
    uint32_t at = f.page + skip;
    /* The block's tags first: the remainders look at them as neighbours. */
    tag(rp, at, npages, TAG_USED | npages);
    if (skip)
      make_free(rp, f.page, skip, f.dirty, f.freed_ms);
    if (f.npages > skip + npages)
      make_free(rp, at + npages, f.npages - skip - npages, f.dirty, f.freed_ms);
    p = (void *)page_addr(r, at);
  } else {
    size_t take = bytes;
    if (step > bytes && step < window_region_size() && step / PAGE < TAG_MASK)
      take = (step + PAGE - 1) & ~(size_t)(PAGE - 1);
    uintptr_t a = chunks_carve(r, 0, take, align);
    if (a == 0 && take > bytes)
      a = chunks_carve(r, 0, take = bytes, align);
    if (a == 0)
      goto out;
    p = (void *)a;
    if (fresh)
      *fresh = true;
    if (take > bytes) { /* the rest of the step: free, clean, beside the block */
      uint32_t first = (uint32_t)((a - window_region_base(r)) / PAGE);
      tag(rp, first, npages, TAG_USED | npages);
      make_free(rp, first + npages, (uint32_t)((take - bytes) / PAGE), false, 0);
    }
  }
  uint32_t page = (uint32_t)(((uintptr_t)p - window_region_base(r)) / PAGE);
  tag(rp, page, npages, TAG_USED | npages);
  rp->blocks++;
  rp->bytes += bytes;
  chunks_live((uintptr_t)p, (long)bytes);
out:
  pthread_mutex_unlock(&rp->lock);
  if (p && zero && dirty)
    memset(p, 0, bytes); /* fresh and purged pages are zero already */
  return p;
}

uintptr_t pages_grow(enum region r, size_t size)
{
  struct region_pages *rp = &pg.r[r];
  size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
  if (size == 0 || size > window_region_size() || size / PAGE >= TAG_MASK)
    return 0;
  pthread_mutex_lock(&rp->lock);
  uintptr_t a = 0;
  if (ensure_map(rp) && (a = chunks_carve(r, 0, size, PAGE)) != 0)
    make_free(rp, (uint32_t)((a - window_region_base(r)) / PAGE), (uint32_t)(size / PAGE), false, 0);
  pthread_mutex_unlock(&rp->lock);
  return a;
}

/* The block starting at p: its region and first page, or false. Caller
 * holds the region's lock. */
static bool block_at(const void *p, enum region *r, uint32_t *page, uint32_t *npages)
{
  if (!window_contains(p) || ((uintptr_t)p & (PAGE - 1)))
    return false;
  *r = window_region(p);
  if (!region_is_pages(*r) || pg.r[*r].map == NULL)
    return false;
  *page = (uint32_t)(((uintptr_t)p - window_region_base(*r)) / PAGE);
  uint32_t w = pg.r[*r].map[*page];
  if ((w & (TAG_USED | TAG_BUSY)) != TAG_USED)
    return false;
  *npages = w & TAG_MASK;
  return true;
}

/* Give back the dirty free block i, lock held on entry and exit, released
 * around the madvise (the block is busy meanwhile). Its bytes, or 0 when
 * its chunk is registered (then it waits for its unit to be unbound). */
static size_t purge_one(enum region r, struct region_pages *rp, uint32_t i)
{
  struct node *n = &rp->nodes[i];
  uintptr_t a = page_addr(r, n->page);
  size_t len = (size_t)n->npages * PAGE;
  if (!chunks_purge_begin(a, len)) {
    dirty_remove(rp, i);
    held_push(rp, i);
    return 0;
  }
  uint32_t page = n->page, npages = n->npages;
  unlink_free(rp, i);
  tag(rp, page, npages, TAG_USED | TAG_BUSY | npages);
  n->next = rp->busy; /* busy list, for a fork in the middle */
  n->prev = NIL;
  if (rp->busy)
    rp->nodes[rp->busy].prev = i;
  rp->busy = i;
  pthread_mutex_unlock(&rp->lock);
  os_purge((void *)a, len, false);
  chunks_purge_end(a, len);
  pthread_mutex_lock(&rp->lock);
  n = &rp->nodes[i];
  if (n->prev)
    rp->nodes[n->prev].next = n->next;
  else
    rp->busy = n->next;
  if (n->next)
    rp->nodes[n->next].prev = n->prev;
  node_drop(rp, i);
  rp->map[page] = rp->map[page + npages - 1] = 0;
  make_free(rp, page, npages, false, 0);
  rp->purged_bytes += len;
  return len;
}

/* Purge the oldest dirty blocks past their decay, lock held on entry and
 * exit. */
static size_t purge_locked(enum region r, struct region_pages *rp, bool now, size_t max)
{
  size_t done = 0;
  uint64_t t = clock_ms();
  while (rp->dirty_head && (max == 0 || done < max)) {
    uint32_t i = rp->dirty_head;
    if (!now && t - rp->nodes[i].freed_ms < PAGES_DECAY_MS)
      break;
    done += purge_one(r, rp, i);
  }
  return done;
}

bool pages_free(void *p)
{
  enum region r;
  uint32_t page, npages;
  if (!window_contains(p))
    return false;
  r = window_region(p);
  if (!region_is_pages(r))
    return false;
  struct region_pages *rp = &pg.r[r];
  pthread_mutex_lock(&rp->lock);
  bool was_dirty = rp->dirty_head;
  bool ok = block_at(p, &r, &page, &npages);
  if (ok) {
    rp->map[page] = rp->map[page + npages - 1] = 0;
    rp->blocks--;
    rp->bytes -= (uint64_t)npages * PAGE;
    if (chunks_live((uintptr_t)p, -(long)npages * PAGE))
      __atomic_store_n(&pg.sparse, true, __ATOMIC_RELAXED);
    uint32_t i = make_free(rp, page, npages, true, clock_ms());
    /* A large block goes back at once, as jemalloc's own large blocks
     * (its oversize arena) and glibc's (munmap) do: a program that frees
     * a model's weights must not keep them resident for a decay. */
    if (npages >= PAGES_AT_ONCE / PAGE && i != NIL)
      purge_one(r, rp, i);
    /* Decay on the freeing thread too: a process without a bind thread
     * gives memory back as jemalloc would, on its next frees. */
    purge_locked(r, rp, false, (size_t)64 << 20);
  }
  bool waiting = ok && !was_dirty && rp->dirty_head;
  pthread_mutex_unlock(&rp->lock);
  if (waiting)
    decay_note();
  return ok;
}

size_t pages_usable(const void *p)
{
  enum region r;
  uint32_t page, npages = 0;
  if (!window_contains(p) || !region_is_pages(window_region(p)))
    return 0;
  struct region_pages *rp = &pg.r[window_region(p)];
  pthread_mutex_lock(&rp->lock);
  bool ok = block_at(p, &r, &page, &npages);
  pthread_mutex_unlock(&rp->lock);
  return ok ? (size_t)npages * PAGE : 0;
}

bool pages_resize(void *p, size_t n)
{
  enum region r;
  uint32_t page, npages;
  if (n > window_region_size())
    return false;
  size_t bytes = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
  if (bytes == 0)
    bytes = PAGE;
  if (!window_contains(p) || !region_is_pages(window_region(p)) || bytes / PAGE >= TAG_MASK)
    return false;
  struct region_pages *rp = &pg.r[window_region(p)];
  uint32_t want = (uint32_t)(bytes / PAGE);
  bool ok = false;
  pthread_mutex_lock(&rp->lock);
  bool was_dirty = rp->dirty_head;
  if (!block_at(p, &r, &page, &npages))
    goto out;
  if (want <= npages) {
    if (want < npages) {
      tag(rp, page, npages, 0);
      tag(rp, page, want, TAG_USED | want);
      make_free(rp, page + want, npages - want, true, clock_ms());
      rp->bytes -= (uint64_t)(npages - want) * PAGE;
      chunks_live((uintptr_t)p, -(long)(npages - want) * PAGE);
    }
    ok = true;
    goto out;
  }
  uint32_t next = page + npages;
  if (next < window_region_size() / PAGE && (rp->map[next] & TAG_FREE) &&
      same_chunk(r, next - 1, next)) {
    uint32_t j = rp->map[next] & TAG_MASK;
    struct node f = rp->nodes[j];
    if (f.npages >= want - npages) {
      unlink_free(rp, j);
      node_drop(rp, j);
      tag(rp, f.page, f.npages, 0);
      tag(rp, page, npages, 0);
      tag(rp, page, want, TAG_USED | want);
      if (f.npages > want - npages)
        make_free(rp, page + want, f.npages - (want - npages), f.dirty, f.freed_ms);
      rp->bytes += (uint64_t)(want - npages) * PAGE;
      chunks_live((uintptr_t)p, (long)(want - npages) * PAGE);
      ok = true;
    }
  }
out:;
  bool waiting = !was_dirty && rp->dirty_head;
  pthread_mutex_unlock(&rp->lock);
  if (waiting)
    decay_note();
  return ok;
}

size_t pages_purge(enum region r, bool now, size_t max_bytes)
{
  struct region_pages *rp = &pg.r[r];
  pthread_mutex_lock(&rp->lock);
  size_t n = rp->map ? purge_locked(r, rp, now, max_bytes) : 0;
  pthread_mutex_unlock(&rp->lock);
  return n;
}

void pages_unbound(uintptr_t base, size_t size)
{
  if (!window_contains((void *)base) || !region_is_pages(window_region((void *)base)))
    return;
  enum region r = window_region((void *)base);
  struct region_pages *rp = &pg.r[r];
  pthread_mutex_lock(&rp->lock);
  for (uint32_t i = rp->held_head, next; i; i = next) {
    struct node *n = &rp->nodes[i];
    next = n->dnext;
    uintptr_t a = page_addr(r, n->page);
    if (a + (size_t)n->npages * PAGE <= base || a >= base + size)
      continue;
    dirty_remove(rp, i);
    n->freed_ms = 0; /* past its decay: given back at the next purge */
    dirty_append(rp, i);
  }
  pthread_mutex_unlock(&rp->lock);
}

bool pages_take_sparse(void)
{
  return __atomic_load_n(&pg.sparse, __ATOMIC_RELAXED) &&
         __atomic_exchange_n(&pg.sparse, false, __ATOMIC_RELAXED);
}

/* Whether free pages are waiting for their decay in r. */
static bool pages_dirty(enum region r)
{
  return __atomic_load_n(&pg.r[r].dirty_head, __ATOMIC_RELAXED) != NIL;
}

bool pages_tick(void)
{
  bool dirty = false;
  for (enum region g = 0; g < REG_N; g++)
    if (region_is_pages(g)) {
      pages_purge(g, false, 0);
      dirty |= pages_dirty(g);
    }
  return dirty;
}

/* The child's pinned blocks must not share units with the parent's:
 * binding such a unit would fault in, and copy, every page the parent
 * pinned in it. The free space there is kept out of use (marked as a
 * block nobody frees), so the child's blocks come from fresh chunks. */
static void forget_free(struct region_pages *rp)
{
  for (unsigned b = 0; b < NBINS; b++)
    while (rp->bins[b]) {
      uint32_t i = rp->bins[b];
      struct node n = rp->nodes[i];
      unlink_free(rp, i);
      node_drop(rp, i);
      tag(rp, n.page, n.npages, TAG_USED | n.npages);
    }
}

void pages_fork(enum fork_phase ph)
{
  for (enum region r = 0; r <= REG_ZERO; r++) {
    struct region_pages *rp = &pg.r[r];
    fork_mutex(&rp->lock, ph);
    if (ph != FORK_CHILD)
      continue;
    /* Blocks another thread was purging: free (and dirty) in the child.
     * Held blocks: the child registers nothing, so their decay resumes. */
    while (rp->busy) {
      uint32_t i = rp->busy;
      struct node n = rp->nodes[i];
      rp->busy = n.next;
      node_drop(rp, i);
      rp->map[n.page] = rp->map[n.page + n.npages - 1] = 0;
      make_free(rp, n.page, n.npages, true, 0);
    }
    while (rp->held_head) {
      uint32_t i = rp->held_head;
      dirty_remove(rp, i);
      rp->nodes[i].freed_ms = 0;
      dirty_append(rp, i);
    }
    if (r == REG_PINNED)
      forget_free(rp);
  }
}

void pages_stats(enum region r, struct pages_stats *s)
{
  struct region_pages *rp = &pg.r[r];
  pthread_mutex_lock(&rp->lock);
  *s = (struct pages_stats){ rp->blocks, rp->bytes, rp->free_bytes, rp->dirty_bytes,
                             rp->purged_bytes };
  pthread_mutex_unlock(&rp->lock);
}
