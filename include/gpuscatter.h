/* gpuscatter public API. Programs need none of it: LD_PRELOAD alone does
 * the work. These calls let a program that knows about gpuscatter ask it
 * questions. Look them up with dlsym(RTLD_DEFAULT, ...) if the library may
 * be absent. */
#ifndef GPUSCATTER_H
#define GPUSCATTER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "x.y.z" */
const char *gpuscatter_version(void);

/* Writes the statistics as one JSON object (NUL-terminated, truncated to
 * len). Returns the length the whole object needs, without the NUL, like
 * snprintf; negative on error. */
int gpuscatter_stats_json(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
