/* The VA window. Reserving address space costs nothing but page-table
 * bookkeeping. A read/write reservation is the norm: an mprotect per chunk
 * would take mmap_lock for writing, and wait behind every registration
 * that holds it for reading (the loader stalls measured on an H200 came
 * from such waits). */
#include "window.h"
#include "../config/log.h"
#include "../config/os.h"

uintptr_t window_lo;
size_t window_len;
unsigned window_shift;

static struct {
  bool rw;              /* reserved read/write: commits are no-ops */
  bool hugepages;       /* allowed */
  unsigned huge;        /* regions asked for, a bit each (atomic) */
  bool commit_warned;
  uint64_t exhausted;
} win;

static void advise_huge(enum region r);

int window_reserve(size_t want, size_t floor, bool hugepages)
{
  size_t size = WINDOW_ALIGN * WINDOW_SLOTS;
  if (want < size)
    return -1; /* not even a chunk per region */
  while (size * 2 <= want)
    size *= 2;
  bool rw = !os_strict_overcommit();
  for (; size >= floor && size >= WINDOW_ALIGN * WINDOW_SLOTS; size /= 2) {
    /* Over-reserve by the alignment, then trim both ends. */
    void *p = os_reserve(size + WINDOW_ALIGN, rw);
    if (p == NULL)
      continue;
    uintptr_t raw = (uintptr_t)p, lo = (raw + WINDOW_ALIGN - 1) & ~(WINDOW_ALIGN - 1);
    if (lo > raw)
      os_unmap(p, lo - raw);
    if (raw + WINDOW_ALIGN > lo)
      os_unmap((void *)(lo + size), raw + WINDOW_ALIGN - lo);
    win.rw = rw;
    win.hugepages = hugepages;
    unsigned shift = 0;
    while (((size_t)WINDOW_SLOTS << shift) < size)
      shift++;
    if (size < want)
      log_info("window: %zu bytes refused, reserved %zu", want, size);
    window_shift = shift;
    __atomic_store_n(&window_len, size, __ATOMIC_RELAXED);
    __atomic_store_n(&window_lo, lo, __ATOMIC_RELEASE);
    for (enum region r = 0; r < REG_N; r++)
      if (__atomic_load_n(&win.huge, __ATOMIC_RELAXED) & (1u << r))
        advise_huge(r);
    return 0;
  }
  return -1;
}

int window_commit(uintptr_t at, size_t size)
{
  if (os_commit((void *)at, size, !win.rw) != 0) {
    if (!__atomic_exchange_n(&win.commit_warned, true, __ATOMIC_RELAXED)) /* once */
      log_warn("window: cannot commit %zu bytes at %p; those allocations stay ordinary", size,
               (void *)at);
    window_count_exhausted();
    return -1;
  }
  if (!win.rw && win.hugepages &&
      (__atomic_load_n(&win.huge, __ATOMIC_RELAXED) & (1u << window_region((void *)at))))
    os_hugepage((void *)at, size);
  return 0;
}

/* One call per region: on a read/write reservation the whole region, so
 * that chunks need no madvise (a write lock on mmap_lock) later. */
static void advise_huge(enum region r)
{
  if (!win.hugepages || !win.rw || window_len == 0)
    return; /* PROT_NONE: each commit advises its own range */
  os_hugepage((void *)window_region_base(r), window_region_size());
}

bool window_huge(const void *p)
{
  return win.hugepages && window_contains(p) &&
         (__atomic_load_n(&win.huge, __ATOMIC_RELAXED) & (1u << window_region(p)));
}

void window_use_hugepages(enum region r)
{
  if (region_is_pages(r) && !(__atomic_fetch_or(&win.huge, 1u << r, __ATOMIC_RELAXED) & (1u << r)))
    advise_huge(r);
}

void window_count_exhausted(void) { __atomic_add_fetch(&win.exhausted, 1, __ATOMIC_RELAXED); }

void window_stats(struct window_stats *s)
{
  s->base = window_lo;
  s->size = window_len;
  s->exhausted = __atomic_load_n(&win.exhausted, __ATOMIC_RELAXED);
  s->rw = win.rw;
}
