/* The site table: open addressing on a hash of the raw return addresses.
 * Lookups take no lock (the key is published last); insertion resolves
 * the frames with dladdr before taking the lock, because the loader's lock
 * may be held by a thread that is allocating (dlopen does). */
#include "sites.h"
#include "backtrace.h"
#include "profile.h"
#include "rules.h"
#include "../config/config.h"
#include "../config/log.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* 32768 entries (5 MiB of address space, touched as used); importing
 * PyTorch alone makes thousands of distinct sites at 4 KiB and above. When
 * three quarters are used, every site that is not GPU-bound is forgotten
 * (they are found again on their next allocation). */
enum { SLOTS = 1 << 15, FULL = SLOTS * 3 / 4, KEEP = 1024 };
enum { HOT_RULE = 1, HOT_PROFILE = 2, HOT_LEARNED = 4 };

struct site {
  uint64_t key;        /* 0: empty slot */
  uint32_t allocs;     /* GPUSCATTER_LOG=debug only, approximate: for its report */
  uint32_t misses;
  uint8_t depth, hot;
  uintptr_t pc[BT_MAX];
};

static struct {
  struct site *v;
  pthread_mutex_t lock;
  unsigned used, resets;
  bool count;          /* debug: count allocations per site (a shared write) */
  int rules;
  bool profile;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

void sites_init(const char *rules, int preset, const char *profile)
{
  void *v = mmap(NULL, SLOTS * sizeof(struct site), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (v == MAP_FAILED)
    return;
  st.rules = rules_init(rules, preset);
  st.count = log_get_level() >= CFG_LOG_DEBUG;
  st.profile = profile[0] && profile_load(profile) > 0;
  __atomic_store_n(&st.v, (struct site *)v, __ATOMIC_RELEASE);
}

int sites_rules(void) { return st.rules; }

static uint64_t hash(const uintptr_t *pc, int depth)
{
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)depth;
  for (int i = 0; i < depth; i++) {
    h ^= pc[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
  }
  return h ? h : 1;
}

/* Module file names and offsets of the frames; false if one is in no
 * module. snames may be NULL. */
static bool resolve(const uintptr_t *pc, int depth, const char **mods, uint64_t *offs,
                    const char **snames)
{
  for (int i = 0; i < depth; i++) {
    Dl_info d;
    /* pc - 1: a return address may be past the end of its function. */
    if (dladdr((void *)(pc[i] - 1), &d) == 0 || d.dli_fname == NULL)
      return false;
    const char *slash = strrchr(d.dli_fname, '/');
    mods[i] = slash ? slash + 1 : d.dli_fname;
    offs[i] = pc[i] - (uintptr_t)d.dli_fbase;
    if (snames)
      snames[i] = d.dli_sname;
  }
  return true;
}

/* Rules and profile, decided once per site. */
static uint8_t decide(const uintptr_t *pc, int depth)
{
  if (st.rules == 0 && !st.profile)
    return 0;
  const char *mods[BT_MAX], *snames[BT_MAX];
  uint64_t offs[BT_MAX];
  if (!resolve(pc, depth, mods, offs, snames))
    return 0;
  uint8_t hot = 0;
  for (int i = 0; i < depth && st.rules; i++)
    if (rules_match(mods[i], snames[i]))
      hot |= HOT_RULE;
  if (st.profile && profile_has(profile_key(mods, offs, depth)))
    hot |= HOT_PROFILE;
  return hot;
}

static unsigned probe(uint64_t key, bool *found)
{
  unsigned s = (unsigned)key & (SLOTS - 1);
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
 * for one allocation; site handles held elsewhere are checked by tag. */
static void forget_cold(void)
{
  static struct site keep[KEEP];
  unsigned n = 0;
  for (unsigned s = 0; s < SLOTS; s++)
    if (st.v[s].key && st.v[s].hot && n < KEEP)
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

uint32_t sites_tag(unsigned site)
{
  return site ? (uint32_t)(__atomic_load_n(&st.v[site - 1].key, __ATOMIC_ACQUIRE) >> 32) : 0;
}

unsigned sites_find(const uintptr_t *pc, int depth)
{
  if (__atomic_load_n(&st.v, __ATOMIC_ACQUIRE) == NULL || depth <= 0)
    return 0;
  uint64_t key = hash(pc, depth);
  bool found;
  unsigned s = probe(key, &found);
  if (found) {
    if (st.count) /* relaxed load and store, not an atomic increment: a hint */
      __atomic_store_n(&st.v[s].allocs, __atomic_load_n(&st.v[s].allocs, __ATOMIC_RELAXED) + 1,
                       __ATOMIC_RELAXED);
    return s + 1;
  }
  uint8_t hot = decide(pc, depth);
  pthread_mutex_lock(&st.lock);
  if (st.used >= FULL)
    forget_cold();
  s = probe(key, &found);
  if (!found && s < SLOTS && st.used < FULL) {
    struct site *e = &st.v[s];
    e->depth = (uint8_t)depth;
    e->hot = hot;
    memcpy(e->pc, pc, (size_t)depth * sizeof *pc);
    st.used++;
    __atomic_store_n(&e->key, key, __ATOMIC_RELEASE);
    found = true;
  }
  pthread_mutex_unlock(&st.lock);
  return found ? s + 1 : 0;
}

bool sites_hot(unsigned site)
{
  return site && __atomic_load_n(&st.v[site - 1].hot, __ATOMIC_RELAXED) != 0;
}

void sites_missed(unsigned site, uint32_t tag, unsigned threshold)
{
  if (!site || sites_tag(site) != tag)
    return; /* forgotten since, or another site in its place */
  struct site *e = &st.v[site - 1];
  if (__atomic_add_fetch(&e->misses, 1, __ATOMIC_RELAXED) != threshold)
    return;
  __atomic_or_fetch(&e->hot, HOT_LEARNED, __ATOMIC_RELAXED);
  const char *mods[BT_MAX];
  uint64_t offs[BT_MAX];
  if (resolve(e->pc, e->depth, mods, offs, NULL))
    profile_add(profile_key(mods, offs, e->depth), mods, offs, e->depth);
}

unsigned sites_hot_count(void)
{
  unsigned n = 0;
  if (__atomic_load_n(&st.v, __ATOMIC_ACQUIRE) == NULL)
    return 0;
  for (unsigned s = 0; s < SLOTS; s++)
    n += __atomic_load_n(&st.v[s].key, __ATOMIC_ACQUIRE) != 0 &&
         __atomic_load_n(&st.v[s].hot, __ATOMIC_RELAXED) != 0;
  return n;
}

void sites_save(const char *profile)
{
  if (profile[0] && __atomic_load_n(&st.v, __ATOMIC_ACQUIRE) != NULL)
    profile_save(profile);
}

/* GPUSCATTER_LOG=debug, at exit: the busiest sites, resolved, to help write
 * rules (and to see why one does not match). */
void sites_report(void)
{
  if (log_get_level() < CFG_LOG_DEBUG || __atomic_load_n(&st.v, __ATOMIC_ACQUIRE) == NULL)
    return;
  bool shown[SLOTS] = { false };
  for (int rank = 0; rank < 8; rank++) {
    unsigned best = SLOTS;
    for (unsigned s = 0; s < SLOTS; s++)
      if (st.v[s].key && !shown[s] && (best == SLOTS || st.v[s].allocs > st.v[best].allocs))
        best = s;
    if (best == SLOTS)
      return;
    shown[best] = true;
    const struct site *e = &st.v[best];
    const char *mods[BT_MAX], *snames[BT_MAX];
    uint64_t offs[BT_MAX];
    char line[1536], q[96];
    int o = snprintf(line, sizeof line, "site %u: %u allocations, %u misses%s (%u forgotten "
                     "sites reset):", best, e->allocs + 1, e->misses,
                     e->hot ? ", GPU-bound" : "", st.resets);
    bool ok = resolve(e->pc, e->depth, mods, offs, snames);
    for (int i = 0; i < e->depth && o < (int)sizeof line - 200; i++) {
      rules_qualified(ok ? snames[i] : NULL, q, sizeof q);
      o += snprintf(line + o, sizeof line - (size_t)o, " %s+0x%llx(%s)", ok ? mods[i] : "?",
                    ok ? (unsigned long long)offs[i] : 0ull, q);
    }
    log_debug("%s", line);
  }
}

void sites_fork(enum fork_phase ph) { fork_mutex(&st.lock, ph); }
