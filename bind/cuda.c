/* The cuda backend: units registered with the real cudaHostRegister. */
#include "rtbind.h"
#include "../config/config.h"

static int cuda_init(struct backend *be) { return rtbind_init(be, rt_ops(FLAVOR_CUDA)); }

const struct backend_ops backend_cuda = {
  .name = "cuda", .cfg = CFG_BACKEND_CUDA, .flavors = 1u << FLAVOR_CUDA, .auto_pick = true,
  .init = cuda_init, .attach = rtbind_attach, .reg = rtbind_reg, .unreg = rtbind_unreg,
};
