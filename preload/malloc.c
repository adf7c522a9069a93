/* The exported malloc family. An ordinary allocation costs one size
 * compare and a jump into jemalloc; free is a single indirect jump until a
 * GPU window exists, then adds one range check. */
#include "route.h"
#include "../arena/window.h"

#include <errno.h>
#include <jemalloc/jemalloc.h>
#include <stdint.h>
#include <unistd.h>

static size_t page_size(void)
{
  static size_t page;
  if (unlikely(page == 0))
    page = (size_t)sysconf(_SC_PAGESIZE);
  return page;
}

GS_EXPORT void *malloc(size_t n)
{
  if (likely(n < route_threshold()))
    return real.malloc(n);
  return route_alloc(n, 0, false, __builtin_return_address(0));
}

GS_EXPORT void free(void *p)
{
  (*(void (*volatile *)(void *))&route_free)(p);
}

GS_EXPORT void *calloc(size_t nmemb, size_t size)
{
  size_t n;
  if (unlikely(__builtin_mul_overflow(nmemb, size, &n))) {
    errno = ENOMEM;
    return NULL;
  }
  if (likely(n < route_threshold()))
    return real.calloc(nmemb, size);
  return route_alloc(n, 0, true, __builtin_return_address(0));
}

GS_EXPORT void *realloc(void *p, size_t n)
{
  if (likely(n < route_threshold() && n != 0 && p != NULL && !window_contains(p)))
    return real_realloc(p, n);
  return route_realloc(p, n, __builtin_return_address(0));
}

GS_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
  size_t n;
  if (__builtin_mul_overflow(nmemb, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  if (likely(n < route_threshold() && n != 0 && p != NULL && !window_contains(p)))
    return real_realloc(p, n);
  return route_realloc(p, n, __builtin_return_address(0));
}

/* al is a power of two; ra the application's call site. jemalloc's 8-byte
 * class is only 8-byte aligned: a 16-byte alignment needs 16 bytes. */
static inline __attribute__((always_inline)) void *aligned(size_t al, size_t n, const void *ra)
{
  if (al <= 16) {
    if (n < al)
      n = al;
    if (likely(n < route_threshold()))
      return real.malloc(n);
    return route_alloc(n, 0, false, ra);
  }
  return route_alloc(n, al, false, ra);
}

static int pow2(size_t x) { return x && !(x & (x - 1)); }

GS_EXPORT int posix_memalign(void **out, size_t al, size_t n)
{
  if (!pow2(al) || al % sizeof(void *) != 0)
    return EINVAL;
  int saved = errno; /* POSIX reports through the result, not errno */
  void *p = aligned(al, n, __builtin_return_address(0));
  errno = saved;
  if (p == NULL)
    return ENOMEM;
  *out = p;
  return 0;
}

GS_EXPORT void *aligned_alloc(size_t al, size_t n)
{
  if (!pow2(al)) {
    errno = EINVAL;
    return NULL;
  }
  return aligned(al, n, __builtin_return_address(0));
}

/* glibc's memalign rounds a non-power-of-two alignment up. */
GS_EXPORT void *memalign(size_t al, size_t n)
{
  if (al > SIZE_MAX / 2 + 1) {
    errno = EINVAL;
    return NULL;
  }
  size_t a = 1;
  while (a < al)
    a <<= 1;
  return aligned(a, n, __builtin_return_address(0));
}

GS_EXPORT void *valloc(size_t n) { return aligned(page_size(), n, __builtin_return_address(0)); }

GS_EXPORT void *pvalloc(size_t n)
{
  size_t pg = page_size(), r;
  if (__builtin_add_overflow(n, pg - 1, &r)) {
    errno = ENOMEM;
    return NULL;
  }
  r &= ~(pg - 1);
  return aligned(pg, r ? r : pg, __builtin_return_address(0));
}

GS_EXPORT size_t malloc_usable_size(void *p)
{
  if (unlikely(window_contains(p)))
    return route_usable_window(p);
  return p ? real.usable_size(p) : 0;
}

/* glibc's internal names: some programs and libraries call them directly
 * to reach "the real malloc". */
GS_EXPORT void *__libc_malloc(size_t) __attribute__((alias("malloc"), copy(malloc)));
GS_EXPORT void __libc_free(void *) __attribute__((alias("free"), copy(free)));
GS_EXPORT void *__libc_calloc(size_t, size_t) __attribute__((alias("calloc"), copy(calloc)));
GS_EXPORT void *__libc_realloc(void *, size_t) __attribute__((alias("realloc"), copy(realloc)));
GS_EXPORT void *__libc_memalign(size_t, size_t) __attribute__((alias("memalign"), copy(memalign)));
GS_EXPORT void *__libc_valloc(size_t) __attribute__((alias("valloc"), copy(valloc)));
GS_EXPORT void *__libc_pvalloc(size_t) __attribute__((alias("pvalloc"), copy(pvalloc)));
