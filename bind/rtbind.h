/* Binding through a runtime's own registration call: the cuda, hip and
 * sim backends are this code over different runtimes. */
#ifndef GPUSCATTER_RTBIND_H
#define GPUSCATTER_RTBIND_H

#include "backend.h"
#include "../runtime/runtime.h"

/* Start on the runtime o of the backend's flavor. */
int rtbind_init(struct backend *be, const struct rt_ops *o);
void rtbind_attach(struct backend *be);
int rtbind_reg(struct backend *be, uintptr_t base, size_t size, bool more, uintptr_t *dev);
int rtbind_unreg(struct backend *be, uintptr_t base, size_t size);

#endif
