/* Files gpuscatter writes (statistics, profiles). A regular file (or none)
 * is replaced whole: mode 0600, a temporary file renamed into place, so it
 * is complete or absent. A character device or a FIFO (/dev/stderr, a
 * pipe) is opened and written. Anything else (a symbolic link, a
 * directory, a socket, a block device) is refused: a path an attacker
 * planted, or a device such as /dev/full that must never be replaced. Set-
 * user-ID programs write nothing. */
#ifndef GPUSCATTER_PRIVFILE_H
#define GPUSCATTER_PRIVFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this process may write files: false when it runs with privileges
 * its user does not have (set-user-ID or set-group-ID, capabilities). */
bool privfile_allowed(void);

/* Write data to path. 0, or -1 with errno set and *why (may be NULL) a
 * phrase for a warning. */
int privfile_write(const char *path, const char *data, size_t n, const char **why);

/* The same for name inside the folder dirfd (a handle opened and checked
 * once: swapping the folder's path for a symbolic link afterwards changes
 * nothing). */
int privfile_write_at(int dirfd, const char *name, const char *data, size_t n, const char **why);

#endif
