/* The sim backend: units registered with the simulated runtime
 * (runtime/simrt.c), which answers both flavors and charges an H200's
 * measured cost. Live from the start: no runtime needs to be loaded. */
#include "rtbind.h"
#include "../config/config.h"
#include "../runtime/simrt.h"

static int sim_init(struct backend *be) { return rtbind_init(be, simrt_ops(be->flavor)); }

const struct backend_ops backend_sim = {
  .name = "sim", .cfg = CFG_BACKEND_SIM,
  .flavors = (1u << FLAVOR_CUDA) | (1u << FLAVOR_HIP) | (1u << FLAVOR_CU),
  .live_at_load = true, .init = sim_init, .attach = rtbind_attach, .reg = rtbind_reg,
  .unreg = rtbind_unreg, .fork = simrt_fork,
};
