/* The VA window. Reserving address space costs nothing but page-table
 * bookkeeping; committing is what the pinned budget limits. */
#include "window.h"
#include "../config/fault.h"
#include "../config/log.h"

#include <sys/mman.h>

uintptr_t window_lo;
size_t window_len;

static struct {
  size_t used;          /* bytes committed, from window_lo upward */
  size_t max_pinned;
  bool hugepages;       /* allowed */
  bool huge_now;        /* and used for new commits */
  bool commit_warned;
  uint64_t refused, exhausted;
} win;

int window_reserve(size_t want, size_t floor, size_t max_pinned, bool hugepages)
{
  if (fault_hit(FAULT_RESERVE))
    return -1;
  want &= ~(WINDOW_ALIGN - 1);
  for (size_t size = want; size >= floor && size >= WINDOW_ALIGN; size /= 2) {
    /* Over-reserve by the alignment, then trim both ends. */
    void *p = mmap(NULL, size + WINDOW_ALIGN, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      continue;
    uintptr_t raw = (uintptr_t)p, lo = (raw + WINDOW_ALIGN - 1) & ~(WINDOW_ALIGN - 1);
    if (lo > raw)
      munmap(p, lo - raw);
    if (raw + WINDOW_ALIGN > lo)
      munmap((void *)(lo + size), raw + WINDOW_ALIGN - lo);
    win.max_pinned = max_pinned;
    win.hugepages = hugepages;
    if (size < want)
      log_info("window: %zu bytes refused, reserved %zu", want, size);
    __atomic_store_n(&window_len, size, __ATOMIC_RELAXED);
    __atomic_store_n(&window_lo, lo, __ATOMIC_RELEASE);
    return 0;
  }
  return -1;
}

void *window_commit(size_t size)
{
  if (size > window_len - win.used) {
    win.exhausted++;
    return NULL;
  }
  if (win.used + size > win.max_pinned) {
    win.refused++;
    return NULL;
  }
  void *p = (void *)(window_lo + win.used);
  if (fault_hit(FAULT_COMMIT) || mprotect(p, size, PROT_READ | PROT_WRITE) != 0) {
    if (!win.commit_warned) /* once: the next allocations fall back too */
      log_warn("window: cannot commit %zu bytes at %p; those allocations stay ordinary", size, p);
    win.commit_warned = true;
    win.exhausted++;
    return NULL;
  }
  if (win.hugepages && __atomic_load_n(&win.huge_now, __ATOMIC_RELAXED))
    madvise(p, size, MADV_HUGEPAGE); /* advisory: failure changes nothing */
  win.used += size;
  return p;
}

void window_use_hugepages(void) { __atomic_store_n(&win.huge_now, true, __ATOMIC_RELAXED); }

bool window_hugepages_allowed(void) { return win.hugepages; }

void window_stats(struct window_stats *s)
{
  s->base = window_lo;
  s->size = window_len;
  s->committed = win.used;
  s->max_pinned = win.max_pinned;
  s->refused = win.refused;
  s->exhausted = win.exhausted;
}
