/* The table of backends. auto picks, for the flavor of the application's
 * first runtime call, the first row marked auto_pick that serves it. */
#include "backend.h"
#include "../config/config.h"

extern const struct backend_ops backend_cuda, backend_hip, backend_amdgpu, backend_sim;

static const struct backend_ops *const table[] = {
  &backend_cuda, &backend_hip, &backend_amdgpu, &backend_sim,
};
enum { NBACKENDS = sizeof table / sizeof table[0] };

const struct backend_ops *backend_named(int cfg)
{
  for (int i = 0; i < NBACKENDS; i++)
    if (table[i]->cfg == cfg)
      return table[i];
  return NULL;
}

const struct backend_ops *backend_choose(int cfg, enum flavor f)
{
  for (int i = 0; i < NBACKENDS; i++) {
    const struct backend_ops *b = table[i];
    if (!(b->flavors & (1u << f)))
      continue;
    if (cfg == CFG_BACKEND_AUTO ? b->auto_pick : b->cfg == cfg)
      return b;
  }
  return NULL;
}

void backends_fork(enum fork_phase ph)
{
  for (int i = 0; i < NBACKENDS; i++)
    if (table[i]->fork)
      table[i]->fork(ph);
}
