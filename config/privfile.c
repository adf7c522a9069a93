/* Private files written atomically. */
#include "privfile.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

bool privfile_allowed(void) { return getauxval(AT_SECURE) == 0; }

int privfile_write(const char *path, const char *data, size_t n)
{
  if (!privfile_allowed()) {
    errno = EPERM;
    return -1;
  }
  char tmp[600];
  if (snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  /* O_EXCL|O_NOFOLLOW: never write through a planted symlink; rename puts
   * a complete file in place (replacing a symlink, never its target). */
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  int bad = io_write_all(fd, data, n);
  int saved = errno;
  bad |= close(fd);
  if (bad || rename(tmp, path) != 0) {
    saved = bad ? saved : errno;
    unlink(tmp);
    errno = saved;
    return -1;
  }
  return 0;
}
