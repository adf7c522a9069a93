/* The call sites classification has seen: keyed by the return address of
 * the allocation call (a site), or, for a return address shared by
 * registered and unregistered allocations, by a hash of the deeper frames
 * (a deep site). Each is new, cold, hot (its allocations are placed where
 * they are bound ahead) or deep (its return address is shared: look
 * deeper). Lookups take no lock; additions take the table's. */
#ifndef GPUSCATTER_SITES_H
#define GPUSCATTER_SITES_H

#include "unwind.h"
#include "../config/fork.h"

#include <stdbool.h>
#include <stdint.h>

enum site_state { SITE_NEW, SITE_COLD, SITE_HOT, SITE_DEEP };
enum site_why { WHY_RULE = 1, WHY_PROFILE = 2, WHY_LEARNED = 4, WHY_INHERITED = 8 };

/* Deep keys have the top bit set; return addresses never do. */
#define SITE_DEEP_KEY (1ull << 63)

/* At load. */
void sites_init(void);

/* The handle of key (0: the table is not made, or full), added as
 * SITE_NEW with its frames on first sight; *added says whether this call
 * added it (then the caller decides its state). Bounded: when the table
 * fills, sites that are neither hot nor deep are forgotten. */
unsigned sites_get(uint64_t key, const uintptr_t *pc, int depth, bool *added);

/* The key a handle stands for now (another, after forgetting: compare). */
uint64_t sites_key(unsigned h);

int sites_state(unsigned h);
void sites_set(unsigned h, int state, int why);

/* An inherited site (WHY_INHERITED) that registered becomes learned: true
 * for the one caller that changed it. */
bool sites_adopt(unsigned h);

/* HOT to state, by one caller: true for the one that changed it. */
bool sites_demote(unsigned h, int state);
int sites_why(unsigned h);

/* Its frames (the return address for a site). */
int sites_frames(unsigned h, uintptr_t *pc);

/* Evidence: a registration missed its memory (returns the misses so far),
 * a registration was answered in its placed memory, its placed memory was
 * freed never registered. The last returns true when the caller should
 * demote the site: for a return address (shared), once a fifth or more of
 * what it placed went unregistered; for deep frames, once most did. */
unsigned sites_missed(unsigned h);

/* Whether registrations (missed or answered) are at least the placed
 * memory freed unregistered: a site demoted once must earn its place again. */
bool sites_earned(unsigned h);
void sites_hit(unsigned h);
bool sites_idle_free(unsigned h, bool shared_ok);

/* Counts for the statistics. */
struct sites_stats { unsigned sites, hot, deep, learned, loaded, ruled, demoted, resets; };
void sites_stats(struct sites_stats *s);
void sites_count_demoted(void);

/* GPUSCATTER_LOG=debug: the busiest sites on stderr. */
void sites_report(void);
void sites_count_alloc(unsigned h);

/* Across fork: the table is kept, its lock made new in the child. */
void sites_fork(enum fork_phase ph);

#endif
