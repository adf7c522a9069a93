/* The HIP runtime's calls gpuscatter answers. */
#include "exports.h"
#include "hostalloc.h"

FLAVOR_EXPORTS(hip, FLAVOR_HIP)

GS_EXPORT int hipHostMalloc(void **p, size_t size, unsigned int flags)
{
  return pinned_alloc(FLAVOR_HIP, "hipHostMalloc", true, p, size, flags);
}

GS_EXPORT int hipHostAlloc(void **p, size_t size, unsigned int flags)
{
  return pinned_alloc(FLAVOR_HIP, "hipHostAlloc", true, p, size, flags);
}

GS_EXPORT int hipMallocHost(void **p, size_t size)
{
  return pinned_alloc(FLAVOR_HIP, "hipMallocHost", false, p, size, 0);
}

GS_EXPORT int hipHostFree(void *p) { return pinned_free(FLAVOR_HIP, "hipHostFree", p); }
GS_EXPORT int hipFreeHost(void *p) { return pinned_free(FLAVOR_HIP, "hipFreeHost", p); }
