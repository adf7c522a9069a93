/* Finding the real runtime. Looked up at each first use rather than at
 * load: the runtime is often dlopen'ed late (PyTorch loads libcudart with
 * its CUDA library). */
#include "runtime.h"
#include "simrt.h"
#include "../config/config.h"

#include <dlfcn.h>
#include <stdint.h>

void *rt_sym(enum flavor f, const char *name)
{
  const struct flavor_desc *fd = flavor(f);
  void *s;
  for (int i = 0; fd->nodes[i]; i++)
    if ((s = dlvsym(RTLD_NEXT, name, fd->nodes[i])) != NULL)
      return s;
  if ((s = dlsym(RTLD_NEXT, name)) != NULL)
    return s;
  for (int i = 0; fd->libs[i]; i++) {
    void *h = dlopen(fd->libs[i], RTLD_LAZY | RTLD_NOLOAD);
    if (h == NULL)
      continue;
    s = NULL;
    for (int j = 0; fd->nodes[j] && !s; j++)
      s = dlvsym(h, name, fd->nodes[j]);
    if (!s)
      s = dlsym(h, name);
    dlclose(h);
    if (s)
      return s;
  }
  return NULL;
}

/* rt_sym for calls made again and again: found once per name (a string
 * constant: its address is the key), looked up again while not found. */
void *rt_sym_cached(enum flavor f, const char *name)
{
  static struct { const char *name; void *fn; } cache[16];
  for (int i = 0; i < 16; i++) {
    const char *n = __atomic_load_n(&cache[i].name, __ATOMIC_ACQUIRE);
    if (n == name) {
      void *fn = __atomic_load_n(&cache[i].fn, __ATOMIC_ACQUIRE);
      if (fn)
        return fn;
      break;
    }
    if (n == NULL) {
      void *fn = rt_sym(f, name);
      if (fn == NULL)
        return NULL; /* not loaded yet: looked up again next time */
      const char *empty = NULL;
      if (__atomic_compare_exchange_n(&cache[i].name, &empty, name, false, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE))
        __atomic_store_n(&cache[i].fn, fn, __ATOMIC_RELEASE);
      return fn;
    }
  }
  return rt_sym(f, name);
}

static struct rt_ops real_ops[FLAVOR_N];

/* Resolved once per entry; a NULL result is retried (the runtime may be
 * loaded later). */
static void resolve(enum flavor f, void **slot, enum rt_call c)
{
  if (__atomic_load_n(slot, __ATOMIC_ACQUIRE) == NULL && flavor(f)->calls[c] != NULL)
    __atomic_store_n(slot, rt_sym(f, flavor(f)->calls[c]), __ATOMIC_RELEASE);
}

const struct rt_ops *rt_ops(enum flavor f)
{
  const struct cfg *c = cfg_get();
  if (c != NULL && c->backend == CFG_BACKEND_SIM)
    return simrt_ops(f);
  struct rt_ops *o = &real_ops[f];
  resolve(f, (void **)&o->reg, RT_REGISTER);
  resolve(f, (void **)&o->unreg, RT_UNREGISTER);
  resolve(f, (void **)&o->devptr, RT_DEVPTR);
  resolve(f, (void **)&o->getflags, RT_GETFLAGS);
  resolve(f, (void **)&o->attrs, RT_ATTRS);
  resolve(f, (void **)&o->last_error, RT_LAST_ERROR);
  resolve(f, (void **)&o->peek_error, RT_PEEK_ERROR);
  resolve(f, (void **)&o->get_device, RT_GET_DEVICE);
  resolve(f, (void **)&o->set_device, RT_SET_DEVICE);
  resolve(f, (void **)&o->version, RT_VERSION);
  resolve(f, (void **)&o->device_count, RT_DEVICE_COUNT);
  resolve(f, (void **)&o->host_alloc, RT_HOST_ALLOC);
  resolve(f, (void **)&o->host_free, RT_HOST_FREE);
  resolve(f, (void **)&o->current_context, RT_CURRENT_CONTEXT);
  return o;
}

const struct flavor_attr_abi *rt_attr_abi(enum flavor f)
{
  static int major[FLAVOR_N];
  const struct flavor_desc *fd = flavor(f);
  if (fd->new_abi_major == 0)
    return &fd->abi_new;
  const struct cfg *c = cfg_get();
  if (c != NULL && c->backend == CFG_BACKEND_SIM)
    return &fd->abi_new; /* the simulated runtime speaks the current ABI */
  if (major[f] == 0) {
    const struct rt_ops *o = rt_ops(f);
    int v = 0;
    /* Unknown: assume the current ABI. */
    major[f] = o->version && o->version(&v) == 0 && v > 0 ? v / fd->version_div : fd->new_abi_major;
  }
  return major[f] >= fd->new_abi_major ? &fd->abi_new : &fd->abi_old;
}
