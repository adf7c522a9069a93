/* The flavor table: everything that differs between the GPU runtimes whose
 * calls gpuscatter answers (docs/DESIGN.md, "Runtime semantics"). Code
 * elsewhere never branches on a flavor's name: it reads its descriptor.
 * Adding a flavor is one descriptor here and one file of exports in
 * preload/. */
#ifndef GPUSCATTER_FLAVOR_H
#define GPUSCATTER_FLAVOR_H

#include <stdbool.h>

/* CUDA's runtime, HIP, and CUDA's driver API (whose registrations are the
 * runtime's: one family). */
enum flavor { FLAVOR_CUDA, FLAVOR_HIP, FLAVOR_CU, FLAVOR_N };

/* Flavors that share registrations and pinned allocations. */
enum family { FAMILY_CUDA, FAMILY_HIP, FAMILY_N };

/* The runtime calls gpuscatter answers or makes, in every flavor (a NULL
 * name: the flavor has none). */
enum rt_call {
  RT_REGISTER, RT_UNREGISTER, RT_DEVPTR, RT_GETFLAGS, RT_ATTRS,
  RT_LAST_ERROR, RT_PEEK_ERROR, RT_GET_DEVICE, RT_SET_DEVICE, RT_VERSION, RT_DEVICE_COUNT,
  RT_HOST_ALLOC, RT_HOST_FREE, RT_CURRENT_CONTEXT,
  RT_NCALLS
};

/* Error numbers where the flavors agree on the case, not always on the
 * number. */
struct flavor_errors {
  int invalid;          /* invalid value */
  int already;          /* host memory already registered */
  int not_registered;   /* host memory not registered */
  int no_device;        /* no runtime or device: our answer when none is loaded */
  int capture;          /* refused during a stream capture; 0: no such rule */
  int no_memory;        /* a pinned allocation the runtime could not make */
};

/* How the pointer-attribute struct reports host memory. Its first four
 * fields (type, device, devicePointer, hostPointer) are the same in every
 * version; what type means is not. */
struct flavor_attr_abi {
  int host;             /* type of registered host memory */
  int unregistered;     /* type of memory nobody registered */
  bool unregistered_fails; /* the query fails with invalid value instead */
};

struct flavor_desc {
  const char *name;                 /* "cuda" */
  enum family family;
  const char *const *libs;          /* sonames, newest first, NULL-terminated */
  const char *const *nodes;         /* version nodes of its symbols */
  const char *calls[RT_NCALLS];     /* symbol names */
  unsigned reg_flags;               /* flags a registration may carry */
  unsigned flags_keep, flags_add;   /* GetFlags answers (registered & keep) | add */
  unsigned bind_flags;              /* what a unit is registered with */
  /* Pinned allocations: the flags the call accepts, those gpuscatter
   * serves from bound memory (others, such as write-combined, change how
   * the memory is cached: the runtime answers them), those GetFlags
   * reports on top of what was asked, and those it does not report
   * (CUDA 13 on an H200: portable, unless write-combined; flags 1 and 3
   * both read back as 2). */
  unsigned alloc_flags, alloc_serve, alloc_implied, alloc_dropped;
  bool alloc_served;                /* served by default (GPUSCATTER_HOSTALLOC=auto) */
  bool overlap_ok;                  /* overlapping registrations succeed */
  bool device_required;             /* binding needs a device at start */
  struct flavor_errors err;
  /* Attribute ABI: abi_new from runtime major version new_abi_major on
   * (0: always), abi_old before it. The major is RT_VERSION's answer
   * divided by version_div. */
  struct flavor_attr_abi abi_new, abi_old;
  int new_abi_major, version_div;
};

extern const struct flavor_desc flavors[FLAVOR_N];

static inline const struct flavor_desc *flavor(enum flavor f) { return &flavors[f]; }

/* What GetFlags answers for memory registered (or, with alloc, allocated
 * pinned) with these flags. Portable is dropped only from memory that
 * would be served from bound chunks (measured: flags 1 and 3 read back 2,
 * write-combined 5 and 7 read back 7). */
static inline unsigned flavor_flags_answer(enum flavor f, unsigned flags, bool alloc)
{
  const struct flavor_desc *fd = flavor(f);
  if (!alloc)
    return (flags & fd->flags_keep) | fd->flags_add;
  unsigned dropped = (flags & ~fd->alloc_serve) ? 0 : fd->alloc_dropped;
  return (flags & ~dropped) | fd->alloc_implied;
}

#endif
