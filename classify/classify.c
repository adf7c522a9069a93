/* Classification by call site, and learning from registrations. The
 * pointer-to-site record is written by candidate allocations only (which
 * already paid for a backtrace) and read on a registration miss: free()
 * never looks at it. A record is trusted only if the registered range is
 * exactly the recorded allocation, so a freed and reused address whose
 * new owner is not a candidate (its size differs) teaches nothing. */
#include "classify.h"
#include "backtrace.h"
#include "../config/counters.h"
#include "profile.h"
#include "sites.h"
#include "../config/log.h"

#include <stdio.h>
#include <sys/mman.h>

/* 12 MiB of address space, touched as records land: a program that loads
 * thousands of weights and registers them later makes tens of candidate
 * allocations per weight in between (measured with PyTorch: 92k for 2000
 * tensors), and a record must survive them. */
enum { RECORD_BITS = 19, RECORDS = 1 << RECORD_BITS };

struct record { uintptr_t ptr; uint32_t size, tag; uint16_t site, check; };

static struct {
  int mode;              /* enum cfg_classify */
  bool active;           /* backtraces are taken */
  int depth;
  size_t site_min;
  unsigned threshold;
  struct record *rec;    /* learn mode */
  char profile[256];
} cl;

static const char *mode_name(int mode) { return cfg_word("GPUSCATTER_CLASSIFY", mode); }

/* auto: only what the user asked for costs a backtrace (measured: about
 * 150 ns added to a 4-64 KiB malloc/free of 170 ns on the development VM). */
int classify_effective(const struct cfg *c)
{
  if (c->classify != CFG_CLASSIFY_AUTO)
    return c->classify;
  if (c->profile[0])
    return CFG_CLASSIFY_LEARN;
  return c->sites[0] || c->preset != CFG_PRESET_NONE ? CFG_CLASSIFY_SITES : CFG_CLASSIFY_SIZE;
}

bool classify_init(const struct cfg *c)
{
  cl.mode = classify_effective(c);
  if (cl.mode == CFG_CLASSIFY_SIZE || !c->arenas || c->backend == CFG_BACKEND_OFF)
    return false;
  bool learn = cl.mode == CFG_CLASSIFY_LEARN;
  sites_init(c->sites, c->preset, learn ? c->profile : "");
  if (!learn && sites_rules() == 0)
    return false; /* nothing to match: the size alone decides */
  if (!bt_init()) {
    log_warn("GPUSCATTER_CLASSIFY=%s needs libunwind.so.8 (Debian: libunwind8); "
             "classifying by size alone", mode_name(cl.mode));
    return false;
  }
  if (learn) {
    void *v = mmap(NULL, RECORDS * sizeof(struct record), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    cl.rec = v == MAP_FAILED ? NULL : v;
    snprintf(cl.profile, sizeof cl.profile, "%s", c->profile);
  }
  cl.depth = (int)c->site_depth;
  cl.site_min = c->site_min_size;
  cl.threshold = c->learn_threshold;
  __atomic_store_n(&cl.active, true, __ATOMIC_RELEASE);
  return true;
}

unsigned classify_site(size_t n)
{
  if (!__atomic_load_n(&cl.active, __ATOMIC_ACQUIRE) || n < cl.site_min)
    return 0;
  ctr_add(CTR_CANDIDATES, 1);
  uintptr_t pc[BT_MAX];
  int d = bt_capture(pc, cl.depth);
  if (d == 0)
    return 0;
  ctr_add(CTR_BACKTRACES, 1);
  return sites_find(pc, d);
}

bool classify_hot(unsigned site)
{
  if (!sites_hot(site))
    return false;
  ctr_add(CTR_SITE_HITS, 1);
  return true;
}

static struct record *slot(const void *p)
{
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
  return &cl.rec[h >> (64 - RECORD_BITS)];
}

static uint16_t check(uintptr_t p, uint64_t n, unsigned site)
{
  uint64_t h = (p ^ (n << 17) ^ ((uint64_t)site << 40)) * 0xff51afd7ed558ccdull;
  return (uint16_t)((h >> 48) | 1);
}

/* Plain stores (relaxed atomics): a torn record fails its check. */
void classify_record(const void *p, size_t n, unsigned site)
{
  if (cl.rec == NULL || p == NULL || site == 0 || site > UINT16_MAX || n > UINT32_MAX)
    return;
  struct record *r = slot(p);
  __atomic_store_n(&r->check, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&r->ptr, (uintptr_t)p, __ATOMIC_RELAXED);
  __atomic_store_n(&r->size, (uint32_t)n, __ATOMIC_RELAXED);
  __atomic_store_n(&r->site, (uint16_t)site, __ATOMIC_RELAXED);
  __atomic_store_n(&r->tag, sites_tag(site), __ATOMIC_RELAXED);
  __atomic_store_n(&r->check, check((uintptr_t)p, n, site), __ATOMIC_RELEASE);
}

void classify_miss(const void *p, size_t n)
{
  if (cl.rec == NULL || p == NULL)
    return;
  struct record *r = slot(p);
  uint16_t c = __atomic_load_n(&r->check, __ATOMIC_ACQUIRE);
  uintptr_t rp = __atomic_load_n(&r->ptr, __ATOMIC_RELAXED);
  uint64_t rn = __atomic_load_n(&r->size, __ATOMIC_RELAXED);
  unsigned site = __atomic_load_n(&r->site, __ATOMIC_RELAXED);
  uint32_t tag = __atomic_load_n(&r->tag, __ATOMIC_RELAXED);
  if (c != 0 && c == check(rp, rn, site) && rp == (uintptr_t)p && rn == n)
    sites_missed(site, tag, cl.threshold);
}

void classify_hit(const void *p, size_t n)
{
  (void)p, (void)n;
}

void classify_exit(void)
{
  if (cl.active)
    sites_report();
  if (cl.rec != NULL && cl.profile[0])
    sites_save(cl.profile);
}

void classify_stats(struct classify_stats *s)
{
  uint64_t v[CTR_N];
  ctr_sum(v);
  s->mode = cl.active ? mode_name(cl.mode) : "size";
  s->candidates = v[CTR_CANDIDATES];
  s->backtraces = v[CTR_BACKTRACES];
  s->hits = v[CTR_SITE_HITS];
  s->hot_sites = sites_hot_count();
}

void classify_fork(enum fork_phase ph)
{
  if (ph == FORK_PARENT) {
    profile_fork(ph);
    sites_fork(ph);
  } else {
    sites_fork(ph);
    profile_fork(ph);
  }
}
