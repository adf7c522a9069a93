/* Statistics: each module's counters gathered into one JSON object,
 * written atomically. No allocation: this runs at exit and on demand from
 * any thread. */
#include "stats.h"
#include "hostalloc.h"
#include "../arena/chunks.h"
#include "../arena/pages.h"
#include "../arena/window.h"
#include "../bind/engine.h"
#include "../classify/classify.h"
#include "../config/config.h"
#include "../config/counters.h"
#include "../config/fault.h"
#include "../config/log.h"
#include "../config/privfile.h"

#include <gpuscatter.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char *program_invocation_short_name;

/* An snprintf that keeps counting past the end, as snprintf does. */
struct out { char *buf; size_t len, n; };

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  size_t room = o->n < o->len ? o->len - o->n : 0;
  int k = vsnprintf(room ? o->buf + o->n : NULL, room, fmt, ap);
  va_end(ap);
  if (k > 0)
    o->n += (size_t)k;
}

#define U(x) ((unsigned long long)(x))

/* A string as JSON: quotes, backslashes and control characters escaped. */
static const char *esc(const char *s, char *buf, size_t len)
{
  size_t o = 0;
  for (; s && *s && o + 7 < len; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      buf[o++] = '\\';
      buf[o++] = (char)c;
    } else if (c < 0x20) {
      o += (size_t)snprintf(buf + o, len - o, "\\u%04x", c);
    } else {
      buf[o++] = (char)c;
    }
  }
  buf[o] = '\0';
  return buf;
}

int stats_json(char *buf, size_t len)
{
  struct out o = { buf, len, 0 };
  char path[1100], prog[64];
  if (len)
    buf[0] = '\0';
  const struct cfg *c = cfg_get();
  struct bind_stats b;
  bind_stats(&b);
  struct window_stats w;
  window_stats(&w);
  struct chunks_stats ch;
  chunks_stats(&ch);
  uint64_t v[CTR_N];
  ctr_sum(v);
  struct classify_stats cs;
  classify_stats(&cs);
  struct pages_stats pt = { 0 };
  for (enum region r = 0; r < REG_N; r++)
    if (region_is_pages(r)) {
      struct pages_stats p;
      pages_stats(r, &p);
      pt.blocks += p.blocks, pt.bytes += p.bytes, pt.free_bytes += p.free_bytes;
      pt.dirty_bytes += p.dirty_bytes, pt.purged_bytes += p.purged_bytes;
    }
  put(&o, "{\"version\": \"%s\", \"pid\": %d, \"program\": \"%s\", ", GPUSCATTER_VERSION,
      (int)getpid(), esc(program_invocation_short_name, prog, sizeof prog));
  put(&o, "\"backend\": \"%s\", \"backend_why\": \"%s\", \"device\": %d, \"bind\": \"%s\", ", b.backend,
      b.why, b.device, c ? cfg_word("GPUSCATTER_BIND", c->bind) : "?");
  put(&o, "\"window\": {\"base\": %llu, \"size\": %llu, \"exhausted\": %llu, \"reserved_rw\": %s}, ",
      U(w.base), U(w.size), U(w.exhausted), w.rw ? "true" : "false");
  put(&o, "\"chunks\": {\"count\": %llu, \"bytes\": %llu, \"bound\": %llu, \"bound_bytes\": %llu}, ",
      U(ch.count), U(ch.bytes), U(ch.bound), U(ch.bound_bytes));
  put(&o, "\"allocations\": {\"gpu\": %llu, \"gpu_bytes\": %llu, \"by_size_bytes\": %llu, "
      "\"by_site_bytes\": %llu, \"ordinary_fallback\": %llu}, ", U(v[CTR_GPU_ALLOCS]),
      U(v[CTR_GPU_BYTES]), U(v[CTR_SIZE_BYTES]), U(v[CTR_SITE_BYTES]), U(v[CTR_FALLBACK]));
  put(&o, "\"pages\": {\"blocks\": %llu, \"bytes\": %llu, \"free\": %llu, \"dirty\": %llu, "
      "\"given_back\": %llu}, ", U(pt.blocks), U(pt.bytes), U(pt.free_bytes), U(pt.dirty_bytes),
      U(pt.purged_bytes));
  put(&o, "\"registrations\": {\"app_calls\": %llu, \"hits\": %llu, \"misses\": %llu, "
      "\"app_unregisters\": %llu}, ", U(v[CTR_APP_CALLS]), U(v[CTR_HITS]), U(v[CTR_MISSES]),
      U(v[CTR_APP_UNREGISTERS]));
  put(&o, "\"backend_calls\": {\"register\": %llu, \"unregister\": %llu, \"failed\": %llu, "
      "\"seconds\": %.6f, \"populate_wait_seconds\": %.6f, \"on_registration\": %llu, "
      "\"ahead\": %llu, \"auto_unbound_bytes\": %llu, "
      "\"size_bound_ahead\": %s}, ", U(b.reg), U(b.unreg), U(b.failed), b.seconds, b.populate_wait,
      U(b.sync_binds), U(b.ahead_binds), U(b.auto_unbinds), b.size_ahead ? "true" : "false");
  struct pinned_stats ps;
  pinned_stats(&ps);
  put(&o, "\"pinned_alloc\": {\"blocks\": %llu, \"bytes\": %llu, \"served\": %llu, \"passed\": %llu}, ",
      U(ps.blocks), U(ps.bytes), U(ps.served), U(ps.passed));
  put(&o, "\"budget\": {\"max_pinned\": %llu, \"refused\": %llu}, ",
      U(c ? c->max_pinned : ch.max_bound), U(ch.budget_refused));
  put(&o, "\"classify\": {\"mode\": \"%s\", \"key\": \"%s\", "
      "\"deep_keys\": %llu, \"sites\": %u, \"hot_sites\": %u, "
      "\"deep_sites\": %u, \"learned\": %u, \"from_profile\": %u, \"from_rules\": %u, "
      "\"demoted\": %u, \"learned_hits\": %llu, \"profile\": \"%s\", \"profile_sites_loaded\": %d}, ",
      cs.mode, cs.key, U(cs.deep_keys), cs.sites, cs.hot, cs.deep,
      cs.learned, cs.loaded, cs.ruled, cs.demoted, U(cs.hits), esc(cs.profile, path, sizeof path),
      cs.profile_sites);
  struct bind_point tl[BIND_TIMELINE_N];
  unsigned n = bind_timeline(tl, BIND_TIMELINE_N);
  put(&o, "\"timeline\": {\"ms\": [");
  for (unsigned i = 0; i < n; i++)
    put(&o, "%s%.1f", i ? ", " : "", tl[i].ms);
  put(&o, "], \"bound_bytes\": [");
  for (unsigned i = 0; i < n; i++)
    put(&o, "%s%llu", i ? ", " : "", U(tl[i].bound));
  put(&o, "], \"backend_calls\": [");
  for (unsigned i = 0; i < n; i++)
    put(&o, "%s%llu", i ? ", " : "", U(tl[i].calls));
  put(&o, "], \"app_registrations\": [");
  for (unsigned i = 0; i < n; i++)
    put(&o, "%s%llu", i ? ", " : "", U(tl[i].app_registrations));
  put(&o, "]}}");
  return (int)o.n;
}

bool stats_worth_reporting(void)
{
  uint64_t v[CTR_N];
  ctr_sum(v);
  struct bind_stats b;
  bind_stats(&b);
  struct pinned_stats ps;
  pinned_stats(&ps);
  /* GPU memory: registered, pinned, bound, or placed because its call
   * site registers. Blocks placed by size alone are no reason (a compiler
   * under a build makes them), nor is a live backend (sim is live in
   * every process). */
  return v[CTR_SITE_BYTES] || v[CTR_APP_CALLS] || v[CTR_APP_UNREGISTERS] || b.reg ||
         ps.served || ps.passed;
}

/* Expand %p to the pid; returns whether the path had one. */
static int expand(const char *in, char *out, size_t len)
{
  int had = 0;
  size_t o = 0;
  for (; *in && o + 24 < len; in++) {
    if (in[0] == '%' && in[1] == 'p') {
      o += (size_t)snprintf(out + o, len - o, "%d", (int)getpid());
      in++;
      had = 1;
    } else
      out[o++] = *in;
  }
  out[o] = '\0';
  return had;
}

void stats_write_at_exit(const char *where, int owner_pid)
{
  /* Once per process, from whichever thread exits first: a static buffer
   * (the time line makes it larger than a small thread stack should hold). */
  static char json[32768];
  static bool taken;
  bool to_stderr = strcmp(where, "stderr") == 0 || strcmp(where, "-") == 0;
  /* On standard error, only processes that did something: under a wrapper
   * (pyenv, conda) every process of the tree would print zeros. A file
   * is written as asked. */
  if ((to_stderr && !stats_worth_reporting()) ||
      __atomic_exchange_n(&taken, true, __ATOMIC_ACQ_REL))
    return;
  int n = stats_json(json, sizeof json - 1);
  if (n < 0 || (size_t)n >= sizeof json - 1)
    return;
  json[n++] = '\n';
  if (to_stderr) {
    if (write(2, json, (size_t)n) < 0) { /* nowhere to report it */ }
    return;
  }
  char path[512];
  if (!expand(where, path, sizeof path) && getpid() != owner_pid)
    return;
  if (!privfile_allowed())
    return; /* set-user-ID: write nothing, say nothing */
  const char *why = "input/output error";
  if (fault_hit(FAULT_STATS) || privfile_write(path, json, (size_t)n, &why) != 0)
    log_warn("cannot write statistics to %s: %s", path, why);
}
