/* Call-site classification (GPUSCATTER_CLASSIFY): an allocation from a
 * call site whose memory the program registers is placed where it is bound
 * ahead, whatever its size. A site is hot when a rule names it, the
 * profile of an earlier run says so, or the program registered memory it
 * allocated; hot sites whose memory is mostly freed unregistered are
 * demoted (docs/DESIGN.md, "Classification"). */
#ifndef GPUSCATTER_CLASSIFY_H
#define GPUSCATTER_CLASSIFY_H

#include "../config/config.h"
#include "../config/fork.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The mode in force: GPUSCATTER_CLASSIFY, with auto resolved. */
int classify_effective(const struct cfg *c);

/* At load (outside any allocation). True when candidates must be seen
 * from the start (rules, or a profile with sites): the slow path then
 * starts at GPUSCATTER_SITE_MIN_SIZE. */
bool classify_init(const struct cfg *c);

/* A GPU runtime is in use: learning starts recording candidates (what is
 * allocated before the first registration must be known by then). True
 * the first time, when the slow path must start lower. */
bool classify_runtime_seen(void);

/* The profile forecasts that this run registers what its sites place: a
 * run with these same arguments did (another mode of the program, such
 * as ComfyUI without --disable-dynamic-vram, waits for its own first
 * registration). */
bool classify_forecast(void);

/* A candidate of n bytes allocated from return address ra: its site (0
 * none) and whether its allocations are placed by site. A few loads when
 * nothing is hot. */
struct cl_site { unsigned h; bool hot; };
struct cl_site classify_site(size_t n, const void *ra);

/* After the allocation (placed or not): remembered for learning. */
void classify_record(const void *p, size_t n, struct cl_site s);

/* The program registered [p, p + n): outside the window (a miss: its site
 * may learn), or answered in it (a hit). */
void classify_miss(const void *p, size_t n);
void classify_hit(const void *p, size_t n);

/* Placed memory is being freed (its site's evidence). */
void classify_freed(const void *p);

/* At exit, in the process that loaded the profile. */
void classify_exit(void);

/* Across fork: the site table and profile (sites before profile: the
 * order in which learning takes them). */
void classify_fork(enum fork_phase ph);

struct classify_stats {
  const char *mode, *key, *profile;
  uint64_t deep_keys, hits;
  unsigned sites, hot, deep, learned, loaded, ruled, demoted;
  int profile_sites;
};
void classify_stats(struct classify_stats *s);

#endif
