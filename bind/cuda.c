/* The cuda backend: chunks registered with the real cudaHostRegister. */
#include "rtbind.h"

#include <dlfcn.h>

static struct rtbind cu = {
  .flavor = FLAVOR_CUDA, .reg_name = "cudaHostRegister", .unreg_name = "cudaHostUnregister",
  .devptr_name = "cudaHostGetDevicePointer", .get_device_name = "cudaGetDevice",
  .set_device_name = "cudaSetDevice", .device_required = true, .be = &backend_cuda,
};

static int cuda_init(void) { return rtbind_init(&cu); }
static void cuda_attach(void) { rtbind_attach(&cu); }

static int cuda_bind(uintptr_t base, size_t size, bool more, uintptr_t *dev)
{
  (void)more;
  return rtbind_reg(&cu, base, size, dev);
}

static int cuda_unbind(uintptr_t base, size_t size)
{
  (void)size;
  return rtbind_unreg(&cu, base);
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

struct backend backend_cuda = { .name = "cuda", .init = cuda_init, .attach = cuda_attach,
                                .reg = cuda_bind, .unreg = cuda_unbind, .probe = cuda_probe,
                                .device = -1 };
