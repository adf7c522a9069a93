/* The one pthread_atfork registration: every module's fork handling, in
 * lock order (a module whose lock may be taken while another's is held
 * comes after it). Registered after jemalloc's own (jemalloc registers at
 * its first allocation, before our constructor), so our PREPARE runs
 * before jemalloc's and our CHILD after it: the child handlers may use
 * jemalloc. */
#include "fork.h"
#include "hostalloc.h"
#include "register.h"
#include "../arena/chunks.h"
#include "../arena/decay.h"
#include "../arena/pages.h"
#include "../bind/engine.h"
#include "../classify/classify.h"

#include <pthread.h>

static void each(enum fork_phase ph)
{
  decay_fork(ph); /* no lock; before bind_fork, whose child may hand it a thread again */
  classify_fork(ph);
  app_fork(ph);
  pinned_fork(ph);
  bind_fork(ph);
  pages_fork(ph);
  chunks_fork(ph);
}

/* PARENT releases in the reverse order of PREPARE. */
static void prepare(void) { each(FORK_PREPARE); }
static void parent(void)
{
  chunks_fork(FORK_PARENT);
  pages_fork(FORK_PARENT);
  bind_fork(FORK_PARENT);
  pinned_fork(FORK_PARENT);
  app_fork(FORK_PARENT);
  classify_fork(FORK_PARENT);
}
static void child(void) { each(FORK_CHILD); }

void fork_handlers_install(void) { pthread_atfork(prepare, parent, child); }
