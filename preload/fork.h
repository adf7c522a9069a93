/* Fork handling for the whole library (config/fork.h says how). */
#ifndef GPUSCATTER_PRELOAD_FORK_H
#define GPUSCATTER_PRELOAD_FORK_H

/* Once, at load. */
void fork_handlers_install(void);

#endif
