/* The CUDA runtime's calls gpuscatter answers. */
#include "exports.h"
#include "hostalloc.h"

FLAVOR_EXPORTS(cuda, FLAVOR_CUDA)

GS_EXPORT int cudaHostAlloc(void **p, size_t size, unsigned int flags)
{
  return pinned_alloc(FLAVOR_CUDA, "cudaHostAlloc", true, p, size, flags);
}

GS_EXPORT int cudaMallocHost(void **p, size_t size)
{
  return pinned_alloc(FLAVOR_CUDA, "cudaMallocHost", false, p, size, 0);
}

/* cudaFreeHost frees the driver API's pinned memory too (one family). */
GS_EXPORT int cudaFreeHost(void *p) { return pinned_free(FLAVOR_CUDA, "cudaFreeHost", p); }

/* The driver's entry points handed out through the runtime: ours where we
 * answer (PyTorch finds its driver calls this way). */
GS_EXPORT int cudaGetDriverEntryPoint(const char *symbol, void **fn, unsigned long long flags,
                                      void *status)
{
  return driver_entry_point(FLAVOR_CUDA, "cudaGetDriverEntryPoint", symbol, fn, 0, flags, status,
                            false);
}

GS_EXPORT int cudaGetDriverEntryPointByVersion(const char *symbol, void **fn, unsigned int version,
                                               unsigned long long flags, void *status)
{
  return driver_entry_point(FLAVOR_CUDA, "cudaGetDriverEntryPointByVersion", symbol, fn, version,
                            flags, status, true);
}
