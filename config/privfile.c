/* Private files written atomically, devices written in place. */
#include "privfile.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

bool privfile_allowed(void) { return getauxval(AT_SECURE) == 0; }

static int refuse(const char **why, const char *what, int err)
{
  if (why)
    *why = what;
  errno = err;
  return -1;
}

static int fail(const char **why)
{
  if (why)
    *why = strerror(errno);
  return -1;
}

/* A character device or FIFO: written where it is, never created,
 * truncated or replaced; a FIFO nobody reads is not waited for. */
static int write_device(int dirfd, const char *path, const char *data, size_t n,
                        const char **why)
{
  int fd = openat(dirfd, path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return fail(why);
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
    close(fd); /* changed under us */
    return refuse(why, "not a regular file, FIFO or character device", EINVAL);
  }
  int rc = io_write_all(fd, data, n);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc ? fail(why) : 0;
}

int privfile_write(const char *path, const char *data, size_t n, const char **why)
{
  return privfile_write_at(AT_FDCWD, path, data, n, why);
}

int privfile_write_at(int dirfd, const char *path, const char *data, size_t n, const char **why)
{
  if (!privfile_allowed())
    return refuse(why, "a set-user-ID program writes no file", EPERM);
  /* The standard streams by name: written through the descriptor. */
  if (dirfd == AT_FDCWD && (strcmp(path, "/dev/stdout") == 0 || strcmp(path, "/dev/stderr") == 0)) {
    int rc = io_write_all(path[5] == 's' && path[8] == 'o' ? 1 : 2, data, n);
    return rc ? fail(why) : 0;
  }
  struct stat st;
  if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
      return write_device(dirfd, path, data, n, why);
    if (S_ISLNK(st.st_mode))
      return refuse(why, "a symbolic link (left as it is)", ELOOP);
    if (!S_ISREG(st.st_mode))
      return refuse(why, "not a regular file, FIFO or character device", EINVAL);
  } else if (errno != ENOENT) {
    return fail(why);
  }
  char tmp[600];
  if (snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof tmp)
    return refuse(why, "the path is too long", ENAMETOOLONG);
  /* O_EXCL|O_NOFOLLOW: never write through a planted symlink; rename puts
   * a complete file in place. */
  int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(why);
  int bad = io_write_all(fd, data, n);
  int saved = errno;
  bad |= close(fd);
  if (bad || renameat(dirfd, tmp, dirfd, path) != 0) {
    saved = bad ? saved : errno;
    unlinkat(dirfd, tmp, 0);
    errno = saved;
    return fail(why);
  }
  return 0;
}
