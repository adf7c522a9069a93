/* Profiles: the call sites a program registered, kept across runs so that
 * the next run places their allocations right from the first one. A site
 * is stored as (module file name, offset) pairs, which survive address
 * randomisation. */
#ifndef GPUSCATTER_PROFILE_H
#define GPUSCATTER_PROFILE_H

#include "../config/fork.h"

#include <stdbool.h>
#include <stdint.h>

/* The identity of a resolved site, the same in every run. */
uint64_t profile_key(const char *const *modules, const uint64_t *offsets, int depth);

/* Load at start. A missing file is a first run; a corrupt, truncated,
 * oversized, foreign or symlinked one gets one warning and is ignored.
 * Returns the number of sites loaded. */
int profile_load(const char *path);

/* Whether the loaded profile holds this site. */
bool profile_has(uint64_t key);

/* A site learned in this run, to be saved with the loaded ones. */
void profile_add(uint64_t key, const char *const *modules, const uint64_t *offsets, int depth);

/* Write every site, loaded or learned, atomically; never over a file the
 * load refused. */
void profile_save(const char *path);

/* Across fork: kept, its lock made new in the child. */
void profile_fork(enum fork_phase ph);

#endif
