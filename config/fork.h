/* Fork safety. Every module that owns a lock or a table owns its fork
 * handling, one function taking the phase; preload/fork.c calls them all,
 * in lock order, from one pthread_atfork registration (as jemalloc's
 * jemalloc_fork.c does). PREPARE takes the module's locks so that the
 * child gets its tables whole; PARENT releases them; CHILD makes them new
 * (the threads that held them do not exist there) and drops what the child
 * does not own. */
#ifndef GPUSCATTER_FORK_H
#define GPUSCATTER_FORK_H

#include <pthread.h>

enum fork_phase { FORK_PREPARE, FORK_PARENT, FORK_CHILD };

static inline void fork_mutex(pthread_mutex_t *m, enum fork_phase ph)
{
  if (ph == FORK_PREPARE)
    pthread_mutex_lock(m);
  else if (ph == FORK_PARENT)
    pthread_mutex_unlock(m);
  else
    pthread_mutex_init(m, NULL);
}

#endif
