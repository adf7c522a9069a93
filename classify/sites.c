/* The site table: open addressing on the key. Lookups take no lock (the
 * key is published last); additions take the table's lock, never the
 * loader's (no frame is resolved here). */
#include "sites.h"
#include "modules.h"
#include "rules.h"
#include "../config/config.h"
#include "../config/log.h"
#include "../config/os.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* 32768 entries, touched as used: importing PyTorch alone allocates from
 * thousands of distinct sites. When three quarters are used, every site
 * that is neither hot nor deep is forgotten (found again on its next
 * allocation). */
enum { SLOTS = 1 << 15, FULL = SLOTS * 3 / 4, KEEP = 2048 };

struct site {
  uint64_t key;          /* 0: empty slot */
  uint8_t state, why, depth;
  uint32_t misses, hits, idle_frees;
  uint32_t allocs;       /* GPUSCATTER_LOG=debug only, approximate */
  uintptr_t pc[UNWIND_MAX];
};

static struct {
  struct site *v;
  pthread_mutex_t lock;
  unsigned used, resets, demoted;
  bool count;            /* debug: count allocations per site */
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

void sites_init(void)
{
  if (st.v)
    return;
  void *v = os_map(SLOTS * sizeof(struct site));
  if (v == NULL)
    return;
  st.count = log_get_level() >= CFG_LOG_DEBUG;
  __atomic_store_n(&st.v, (struct site *)v, __ATOMIC_RELEASE);
}

static unsigned slot_of(uint64_t key)
{
  uint64_t h = key * 0x9e3779b97f4a7c15ull;
  return (unsigned)(h >> 49) & (SLOTS - 1);
}

static unsigned probe(uint64_t key, bool *found)
{
  unsigned s = slot_of(key);
  for (unsigned i = 0; i < SLOTS; i++, s = (s + 1) & (SLOTS - 1)) {
    uint64_t k = __atomic_load_n(&st.v[s].key, __ATOMIC_ACQUIRE);
    if (k == key || k == 0) {
      *found = k == key;
      return s;
    }
  }
  *found = false;
  return SLOTS;
}

/* Called with the lock held. Readers probing meanwhile may miss a site
 * for one allocation; handles held elsewhere are checked by key. */
static void forget_cold(void)
{
  static struct site keep[KEEP];
  unsigned n = 0;
  for (unsigned s = 0; s < SLOTS; s++)
    if (st.v[s].key && (st.v[s].state == SITE_HOT || st.v[s].state == SITE_DEEP) && n < KEEP)
      keep[n++] = st.v[s];
  for (unsigned s = 0; s < SLOTS; s++)
    __atomic_store_n(&st.v[s].key, 0, __ATOMIC_RELEASE);
  st.used = 0;
  st.resets++;
  for (unsigned i = 0; i < n; i++) {
    bool found;
    unsigned s = probe(keep[i].key, &found);
    uint64_t key = keep[i].key;
    keep[i].key = 0;
    st.v[s] = keep[i];
    __atomic_store_n(&st.v[s].key, key, __ATOMIC_RELEASE);
    st.used++;
  }
}

unsigned sites_get(uint64_t key, const uintptr_t *pc, int depth, bool *added)
{
  *added = false;
  if (__atomic_load_n(&st.v, __ATOMIC_ACQUIRE) == NULL || key == 0)
    return 0;
  bool found;
  unsigned s = probe(key, &found);
  if (found)
    return s + 1;
  pthread_mutex_lock(&st.lock);
  if (st.used >= FULL)
    forget_cold();
  s = probe(key, &found);
  if (!found && s < SLOTS && st.used < FULL) {
    struct site *e = &st.v[s];
    memset(e, 0, sizeof *e);
    e->depth = (uint8_t)(depth > UNWIND_MAX ? UNWIND_MAX : depth);
    memcpy(e->pc, pc, (size_t)e->depth * sizeof *pc);
    e->state = SITE_NEW;
    st.used++;
    __atomic_store_n(&e->key, key, __ATOMIC_RELEASE);
    *added = found = true;
  }
  pthread_mutex_unlock(&st.lock);
  return found ? s + 1 : 0;
}

uint64_t sites_key(unsigned h) { return h ? __atomic_load_n(&st.v[h - 1].key, __ATOMIC_ACQUIRE) : 0; }

int sites_state(unsigned h) { return h ? __atomic_load_n(&st.v[h - 1].state, __ATOMIC_ACQUIRE) : SITE_NEW; }
int sites_why(unsigned h) { return h ? __atomic_load_n(&st.v[h - 1].why, __ATOMIC_RELAXED) : 0; }

void sites_set(unsigned h, int state, int why)
{
  if (!h)
    return;
  __atomic_or_fetch(&st.v[h - 1].why, (uint8_t)why, __ATOMIC_RELAXED);
  __atomic_store_n(&st.v[h - 1].state, (uint8_t)state, __ATOMIC_RELEASE);
}

bool sites_adopt(unsigned h)
{
  if (!h)
    return false;
  uint8_t was = __atomic_fetch_and(&st.v[h - 1].why, (uint8_t)~WHY_INHERITED, __ATOMIC_ACQ_REL);
  if (!(was & WHY_INHERITED))
    return false;
  __atomic_or_fetch(&st.v[h - 1].why, (uint8_t)WHY_LEARNED, __ATOMIC_RELAXED);
  return true;
}

bool sites_demote(unsigned h, int state)
{
  uint8_t hot = SITE_HOT;
  return h && __atomic_compare_exchange_n(&st.v[h - 1].state, &hot, (uint8_t)state, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

int sites_frames(unsigned h, uintptr_t *pc)
{
  if (!h)
    return 0;
  struct site *e = &st.v[h - 1];
  memcpy(pc, e->pc, (size_t)e->depth * sizeof *pc);
  return e->depth;
}

unsigned sites_missed(unsigned h)
{
  return h ? __atomic_add_fetch(&st.v[h - 1].misses, 1, __ATOMIC_RELAXED) : 0;
}

bool sites_earned(unsigned h)
{
  if (!h)
    return false;
  const struct site *e = &st.v[h - 1];
  uint64_t reg = (uint64_t)__atomic_load_n(&e->misses, __ATOMIC_RELAXED) +
                 __atomic_load_n(&e->hits, __ATOMIC_RELAXED);
  /* Half or more registered; demotion takes a third or less: between the
   * two a site keeps what it is. */
  return reg >= __atomic_load_n(&e->idle_frees, __ATOMIC_RELAXED);
}

void sites_hit(unsigned h)
{
  if (h)
    __atomic_add_fetch(&st.v[h - 1].hits, 1, __ATOMIC_RELAXED);
}

/* At least 32 such frees, and (for a return address) a fifth of its
 * registrations or more, or (deep frames) so many that registrations no
 * longer earn its place (sites_earned: the two rules agree, so a site does
 * not swing). */
bool sites_idle_free(unsigned h, bool shared_ok)
{
  if (!h)
    return false;
  struct site *e = &st.v[h - 1];
  uint32_t idle = __atomic_add_fetch(&e->idle_frees, 1, __ATOMIC_RELAXED);
  uint64_t reg = (uint64_t)__atomic_load_n(&e->misses, __ATOMIC_RELAXED) +
                 __atomic_load_n(&e->hits, __ATOMIC_RELAXED);
  return idle >= 32 && (shared_ok ? (uint64_t)idle * 4 >= reg : reg * 2 <= idle);
}

void sites_count_demoted(void) { __atomic_add_fetch(&st.demoted, 1, __ATOMIC_RELAXED); }

void sites_count_alloc(unsigned h)
{
  if (st.count && h) /* a relaxed load and store, not an atomic increment: a hint */
    __atomic_store_n(&st.v[h - 1].allocs,
                     __atomic_load_n(&st.v[h - 1].allocs, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

void sites_stats(struct sites_stats *s)
{
  memset(s, 0, sizeof *s);
  if (__atomic_load_n(&st.v, __ATOMIC_ACQUIRE) == NULL)
    return;
  for (unsigned i = 0; i < SLOTS; i++) {
    const struct site *e = &st.v[i];
    if (__atomic_load_n(&e->key, __ATOMIC_ACQUIRE) == 0)
      continue;
    s->sites++;
    int state = __atomic_load_n(&e->state, __ATOMIC_RELAXED);
    s->hot += state == SITE_HOT;
    s->deep += state == SITE_DEEP;
    s->learned += state == SITE_HOT && (e->why & WHY_LEARNED);
    s->loaded += (e->why & WHY_PROFILE) != 0;
    s->ruled += (e->why & WHY_RULE) != 0;
  }
  s->demoted = __atomic_load_n(&st.demoted, __ATOMIC_RELAXED);
  s->resets = st.resets;
}

/* GPUSCATTER_LOG=debug, at exit: the busiest sites, resolved, to help write
 * rules (and to see why one does not match). */
void sites_report(void)
{
  if (log_get_level() < CFG_LOG_DEBUG || __atomic_load_n(&st.v, __ATOMIC_ACQUIRE) == NULL)
    return;
  static bool shown[SLOTS];
  static const char *const states[] = {
    [SITE_NEW] = "new", [SITE_COLD] = "cold", [SITE_HOT] = "hot", [SITE_DEEP] = "deep",
  };
  for (int rank = 0; rank < 8; rank++) {
    unsigned best = SLOTS;
    for (unsigned s = 0; s < SLOTS; s++)
      if (st.v[s].key && !shown[s] && (best == SLOTS || st.v[s].allocs > st.v[best].allocs))
        best = s;
    if (best == SLOTS)
      return;
    shown[best] = true;
    const struct site *e = &st.v[best];
    char line[1536], q[96];
    int o = snprintf(line, sizeof line, "site %u (%s): %u allocations, %u misses, %u hits, %u freed "
                     "unregistered (%u forgotten-site resets):", best, states[e->state & 3],
                     e->allocs + 1, e->misses, e->hits, e->idle_frees, st.resets);
    for (int i = 0; i < e->depth && o < (int)sizeof line - 200; i++) {
      struct module m;
      const char *sym = NULL;
      bool ok = modules_find_locked(e->pc[i], &m, &sym);
      rules_qualified(ok ? sym : NULL, q, sizeof q);
      o += snprintf(line + o, sizeof line - (size_t)o, " %s+0x%llx(%s)", ok ? m.name : "?",
                    ok ? (unsigned long long)(e->pc[i] - m.base) : 0ull, q);
    }
    log_debug("%s", line);
  }
}

void sites_fork(enum fork_phase ph) { fork_mutex(&st.lock, ph); }
