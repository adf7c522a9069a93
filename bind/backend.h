/* What binds a range of the window with the GPU driver: a narrow table of
 * operations, each given its backend (as jemalloc's extent_hooks_t).
 * Adding a backend is one file and one row in bind/backends.c. */
#ifndef GPUSCATTER_BACKEND_H
#define GPUSCATTER_BACKEND_H

#include "../config/fork.h"
#include "../runtime/flavor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct backend;

struct backend_ops {
  const char *name;
  int cfg;               /* the GPUSCATTER_BACKEND value that names it */
  unsigned flavors;      /* bit (1 << flavor) per flavor whose calls it serves */
  bool auto_pick;        /* GPUSCATTER_BACKEND=auto picks it for those flavors */
  bool live_at_load;     /* needs no runtime: live from the start (sim) */
  /* On the application's thread, at its first runtime call: find what the
   * backend needs. 0 when it can bind. */
  int (*init)(struct backend *be);
  /* On the bind thread, before its first call: use the application's device. */
  void (*attach)(struct backend *be);
  /* Register [base, base + size); more: another run follows in this batch,
   * so work that can be done once per batch may wait for the last. 0 or
   * the backend's error number; *dev is the device address of base. */
  int (*reg)(struct backend *be, uintptr_t base, size_t size, bool more, uintptr_t *dev);
  int (*unreg)(struct backend *be, uintptr_t base, size_t size);
  /* Optional. At exit, in the process that bound: release what the backend
   * created itself (the runtimes release their registrations on their own). */
  void (*fini)(struct backend *be);
  /* Optional. An error number as words for a warning. */
  const char *(*error_name)(int rc, char *buf, size_t len);
  /* Optional. Its locks across fork (config/fork.h). */
  void (*fork)(enum fork_phase ph);
};

struct backend {
  const struct backend_ops *ops;
  enum flavor flavor;   /* the flavor whose call started it */
  int device;           /* the application's device when it started; -1 unknown */
  void *priv;           /* the backend's own */
};

/* The backend for GPUSCATTER_BACKEND=cfg serving flavor f, or NULL. */
const struct backend_ops *backend_choose(int cfg, enum flavor f);

/* The row GPUSCATTER_BACKEND=cfg names (whatever the flavor), or NULL. */
const struct backend_ops *backend_named(int cfg);

/* Every backend's fork handling. */
void backends_fork(enum fork_phase ph);

#endif
