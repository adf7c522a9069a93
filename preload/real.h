/* jemalloc's own entry points, resolved once from the loaded libjemalloc.
 * Until they are resolved (before our constructor runs) the C entries point
 * at stand-ins built on jemalloc's non-standard API (mallocx/dallocx),
 * which is bound at load: callers never test for NULL. The C++ entries stay
 * NULL until then. */
#ifndef GPUSCATTER_REAL_H
#define GPUSCATTER_REAL_H

#include <errno.h>
#include <stddef.h>

#define GS_EXPORT __attribute__((visibility("default")))
/* On extern declarations of our own data: without it GCC reaches the
 * variable through the GOT (lea+mov after relaxation) instead of one mov. */
#define GS_HIDDEN __attribute__((visibility("hidden")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* C++ operators, in the order of real_cxx_names[]. */
enum {
  CXX_NEW, CXX_NEW_ARR, CXX_NEW_NT, CXX_NEW_ARR_NT,
  CXX_NEW_AL, CXX_NEW_ARR_AL, CXX_NEW_AL_NT, CXX_NEW_ARR_AL_NT,
  CXX_DEL, CXX_DEL_ARR, CXX_DEL_SZ, CXX_DEL_ARR_SZ, CXX_DEL_NT, CXX_DEL_ARR_NT,
  CXX_DEL_AL, CXX_DEL_ARR_AL, CXX_DEL_SZ_AL, CXX_DEL_ARR_SZ_AL, CXX_DEL_AL_NT,
  CXX_DEL_ARR_AL_NT, CXX_NOPS
};

struct real_api {
  void *(*malloc)(size_t);     /* never NULL */
  void (*free)(void *);
  void *(*calloc)(size_t, size_t);
  void *(*realloc)(void *, size_t);
  size_t (*usable_size)(void *);
  void *cxx[CXX_NOPS];
};

extern GS_HIDDEN struct real_api real;

/* free() before real_resolve(): jemalloc's dallocx, NULL-safe. */
void real_early_free(void *p);

/* jemalloc's realloc, with glibc's errno: jemalloc leaves errno alone when
 * it fails, glibc sets ENOMEM. */
static inline void *real_realloc(void *p, size_t n)
{
  void *q = real.realloc(p, n);
  if (__builtin_expect(q == NULL, 0))
    errno = ENOMEM;
  return q;
}
extern GS_HIDDEN const char *const real_cxx_names[CXX_NOPS];

/* Look the entry points up. Called from our constructor, never from inside
 * malloc: dlopen there could run while the dynamic loader holds its state
 * half-built. Returns 0 when jemalloc's malloc was found. */
int real_resolve(void);

#endif
