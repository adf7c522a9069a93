/* The arena module on its own: window carving, the chunk table, each extent
 * hook's contract, the budget and window exhaustion. Linked with the arena
 * sources directly (no preload), under ASan and UBSan. Check forks each
 * test, so each starts with a fresh window. */
#include "../../arena/chunks.h"
#include "../../arena/gpu_arena.h"
#include "../../arena/hooks.h"
#include "../../arena/window.h"
#include "../../config/config.h"

#include "run_suite.h"

#include <check.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)

/* Creating the arena takes window space for jemalloc's own metadata (its
 * base allocations come through the hooks too); tests start after it. */
static struct chunks_stats at_start;

static void init(size_t chunk, size_t window, size_t max_pinned)
{
  struct cfg c = { 0 };
  c.chunk_size = chunk;
  c.window = window;
  c.max_pinned = max_pinned;
  c.min_size = 256 << 10;
  c.hugepages = true;
  ck_assert_int_eq(arena_init(&c), 0);
  window_use_hugepages(); /* as once a backend is live */
  chunks_stats(&at_start);
  /* Start the tests on a fresh chunk. */
  ck_assert_ptr_nonnull(chunks_carve(NULL, chunk, 4096));
  chunks_stats(&at_start);
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
}
END_TEST

START_TEST(carving_in_address_order)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  uintptr_t last = 0;
  for (int i = 0; i < 20; i++) {
    void *p = chunks_carve(NULL, MB, 4096);
    ck_assert_ptr_nonnull(p);
    ck_assert((uintptr_t)p > last);
    ck_assert(window_contains(p));
    last = (uintptr_t)p;
  }
  struct chunks_stats s;
  chunks_stats(&s);
  ck_assert_uint_eq(s.count - at_start.count, 5); /* 20 MiB in 4 MiB chunks */
  ck_assert_uint_eq(s.bytes - at_start.bytes, 20 * MB);
  /* An extent larger than a chunk gets a chunk of its own size. */
  void *big = chunks_carve(NULL, 9 * MB, 2 * MB);
  struct chunk c;
  ck_assert(chunks_find((uintptr_t)big, &c));
  ck_assert_uint_eq(c.size, 10 * MB);
  ck_assert_uint_eq((uintptr_t)big % (2 * MB), 0);
  /* In-place growth only at the cursor. */
  ck_assert_ptr_null(chunks_carve(big, MB, 4096));
  void *next = (char *)big + 9 * MB;
  ck_assert_ptr_eq(chunks_carve(next, MB, 4096), next);
}
END_TEST

START_TEST(allocations_never_straddle_chunks)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  for (int i = 0; i < 200; i++) {
    size_t n = (size_t)(64 << 10) * (size_t)(1 + i % 40);
    char *p = arena_alloc(n, 0, false);
    ck_assert_ptr_nonnull(p);
    ck_assert(window_contains(p));
    ck_assert(chunks_same_unit((uintptr_t)p, n));
    memset(p, i, n);
    if (i % 3 == 0)
      arena_free(p);
  }
}
END_TEST

START_TEST(hook_split_merge)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  char *a = chunks_carve(NULL, 4 * MB, 4096);
  char *b = chunks_carve(NULL, 4 * MB, 4096);
  ck_assert_ptr_eq(b, a + 4 * MB); /* adjacent chunks */
  extent_hooks_t *h = &arena_hooks;
  ck_assert(!h->split(h, a, 4 * MB, MB, 3 * MB, true, 0));
  ck_assert(!h->merge(h, a, MB, a + MB, MB, true, 0));          /* within a unit */
  ck_assert(h->merge(h, a + 3 * MB, MB, b, MB, true, 0));       /* across units: refused */
}
END_TEST

START_TEST(hook_purge_only_unregistered)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  extent_hooks_t *h = &arena_hooks;
  char *a = chunks_carve(NULL, 4 * MB, 4096);
  memset(a, 0x5a, 4 * MB);
  /* Never registered: purging is allowed and gives the pages back. */
  ck_assert(!h->purge_forced(h, a, 4 * MB, 0, MB, 0));
  ck_assert_uint_eq((unsigned char)a[0], 0);
  ck_assert_uint_eq((unsigned char)a[MB], 0x5a);
  ck_assert(!h->purge_lazy(h, a, 4 * MB, MB, MB, 0));
  /* Pending, binding, bound: refused, and the data stays (invariant 2). */
  static const int held[] = { CHUNK_PENDING, CHUNK_BINDING, CHUNK_BOUND };
  for (int i = 0; i < 3; i++) {
    chunks_set_state((uintptr_t)a, held[i]);
    a[2 * MB] = (char)(0x10 + i);
    ck_assert(h->purge_forced(h, a, 4 * MB, 2 * MB, MB, 0));
    ck_assert(h->purge_lazy(h, a, 4 * MB, 2 * MB, MB, 0));
    ck_assert(h->dalloc(h, a, 4 * MB, true, 0));
    ck_assert(h->decommit(h, a, 4 * MB, 0, MB, 0));
    ck_assert_int_eq(a[2 * MB], 0x10 + i);
  }
  /* dalloc and decommit are refused for never-registered memory too: it is
   * returned by purging, and the window stays mapped. */
  chunks_set_state((uintptr_t)a, CHUNK_COMMITTED);
  ck_assert(h->dalloc(h, a, 4 * MB, true, 0));
  ck_assert(!h->commit(h, a, 4 * MB, 0, MB, 0));
}
END_TEST

START_TEST(budget_refuses_new_chunks)
{
  init(4 * MB, (size_t)1 << 32, 16 * MB);
  int got = 0;
  for (int i = 0; i < 64; i++)
    got += chunks_carve(NULL, MB, 4096) != NULL;
  struct window_stats w;
  window_stats(&w);
  ck_assert_int_eq(got, (int)((16 * MB - at_start.bytes) / MB));
  ck_assert_uint_eq(w.committed, 16 * MB);
  ck_assert_uint_gt(w.refused, 0);
  ck_assert_uint_eq(w.exhausted, 0);
  /* The arena then reports failure, so the caller falls back. */
  ck_assert_ptr_null(arena_alloc(64 * MB, 0, false));
}
END_TEST

START_TEST(window_exhaustion)
{
  init(4 * MB, (size_t)1 << 30, (size_t)1 << 40);
  int got = 0;
  for (int i = 0; i < 300; i++)
    got += chunks_carve(NULL, 4 * MB, 4096) != NULL;
  struct window_stats w;
  window_stats(&w);
  ck_assert_int_eq(got, (int)(((size_t)1 << 30) - at_start.bytes) / (int)(4 * MB));
  ck_assert_uint_gt(w.exhausted, 0);
}
END_TEST

START_TEST(reservation_halves_on_refusal)
{
  /* No address space can hold 2^62 bytes: the window is halved until the
   * kernel accepts. */
  ck_assert_int_eq(window_reserve((size_t)1 << 62, (size_t)1 << 30, (size_t)1 << 40, false), 0);
  ck_assert_uint_lt(window_len, (size_t)1 << 62);
  ck_assert_uint_ge(window_len, (size_t)1 << 30);
}
END_TEST

START_TEST(reservation_floor)
{
  /* A floor above anything reservable: nothing is reserved. */
  ck_assert_int_eq(window_reserve((size_t)1 << 62, (size_t)1 << 61, (size_t)1 << 40, false), -1);
  ck_assert_uint_eq(window_len, 0);
}
END_TEST

START_TEST(fork_child_owns_no_registrations)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  char *a = chunks_carve(NULL, MB, 4096);
  chunks_set_state((uintptr_t)a, CHUNK_BOUND);
  struct chunks_stats s;
  chunks_stats(&s);
  ck_assert_uint_eq(s.bound, 1);
  chunks_fork(FORK_CHILD);
  chunks_stats(&s);
  ck_assert_uint_eq(s.bound, 0);
  ck_assert(chunks_may_purge((uintptr_t)a, MB));
}
END_TEST

START_TEST(seal_newest)
{
  init(8 * MB, (size_t)1 << 32, (size_t)1 << 32);
  char *a = chunks_carve(NULL, 3 * MB, 4096);
  struct chunk c;
  ck_assert(chunks_find((uintptr_t)a, &c));
  ck_assert_uint_eq(c.size, 8 * MB);
  chunks_seal_newest(); /* the used 3 MiB, rounded up to 4 */
  ck_assert(chunks_find((uintptr_t)a, &c));
  ck_assert_uint_eq(c.base, (uintptr_t)a);
  ck_assert_uint_eq(c.size, 4 * MB);
  struct chunk rest;
  ck_assert(chunks_find((uintptr_t)a + 4 * MB, &rest));
  ck_assert_uint_eq(rest.size, 4 * MB);
  ck_assert_uint_ne(rest.unit, c.unit);
  /* Carving goes on above the cut, never across it. */
  char *b = chunks_carve(NULL, MB, 4096);
  ck_assert_ptr_eq(b, a + 4 * MB);
  ck_assert(!chunks_same_unit((uintptr_t)a, 5 * MB));
}
END_TEST

START_TEST(zeroed_on_reuse)
{
  init(4 * MB, (size_t)1 << 32, (size_t)1 << 32);
  for (int r = 0; r < 8; r++) {
    unsigned char *p = arena_alloc(MB, 0, true);
    for (size_t i = 0; i < MB; i += 997)
      ck_assert_uint_eq(p[i], 0);
    memset(p, 0xff, MB);
    arena_free(p);
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
  tcase_add_test(t, hook_purge_only_unregistered);
  tcase_add_test(t, budget_refuses_new_chunks);
  tcase_add_test(t, window_exhaustion);
  tcase_add_test(t, reservation_halves_on_refusal);
  tcase_add_test(t, reservation_floor);
  tcase_add_test(t, fork_child_owns_no_registrations);
  tcase_add_test(t, zeroed_on_reuse);
  tcase_add_test(t, seal_newest);
  suite_add_tcase(s, t);
  return run_suite(s);
}
