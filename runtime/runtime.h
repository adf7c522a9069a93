/* The runtime behind the application's calls: the real libcudart /
 * libamdhip64 functions, or the simulated runtime. */
#ifndef GPUSCATTER_RUNTIME_H
#define GPUSCATTER_RUNTIME_H

#include "flavor.h"

#include <stddef.h>

/* The four fields every CUDA and HIP version has, in this order; newer
 * versions add fields after them, which we never write. */
struct rt_ptr_attr {
  int type;
  int device;
  void *devicePointer;
  void *hostPointer;
};

struct rt_ops {
  int (*reg)(void *p, size_t size, unsigned flags);
  int (*unreg)(void *p);
  int (*devptr)(void **d, void *p, unsigned flags);
  int (*getflags)(unsigned *f, void *p);
  int (*attrs)(void *attr, const void *p);
  int (*last_error)(void);
  int (*peek_error)(void);
  int (*get_device)(int *d);
  int (*set_device)(int d);
  int (*version)(int *v);
  int (*device_count)(int *n);
  int (*host_alloc)(void **p, size_t n, unsigned flags);
  int (*host_free)(void *p);
  int (*current_context)(void **ctx);   /* the driver API only */
  void (*set_error)(int);   /* the simulated runtime only */
};

/* The real runtime's entry point, looked up past gpuscatter (versioned
 * first, by the flavor's nodes), then in a runtime loaded privately
 * (RTLD_LOCAL) by some library. NULL if none is loaded. */
void *rt_sym(enum flavor f, const char *name);
/* The same, remembered once found; name must be a string constant naming
 * a call of that flavor only (the name alone is the key). */
void *rt_sym_cached(enum flavor f, const char *name);

/* The ops the wrappers pass through to: the simulated runtime when
 * GPUSCATTER_BACKEND=sim, else the real one (entries may be NULL until the
 * runtime is loaded). Never called from the allocation path: lookups may
 * take the dynamic loader's lock. */
const struct rt_ops *rt_ops(enum flavor f);

/* The attribute ABI of the runtime that is loaded. */
const struct flavor_attr_abi *rt_attr_abi(enum flavor f);

#endif
