/* Files gpuscatter writes (statistics, profiles): mode 0600, created
 * without following a symlink, complete or absent (a temporary file
 * renamed into place), and none at all in a set-user-ID program. */
#ifndef GPUSCATTER_PRIVFILE_H
#define GPUSCATTER_PRIVFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this process may write files: false when it runs with privileges
 * its user does not have (set-user-ID or set-group-ID, capabilities). */
bool privfile_allowed(void);

/* Write data to path. 0, or -1 with errno set. */
int privfile_write(const char *path, const char *data, size_t n);

#endif
