/* Registering a unit with the runtime the application uses: Portable
 * (usable from every context) and Mapped (a device pointer), the flags the
 * application's own registrations may ask for. */
#include "rtbind.h"
#include "../config/log.h"
#include "../preload/runtime.h"

int rtbind_init(struct rtbind *b)
{
  const char *rt = b->flavor == FLAVOR_CUDA ? "cuda" : "hip";
  *(void **)&b->reg = rt_real_sym(b->flavor, b->reg_name);
  *(void **)&b->unreg = rt_real_sym(b->flavor, b->unreg_name);
  *(void **)&b->devptr = rt_real_sym(b->flavor, b->devptr_name);
  *(void **)&b->get_device = rt_real_sym(b->flavor, b->get_device_name);
  *(void **)&b->set_device = rt_real_sym(b->flavor, b->set_device_name);
  if (!b->reg || !b->unreg || !b->devptr || !b->get_device || !b->set_device) {
    log_info("%s: runtime entry points not found; registrations pass through", rt);
    return -1;
  }
  int dev = 0, rc = b->get_device(&dev);
  if (rc != 0 && b->device_required) {
    log_info("%s: no device (%s: %d); registrations pass through", rt, b->get_device_name, rc);
    return -1;
  }
  if (rc != 0)
    log_info("%s: %s: %d; the runtime will answer each unit", rt, b->get_device_name, rc);
  else if (b->be->device < 0) /* else the probe found the device in use */
    b->be->device = dev;
  return 0;
}

void rtbind_attach(struct rtbind *b)
{
  if (b->be->device >= 0)
    b->set_device(b->be->device);
}

int rtbind_reg(struct rtbind *b, uintptr_t base, size_t size, uintptr_t *dev)
{
  int rc = b->reg((void *)base, size, 1 /* Portable */ | 2 /* Mapped */);
  if (rc != 0)
    return rc;
  void *d = NULL;
  rc = b->devptr(&d, (void *)base, 0);
  if (rc != 0) {
    b->unreg((void *)base);
    return rc;
  }
  *dev = (uintptr_t)d;
  return 0;
}

int rtbind_unreg(struct rtbind *b, uintptr_t base) { return b->unreg((void *)base); }
