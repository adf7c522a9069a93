/* Resolve jemalloc's own entry points: its malloc/free fast path is cheaper
 * than mallocx/dallocx, and its C++ operators already implement the
 * new-handler loop and std::bad_alloc. */
#include "real.h"

#include <dlfcn.h>

struct real_api real;

const char *const real_cxx_names[CXX_NOPS] = {
  "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
  "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t",
  "_ZnwmSt11align_val_tRKSt9nothrow_t", "_ZnamSt11align_val_tRKSt9nothrow_t",
  "_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm", "_ZdlPvRKSt9nothrow_t", "_ZdaPvRKSt9nothrow_t",
  "_ZdlPvSt11align_val_t", "_ZdaPvSt11align_val_t", "_ZdlPvmSt11align_val_t",
  "_ZdaPvmSt11align_val_t", "_ZdlPvSt11align_val_tRKSt9nothrow_t",
  "_ZdaPvSt11align_val_tRKSt9nothrow_t",
};

int real_resolve(void)
{
  /* NOLOAD: jemalloc is our DT_NEEDED, so this finds the copy already
   * mapped (wherever the rpath found it) and never loads a second one. */
  void *h = dlopen("libjemalloc.so.2", RTLD_NOW | RTLD_NOLOAD);
  if (h == NULL)
    return -1;
  struct real_api r;
  *(void **)&r.free = dlsym(h, "free");
  *(void **)&r.calloc = dlsym(h, "calloc");
  *(void **)&r.realloc = dlsym(h, "realloc");
  *(void **)&r.memalign = dlsym(h, "memalign");
  *(void **)&r.usable_size = dlsym(h, "malloc_usable_size");
  for (int i = 0; i < CXX_NOPS; i++)
    r.cxx[i] = dlsym(h, real_cxx_names[i]);
  *(void **)&r.malloc = dlsym(h, "malloc");
  /* Publish everything else before malloc: callers test only some fields. */
  real.free = r.free;
  real.calloc = r.calloc;
  real.realloc = r.realloc;
  real.memalign = r.memalign;
  real.usable_size = r.usable_size;
  for (int i = 0; i < CXX_NOPS; i++)
    __atomic_store_n(&real.cxx[i], r.cxx[i], __ATOMIC_RELEASE);
  __atomic_store_n(&real.malloc, r.malloc, __ATOMIC_RELEASE);
  dlclose(h);
  return r.malloc ? 0 : -1;
}
