/* The hip backend: units registered with the real hipHostRegister, the
 * safe choice for every HIP program (the runtime keeps them valid for its
 * own queues). Without a usable device the runtime still answers for each
 * unit: its refusal sends the unit's registrations to the runtime too. */
#include "rtbind.h"
#include "../config/config.h"

static int hip_init(struct backend *be) { return rtbind_init(be, rt_ops(FLAVOR_HIP)); }

const struct backend_ops backend_hip = {
  .name = "hip", .cfg = CFG_BACKEND_HIP, .flavors = 1u << FLAVOR_HIP, .auto_pick = true,
  .init = hip_init, .attach = rtbind_attach, .reg = rtbind_reg, .unreg = rtbind_unreg,
};
