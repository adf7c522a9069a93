/* CUDA's driver API calls gpuscatter answers: registrations (shared with
 * the runtime's), pinned allocations, and the driver's own way of handing
 * out its entry points. Programs that look the driver up with dlsym on
 * their own handle to libcuda.so.1 (comfy-aimdo does) reach the driver
 * directly: no preloaded library can answer those calls. */
#include "exports.h"
#include "hostalloc.h"

#include <string.h>

GS_EXPORT int cuMemHostRegister_v2(void *p, size_t size, unsigned int flags)
{
  return app_register(FLAVOR_CU, p, size, flags);
}
GS_EXPORT int cuMemHostRegister(void *p, size_t size, unsigned int flags)
{
  return app_register(FLAVOR_CU, p, size, flags);
}
GS_EXPORT int cuMemHostUnregister(void *p) { return app_unregister(FLAVOR_CU, p); }

GS_EXPORT int cuMemHostGetDevicePointer_v2(unsigned long long *d, void *p, unsigned int flags)
{
  return app_device_pointer(FLAVOR_CU, (void **)d, p, flags);
}
GS_EXPORT int cuMemHostGetDevicePointer(unsigned long long *d, void *p, unsigned int flags)
{
  return app_device_pointer(FLAVOR_CU, (void **)d, p, flags);
}
GS_EXPORT int cuMemHostGetFlags(unsigned int *flags, void *p)
{
  return app_get_flags(FLAVOR_CU, flags, p);
}

GS_EXPORT int cuMemAllocHost_v2(void **p, size_t size)
{
  return pinned_alloc(FLAVOR_CU, "cuMemAllocHost_v2", false, p, size, 0);
}
GS_EXPORT int cuMemAllocHost(void **p, size_t size)
{
  return pinned_alloc(FLAVOR_CU, "cuMemAllocHost_v2", false, p, size, 0);
}
GS_EXPORT int cuMemHostAlloc(void **p, size_t size, unsigned int flags)
{
  return pinned_alloc(FLAVOR_CU, "cuMemHostAlloc", true, p, size, flags);
}
GS_EXPORT int cuMemFreeHost(void *p) { return pinned_free(FLAVOR_CU, "cuMemFreeHost", p); }

/* Ours for the names above (and their _v2 forms), what the driver would
 * have handed out otherwise. */
static void *ours(const char *symbol)
{
  static const struct { const char *name; void *fn; } t[] = {
    { "cuMemHostRegister", (void *)cuMemHostRegister_v2 },
    { "cuMemHostRegister_v2", (void *)cuMemHostRegister_v2 },
    { "cuMemHostUnregister", (void *)cuMemHostUnregister },
    { "cuMemHostGetDevicePointer", (void *)cuMemHostGetDevicePointer_v2 },
    { "cuMemHostGetDevicePointer_v2", (void *)cuMemHostGetDevicePointer_v2 },
    { "cuMemHostGetFlags", (void *)cuMemHostGetFlags },
    { "cuMemAllocHost", (void *)cuMemAllocHost_v2 },
    { "cuMemAllocHost_v2", (void *)cuMemAllocHost_v2 },
    { "cuMemHostAlloc", (void *)cuMemHostAlloc },
    { "cuMemFreeHost", (void *)cuMemFreeHost },
  };
  for (size_t i = 0; symbol && i < sizeof t / sizeof t[0]; i++)
    if (strcmp(symbol, t[i].name) == 0)
      return t[i].fn;
  return NULL;
}

/* The driver's answer, with ours put in where we answer the call. */
static int substitute(int rc, const char *symbol, void **fn)
{
  void *mine = rc == 0 && fn && *fn ? ours(symbol) : NULL;
  if (mine)
    *fn = mine;
  return rc;
}

int driver_entry_point(enum flavor f, const char *real, const char *symbol, void **fn,
                       unsigned version, unsigned long long flags, void *status, bool versioned)
{
  void *r = rt_sym_cached(f, real);
  int rc;
  if (r == NULL)
    return flavor(f)->err.no_device;
  if (versioned)
    rc = ((int (*)(const char *, void **, unsigned, unsigned long long, void *))r)(symbol, fn,
                                                                                  version, flags, status);
  else
    rc = ((int (*)(const char *, void **, unsigned long long, void *))r)(symbol, fn, flags, status);
  return substitute(rc, symbol, fn);
}

GS_EXPORT int cuGetProcAddress(const char *symbol, void **fn, int version, unsigned long long flags)
{
  int (*r)(const char *, void **, int, unsigned long long) =
    (int (*)(const char *, void **, int, unsigned long long))rt_sym_cached(FLAVOR_CU,
                                                                          "cuGetProcAddress");
  return substitute(r ? r(symbol, fn, version, flags) : flavor(FLAVOR_CU)->err.no_device, symbol, fn);
}

GS_EXPORT int cuGetProcAddress_v2(const char *symbol, void **fn, int version,
                                  unsigned long long flags, void *status)
{
  int (*r)(const char *, void **, int, unsigned long long, void *) =
    (int (*)(const char *, void **, int, unsigned long long, void *))rt_sym_cached(
      FLAVOR_CU, "cuGetProcAddress_v2");
  return substitute(r ? r(symbol, fn, version, flags, status) : flavor(FLAVOR_CU)->err.no_device,
                    symbol, fn);
}
