/* The VA window: one address-space reservation that every GPU-bound
 * allocation lives in, committed in address order. */
#ifndef GPUSCATTER_WINDOW_H
#define GPUSCATTER_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Published once, before the first window pointer exists; read without a
 * lock. Zero length until then, so every pointer is outside. */
extern __attribute__((visibility("hidden"))) uintptr_t window_lo;
extern __attribute__((visibility("hidden"))) size_t window_len;

static inline bool window_contains(const void *p)
{
  /* One subtraction and one compare test both bounds. Plain loads: the
   * words are written once, aligned, before any window pointer exists. */
  return (uintptr_t)p - window_lo < window_len;
}

/* Reserve want bytes (PROT_NONE, MAP_NORESERVE, 2 MiB aligned), halving
 * on refusal down to floor. Commits will stop at max_pinned bytes. Returns
 * 0, or -1 with nothing reserved. */
int window_reserve(size_t want, size_t floor, size_t max_pinned, bool hugepages);

/* Commit the next size bytes (a multiple of 2 MiB) read/write. NULL when
 * the window is exhausted or committing would pass the pinned budget;
 * both are counted. Caller serialises. */
void *window_commit(size_t size);

/* From now on, commit chunks on transparent huge pages (if allowed): a
 * backend is live, so they will be pinned whole anyway, and huge pages halve
 * the registration cost. Until then chunks use small pages, so the slack
 * inside jemalloc's size classes never becomes resident. */
void window_use_hugepages(void);

/* Whether huge pages are allowed at all (GPUSCATTER_HUGEPAGES). */
bool window_hugepages_allowed(void);

struct window_stats { uint64_t base, size, committed, max_pinned, refused, exhausted; };
void window_stats(struct window_stats *s);

#define WINDOW_ALIGN ((size_t)2 << 20)

#endif
