/* Profiles: the call sites a program registered memory from, kept across
 * runs so that the next run places their allocations right from the first
 * one. A site is stored as (module file name, offset) pairs, which survive
 * address randomisation. By default one per program, in the user's cache
 * directory (docs/DESIGN.md, "Profiles"). */
#ifndef GPUSCATTER_PROFILE_H
#define GPUSCATTER_PROFILE_H

#include "../config/fork.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the profile says of a site. */
enum { PROFILE_NONE, PROFILE_HOT, PROFILE_DEEP };

/* The identity of a resolved site, the same in every run. */
uint64_t profile_key(const char *const *modules, const uint64_t *offsets, int depth);

/* The default path for this program: $XDG_CACHE_HOME/gpuscatter/NAME.profile,
 * else ~/.cache/gpuscatter/NAME.profile, NAME from the program and its
 * script; the folder is created 0700 and checked. profile_load and
 * profile_save given this path open the folder (O_NOFOLLOW) and use the
 * handle only when it is still the folder checked here (same device and
 * inode, ours alone), then the file in it with openat. False (and *why)
 * when there is no safe place: no home, a folder that is a link, owned by
 * another user or writable by others. */
bool profile_default_path(char *out, size_t len, const char **why);

/* Load at start. A missing file is a first run; a corrupt, truncated,
 * oversized, foreign or symlinked one gets one warning and is ignored.
 * Returns the number of sites loaded. */
int profile_load(const char *path);

/* What the loaded profile (or this run's learning) says of a site.
 * Lock-free. */
int profile_lookup(uint64_t key);

/* Whether the deep sites below a return address take its place: the
 * loaded profile says it is shared (PROFILE_DEEP) and names no hot deep
 * site below it. That is what a run leaves when every registered block
 * was allocated before the address was found shared (a model's weights
 * all loaded, then registered, then temporaries freed): the next run
 * places what comes from below it until a deep site registers or is
 * mostly freed unregistered. Lock-free. */
bool profile_inherits(uint64_t ra);

/* A site learned (or found shared) in this run, saved with the loaded ones. */
void profile_add(uint64_t key, int kind, const char *const *modules, const uint64_t *offsets,
                 int depth);

/* This run's mode: a hash of the program's arguments (ComfyUI with and
 * without --disable-dynamic-vram are two modes of one program). */
uint64_t profile_mode(void);

/* Whether a run of this mode registered memory (the profile says so), and
 * recording that this one did. */
bool profile_mode_known(uint64_t mode);

/* How many modes the profile holds (0: written before modes were kept). */
int profile_modes(void);
void profile_add_mode(uint64_t mode);

/* Write every site, loaded or learned, atomically, when something changed
 * since the load; never over a file the load refused. */
void profile_save(const char *path);

/* Across fork: kept, its lock made new in the child. */
void profile_fork(enum fork_phase ph);

#endif
