/* The public API (include/gpuscatter.h). */
#include "real.h"
#include "register.h"
#include "stats.h"
#include "../bind/engine.h"

#include <gpuscatter.h>

GS_EXPORT const char *gpuscatter_version(void) { return GPUSCATTER_VERSION; }

GS_EXPORT int gpuscatter_stats_json(char *buf, size_t len) { return stats_json(buf, len); }

GS_EXPORT void gpuscatter_flush(void) { bind_flush(); }

GS_EXPORT size_t gpuscatter_trim(void) { return bind_trim(); }
