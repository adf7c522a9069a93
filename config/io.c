/* Used inside malloc (diagnostics) as elsewhere: no stdio, no allocation. */
#include "io.h"

#include <errno.h>
#include <unistd.h>

int io_write_all(int fd, const char *p, size_t n)
{
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (w == 0)
        errno = EIO;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}
