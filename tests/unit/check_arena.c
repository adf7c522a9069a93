/* The arena module on its own: the window and its regions, carving, the
 * unit state machine (purges against choices, registrations against
 * unbinding, the budget), each extent hook's contract, the page allocator
 * (exact sizes, coalescing, decay, pages held while registered). Linked
 * with the arena sources directly (no preload), under ASan and UBSan.
 * Check forks each test, so each starts with a fresh window. */
#include "../../arena/chunks.h"
#include "../../arena/gpu_arena.h"
#include "../../arena/hooks.h"
#include "../../arena/pages.h"
#include "../../arena/window.h"
#include "../../config/config.h"

#include "run_suite.h"

#include <check.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)

static void init(size_t chunk, size_t window, size_t max_pinned)
{
  struct cfg c = { 0 };
  c.chunk_size = chunk;
  c.window = window;
  c.max_pinned = max_pinned;
  c.min_size = 4096;
  c.site_min_size = 256;
  c.hugepages = true;
  ck_assert_int_eq(arena_init(&c), 0);
  for (enum region r = 0; r < REG_N; r++)
    window_use_hugepages(r); /* as once there is evidence for each */
}

static bool resident(const void *p)
{
  unsigned char v;
  ck_assert_int_eq(mincore((void *)((uintptr_t)p & ~(uintptr_t)4095), 4096, &v), 0);
  return v & 1;
}

START_TEST(window_reserved_aligned)
{
  init(64 * MB, (size_t)1 << 40, (size_t)1 << 40);
  ck_assert_uint_eq(window_len, (size_t)1 << 40);
  ck_assert_uint_eq(window_lo % WINDOW_ALIGN, 0);
  ck_assert(!window_contains((void *)(window_lo - 1)));
  ck_assert(window_contains((void *)window_lo));
  ck_assert(window_contains((void *)(window_lo + window_len - 1)));
  ck_assert(!window_contains((void *)(window_lo + window_len)));
  ck_assert(!window_contains(NULL));
  /* Regions: an eighth each, found by a shift. */
  ck_assert_uint_eq(window_region_size(), window_len / WINDOW_SLOTS);
  for (enum region r = 0; r < REG_N; r++) {
    ck_assert_int_eq(window_region((void *)window_region_base(r)), r);
    ck_assert_int_eq(window_region((void *)(window_region_base(r) + window_region_size() - 1)), r);
  }
  /* A non-power-of-two request is rounded down. */
  ck_assert_uint_eq(window_len & (window_len - 1), 0);
}
END_TEST

START_TEST(carving_in_address_order)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  uintptr_t last = 0;
  for (int i = 0; i < 20; i++) {
    uintptr_t p = chunks_carve(REG_SIZE, 0, MB, 4096);
    ck_assert_uint_ne(p, 0);
    ck_assert_uint_gt(p, last);
    ck_assert_int_eq(window_region((void *)p), REG_SIZE);
    last = p;
  }
  struct chunks_stats s;
  chunks_stats(&s);
  ck_assert_uint_eq(s.region_bytes[REG_SIZE], 20 * MB); /* 20 MiB in 4 MiB chunks, packed */
  /* An extent larger than a chunk gets one of its own size (rounded to 2 MiB). */
  uintptr_t big = chunks_carve(REG_SIZE, 0, 9 * MB, 2 * MB);
  ck_assert(chunks_same_chunk(big, 9 * MB));
  ck_assert_uint_eq(big % (2 * MB), 0);
  chunks_stats(&s);
  ck_assert_uint_eq(s.region_bytes[REG_SIZE], 30 * MB);
  /* In-place growth only at the cursor. */
  ck_assert_uint_eq(chunks_carve(REG_SIZE, big, MB, 4096), 0);
  ck_assert_uint_eq(chunks_carve(REG_SIZE, big + 9 * MB, MB, 4096), big + 9 * MB);
}
END_TEST

START_TEST(allocations_never_straddle_chunks)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  for (int i = 0; i < 300; i++) {
    size_t n = (size_t)(1 << 10) * (size_t)(1 + i * 37 % 2600);
    char *p = arena_alloc(i % 2 ? REG_SIZE : REG_SITE, n, 0, false);
    ck_assert_ptr_nonnull(p);
    ck_assert(window_contains(p));
    ck_assert(chunks_same_chunk((uintptr_t)p, n));
    memset(p, i, n);
    if (i % 3 == 0)
      arena_free(p);
  }
}
END_TEST

START_TEST(hook_split_merge)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  char *a = (char *)chunks_carve(REG_SIZE_SMALL, 0, 4 * MB, 4096);
  char *b = (char *)chunks_carve(REG_SIZE_SMALL, 0, 4 * MB, 4096);
  ck_assert_ptr_eq(b, a + 4 * MB); /* adjacent chunks */
  extent_hooks_t *h = &arena_hooks;
  ck_assert(!h->split(h, a, 4 * MB, MB, 3 * MB, true, 0));
  ck_assert(!h->merge(h, a, MB, a + MB, MB, true, 0));     /* within a chunk */
  ck_assert(h->merge(h, a + 3 * MB, MB, b, MB, true, 0));  /* across chunks: refused */
}
END_TEST

/* An over-aligned block gets a chunk of its own at its alignment: the gap
 * is a hole no chunk covers, and no run coalesces across it (binding
 * would fault the gap in). */
START_TEST(over_aligned_blocks_leave_holes)
{
  init(64 * MB, (size_t)1 << 36, (size_t)1 << 36);
  uintptr_t a = chunks_carve(REG_SIZE, 0, 6 * MB, (size_t)1 << 30);
  uintptr_t b = chunks_carve(REG_SIZE, 0, 6 * MB, (size_t)1 << 30);
  ck_assert(a != 0 && b != 0);
  ck_assert_uint_eq(b % ((size_t)1 << 30), 0);
  uintptr_t base;
  size_t size;
  ck_assert(chunks_extent(b, &base, &size));
  ck_assert_uint_le(size, 8 * MB);                     /* not the GiB before it */
  ck_assert(!chunks_extent(b - 64 * MB, &base, &size)); /* a hole */
  struct chunk_run r;
  ck_assert_int_eq(chunks_choose(a, 1024 * MB, &r), CHOOSE_OK);
  ck_assert_uint_le(r.size, 8 * MB);                   /* a's chunk alone */
  chunks_bound(&r, true, r.base, 0);
  ck_assert_int_eq(chunks_choose(b, 1024 * MB, &r), CHOOSE_OK);
  ck_assert_uint_eq(r.base, base); /* b's own chunk */
  ck_assert_uint_le(r.size, 8 * MB);
}
END_TEST

/* Invariant 2 from the moment a range is chosen, through binding,
 * registration and unbinding; purges resume once it is unbound. */
START_TEST(hook_purge_only_unbound)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  extent_hooks_t *h = &arena_hooks;
  char *a = (char *)chunks_carve(REG_SIZE_SMALL, 0, 4 * MB, 4096);
  memset(a, 0x5a, 4 * MB);
  ck_assert(!h->purge_forced(h, a, 4 * MB, 0, MB, 0)); /* never registered: allowed */
  ck_assert_uint_eq((unsigned char)a[0], 0);
  ck_assert_uint_eq((unsigned char)a[MB], 0x5a);
  struct chunk_run r;
  ck_assert_int_eq(chunks_choose((uintptr_t)a, 64 * MB, &r), CHOOSE_OK);
  a[2 * MB] = 0x11;
  ck_assert(h->purge_forced(h, a, 4 * MB, 2 * MB, MB, 0)); /* chosen: refused */
  ck_assert(h->purge_lazy(h, a, 4 * MB, 2 * MB, MB, 0));
  chunks_bound(&r, true, (uintptr_t)a, 0);
  a[2 * MB] = 0x12;
  ck_assert(h->purge_forced(h, a, 4 * MB, 2 * MB, MB, 0)); /* bound: refused */
  ck_assert(h->dalloc(h, a, 4 * MB, true, 0));
  ck_assert(h->decommit(h, a, 4 * MB, 0, MB, 0));
  uintptr_t cursor = 0;
  ck_assert(chunks_take_idle(&cursor, 1u << REG_SIZE_SMALL, 0, 0, &r));
  ck_assert(h->purge_forced(h, a, 4 * MB, 2 * MB, MB, 0)); /* unbinding: refused */
  ck_assert_int_eq(a[2 * MB], 0x12);
  chunks_unbound(&r, true);
  ck_assert(!h->purge_forced(h, a, 4 * MB, 2 * MB, MB, 0)); /* unbound: allowed */
  ck_assert_int_eq(a[2 * MB], 0);
  ck_assert(!h->commit(h, a, 4 * MB, 0, MB, 0));
}
END_TEST

START_TEST(purge_and_choice_exclude_each_other)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  uintptr_t a = chunks_carve(REG_SIZE, 0, 2 * MB, 4096);
  ck_assert(chunks_purge_begin(a, MB));
  struct chunk_run r;
  ck_assert_int_eq(chunks_choose(a, 64 * MB, &r), CHOOSE_BUSY); /* purging: not now */
  chunks_purge_end(a, MB);
  ck_assert_int_eq(chunks_choose(a, 64 * MB, &r), CHOOSE_OK);
  ck_assert(!chunks_purge_begin(a, MB)); /* chosen: no purge */
  chunks_bound(&r, false, 0, -1);        /* refused: FAILED, purgeable again */
  ck_assert(chunks_purge_begin(a, MB));
  chunks_purge_end(a, MB);
}
END_TEST

START_TEST(registrations_hold_their_unit)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  uintptr_t a = chunks_carve(REG_SIZE, 0, 3 * MB, 4096);
  struct chunk_run r;
  struct chunk_info c;
  ck_assert_int_eq(chunks_acquire(a, MB, &c), CHUNK_COMMITTED);
  ck_assert_int_eq(chunks_choose(a, 64 * MB, &r), CHOOSE_OK);
  chunks_bound(&r, true, 0x1000, 3);
  ck_assert_int_eq(chunks_acquire(a + 100, MB, &c), CHUNK_BOUND);
  ck_assert_uint_eq(c.dev, 0x1000);
  ck_assert_int_eq(c.device, 3);
  uintptr_t cursor = 0;
  ck_assert(!chunks_take_idle(&cursor, ~0u, 0, 0, &r)); /* held: never taken */
  chunks_release(a + 100);
  cursor = 0;
  ck_assert(chunks_take_idle(&cursor, ~0u, 0, NEVER, &r)); /* claimed, now idle */
  chunks_unbound(&r, true);
  ck_assert_int_eq(chunks_acquire(a, MB, &c), CHUNK_COMMITTED);
  /* A range spanning two units has no unit. */
  uintptr_t b = chunks_carve(REG_SIZE, 0, 4 * MB, 4096);
  ck_assert_int_eq(chunks_acquire(b - 4096, 8192, &c), -1);
  /* Never-claimed units age by their own clock, while in use... */
  ck_assert(!chunks_live(b, 4 * MB));
  ck_assert_int_eq(chunks_choose(b, 64 * MB, &r), CHOOSE_OK);
  chunks_bound(&r, true, b, 0);
  cursor = 0;
  ck_assert(!chunks_take_idle(&cursor, ~0u, 0, NEVER, &r));
  ck_assert(chunks_take_idle(&cursor, ~0u, NEVER, 0, &r));
  chunks_unbound(&r, true);
  /* ...and one mostly freed goes soon (not at once: a loop that
   * allocates, registers and frees would bind it again and again). */
  ck_assert_int_eq(chunks_choose(b, 64 * MB, &r), CHOOSE_OK);
  chunks_bound(&r, true, b, 0);
  ck_assert(chunks_live(b, -4 * (long)MB + (long)MB / 2));
  cursor = 0;
  ck_assert(!chunks_take_idle(&cursor, ~0u, NEVER, NEVER, &r));
  usleep(150 * 1000);
  cursor = 0;
  ck_assert(chunks_take_idle(&cursor, ~0u, NEVER, NEVER, &r));
  chunks_unbound(&r, true);
}
END_TEST

START_TEST(foreign_registrations_block_binding)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  uintptr_t a = chunks_carve(REG_SIZE, 0, 3 * MB, 4096);
  chunks_foreign(a + 4096, 4096, +1);
  struct chunk_run r;
  ck_assert_int_eq(chunks_choose(a, 64 * MB, &r), CHOOSE_FOREIGN);
  chunks_foreign(a + 4096, 4096, -1);
  ck_assert_int_eq(chunks_choose(a, 64 * MB, &r), CHOOSE_OK);
}
END_TEST

START_TEST(budget_refuses_binding)
{
  init(4 * MB, (size_t)1 << 32, 16 * MB);
  uintptr_t p[8];
  for (int i = 0; i < 8; i++)
    p[i] = chunks_carve(REG_SIZE, 0, 4 * MB, 4096);
  struct chunk_run r;
  int bound = 0;
  for (int i = 0; i < 8; i++) {
    enum choose c = chunks_choose(p[i], 4 * MB, &r);
    if (c == CHOOSE_OK) {
      chunks_bound(&r, true, p[i], 0);
      bound++;
    } else {
      ck_assert_int_eq(c, CHOOSE_BUDGET);
    }
  }
  struct chunks_stats s;
  chunks_stats(&s);
  ck_assert_int_eq(bound, 4);
  ck_assert_uint_eq(s.bound_bytes, 16 * MB);
  ck_assert_uint_gt(s.budget_refused, 0);
  /* Placement is not limited by the budget: the window still serves. */
  ck_assert_ptr_nonnull(arena_alloc(REG_SIZE, 64 * MB, 0, false));
}
END_TEST

START_TEST(window_exhaustion)
{
  init(4 * MB, (size_t)1 << 30, (size_t)1 << 40);
  int got = 0;
  for (int i = 0; i < 300; i++)
    got += chunks_carve(REG_SIZE, 0, 4 * MB, 4096) != 0;
  struct window_stats w;
  window_stats(&w);
  ck_assert_int_eq(got, (int)(window_region_size() / (4 * MB)));
  ck_assert_uint_gt(w.exhausted, 0);
  ck_assert_ptr_null(arena_alloc(REG_SIZE, 4 * MB, 0, false));
  ck_assert_ptr_nonnull(arena_alloc(REG_SITE, 4 * MB, 0, false)); /* another region */
}
END_TEST

START_TEST(reservation_halves_on_refusal)
{
  /* No address space can hold 2^62 bytes: the window is halved until the
   * kernel accepts. */
  ck_assert_int_eq(window_reserve((size_t)1 << 62, (size_t)1 << 30, false), 0);
  ck_assert_uint_lt(window_len, (size_t)1 << 62);
  ck_assert_uint_ge(window_len, (size_t)1 << 30);
}
END_TEST

START_TEST(reservation_floor)
{
  /* A floor above anything reservable: nothing is reserved. */
  ck_assert_int_eq(window_reserve((size_t)1 << 62, (size_t)1 << 61, false), -1);
  ck_assert_uint_eq(window_len, 0);
}
END_TEST

START_TEST(fork_child_owns_no_registrations)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  uintptr_t a = chunks_carve(REG_SIZE, 0, MB, 4096);
  struct chunk_run r;
  ck_assert_int_eq(chunks_choose(a, 64 * MB, &r), CHOOSE_OK);
  chunks_bound(&r, true, a, 0);
  struct chunks_stats s;
  chunks_stats(&s);
  ck_assert_uint_eq(s.bound, 1);
  chunks_fork(FORK_CHILD);
  chunks_stats(&s);
  ck_assert_uint_eq(s.bound, 0);
  ck_assert(chunks_purge_begin(a, MB));
}
END_TEST

START_TEST(choosing_the_newest_seals_it)
{
  init(8 * MB, (size_t)1 << 32, (size_t)1 << 32);
  uintptr_t a = chunks_carve(REG_SIZE, 0, 3 * MB, 4096);
  struct chunk_run r;
  ck_assert_int_eq(chunks_choose(a, 64 * MB, &r), CHOOSE_OK);
  ck_assert_uint_eq(r.size, 4 * MB); /* the used 3 MiB, rounded up to 2 MiB */
  /* Carving goes on above the cut, in a chunk of its own. */
  uintptr_t b = chunks_carve(REG_SIZE, 0, MB, 4096);
  ck_assert_uint_eq(b, a + 4 * MB);
  ck_assert(!chunks_same_chunk(a, 5 * MB));
}
END_TEST

START_TEST(pages_exact_and_packed)
{
  init(64 * MB, (size_t)1 << 36, (size_t)1 << 36);
  char *a = pages_alloc(REG_SIZE, 13 * MB + 1, 0, false);
  char *b = pages_alloc(REG_SIZE, 13 * MB, 0, false);
  ck_assert_uint_eq(pages_usable(a), 13 * MB + 4096); /* no size class: pages */
  ck_assert_ptr_eq(b, a + 13 * MB + 4096);            /* back to back */
  ck_assert_uint_eq(pages_usable(a + 4096), 0);        /* not a block's start */
  ck_assert(!pages_free(a + 4096));
  /* Coalescing: b and a free make one block that a larger request reuses. */
  ck_assert(pages_free(b));
  ck_assert(pages_free(a));
  ck_assert(!pages_free(a)); /* twice: refused */
  char *c = pages_alloc(REG_SIZE, 26 * MB, 0, false);
  ck_assert_ptr_eq(c, a);
  /* Aligned requests. */
  char *d = pages_alloc(REG_SIZE, 100, 1 << 20, false);
  ck_assert_uint_eq((uintptr_t)d % (1 << 20), 0);
  ck_assert_uint_eq(pages_usable(d), 4096);
}
END_TEST

START_TEST(pages_resize_in_place)
{
  init(64 * MB, (size_t)1 << 36, (size_t)1 << 36);
  char *a = pages_alloc(REG_SIZE, MB, 0, false);
  char *b = pages_alloc(REG_SIZE, MB, 0, false);
  ck_assert(!pages_resize(a, 2 * MB)); /* b is in the way */
  ck_assert(pages_free(b));
  ck_assert(pages_resize(a, 2 * MB)); /* grows into b's pages */
  ck_assert_uint_eq(pages_usable(a), 2 * MB);
  ck_assert(pages_resize(a, 4096));
  ck_assert_uint_eq(pages_usable(a), 4096);
  char *c = pages_alloc(REG_SIZE, MB, 0, false);
  ck_assert_ptr_eq(c, a + 4096); /* the tail given up is reused */
}
END_TEST

START_TEST(pages_decay_and_registered_pages)
{
  init(8 * MB, (size_t)1 << 36, (size_t)1 << 36);
  char *a = pages_alloc(REG_SIZE, 4 * MB, 0, false);
  memset(a, 1, 4 * MB);
  ck_assert(pages_free(a));
  ck_assert(resident(a));
  ck_assert_uint_eq(pages_purge(REG_SIZE, false, 0), 0); /* before its decay */
  ck_assert_uint_ge(pages_purge(REG_SIZE, true, 0), 4 * MB);
  ck_assert(!resident(a));
  /* Free pages of a bound unit stay until it is unbound. */
  char *b = pages_alloc(REG_SIZE, 2 * MB, 0, false);
  ck_assert_ptr_eq(b, a);
  memset(b, 2, 2 * MB);
  struct chunk_run r;
  ck_assert_int_eq(chunks_choose((uintptr_t)b, 64 * MB, &r), CHOOSE_OK);
  chunks_bound(&r, true, (uintptr_t)b, 0);
  ck_assert(pages_free(b));
  ck_assert_uint_eq(pages_purge(REG_SIZE, true, 0), 0);
  ck_assert(resident(b));
  uintptr_t cursor = 0;
  ck_assert(chunks_take_idle(&cursor, ~0u, 0, 0, &r));
  chunks_unbound(&r, true);
  pages_unbound(r.base, r.size);
  ck_assert_uint_ge(pages_purge(REG_SIZE, false, 0), 2 * MB);
  ck_assert(!resident(b));
  /* Purged pages come back zeroed; dirty ones are zeroed on request. */
  unsigned char *z = pages_alloc(REG_SIZE, 2 * MB, 0, true);
  for (size_t i = 0; i < 2 * MB; i += 4093)
    ck_assert_uint_eq(z[i], 0);
}
END_TEST

START_TEST(zeroed_on_reuse)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  for (int r = 0; r < 8; r++) {
    unsigned char *p = arena_alloc(r % 2 ? REG_SIZE : REG_SITE, r < 4 ? MB : 2048, 0, true);
    size_t n = r < 4 ? MB : 2048;
    for (size_t i = 0; i < n; i += 97)
      ck_assert_uint_eq(p[i], 0);
    memset(p, 0xff, n);
    arena_free(p);
  }
}
END_TEST

START_TEST(small_sizes_in_small_regions)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  void *s = arena_alloc(REG_SITE, 256, 64, false);
  void *l = arena_alloc(REG_SITE, 64 << 10, 64, false);
  ck_assert_int_eq(window_region(s), REG_SITE_SMALL);
  ck_assert_int_eq(window_region(l), REG_SITE);
  ck_assert_int_eq(arena_kind(s), REG_SITE);
  ck_assert_uint_eq((uintptr_t)s % 64, 0);
  /* realloc across the small/large line stays in the kind. */
  void *g = arena_realloc(s, 100 << 10);
  ck_assert_int_eq(window_region(g), REG_SITE);
  void *h = arena_realloc(g, 300);
  ck_assert_int_eq(window_region(h), REG_SITE_SMALL);
  arena_free(h);
  arena_free(l);
}
END_TEST

/* Random allocations, frees and reallocations of both kinds and every
 * size class, each block filled with its own byte and checked before it
 * changes: no block ever overlaps another or loses data. */
START_TEST(random_blocks_keep_their_data)
{
  init(4 * MB, (size_t)1 << 36, (size_t)1 << 36);
  enum { N = 200 };
  static char *p[N];
  static size_t sz[N];
  unsigned seed = 1;
  for (int it = 0; it < 8000; it++) {
    int i = (int)(rand_r(&seed) % N);
    size_t n = 1 + (size_t)rand_r(&seed) % MB;
    if (p[i]) {
      for (size_t k = 0; k < sz[i]; k += 4093)
        ck_assert_int_eq(p[i][k], (char)i);
      if (rand_r(&seed) % 3 == 0) {
        arena_free(p[i]);
        p[i] = NULL;
        continue;
      }
      char *q = arena_realloc(p[i], n);
      ck_assert_ptr_nonnull(q);
      for (size_t k = 0; k < (sz[i] < n ? sz[i] : n); k += 4093)
        ck_assert_int_eq(q[k], (char)i);
      p[i] = q;
    } else {
      p[i] = arena_alloc(rand_r(&seed) % 2 ? REG_SIZE : REG_SITE, n,
                         rand_r(&seed) % 4 ? 0 : (size_t)8192 << (rand_r(&seed) % 4), false);
      ck_assert_ptr_nonnull(p[i]);
    }
    sz[i] = n;
    memset(p[i], i, n);
  }
}
END_TEST

int main(void)
{
  Suite *s = suite_create("arena");
  TCase *t = tcase_create("arena");
  tcase_set_timeout(t, 30);
  tcase_add_test(t, window_reserved_aligned);
  tcase_add_test(t, carving_in_address_order);
  tcase_add_test(t, allocations_never_straddle_chunks);
  tcase_add_test(t, hook_split_merge);
  tcase_add_test(t, over_aligned_blocks_leave_holes);
  tcase_add_test(t, hook_purge_only_unbound);
  tcase_add_test(t, purge_and_choice_exclude_each_other);
  tcase_add_test(t, registrations_hold_their_unit);
  tcase_add_test(t, foreign_registrations_block_binding);
  tcase_add_test(t, budget_refuses_binding);
  tcase_add_test(t, window_exhaustion);
  tcase_add_test(t, reservation_halves_on_refusal);
  tcase_add_test(t, reservation_floor);
  tcase_add_test(t, fork_child_owns_no_registrations);
  tcase_add_test(t, choosing_the_newest_seals_it);
  tcase_add_test(t, pages_exact_and_packed);
  tcase_add_test(t, pages_resize_in_place);
  tcase_add_test(t, pages_decay_and_registered_pages);
  tcase_add_test(t, zeroed_on_reuse);
  tcase_add_test(t, small_sizes_in_small_regions);
  tcase_add_test(t, random_blocks_keep_their_data);
  suite_add_tcase(s, t);
  return run_suite(s);
}
