/* Process lifecycle: what runs at load and at exit. Everything else is
 * initialised lazily, because other libraries' constructors may allocate
 * before ours runs. */
#include "route.h"
#include "stats.h"
#include "../config/config.h"

#include <unistd.h>

static int owner_pid;

/* Priority 101: before the constructors of anything linked after us. */
__attribute__((constructor(101))) static void preload_load(void)
{
  owner_pid = (int)getpid();
  if (real_resolve() == 0)
    route_resolved();
}

__attribute__((destructor)) static void preload_exit(void)
{
  const struct cfg *c = cfg_get();
  if (c != NULL && c->stats[0] != '\0')
    stats_write_at_exit(c->stats, owner_pid);
}
