/* The simulated runtime: both flavors' registration semantics and a
 * modeled cost, for machines without a GPU. */
#ifndef GPUSCATTER_SIM_H
#define GPUSCATTER_SIM_H

#include "../preload/runtime.h"

const struct rt_ops *sim_ops(enum flavor f);

#endif
