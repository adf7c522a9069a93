/* Finding the real runtime. Looked up at each first use rather than at
 * load: the runtime is often dlopen'ed late (PyTorch loads libcudart with
 * its CUDA library). */
#include "runtime.h"
#include "../bind/sim.h"
#include "../config/config.h"

#include <dlfcn.h>
#include <stdint.h>

static const char *const cuda_nodes[] = { "libcudart.so.13", "libcudart.so.12", NULL };
static const char *const hip_nodes[] = { "hip_4.2", NULL };
static const char *const cuda_libs[] = { "libcudart.so.13", "libcudart.so.12", "libcudart.so", NULL };
static const char *const hip_libs[] = { "libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5",
                                        "libamdhip64.so", NULL };

void *rt_real_sym(enum flavor f, const char *name)
{
  const char *const *nodes = f == FLAVOR_CUDA ? cuda_nodes : hip_nodes;
  const char *const *libs = f == FLAVOR_CUDA ? cuda_libs : hip_libs;
  void *s;
  for (int i = 0; nodes[i]; i++)
    if ((s = dlvsym(RTLD_NEXT, name, nodes[i])) != NULL)
      return s;
  if ((s = dlsym(RTLD_NEXT, name)) != NULL)
    return s;
  for (int i = 0; libs[i]; i++) {
    void *h = dlopen(libs[i], RTLD_LAZY | RTLD_NOLOAD);
    if (h == NULL)
      continue;
    s = NULL;
    for (int j = 0; nodes[j] && !s; j++)
      s = dlvsym(h, name, nodes[j]);
    if (!s)
      s = dlsym(h, name);
    dlclose(h);
    if (s)
      return s;
  }
  return NULL;
}

/* Resolved once per entry; a NULL result is retried (the runtime may be
 * loaded later). */
#define RESOLVE(f, slot, name)                                                 \
  do {                                                                         \
    if (__atomic_load_n(&(slot), __ATOMIC_ACQUIRE) == NULL)                     \
      __atomic_store_n(&(slot), rt_real_sym(f, name), __ATOMIC_RELEASE);        \
  } while (0)

static struct rt_ops real_ops[2];

const struct rt_ops *rt_ops(enum flavor f)
{
  const struct cfg *c = cfg_get();
  if (c != NULL && c->backend == CFG_BACKEND_SIM)
    return sim_ops(f);
  struct rt_ops *o = &real_ops[f];
  bool cuda = f == FLAVOR_CUDA;
  RESOLVE(f, *(void **)&o->reg, cuda ? "cudaHostRegister" : "hipHostRegister");
  RESOLVE(f, *(void **)&o->unreg, cuda ? "cudaHostUnregister" : "hipHostUnregister");
  RESOLVE(f, *(void **)&o->devptr, cuda ? "cudaHostGetDevicePointer" : "hipHostGetDevicePointer");
  RESOLVE(f, *(void **)&o->getflags, cuda ? "cudaHostGetFlags" : "hipHostGetFlags");
  RESOLVE(f, *(void **)&o->attrs, cuda ? "cudaPointerGetAttributes" : "hipPointerGetAttributes");
  RESOLVE(f, *(void **)&o->last_error, cuda ? "cudaGetLastError" : "hipGetLastError");
  RESOLVE(f, *(void **)&o->peek_error, cuda ? "cudaPeekAtLastError" : "hipPeekAtLastError");
  return o;
}
