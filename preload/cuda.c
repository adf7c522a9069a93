/* The CUDA runtime's registration calls. Unversioned definitions, so that
 * references bound to libcudart.so.13's version node bind here. */
#include "real.h"
#include "register.h"

GS_EXPORT int cudaHostRegister(void *p, size_t size, unsigned int flags)
{
  return app_register(FLAVOR_CUDA, p, size, flags);
}

GS_EXPORT int cudaHostUnregister(void *p) { return app_unregister(FLAVOR_CUDA, p); }

GS_EXPORT int cudaHostGetDevicePointer(void **d, void *p, unsigned int flags)
{
  return app_device_pointer(FLAVOR_CUDA, d, p, flags);
}

GS_EXPORT int cudaHostGetFlags(unsigned int *flags, void *p)
{
  return app_get_flags(FLAVOR_CUDA, flags, p);
}

GS_EXPORT int cudaPointerGetAttributes(void *attributes, const void *p)
{
  return app_pointer_attributes(FLAVOR_CUDA, attributes, p);
}

/* Failing answers set the runtime's last error by replaying the failure
 * through it; these pass straight through (or read the simulated one). */
GS_EXPORT int cudaGetLastError(void) { return app_last_error(FLAVOR_CUDA, true); }
GS_EXPORT int cudaPeekAtLastError(void) { return app_last_error(FLAVOR_CUDA, false); }
