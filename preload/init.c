/* Process lifecycle: what runs at load and at exit. Everything else is
 * initialised lazily, because other libraries' constructors may allocate
 * before ours runs. */
#include "fork.h"
#include "route.h"
#include "stats.h"
#include "../bind/engine.h"
#include "../classify/classify.h"
#include "../config/config.h"
#include "../config/log.h"

#include <gpuscatter.h>

#include <unistd.h>

extern char *program_invocation_short_name;

static int owner_pid;

/* Priority 101: before the constructors of anything linked after us. */
__attribute__((constructor(101))) static void preload_load(void)
{
  owner_pid = (int)getpid();
  if (real_resolve() == 0)
    route_resolved();
  fork_handlers_install();
  /* Here, not at first use: reading the profile takes files and the
   * loader's lock is free. */
  const struct cfg *c = cfg_get();
  if (c != NULL)
    log_info("%s %s loaded in %s (pid %d): backend %s, classification %s, pinned allocations %s",
             "version", GPUSCATTER_VERSION, program_invocation_short_name, owner_pid,
             cfg_word("GPUSCATTER_BACKEND", c->backend), cfg_word("GPUSCATTER_CLASSIFY", c->classify),
             cfg_word("GPUSCATTER_HOSTALLOC", c->hostalloc));
  if (c != NULL && classify_init(c))
    route_classify_ready(c);
  /* A backend that needs no runtime (sim) is live from the start, as a
   * runtime in use would be: learning records from here. */
  if (c != NULL && bind_start_at_load() && classify_runtime_seen())
    route_classify_ready(c);
}

__attribute__((destructor)) static void preload_exit(void)
{
  const struct cfg *c = cfg_get();
  if (c != NULL && c->stats[0] != '\0')
    stats_write_at_exit(c->stats, owner_pid);
  if (getpid() == owner_pid) /* a forked child would overwrite it */
    classify_exit();
}
