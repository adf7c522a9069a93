/* The cuda backend: units registered with the real cudaHostRegister. */
#include "rtbind.h"
#include "../config/config.h"

static int cuda_init(struct backend *be) { return rtbind_init(be, rt_ops(FLAVOR_CUDA)); }

const struct backend_ops backend_cuda = {
  /* The driver API's calls too: their registrations are the runtime's.
   * Units are registered through the runtime (the bind thread uses the
   * runtime's device; the driver's would need its context made current). */
  .name = "cuda", .cfg = CFG_BACKEND_CUDA, .flavors = (1u << FLAVOR_CUDA) | (1u << FLAVOR_CU),
  .auto_pick = true,
  .init = cuda_init, .attach = rtbind_attach, .reg = rtbind_reg, .unreg = rtbind_unreg,
};
