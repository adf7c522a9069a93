/* The call sites seen by classification: identity (raw return addresses,
 * hashed), what each resolves to (module file name and offset per frame),
 * and whether its allocations are GPU-bound (a rule, the profile, or
 * learned from the program's own registrations). */
#ifndef GPUSCATTER_SITES_H
#define GPUSCATTER_SITES_H

#include <stdbool.h>
#include <stdint.h>

/* At load: the table, rules and profile. */
void sites_init(const char *rules, int preset, const char *profile);

/* The site of these frames, added on first sight (resolving its frames
 * once, outside any lock). 0 when the table is full: such allocations
 * stay ordinary and teach nothing. */
unsigned sites_find(const uintptr_t *pc, int depth);

/* Whether the site's allocations are GPU-bound. */
bool sites_hot(unsigned site);

/* A registration missed memory the site allocated: after threshold such
 * misses the site is learned (and saved in the profile). */
void sites_missed(unsigned site, unsigned threshold);

/* How many sites are GPU-bound, and how many rules are in force. */
unsigned sites_hot_count(void);
int sites_rules(void);

/* At exit: save the profile (learned sites and those loaded). */
void sites_save(const char *profile);

#endif
