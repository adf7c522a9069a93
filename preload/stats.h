/* The statistics report: one JSON object, on demand or at exit. Its keys
 * are documented in docs/STATS.md. */
#ifndef GPUSCATTER_STATS_H
#define GPUSCATTER_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* The report as JSON into buf (NUL-terminated, truncated to len); returns
 * the length the whole object needs, like snprintf. */
int stats_json(char *buf, size_t len);

/* Whether this process did anything a report is worth (placed, registered
 * or bound something, or made a runtime call). */
bool stats_worth_reporting(void);

/* Write the report where GPUSCATTER_STATS says: "stderr" or a path, in
 * which "%p" becomes the pid. Without "%p" only the process that read the
 * configuration writes, so a forked child does not overwrite its parent's
 * report. */
void stats_write_at_exit(const char *where, int owner_pid);

#endif
