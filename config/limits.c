/* Reading limits. No allocation: this runs inside malloc, the first time
 * a placed allocation is made. */
#include "limits.h"
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

uint64_t limits_address_space(void)
{
  struct rlimit r;
  if (getrlimit(RLIMIT_AS, &r) != 0 || r.rlim_cur == RLIM_INFINITY)
    return 0;
  return (uint64_t)r.rlim_cur;
}

static ssize_t read_file(const char *path, char *buf, size_t len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, len - 1);
  close(fd);
  if (n >= 0)
    buf[n] = '\0';
  return n;
}

/* A limit file's number; 0 for "max", absent or absurd. */
static uint64_t limit_at(const char *dir, const char *rel, const char *file)
{
  char path[512], buf[64];
  size_t d = strlen(dir), r = strlen(rel), f = strlen(file);
  if (d + r + f + 2 >= sizeof path)
    return 0;
  memcpy(path, dir, d);
  memcpy(path + d, rel, r);
  path[d + r] = '/';
  memcpy(path + d + r + 1, file, f + 1);
  if (read_file(path, buf, sizeof buf) <= 0 || buf[0] < '0' || buf[0] > '9')
    return 0;
  uint64_t v = strtoull(buf, NULL, 10);
  return v >= (1ull << 60) ? 0 : v; /* v1 reports "no limit" as a huge number */
}

/* The process's cgroup memory limit, checking its cgroup and the ones
 * above it (a limit anywhere up the tree applies). */
static uint64_t cgroup_limit(void)
{
  char buf[2048];
  if (read_file("/proc/self/cgroup", buf, sizeof buf) <= 0)
    return 0;
  uint64_t best = 0;
  for (char *line = buf; line && *line;) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    /* "0::/path" (v2) or "N:memory:/path" (v1) */
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2) {
      bool v2 = c1 + 1 == c2, v1 = strncmp(c1 + 1, "memory", (size_t)(c2 - c1 - 1)) == 0 &&
                                     (size_t)(c2 - c1 - 1) == 6;
      if (v2 || v1) {
        const char *root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
        const char *file = v2 ? "memory.max" : "memory.limit_in_bytes";
        char rel[1024];
        size_t n = strlen(c2 + 1);
        if (n < sizeof rel) {
          memcpy(rel, c2 + 1, n + 1);
          for (;;) { /* this cgroup, then each parent */
            uint64_t v = limit_at(root, strcmp(rel, "/") == 0 ? "" : rel, file);
            if (v && (best == 0 || v < best))
              best = v;
            char *slash = strrchr(rel, '/');
            if (slash == NULL || slash == rel)
              break;
            *slash = '\0';
          }
        }
      }
    }
    line = next;
  }
  return best;
}

uint64_t limits_memory(const char **why)
{
  uint64_t ram = cfg_phys_ram(), cg = cgroup_limit();
  if (cg && (ram == 0 || cg < ram)) {
    if (why)
      *why = "cgroup";
    return cg;
  }
  if (why)
    *why = "RAM";
  return ram;
}
