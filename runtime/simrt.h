/* The simulated runtime: each flavor's registration semantics and a cost
 * model measured on an H200, for machines without a GPU. */
#ifndef GPUSCATTER_SIMRT_H
#define GPUSCATTER_SIMRT_H

#include "runtime.h"
#include "../config/fork.h"

#include <stdint.h>

const struct rt_ops *simrt_ops(enum flavor f);

/* A forked child starts with a driver that holds nothing, as a real one
 * does: the parent's registrations do not carry over. */
void simrt_fork(enum fork_phase ph);

#endif
