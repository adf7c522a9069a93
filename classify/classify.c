/* Classification by call site, and learning from registrations.
 *
 * The key of a site is the return address of the allocation call: a few
 * instructions to take and to look up, no unwinding. A return address
 * that turns out to serve both registered and unregistered memory (a
 * generic wrapper) is demoted to deep: its allocations are keyed by their
 * deeper frames instead. Nothing on the allocation path enters the
 * dynamic loader: modules are found with _dl_find_object, frames with
 * libgcc's unwinder over it.
 *
 * Learning records candidates (pointer, size, site) once a GPU runtime is
 * in use, and reads the record when the program registers: a registration
 * of memory a site allocated teaches the site. */
#include "classify.h"
#include "modules.h"
#include "profile.h"
#include "records.h"
#include "rules.h"
#include "sites.h"
#include "unwind.h"
#include "../config/counters.h"
#include "../config/log.h"
#include "../config/privfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
  int mode;              /* enum cfg_classify, resolved */
  bool on;               /* classification is in force */
  bool learn, rules;
  bool recording;        /* candidates are looked at (atomic) */
  bool deep_ok;
  int depth;
  size_t site_min;
  unsigned threshold;
  char profile[512];     /* the path in use; "" none */
  int profile_sites;
  uint64_t run_mode;     /* profile_mode() of this run */
  bool profile_places;   /* its sites place memory in this run */
  bool forecast;         /* a run of this mode registered what they place */
  bool registered;       /* this run registered memory (atomic) */
  pid_t owner;           /* the process that loaded the profile saves it */
} cl;

/* In the environment once a process warned about the cache folder. */
#define WARNED "GPUSCATTER_WARNED_CACHE"

static const char *mode_name(int mode) { return cfg_word("GPUSCATTER_CLASSIFY", mode); }

int classify_effective(const struct cfg *c)
{
  return c->classify == CFG_CLASSIFY_AUTO ? CFG_CLASSIFY_LEARN : c->classify;
}

bool classify_init(const struct cfg *c)
{
  cl.mode = classify_effective(c);
  if (cl.mode == CFG_CLASSIFY_SIZE || !c->arenas || c->backend == CFG_BACKEND_OFF)
    return false;
  modules_init();
  sites_init();
  cl.rules = rules_init(c->sites, c->preset) > 0;
  cl.learn = cl.mode == CFG_CLASSIFY_LEARN && records_init();
  cl.deep_ok = unwind_available();
  cl.depth = (int)c->site_depth;
  cl.site_min = c->site_min_size;
  cl.threshold = c->learn_threshold;
  cl.owner = getpid();
  if (cl.learn) {
    const char *why = NULL;
    if (strcmp(c->profile, "auto") == 0) {
      if (privfile_allowed() && !profile_default_path(cl.profile, sizeof cl.profile, &why)) {
        /* A folder that is not ours alone is worth a warning, once per
         * process tree (a pyenv shim starts dozens of processes, each would
         * say it); no home is not. */
        if ((strstr(why, "another user") || strstr(why, "by others") || strstr(why, "not a folder") ||
             strstr(why, "symbolic link")) && secure_getenv(WARNED) == NULL) {
          log_warn("no profile is kept: %s; what is learned lasts this run", why);
          setenv(WARNED, "1", 0); /* the children this process starts inherit it */
        } else {
          log_info("no profile is kept (%s): what is learned lasts this run", why);
        }
        cl.profile[0] = '\0';
      }
    } else {
      snprintf(cl.profile, sizeof cl.profile, "%s", c->profile);
    }
    if (cl.profile[0]) {
      cl.profile_sites = profile_load(cl.profile);
      cl.run_mode = profile_mode();
      /* Sites learned in another mode (other arguments: ComfyUI with and
       * without --disable-dynamic-vram) place nothing in this one until it
       * registers: their memory may never be registered here, and placing
       * it cost DynamicVRAM runs after legacy ones 17-26% on an H200. */
      bool known = cl.profile_sites > 0 && profile_mode_known(cl.run_mode);
      cl.profile_places = known || (cl.profile_sites > 0 && profile_modes() == 0);
      cl.forecast = known;
    }
  }
  if ((cl.rules || cl.profile_places) && !modules_lockfree())
    log_warn("rules and profiles need glibc 2.35 or later (_dl_find_object); "
             "learning within a run still works");
  cl.on = cl.rules || cl.learn;
  if (!cl.on)
    return false;
  /* With rules or a profile, sites are known before any runtime call. */
  if (cl.rules || cl.profile_places) {
    __atomic_store_n(&cl.recording, true, __ATOMIC_RELEASE);
    return true;
  }
  return false;
}

bool classify_runtime_seen(void)
{
  if (!cl.on || __atomic_load_n(&cl.recording, __ATOMIC_ACQUIRE))
    return false;
  return !__atomic_exchange_n(&cl.recording, true, __ATOMIC_ACQ_REL);
}

/* A site's module and offset for each frame, without the loader's lock
 * where possible (the allocation path), else with it (registration calls
 * and exit only: locked). */
static int resolve(const uintptr_t *pc, int depth, const char **mods, uint64_t *offs, bool locked)
{
  for (int i = 0; i < depth; i++) {
    struct module m;
    bool ok = locked ? modules_find_locked(pc[i], &m, NULL) : modules_find(pc[i], &m);
    if (!ok)
      return 0;
    mods[i] = m.name;
    offs[i] = pc[i] - m.base;
  }
  return depth;
}

/* A new site: hot if the profile or a rule says so, deep if the profile
 * says its return address is shared, else cold. */
static void decide(unsigned h, const uintptr_t *pc, int depth)
{
  const char *mods[UNWIND_MAX];
  uint64_t offs[UNWIND_MAX];
  int state = SITE_COLD, why = 0;
  if (resolve(pc, depth, mods, offs, false) == depth) {
    int kind = cl.profile_places ? profile_lookup(profile_key(mods, offs, depth)) : PROFILE_NONE;
    if (kind == PROFILE_HOT)
      state = SITE_HOT, why = WHY_PROFILE;
    else if (kind == PROFILE_DEEP && cl.deep_ok && depth == 1)
      state = SITE_DEEP, why = WHY_PROFILE;
    else if (kind == PROFILE_NONE && depth > 1 && cl.profile_places &&
             profile_inherits(profile_key(mods, offs, 1)))
      state = SITE_HOT, why = WHY_PROFILE | WHY_INHERITED;
    if (state == SITE_COLD && cl.rules)
      for (int i = 0; i < depth && state == SITE_COLD; i++)
        if (rules_match_pc(mods[i], pc[i]))
          state = SITE_HOT, why = WHY_RULE;
  }
  sites_set(h, state, why);
}

static uint64_t frames_key(const uintptr_t *pc, int depth)
{
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)depth;
  for (int i = 0; i < depth; i++) {
    h ^= pc[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
  }
  return h | SITE_DEEP_KEY;
}

static struct cl_site deep(void)
{
  uintptr_t pc[UNWIND_MAX];
  int d = unwind_capture(pc, cl.depth);
  if (d == 0)
    return (struct cl_site){ 0, false };
  ctr_add(CTR_BACKTRACES, 1);
  bool added;
  unsigned h = sites_get(frames_key(pc, d), pc, d, &added);
  if (added)
    decide(h, pc, d);
  return (struct cl_site){ h, sites_state(h) == SITE_HOT };
}

struct cl_site classify_site(size_t n, const void *ra)
{
  if (!__atomic_load_n(&cl.recording, __ATOMIC_ACQUIRE) || n < cl.site_min || ra == NULL)
    return (struct cl_site){ 0, false };
  uintptr_t pc = (uintptr_t)ra;
  bool added;
  unsigned h = sites_get(pc, &pc, 1, &added);
  if (added)
    decide(h, &pc, 1);
  switch (sites_state(h)) {
  case SITE_HOT:
    sites_count_alloc(h);
    ctr_add(CTR_SITE_HITS, 1);
    return (struct cl_site){ h, true };
  case SITE_DEEP: {
    struct cl_site s = deep();
    if (s.hot)
      ctr_add(CTR_SITE_HITS, 1);
    return s;
  }
  default:
    sites_count_alloc(h);
    return (struct cl_site){ h, false };
  }
}

void classify_record(const void *p, size_t n, struct cl_site s)
{
  if (cl.learn && s.h)
    records_put(p, n, s.h, sites_key(s.h));
}

/* Save what a site now is in the profile (kind NONE drops it). */
static void remember(unsigned h, int kind)
{
  if (!cl.profile[0])
    return;
  uintptr_t pc[UNWIND_MAX];
  int d = sites_frames(h, pc);
  const char *mods[UNWIND_MAX];
  uint64_t offs[UNWIND_MAX];
  if (d > 0 && resolve(pc, d, mods, offs, !modules_lockfree()) == d)
    profile_add(profile_key(mods, offs, d), kind, mods, offs, d);
}

/* The site that allocated [p, p + n), if its record is trustworthy. */
static unsigned site_of(const void *p, size_t n, bool mark, bool *was_registered)
{
  uint32_t tag;
  unsigned h = records_get(p, n, mark, &tag, was_registered);
  return h && records_tag(sites_key(h)) == tag ? h : 0;
}

static void learn(unsigned h)
{
  int st = sites_state(h);
  if (st == SITE_HOT && (sites_why(h) & WHY_INHERITED)) {
    /* Placed on its return address's word, and registered: kept. */
    if (sites_adopt(h))
      remember(h, PROFILE_HOT);
    return;
  }
  if ((st == SITE_NEW || st == SITE_COLD) && sites_missed(h) >= cl.threshold && sites_earned(h)) {
    sites_set(h, SITE_HOT, WHY_LEARNED);
    log_debug("learned a call site (%u)", h);
    remember(h, PROFILE_HOT);
  }
}

/* This run registers memory (one store, the first time: no shared
 * cache line written on every registration). */
static void registered(void)
{
  if (!__atomic_load_n(&cl.registered, __ATOMIC_RELAXED))
    __atomic_store_n(&cl.registered, true, __ATOMIC_RELAXED);
}

bool classify_forecast(void)
{
  return cl.learn && cl.forecast;
}

void classify_miss(const void *p, size_t n)
{
  if (!cl.learn)
    return;
  unsigned h = site_of(p, n, true, NULL);
  if (!h)
    return; /* memory the program mapped itself: its mode learns nothing */
  registered();
  learn(h);
}

void classify_hit(const void *p, size_t n)
{
  if (!cl.learn)
    return;
  registered();
  unsigned h = site_of(p, 0, true, NULL);
  if (!h)
    return;
  (void)n;
  sites_hit(h);
  learn(h); /* placed by size: its site registers too */
}

void classify_freed(const void *p)
{
  if (!cl.learn)
    return;
  bool registered = false;
  unsigned h = site_of(p, 0, false, &registered);
  bool ra = h && !(sites_key(h) & SITE_DEEP_KEY);
  if (!h || registered || sites_state(h) != SITE_HOT || (sites_why(h) & WHY_RULE) ||
      !sites_idle_free(h, ra && cl.deep_ok))
    return;
  /* One thread demotes it. */
  if (!sites_demote(h, ra && cl.deep_ok ? SITE_DEEP : SITE_COLD))
    return;
  /* A return address shared by callers that register and callers that do
   * not looks deeper; a deep site mostly freed unregistered stops being
   * placed. */
  sites_count_demoted();
  remember(h, ra && cl.deep_ok ? PROFILE_DEEP : PROFILE_NONE);
  log_debug("a call site placed memory mostly freed unregistered: %s", ra && cl.deep_ok
            ? "keyed by deeper frames from now on" : "no longer placed");
}

void classify_exit(void)
{
  if (!cl.on)
    return;
  sites_report();
  if (cl.learn && cl.profile[0] && getpid() == cl.owner) {
    if (__atomic_load_n(&cl.registered, __ATOMIC_RELAXED))
      profile_add_mode(cl.run_mode);
    profile_save(cl.profile);
  }
}

void classify_fork(enum fork_phase ph)
{
  /* Taken in the order learning takes them: sites, symbols, profile. */
  if (ph == FORK_PARENT) {
    profile_fork(ph);
    modules_fork(ph);
    sites_fork(ph);
  } else {
    sites_fork(ph);
    modules_fork(ph);
    profile_fork(ph);
  }
}

void classify_stats(struct classify_stats *s)
{
  memset(s, 0, sizeof *s);
  uint64_t v[CTR_N];
  ctr_sum(v);
  s->mode = cl.on ? mode_name(cl.mode) : "size";
  s->key = !cl.on ? "none" : cl.deep_ok ? "return address, deeper frames where shared"
                                        : "return address";
  s->profile = cl.profile;
  s->profile_sites = cl.profile_sites;
  s->deep_keys = v[CTR_BACKTRACES];
  s->hits = v[CTR_SITE_HITS];
  struct sites_stats ss;
  sites_stats(&ss);
  s->sites = ss.sites;
  s->hot = ss.hot;
  s->deep = ss.deep;
  s->learned = ss.learned;
  s->loaded = ss.loaded;
  s->ruled = ss.ruled;
  s->demoted = ss.demoted;
}
