/* The calls every flavor exports, defined once: one file per flavor says
 * FLAVOR_EXPORTS(prefix, FLAVOR_X). Unversioned definitions, so that
 * references bound to the runtime's version node (libcudart.so.13,
 * hip_4.2) bind here. */
#ifndef GPUSCATTER_EXPORTS_H
#define GPUSCATTER_EXPORTS_H

#include "real.h"
#include "register.h"
#include "../runtime/runtime.h"

/* The runtime's GetDriverEntryPoint (real, by name): what it hands out,
 * with ours put in place of the driver calls gpuscatter answers
 * (preload/driver.c). */
int driver_entry_point(enum flavor f, const char *real, const char *symbol, void **fn,
                       unsigned version, unsigned long long flags, void *status, bool versioned);

#define FLAVOR_EXPORTS(p, f)                                                          \
  GS_EXPORT int p##HostRegister(void *ptr, size_t size, unsigned int flags)           \
  {                                                                                   \
    return app_register(f, ptr, size, flags);                                         \
  }                                                                                   \
  GS_EXPORT int p##HostUnregister(void *ptr) { return app_unregister(f, ptr); }       \
  GS_EXPORT int p##HostGetDevicePointer(void **d, void *ptr, unsigned int flags)      \
  {                                                                                   \
    return app_device_pointer(f, d, ptr, flags);                                      \
  }                                                                                   \
  GS_EXPORT int p##HostGetFlags(unsigned int *flags, void *ptr)                       \
  {                                                                                   \
    return app_get_flags(f, flags, ptr);                                              \
  }                                                                                   \
  GS_EXPORT int p##PointerGetAttributes(void *attributes, const void *ptr)            \
  {                                                                                   \
    return app_pointer_attributes(f, attributes, ptr);                                \
  }                                                                                   \
  /* Failing answers set the runtime's last error by replaying the failure           \
   * through it; these pass straight through (or read the simulated one). */         \
  GS_EXPORT int p##GetLastError(void) { return app_last_error(f, true); }              \
  GS_EXPORT int p##PeekAtLastError(void) { return app_last_error(f, false); }         \
  GS_EXPORT int p##GetDeviceCount(int *n) { return app_get_device_count(f, n); }      \
  GS_EXPORT int p##GetDevice(int *d) { return app_get_device(f, d); }                 \
  GS_EXPORT int p##SetDevice(int d) { return app_set_device(f, d); }

#endif
