/* Process lifecycle: what runs at load and at exit. Everything else is
 * initialised lazily, because other libraries' constructors may allocate
 * before ours runs. */
#include "classify.h"
#include "register.h"
#include "route.h"
#include "stats.h"
#include "../arena/chunks.h"
#include "../bind/engine.h"
#include "../config/config.h"

#include <pthread.h>
#include <unistd.h>

static int owner_pid;

/* No MADV_DONTFORK anywhere: it would break children touching memory
 * allocated before the fork. A child simply owns no registrations. */
static void after_fork_child(void)
{
  chunks_after_fork_child();
  bind_after_fork_child();
  app_after_fork_child();
}

/* Priority 101: before the constructors of anything linked after us. */
__attribute__((constructor(101))) static void preload_load(void)
{
  owner_pid = (int)getpid();
  if (real_resolve() == 0)
    route_resolved();
  pthread_atfork(NULL, NULL, after_fork_child);
  /* The simulated runtime is live from the start: chunks bind as soon as
   * they are committed, as they would once a real runtime is in use. */
  const struct cfg *c = cfg_get();
  if (c != NULL && c->backend == CFG_BACKEND_SIM)
    bind_start_sim();
  /* Here, not at first use: loading libunwind and the profile allocates
   * and takes the loader's lock. */
  if (c != NULL && classify_init(c))
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
