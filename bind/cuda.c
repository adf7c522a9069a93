/* The cuda backend: chunks registered with the real cudaHostRegister,
 * Portable (usable from every context) and Mapped (a device pointer). */
#include "backend.h"
#include "../config/log.h"
#include "../preload/runtime.h"

#include <dlfcn.h>

static struct {
  int (*reg)(void *, size_t, unsigned);
  int (*unreg)(void *);
  int (*devptr)(void **, void *, unsigned);
  int (*get_device)(int *);
  int (*set_device)(int);
} cu;

static int cuda_init(void)
{
  *(void **)&cu.reg = rt_real_sym(FLAVOR_CUDA, "cudaHostRegister");
  *(void **)&cu.unreg = rt_real_sym(FLAVOR_CUDA, "cudaHostUnregister");
  *(void **)&cu.devptr = rt_real_sym(FLAVOR_CUDA, "cudaHostGetDevicePointer");
  *(void **)&cu.get_device = rt_real_sym(FLAVOR_CUDA, "cudaGetDevice");
  *(void **)&cu.set_device = rt_real_sym(FLAVOR_CUDA, "cudaSetDevice");
  if (!cu.reg || !cu.unreg || !cu.devptr || !cu.get_device || !cu.set_device) {
    log_info("cuda: runtime entry points not found");
    return -1;
  }
  int dev = 0, rc = cu.get_device(&dev);
  if (rc != 0) {
    log_info("cuda: no device (cudaGetDevice: %d); registrations pass through", rc);
    return -1;
  }
  if (backend_cuda.device < 0) /* else the probe found the device in use */
    backend_cuda.device = dev;
  return 0;
}

/* The driver API answers "is a primary context active on this device"
 * without creating one, and fails harmlessly before the application has
 * initialised the driver. */
static int cuda_probe(int *device)
{
  void *h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  if (h == NULL)
    return -1;
  int (*count)(int *) = (int (*)(int *))dlsym(h, "cuDeviceGetCount");
  int (*state)(int, unsigned *, int *) =
    (int (*)(int, unsigned *, int *))dlsym(h, "cuDevicePrimaryCtxGetState");
  dlclose(h); /* the process keeps it loaded */
  int n = 0;
  if (!count || !state || count(&n) != 0)
    return 0;
  for (int d = 0; d < n; d++) {
    unsigned flags;
    int active = 0;
    if (state(d, &flags, &active) == 0 && active) {
      *device = d;
      return 1;
    }
  }
  return 0;
}

static void cuda_attach(void) { cu.set_device(backend_cuda.device); }

static int cuda_bind(uintptr_t base, size_t size, uintptr_t *dev)
{
  int rc = cu.reg((void *)base, size, 1 /* Portable */ | 2 /* Mapped */);
  if (rc != 0)
    return rc;
  void *d = NULL;
  rc = cu.devptr(&d, (void *)base, 0);
  if (rc != 0) {
    cu.unreg((void *)base);
    return rc;
  }
  *dev = (uintptr_t)d;
  return 0;
}

static int cuda_unbind(uintptr_t base, size_t size)
{
  (void)size;
  return cu.unreg((void *)base);
}

struct backend backend_cuda = { "cuda", cuda_init, cuda_attach, cuda_bind, cuda_unbind,
                                cuda_probe, -1 };
