/* The application's registration calls, answered for window memory from
 * the app-view table with the flavor's exact semantics, passed through to
 * the runtime for everything else. */
#ifndef GPUSCATTER_REGISTER_H
#define GPUSCATTER_REGISTER_H

#include "../config/fork.h"
#include "../runtime/flavor.h"

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

/* The application called its runtime (any call we see): the engine and
 * learning start. */
void app_runtime_call(enum flavor f);

/* The device the calling thread uses. */
int app_current_device(enum flavor f);

/* The driver API needs a current context: without one the driver answers
 * (the runtime API makes its own). */
bool app_has_context(enum flavor f);

/* An invalid-value answer, with the runtime's last error set. */
int app_fail_invalid(enum flavor f);

int app_register(enum flavor f, void *p, size_t size, unsigned flags);
int app_unregister(enum flavor f, void *p);
int app_device_pointer(enum flavor f, void **d, void *p, unsigned flags);
int app_get_flags(enum flavor f, unsigned *out, void *p);
int app_pointer_attributes(enum flavor f, void *attr, const void *p);
int app_last_error(enum flavor f, bool clear);

/* Device calls, passed through: every CUDA or HIP program makes them
 * before it allocates what it will register, so they start the engine and
 * learning. */
int app_get_device_count(enum flavor f, int *n);
int app_get_device(enum flavor f, int *d);
int app_set_device(enum flavor f, int d);


/* Across fork: the child owns no registrations. */
void app_fork(enum fork_phase ph);

#endif
