/* The statistics report: one JSON object, on demand or at exit. */
#ifndef GPUSCATTER_STATS_H
#define GPUSCATTER_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Everything the report shows; each module fills its own part. */
struct stats {
  const char *backend;
  uint64_t window_base, window_size, window_exhausted;
  uint64_t chunks, chunk_bytes, bound, bound_bytes;
  uint64_t gpu_allocs, gpu_bytes, ordinary_fallback;
  uint64_t app_calls, hits, misses, app_unregisters;
  uint64_t backend_register, backend_unregister, backend_failed;
  double backend_seconds;
  uint64_t max_pinned, budget_refused;
  const char *classify_mode;
  uint64_t candidates, backtraces, hot_sites, site_hits;
};

int stats_format(const struct stats *s, char *buf, size_t len);
void stats_collect(struct stats *s);

/* Write the report where GPUSCATTER_STATS says: "stderr" or a path, in
 * which "%p" becomes the pid. Without "%p" only the process that read the
 * configuration writes, so a forked child does not overwrite its parent's
 * report. */
void stats_write_at_exit(const char *where, int owner_pid);

#endif
