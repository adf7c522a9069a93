/* The HIP runtime's registration calls. Unversioned definitions, so that
 * references bound to libamdhip64's hip_4.2 node bind here. */
#include "real.h"
#include "register.h"

GS_EXPORT int hipHostRegister(void *p, size_t size, unsigned int flags)
{
  return app_register(FLAVOR_HIP, p, size, flags);
}

GS_EXPORT int hipHostUnregister(void *p) { return app_unregister(FLAVOR_HIP, p); }

GS_EXPORT int hipHostGetDevicePointer(void **d, void *p, unsigned int flags)
{
  return app_device_pointer(FLAVOR_HIP, d, p, flags);
}

GS_EXPORT int hipHostGetFlags(unsigned int *flags, void *p)
{
  return app_get_flags(FLAVOR_HIP, flags, p);
}

GS_EXPORT int hipPointerGetAttributes(void *attributes, const void *p)
{
  return app_pointer_attributes(FLAVOR_HIP, attributes, p);
}

/* Failing answers set the runtime's last error by replaying the failure
 * through it; these pass straight through (or read the simulated one). */
GS_EXPORT int hipGetLastError(void) { return app_last_error(FLAVOR_HIP, true); }
GS_EXPORT int hipPeekAtLastError(void) { return app_last_error(FLAVOR_HIP, false); }
