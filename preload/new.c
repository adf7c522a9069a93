/* C++ operator new/delete, every variant. Debian's libjemalloc exports its
 * own; without ours C++ code would bind to jemalloc's directly and bypass
 * gpuscatter. Each forwards to jemalloc's operator, which already runs the
 * new-handler loop and throws std::bad_alloc. Names are the Itanium ABI's
 * mangled names; std::align_val_t is passed as a size_t. GPU-bound sizes
 * try the GPU arena first and fall back to jemalloc's operator, so failure
 * handling stays jemalloc's. */
#include "route.h"
#include "../arena/window.h"

#include <dlfcn.h>
#include <errno.h>
#include <jemalloc/jemalloc.h>
#include <stdlib.h>
#include <unistd.h>

/* Only reached before our constructor ran and the allocation failed. */
static void *early_new(size_t n, size_t al, int throwing)
{
  void *p = mallocx(n ? n : 1, al > 16 ? MALLOCX_ALIGN(al) : 0);
  if (p == NULL && throwing) {
    void (*thr)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv");
    if (thr)
      thr();
    static const char msg[] = "gpuscatter: out of memory in operator new\n";
    (void)!write(2, msg, sizeof msg - 1);
    abort();
  }
  return p;
}

static void early_delete(void *p)
{
  if (p != NULL)
    dallocx(p, 0);
}

typedef void *new_fn(size_t);
typedef void *new_al_fn(size_t, size_t);
typedef void *new_nt_fn(size_t, const void *);
typedef void *new_al_nt_fn(size_t, size_t, const void *);

#define REAL(i) ((void *)__atomic_load_n(&real.cxx[i], __ATOMIC_RELAXED))

/* The slow branch: a GPU arena allocation, else the real operator with
 * its own failure behaviour, noted for call-site learning. */
#define SLOW(try_gpu, call)                                                    \
  if (unlikely(n >= route_threshold())) {                                      \
    void *p = try_gpu;                                                         \
    if (p == NULL) {                                                           \
      p = call;                                                                \
      route_note(p);                                                           \
    }                                                                          \
    return p;                                                                  \
  }

#define NEW(name, i, throwing)                                                  \
  GS_EXPORT void *name(size_t n)                                              \
  {                                                                            \
    new_fn *f = REAL(i);                                                       \
    SLOW(route_try_gpu(n, 0, false, __builtin_return_address(0)), likely(f != NULL) ? f(n) : early_new(n, 0, throwing)) \
    return likely(f != NULL) ? f(n) : early_new(n, 0, throwing);               \
  }
#define NEW_NT(name, i)                                                         \
  GS_EXPORT void *name(size_t n, const void *nt)                              \
  {                                                                            \
    new_nt_fn *f = REAL(i);                                                    \
    SLOW(route_try_gpu(n, 0, false, __builtin_return_address(0)), likely(f != NULL) ? f(n, nt) : early_new(n, 0, 0)) \
    return likely(f != NULL) ? f(n, nt) : early_new(n, 0, 0);                  \
  }
#define NEW_AL(name, i)                                                         \
  GS_EXPORT void *name(size_t n, size_t al)                                   \
  {                                                                            \
    new_al_fn *f = REAL(i);                                                    \
    SLOW(route_try_gpu(n, al, false, __builtin_return_address(0)), likely(f != NULL) ? f(n, al) : early_new(n, al, 1)) \
    return likely(f != NULL) ? f(n, al) : early_new(n, al, 1);                 \
  }
#define NEW_AL_NT(name, i)                                                      \
  GS_EXPORT void *name(size_t n, size_t al, const void *nt)                   \
  {                                                                            \
    new_al_nt_fn *f = REAL(i);                                                 \
    SLOW(route_try_gpu(n, al, false, __builtin_return_address(0)), likely(f != NULL) ? f(n, al, nt) : early_new(n, al, 0)) \
    return likely(f != NULL) ? f(n, al, nt) : early_new(n, al, 0);             \
  }

NEW(_Znwm, CXX_NEW, 1)
NEW(_Znam, CXX_NEW_ARR, 1)
NEW_NT(_ZnwmRKSt9nothrow_t, CXX_NEW_NT)
NEW_NT(_ZnamRKSt9nothrow_t, CXX_NEW_ARR_NT)
NEW_AL(_ZnwmSt11align_val_t, CXX_NEW_AL)
NEW_AL(_ZnamSt11align_val_t, CXX_NEW_ARR_AL)
NEW_AL_NT(_ZnwmSt11align_val_tRKSt9nothrow_t, CXX_NEW_AL_NT)
NEW_AL_NT(_ZnamSt11align_val_tRKSt9nothrow_t, CXX_NEW_ARR_AL_NT)

/* Every delete variant takes the pointer first; the extra arguments (size,
 * alignment, nothrow tag) are passed through untouched. */
#define DEL(name, i, params, args)                                               \
  GS_EXPORT void name params                                                   \
  {                                                                            \
    if (unlikely(window_contains(p))) {                                        \
      route_free_window(p);                                                    \
      return;                                                                  \
    }                                                                          \
    void (*f) params = REAL(i);                                                \
    if (likely(f != NULL))                                                     \
      f args;                                                                  \
    else                                                                       \
      early_delete(p);                                                         \
  }

DEL(_ZdlPv, CXX_DEL, (void *p), (p))
DEL(_ZdaPv, CXX_DEL_ARR, (void *p), (p))
DEL(_ZdlPvm, CXX_DEL_SZ, (void *p, size_t n), (p, n))
DEL(_ZdaPvm, CXX_DEL_ARR_SZ, (void *p, size_t n), (p, n))
DEL(_ZdlPvRKSt9nothrow_t, CXX_DEL_NT, (void *p, const void *nt), (p, nt))
DEL(_ZdaPvRKSt9nothrow_t, CXX_DEL_ARR_NT, (void *p, const void *nt), (p, nt))
DEL(_ZdlPvSt11align_val_t, CXX_DEL_AL, (void *p, size_t al), (p, al))
DEL(_ZdaPvSt11align_val_t, CXX_DEL_ARR_AL, (void *p, size_t al), (p, al))
DEL(_ZdlPvmSt11align_val_t, CXX_DEL_SZ_AL, (void *p, size_t n, size_t al), (p, n, al))
DEL(_ZdaPvmSt11align_val_t, CXX_DEL_ARR_SZ_AL, (void *p, size_t n, size_t al), (p, n, al))
DEL(_ZdlPvSt11align_val_tRKSt9nothrow_t, CXX_DEL_AL_NT, (void *p, size_t al, const void *nt),
    (p, al, nt))
DEL(_ZdaPvSt11align_val_tRKSt9nothrow_t, CXX_DEL_ARR_AL_NT,
    (void *p, size_t al, const void *nt), (p, al, nt))
