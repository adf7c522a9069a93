/* Binding through a GPU runtime's own registration call: the cuda and hip
 * backends are the same code over different entry points. */
#ifndef GPUSCATTER_RTBIND_H
#define GPUSCATTER_RTBIND_H

#include "backend.h"
#include "../preload/regtable.h"

struct rtbind {
  enum flavor flavor;
  const char *reg_name, *unreg_name, *devptr_name, *get_device_name, *set_device_name;
  /* Without a device the runtime may still be asked (it answers for the
   * unit); with, init fails and registrations pass through untouched. */
  bool device_required;
  struct backend *be;
  int (*reg)(void *, size_t, unsigned);
  int (*unreg)(void *);
  int (*devptr)(void **, void *, unsigned);
  int (*get_device)(int *);
  int (*set_device)(int);
};

int rtbind_init(struct rtbind *b);
void rtbind_attach(struct rtbind *b);
int rtbind_reg(struct rtbind *b, uintptr_t base, size_t size, uintptr_t *dev);
int rtbind_unreg(struct rtbind *b, uintptr_t base);

#endif
