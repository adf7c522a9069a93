/* Making a render node path openable: open/stat/fstat answer for it as
 * for a DRM character device (major 226, render minor 128), and ioctls on
 * its descriptors go to the fake kernel. Descriptors are tracked through
 * dup and fcntl(F_DUPFD) since libdrm keeps duplicates. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fakedrm.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

enum { MAX_FD = 4096, DRM_MAJOR = 226, RENDER_MINOR = 128 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static signed char fd_file[MAX_FD]; /* file index + 1, 0: not ours */
static int file_refs[FAKE_FILES];

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static const char *node(void)
{
  const char *p = getenv("FAKEDRM_NODE");
  return p && *p ? p : "/dev/dri/renderD128";
}

/* Not declared nonnull: callers may pass anything. */
static bool is_node(const char *path)
{
  return path != NULL && strcmp(path, node()) == 0;
}

static int file_of(int fd)
{
  return fd >= 0 && fd < MAX_FD ? fd_file[fd] - 1 : -1;
}

static void track(int fd, int file)
{
  if (fd >= 0 && fd < MAX_FD && file >= 0) {
    fd_file[fd] = (signed char)(file + 1);
    file_refs[file]++;
  }
}

static void untrack(int fd)
{
  int f = file_of(fd);
  if (f < 0)
    return;
  fd_file[fd] = 0;
  if (--file_refs[f] == 0)
    kernel_release(f, "last descriptor closed");
}

static int open_node(int flags)
{
  pthread_mutex_lock(&lock);
  int file = 0;
  while (file < FAKE_FILES && file_refs[file] > 0)
    file++;
  int fd = file < FAKE_FILES ? REAL(open)("/dev/null", O_RDWR | (flags & O_CLOEXEC)) : -1;
  if (fd >= MAX_FD) {
    close(fd);
    fd = -1;
  }
  if (fd >= 0) {
    track(fd, file);
    kernel_open(file);
  } else {
    errno = EMFILE;
  }
  pthread_mutex_unlock(&lock);
  return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
  return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t m = mode_arg(flags, ap);
  va_end(ap);
  return is_node(path) ? open_node(flags) : REAL(open)(path, flags, m);
}

int open64(const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t m = mode_arg(flags, ap);
  va_end(ap);
  return is_node(path) ? open_node(flags) : REAL(open64)(path, flags, m);
}

int openat(int dir, const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t m = mode_arg(flags, ap);
  va_end(ap);
  return is_node(path) ? open_node(flags) : REAL(openat)(dir, path, flags, m);
}

int openat64(int dir, const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t m = mode_arg(flags, ap);
  va_end(ap);
  return is_node(path) ? open_node(flags)
                                           : REAL(openat64)(dir, path, flags, m);
}

int close(int fd)
{
  pthread_mutex_lock(&lock);
  untrack(fd);
  pthread_mutex_unlock(&lock);
  return REAL(close)(fd);
}

static int dup_result(int old, int fd)
{
  pthread_mutex_lock(&lock);
  if (fd >= 0) {
    untrack(fd);
    track(fd, file_of(old));
  }
  pthread_mutex_unlock(&lock);
  return fd;
}

int dup(int fd) { return dup_result(fd, REAL(dup)(fd)); }

int dup2(int fd, int to)
{
  if (fd == to)
    return REAL(dup2)(fd, to);
  return dup_result(fd, REAL(dup2)(fd, to));
}

int dup3(int fd, int to, int flags) { return dup_result(fd, REAL(dup3)(fd, to, flags)); }

static int do_fcntl(int (*real)(int, int, ...), int fd, int cmd, va_list ap)
{
  void *arg = va_arg(ap, void *);
  int r = real(fd, cmd, arg);
  if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && r >= 0 && file_of(fd) >= 0)
    dup_result(fd, r);
  return r;
}

int fcntl(int fd, int cmd, ...)
{
  va_list ap;
  va_start(ap, cmd);
  int r = do_fcntl(REAL(fcntl), fd, cmd, ap);
  va_end(ap);
  return r;
}

int fcntl64(int fd, int cmd, ...)
{
  va_list ap;
  va_start(ap, cmd);
  int r = do_fcntl(REAL(fcntl64), fd, cmd, ap);
  va_end(ap);
  return r;
}

static void as_node(struct stat *st)
{
  memset(st, 0, sizeof *st);
  st->st_mode = S_IFCHR | 0666;
  st->st_rdev = makedev(DRM_MAJOR, RENDER_MINOR);
}

int fstat(int fd, struct stat *st)
{
  if (file_of(fd) >= 0) {
    as_node(st);
    return 0;
  }
  return REAL(fstat)(fd, st);
}

int fstat64(int fd, struct stat64 *st)
{
  if (file_of(fd) >= 0) {
    as_node((struct stat *)st);
    return 0;
  }
  return REAL(fstat64)(fd, st);
}

/* libdrm asks sysfs whether a character device is a DRM one. */
static bool drm_sysfs(const char *path)
{
  char want[64];
  snprintf(want, sizeof want, "/sys/dev/char/%d:%d/device/drm", DRM_MAJOR, RENDER_MINOR);
  return path && strcmp(path, want) == 0;
}

int stat(const char *path, struct stat *st)
{
  if (drm_sysfs(path)) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFDIR | 0755;
    return 0;
  }
  return REAL(stat)(path, st);
}

int stat64(const char *path, struct stat64 *st)
{
  if (drm_sysfs(path)) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFDIR | 0755;
    return 0;
  }
  return REAL(stat64)(path, st);
}

int ioctl(int fd, unsigned long req, ...)
{
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  int file = file_of(fd);
  if (file < 0)
    return REAL(ioctl)(fd, req, arg);
  pthread_mutex_lock(&lock);
  int r = kernel_ioctl(file, req, arg);
  pthread_mutex_unlock(&lock);
  if (r < 0) {
    errno = -r;
    return -1;
  }
  return 0;
}

/* --- log and failure injection ------------------------------------------ */

void fake_log(const char *fmt, ...)
{
  const char *path = getenv("FAKEDRM_LOG");
  if (!path || !*path)
    return;
  char line[512];
  int n = snprintf(line, sizeof line, "pid=%d ", (int)getpid());
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 2)
    n = (int)sizeof line - 2;
  line[n++] = '\n';
  int fd = REAL(open)(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    if (write(fd, line, (size_t)n) < 0) { /* nothing more to do */ }
    REAL(close)(fd);
  }
}

static const struct { const char *name; int err; } errnos[] = {
  { "EINVAL", EINVAL }, { "EFAULT", EFAULT }, { "EPERM", EPERM }, { "ENOMEM", ENOMEM },
  { "EACCES", EACCES }, { "ENOENT", ENOENT }, { "ENODEV", ENODEV }, { "EIO", EIO },
};

int fake_injected(const char *kind)
{
  static int seen[16];
  static const char *const kinds[] = { "version", "info", "userptr", "map", "unmap",
                                       "replace", "close", NULL };
  static const int defaults[] = { EIO, EIO, ENOMEM, ENOMEM, EINVAL, ENOMEM, EINVAL };
  int k = 0;
  while (kinds[k] && strcmp(kinds[k], kind) != 0)
    k++;
  if (!kinds[k])
    return 0;
  int count = ++seen[k];
  const char *spec = getenv("FAKEDRM_FAIL");
  size_t len = strlen(kind);
  for (const char *s = spec; s && *s;) {
    if (strncmp(s, kind, len) == 0 && s[len] == ':' && atoi(s + len + 1) == count) {
      const char *e = strchr(s + len + 1, ':'), *comma = strchr(s, ',');
      if (e && (!comma || e < comma))
        for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
          if (strncmp(e + 1, errnos[i].name, strlen(errnos[i].name)) == 0)
            return errnos[i].err;
      return defaults[k];
    }
    s = strchr(s, ',');
    s = s ? s + 1 : NULL;
  }
  return 0;
}
