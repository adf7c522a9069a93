/* Call-site classification (GPUSCATTER_CLASSIFY): allocations below
 * GPUSCATTER_MIN_SIZE but at least GPUSCATTER_SITE_MIN_SIZE are GPU-bound
 * when their call site is hot: named by a rule, found in the profile, or
 * learned because the program registered memory the site allocated. */
#ifndef GPUSCATTER_CLASSIFY_H
#define GPUSCATTER_CLASSIFY_H

#include "../config/config.h"
#include "../config/fork.h"

#include <stdbool.h>
#include <stddef.h>

/* The mode in force: GPUSCATTER_CLASSIFY, with auto resolved. */
int classify_effective(const struct cfg *c);

/* At load (outside any allocation). True when sites are classified: the
 * slow path must then start at GPUSCATTER_SITE_MIN_SIZE. */
bool classify_init(const struct cfg *c);

/* The site of an allocation of n bytes in the candidate range (a
 * backtrace), 0 when it has none. */
unsigned classify_site(size_t n);

/* Whether the site's allocations are GPU-bound (counted as a site hit). */
bool classify_hot(unsigned site);

/* An ordinary allocation from a site: remembered, so that a registration
 * of it can teach the site (learn mode). Bounded, lossy, lock-free. */
void classify_record(const void *p, size_t n, unsigned site);

/* The program registered [p, p + n) outside the window. */
void classify_miss(const void *p, size_t n);

/* The program registered [p, p + n) inside the window, answered there. */
void classify_hit(const void *p, size_t n);

/* At exit, in the process that loaded the profile. */
void classify_exit(void);

/* Across fork: the site table and profile (sites before profile: the
 * order in which learning takes them). */
void classify_fork(enum fork_phase ph);

struct classify_stats { const char *mode; uint64_t candidates, backtraces, hot_sites, hits; };
void classify_stats(struct classify_stats *s);

#endif
