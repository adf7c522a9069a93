/* The hip backend: chunks registered with the real hipHostRegister, the
 * safe choice for every HIP program (the runtime keeps them valid for its
 * own queues). Without a usable device the runtime still answers for each
 * unit: its refusal sends the unit's registrations to the runtime too. */
#include "rtbind.h"

static struct rtbind hip = {
  .flavor = FLAVOR_HIP, .reg_name = "hipHostRegister", .unreg_name = "hipHostUnregister",
  .devptr_name = "hipHostGetDevicePointer", .get_device_name = "hipGetDevice",
  .set_device_name = "hipSetDevice", .device_required = false, .be = &backend_hip,
};

static int hip_init(void) { return rtbind_init(&hip); }
static void hip_attach(void) { rtbind_attach(&hip); }

static int hip_bind(uintptr_t base, size_t size, bool more, uintptr_t *dev)
{
  (void)more;
  return rtbind_reg(&hip, base, size, dev);
}

static int hip_unbind(uintptr_t base, size_t size)
{
  (void)size;
  return rtbind_unreg(&hip, base);
}

struct backend backend_hip = { .name = "hip", .init = hip_init, .attach = hip_attach,
                               .reg = hip_bind, .unreg = hip_unbind, .device = -1 };
