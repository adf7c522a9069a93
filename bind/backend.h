/* What binds a range of the window with the GPU driver. */
#ifndef GPUSCATTER_BACKEND_H
#define GPUSCATTER_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct backend {
  const char *name;
  /* On the application's thread, at its first runtime call: find the
   * runtime and the device in use. 0 when the backend can bind. */
  int (*init)(void);
  /* On the bind thread, before its first call: use the same device. */
  void (*attach)(void);
  /* Register [base, base + size); more: another run follows in this batch,
   * so work that can be done once per batch may wait for the last. 0 or
   * the backend's error number. */
  int (*reg)(uintptr_t base, size_t size, bool more, uintptr_t *dev);
  int (*unreg)(uintptr_t base, size_t size);
  /* Without creating anything: -1 when the runtime is not in the process,
   * 0 when it is but no device is in use yet, 1 when one is (*device). NULL
   * when the backend cannot tell. */
  int (*probe)(int *device);
  /* At exit, in the process that bound: release what the backend created
   * itself. NULL where the runtime releases its registrations on its own. */
  void (*fini)(void);
  /* An error number as words for a warning; NULL: shown as a number. */
  const char *(*error_name)(int rc, char *buf, size_t len);
  int device;   /* the device the application is using; -1 until known */
};

extern struct backend backend_cuda, backend_hip, backend_amdgpu, backend_sim;

#endif
