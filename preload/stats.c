/* Statistics: gather each module's counters, format, write atomically. */
#include "stats.h"
#include "../config/privfile.h"
#include "../classify/classify.h"
#include "../config/counters.h"
#include "real.h"
#include "../arena/chunks.h"
#include "../arena/window.h"
#include "../config/config.h"
#include "../config/fault.h"
#include "../config/log.h"
#include "../bind/engine.h"

#include <gpuscatter.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void stats_collect(struct stats *s)
{
  memset(s, 0, sizeof *s);
  const struct cfg *c = cfg_get();
  struct bind_stats b;
  bind_stats(&b);
  /* The backend that binds, or the one asked for until one does. */
  s->backend = b.reg || b.failed || c == NULL ? b.backend
             : cfg_word("GPUSCATTER_BACKEND", c->backend);
  s->backend_register = b.reg;
  s->backend_unregister = b.unreg;
  s->backend_failed = b.failed;
  s->backend_seconds = b.seconds;
  struct window_stats w;
  window_stats(&w);
  s->window_base = w.base;
  s->window_size = w.size;
  s->window_exhausted = w.exhausted;
  struct chunks_stats ch;
  chunks_stats(&ch);
  s->max_pinned = c ? c->max_pinned : 0;
  s->budget_refused = ch.budget_refused;
  s->chunks = ch.count;
  s->chunk_bytes = ch.bytes;
  s->bound = ch.bound;
  s->bound_bytes = ch.bound_bytes;
  uint64_t v[CTR_N];
  ctr_sum(v);
  s->gpu_allocs = v[CTR_GPU_ALLOCS];
  s->gpu_bytes = v[CTR_GPU_BYTES];
  s->ordinary_fallback = v[CTR_FALLBACK];
  s->app_calls = v[CTR_APP_CALLS];
  s->hits = v[CTR_HITS];
  s->misses = v[CTR_MISSES];
  s->app_unregisters = v[CTR_APP_UNREGISTERS];
  struct classify_stats cs;
  classify_stats(&cs);
  s->classify_mode = cs.mode;
  s->candidates = cs.candidates;
  s->backtraces = cs.backtraces;
  s->hot_sites = cs.hot_sites;
  s->site_hits = cs.hits;
}

int stats_format(const struct stats *s, char *buf, size_t len)
{
  return snprintf(buf, len,
    "{\"version\": \"%s\", \"backend\": \"%s\", "
    "\"window\": {\"base\": %llu, \"size\": %llu, \"exhausted\": %llu}, "
    "\"chunks\": {\"count\": %llu, \"bytes\": %llu, \"bound\": %llu, \"bound_bytes\": %llu}, "
    "\"allocations\": {\"gpu\": %llu, \"gpu_bytes\": %llu, \"ordinary_fallback\": %llu}, "
    "\"registrations\": {\"app_calls\": %llu, \"hits\": %llu, \"misses\": %llu, "
    "\"app_unregisters\": %llu}, "
    "\"backend_calls\": {\"register\": %llu, \"unregister\": %llu, \"failed\": %llu, \"seconds\": %.6f}, "
    "\"budget\": {\"max_pinned\": %llu, \"refused\": %llu}, "
    "\"classify\": {\"mode\": \"%s\", \"candidates\": %llu, \"backtraces\": %llu, "
    "\"hot_sites\": %llu, \"learned_hits\": %llu}}",
    GPUSCATTER_VERSION, s->backend,
    (unsigned long long)s->window_base, (unsigned long long)s->window_size,
    (unsigned long long)s->window_exhausted,
    (unsigned long long)s->chunks, (unsigned long long)s->chunk_bytes,
    (unsigned long long)s->bound, (unsigned long long)s->bound_bytes,
    (unsigned long long)s->gpu_allocs, (unsigned long long)s->gpu_bytes,
    (unsigned long long)s->ordinary_fallback,
    (unsigned long long)s->app_calls, (unsigned long long)s->hits,
    (unsigned long long)s->misses, (unsigned long long)s->app_unregisters,
    (unsigned long long)s->backend_register, (unsigned long long)s->backend_unregister,
    (unsigned long long)s->backend_failed,
    s->backend_seconds,
    (unsigned long long)s->max_pinned, (unsigned long long)s->budget_refused,
    s->classify_mode, (unsigned long long)s->candidates, (unsigned long long)s->backtraces,
    (unsigned long long)s->hot_sites, (unsigned long long)s->site_hits);
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
  char json[2048];
  int n = gpuscatter_stats_json(json, sizeof json - 1);
  if (n < 0 || (size_t)n >= sizeof json - 1)
    return;
  json[n++] = '\n';
  if (strcmp(where, "stderr") == 0 || strcmp(where, "-") == 0) {
    if (write(2, json, (size_t)n) < 0) { /* nowhere to report it */ }
    return;
  }
  char path[512];
  if (!expand(where, path, sizeof path) && getpid() != owner_pid)
    return;
  if (!privfile_allowed())
    return; /* set-user-ID: write nothing */
  if (fault_hit(FAULT_STATS) ? (errno = EIO, -1) : privfile_write(path, json, (size_t)n))
    log_warn("cannot write statistics to %s: %s", path, strerror(errno));
}
