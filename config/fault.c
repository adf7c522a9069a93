/* GPUSCATTER_FAULT is a comma-separated list of POINT (fail every time) or
 * POINT:K (fail the K-th attempt only), POINT one of reserve, commit, map,
 * bind, unbind, thread, stats. Unknown words are ignored: this is a test knob. */
#include "fault.h"
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[FAULT_N] = {
  [FAULT_RESERVE] = "reserve", [FAULT_COMMIT] = "commit", [FAULT_MAP] = "map", [FAULT_BIND] = "bind",
  [FAULT_UNBIND] = "unbind", [FAULT_THREAD] = "thread", [FAULT_STATS] = "stats",
};
static unsigned long at[FAULT_N];   /* 0: never; ULONG_MAX: always */
static unsigned long seen[FAULT_N];
static int parsed;

static void parse(void)
{
  const struct cfg *c = cfg_get();
  for (const char *s = c ? c->fault : ""; *s;) {
    size_t len = strcspn(s, ",");
    for (int p = 0; p < FAULT_N; p++) {
      size_t n = strlen(names[p]);
      if (len >= n && strncmp(s, names[p], n) == 0 && (len == n || s[n] == ':'))
        at[p] = len == n ? ULONG_MAX : strtoul(s + n + 1, NULL, 10);
    }
    s += len + (s[len] == ',');
  }
}

bool fault_hit(enum fault_point p)
{
  if (!__atomic_load_n(&parsed, __ATOMIC_ACQUIRE)) {
    parse();
    __atomic_store_n(&parsed, 1, __ATOMIC_RELEASE);
  }
  if (at[p] == 0)
    return false;
  unsigned long k = __atomic_add_fetch(&seen[p], 1, __ATOMIC_RELAXED);
  return at[p] == ULONG_MAX || k == at[p];
}
