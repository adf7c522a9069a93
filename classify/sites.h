/* The call sites seen by classification: identity (raw return addresses,
 * hashed), what each resolves to (module file name and offset per frame),
 * and whether its allocations are GPU-bound (a rule, the profile, or
 * learned from the program's own registrations). */
#ifndef GPUSCATTER_SITES_H
#define GPUSCATTER_SITES_H

#include "../config/fork.h"

#include <stdbool.h>
#include <stdint.h>

/* At load: the table, rules and profile. */
void sites_init(const char *rules, int preset, const char *profile);

/* The site of these frames (0: none), added on first sight (resolving its
 * frames once, outside any lock). Bounded: when the table fills, sites
 * that are not GPU-bound are forgotten. */
unsigned sites_find(const uintptr_t *pc, int depth);

/* A check on a site handle kept for later: a forgotten site's slot may
 * hold another site by then. */
uint32_t sites_tag(unsigned site);

/* Whether the site's allocations are GPU-bound. */
bool sites_hot(unsigned site);

/* A registration missed memory the site allocated: after threshold such
 * misses the site is learned (and saved in the profile). */
void sites_missed(unsigned site, uint32_t tag, unsigned threshold);

/* How many sites are GPU-bound, and how many rules are in force. */
unsigned sites_hot_count(void);
int sites_rules(void);

/* GPUSCATTER_LOG=debug: the busiest sites on stderr. */
void sites_report(void);

/* At exit: save the profile (learned sites and those loaded). */
void sites_save(const char *profile);

/* Across fork: the table is kept, its lock made new in the child. */
void sites_fork(enum fork_phase ph);

#endif
