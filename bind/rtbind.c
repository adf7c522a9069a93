/* Registering a unit with the runtime the application uses: the flavor's
 * bind flags (Portable: usable from every context; Mapped: a device
 * pointer), which cover what the application's own registrations may ask
 * for. */
#include "rtbind.h"
#include "../config/log.h"

int rtbind_init(struct backend *be, const struct rt_ops *o)
{
  const struct flavor_desc *fd = flavor(be->flavor);
  if (!o->reg || !o->unreg || !o->devptr || !o->get_device || !o->set_device) {
    log_info("%s: runtime entry points not found; registrations pass through", fd->name);
    return -1;
  }
  int dev = 0, rc = o->get_device(&dev);
  if (rc != 0 && fd->device_required) {
    log_info("%s: no device (%s: %d); registrations pass through", fd->name,
             fd->calls[RT_GET_DEVICE], rc);
    return -1;
  }
  if (rc != 0)
    log_info("%s: %s: %d; the runtime will answer each unit", fd->name,
             fd->calls[RT_GET_DEVICE], rc);
  else
    be->device = dev;
  be->priv = (void *)o;
  return 0;
}

void rtbind_attach(struct backend *be)
{
  const struct rt_ops *o = be->priv;
  if (be->device >= 0)
    o->set_device(be->device);
}

int rtbind_reg(struct backend *be, uintptr_t base, size_t size, bool more, uintptr_t *dev)
{
  (void)more;
  const struct rt_ops *o = be->priv;
  int rc = o->reg((void *)base, size, flavor(be->flavor)->bind_flags);
  if (rc != 0)
    return rc;
  void *d = NULL;
  rc = o->devptr(&d, (void *)base, 0);
  if (rc != 0) {
    o->unreg((void *)base);
    return rc;
  }
  *dev = (uintptr_t)d;
  return 0;
}

int rtbind_unreg(struct backend *be, uintptr_t base, size_t size)
{
  (void)size;
  const struct rt_ops *o = be->priv;
  return o->unreg((void *)base);
}
