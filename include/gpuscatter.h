/* gpuscatter public API. Programs need none of it: LD_PRELOAD alone does
 * the work. These calls let a program that knows about gpuscatter ask it
 * questions. Look them up with dlsym(RTLD_DEFAULT, ...) if the library may
 * be absent. */
#ifndef GPUSCATTER_H
#define GPUSCATTER_H

#include <stddef.h>

#define GPUSCATTER_VERSION "0.1.0"
#define GPUSCATTER_VERSION_MAJOR 0
#define GPUSCATTER_VERSION_MINOR 1
#define GPUSCATTER_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "x.y.z" (may differ from the header's). */
const char *gpuscatter_version(void);

/* Bind every chunk still waiting for the backend, now. */
void gpuscatter_flush(void);

/* Unbind every registration unit the application has no registration in,
 * and let jemalloc give its free pages back. Returns the bytes unbound. */
size_t gpuscatter_trim(void);

/* Writes the statistics as one JSON object (NUL-terminated, truncated to
 * len). Returns the length the whole object needs, without the NUL, like
 * snprintf; negative on error. */
int gpuscatter_stats_json(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
