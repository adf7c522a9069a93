/* Resolve jemalloc's own entry points: its malloc/free fast path is cheaper
 * than mallocx/dallocx, and its C++ operators already implement the
 * new-handler loop and std::bad_alloc. */
#include "real.h"

#include <dlfcn.h>
#include <errno.h>
#include <jemalloc/jemalloc.h>

static void *early_malloc(size_t n)
{
  void *p = mallocx(n ? n : 1, 0); /* mallocx(0) is undefined */
  if (p == NULL)
    errno = ENOMEM;
  return p;
}

void real_early_free(void *p)
{
  if (p != NULL) /* dallocx(NULL) is not allowed */
    dallocx(p, 0);
}

static void *early_calloc(size_t nmemb, size_t size)
{
  size_t n;
  void *p = __builtin_mul_overflow(nmemb, size, &n) ? NULL : mallocx(n ? n : 1, MALLOCX_ZERO);
  if (p == NULL)
    errno = ENOMEM;
  return p;
}

static void *early_realloc(void *p, size_t n)
{
  return p ? rallocx(p, n ? n : 1, 0) : early_malloc(n);
}

static size_t early_usable_size(void *p) { return sallocx(p, 0); }

struct real_api real = {
  .malloc = early_malloc, .free = real_early_free, .calloc = early_calloc,
  .realloc = early_realloc, .usable_size = early_usable_size,
};

const char *const real_cxx_names[CXX_NOPS] = {
  [CXX_NEW] = "_Znwm", [CXX_NEW_ARR] = "_Znam",
  [CXX_NEW_NT] = "_ZnwmRKSt9nothrow_t", [CXX_NEW_ARR_NT] = "_ZnamRKSt9nothrow_t",
  [CXX_NEW_AL] = "_ZnwmSt11align_val_t", [CXX_NEW_ARR_AL] = "_ZnamSt11align_val_t",
  [CXX_NEW_AL_NT] = "_ZnwmSt11align_val_tRKSt9nothrow_t",
  [CXX_NEW_ARR_AL_NT] = "_ZnamSt11align_val_tRKSt9nothrow_t",
  [CXX_DEL] = "_ZdlPv", [CXX_DEL_ARR] = "_ZdaPv", [CXX_DEL_SZ] = "_ZdlPvm",
  [CXX_DEL_ARR_SZ] = "_ZdaPvm", [CXX_DEL_NT] = "_ZdlPvRKSt9nothrow_t",
  [CXX_DEL_ARR_NT] = "_ZdaPvRKSt9nothrow_t", [CXX_DEL_AL] = "_ZdlPvSt11align_val_t",
  [CXX_DEL_ARR_AL] = "_ZdaPvSt11align_val_t", [CXX_DEL_SZ_AL] = "_ZdlPvmSt11align_val_t",
  [CXX_DEL_ARR_SZ_AL] = "_ZdaPvmSt11align_val_t",
  [CXX_DEL_AL_NT] = "_ZdlPvSt11align_val_tRKSt9nothrow_t",
  [CXX_DEL_ARR_AL_NT] = "_ZdaPvSt11align_val_tRKSt9nothrow_t",
};

int real_resolve(void)
{
  /* NOLOAD: jemalloc is our DT_NEEDED, so this finds the copy already
   * mapped (wherever the rpath found it) and never loads a second one. */
  void *h = dlopen("libjemalloc.so.2", RTLD_NOW | RTLD_NOLOAD);
  if (h == NULL)
    return -1;
  struct real_api r = real;
  *(void **)&r.free = dlsym(h, "free");
  *(void **)&r.calloc = dlsym(h, "calloc");
  *(void **)&r.realloc = dlsym(h, "realloc");
  *(void **)&r.usable_size = dlsym(h, "malloc_usable_size");
  for (int i = 0; i < CXX_NOPS; i++)
    r.cxx[i] = dlsym(h, real_cxx_names[i]);
  *(void **)&r.malloc = dlsym(h, "malloc");
  dlclose(h);
  /* All or nothing: a half-resolved set would mix stand-ins and jemalloc's
   * entries, which is harmless but pointless. */
  if (!r.malloc || !r.free || !r.calloc || !r.realloc || !r.usable_size)
    return -1;
  __atomic_store_n(&real.free, r.free, __ATOMIC_RELEASE);
  __atomic_store_n(&real.calloc, r.calloc, __ATOMIC_RELEASE);
  __atomic_store_n(&real.realloc, r.realloc, __ATOMIC_RELEASE);
  __atomic_store_n(&real.usable_size, r.usable_size, __ATOMIC_RELEASE);
  for (int i = 0; i < CXX_NOPS; i++)
    __atomic_store_n(&real.cxx[i], r.cxx[i], __ATOMIC_RELEASE);
  __atomic_store_n(&real.malloc, r.malloc, __ATOMIC_RELEASE);
  return 0;
}
