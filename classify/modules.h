/* Which loaded object holds a code address, found without the dynamic
 * loader's lock (_dl_find_object, glibc 2.35 and later): an allocation path
 * that called dladdr or dl_iterate_phdr would wait for a thread inside
 * dlopen, which may itself wait for the allocating one. */
#ifndef GPUSCATTER_MODULES_H
#define GPUSCATTER_MODULES_H

#include "../config/fork.h"

#include <stdbool.h>
#include <stdint.h>

struct module {
  const char *name;    /* file name, no directory; the program's for the main executable */
  uintptr_t base;      /* start of its mapping: offsets are from here */
};

/* False before glibc 2.35 (no lock-free lookup): callers then resolve
 * only where the loader's lock may be taken. */
bool modules_lockfree(void);

/* The object holding pc. False when none does (JIT code) or there is no
 * lock-free lookup. The name lives as long as the object is loaded. */
bool modules_find(uintptr_t pc, struct module *m);

/* The same through dladdr (takes the loader's lock): for registration
 * calls and exit, never the allocation path. Also gives the symbol. */
bool modules_find_locked(uintptr_t pc, struct module *m, const char **symbol);

/* Whether pc is inside a dynamic symbol of its object whose qualified name
 * starts with prefix. Reads the object's dynamic symbol table in memory
 * (once per object and prefix, cached). */
bool modules_in_symbol(uintptr_t pc, const char *prefix);

/* At load: the program's own name, for the main executable's frames. */
void modules_init(void);

/* Across fork: the symbol cache's lock. */
void modules_fork(enum fork_phase ph);

#endif
