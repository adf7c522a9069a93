/* The exported malloc family. Ordinary allocations go straight to
 * jemalloc's own entry points; only edge cases glibc defines differently
 * and the time before our constructor take a slower road. */
#include "real.h"

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

/* Before real_resolve(): jemalloc's non-standard API is bound at load. */
static void *early_malloc(size_t n, int flags)
{
  void *p = mallocx(n ? n : 1, flags); /* mallocx(0) is undefined */
  if (p == NULL)
    errno = ENOMEM;
  return p;
}

void *gs_aligned(size_t al, size_t n)
{
  if (al <= 16)
    return malloc(n);
  return early_malloc(n, MALLOCX_ALIGN(al));
}

GS_EXPORT void *malloc(size_t n)
{
  void *(*f)(size_t) = real.malloc;
  if (likely(f != NULL))
    return f(n);
  return early_malloc(n, 0);
}

GS_EXPORT void free(void *p)
{
  void (*f)(void *) = real.free;
  if (likely(f != NULL))
    f(p);
  else if (p != NULL) /* dallocx(NULL) is not allowed */
    dallocx(p, 0);
}

GS_EXPORT void *calloc(size_t nmemb, size_t size)
{
  void *(*f)(size_t, size_t) = real.calloc;
  if (likely(f != NULL))
    return f(nmemb, size);
  size_t n;
  if (__builtin_mul_overflow(nmemb, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  return early_malloc(n, MALLOCX_ZERO);
}

GS_EXPORT void *realloc(void *p, size_t n)
{
  if (p == NULL)
    return malloc(n);
  if (n == 0) { /* glibc: realloc(p, 0) frees p and returns NULL */
    free(p);
    return NULL;
  }
  void *(*f)(void *, size_t) = real.realloc;
  void *q = likely(f != NULL) ? f(p, n) : rallocx(p, n, 0);
  if (unlikely(q == NULL)) /* jemalloc's realloc leaves errno alone; glibc's sets it */
    errno = ENOMEM;
  return q;
}

GS_EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
  size_t n;
  if (__builtin_mul_overflow(nmemb, size, &n)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(p, n);
}

static int pow2(size_t x) { return x && !(x & (x - 1)); }

GS_EXPORT int posix_memalign(void **out, size_t al, size_t n)
{
  if (!pow2(al) || al % sizeof(void *) != 0)
    return EINVAL;
  int saved = errno; /* POSIX reports through the result, not errno */
  void *p = gs_aligned(al, n);
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
  return gs_aligned(al, n);
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
  return gs_aligned(a, n);
}

GS_EXPORT void *valloc(size_t n) { return gs_aligned(page_size(), n); }

GS_EXPORT void *pvalloc(size_t n)
{
  size_t pg = page_size(), r;
  if (__builtin_add_overflow(n, pg - 1, &r)) {
    errno = ENOMEM;
    return NULL;
  }
  r &= ~(pg - 1);
  return gs_aligned(pg, r ? r : pg);
}

GS_EXPORT size_t malloc_usable_size(void *p)
{
  if (p == NULL)
    return 0;
  size_t (*f)(void *) = real.usable_size;
  return f ? f(p) : sallocx(p, 0);
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
