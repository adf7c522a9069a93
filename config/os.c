/* The OS layer. A failing call is reported by its caller, which knows what
 * falls back; only the library's own tables warn here (once), since many
 * modules make them and each just goes without. */
#include "os.h"
#include "fault.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

enum { PAGE = 4096, VEC = 16384 /* pages per mincore call: 64 MiB, 16 KiB of stack */ };

static bool map_warned;

void *os_map(size_t n)
{
  void *p = fault_hit(FAULT_MAP) ? MAP_FAILED
          : mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p != MAP_FAILED)
    return p;
  if (!__atomic_exchange_n(&map_warned, true, __ATOMIC_RELAXED))
    log_warn("cannot map %zu bytes for its own tables; what needs them stays ordinary", n);
  return NULL;
}

void *os_map_app(size_t n)
{
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

void os_unmap(void *p, size_t n)
{
  if (p)
    munmap(p, n);
}

void *os_remap(void *p, size_t old, size_t n)
{
  if (p == NULL)
    return os_map(n);
  void *q = fault_hit(FAULT_MAP) ? MAP_FAILED : mremap(p, old, n, MREMAP_MAYMOVE);
  return q == MAP_FAILED ? NULL : q;
}

void *os_reserve(size_t n, bool rw)
{
  if (fault_hit(FAULT_RESERVE))
    return NULL;
  void *p = mmap(NULL, n, rw ? PROT_READ | PROT_WRITE : PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

int os_commit(void *p, size_t n, bool closed)
{
  if (fault_hit(FAULT_COMMIT))
    return -1;
  return closed ? mprotect(p, n, PROT_READ | PROT_WRITE) : 0;
}

bool os_strict_overcommit(void)
{
  char c = '0';
  int fd = open("/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (read(fd, &c, 1) != 1)
      c = '0';
    close(fd);
  }
  return c == '2';
}

void os_hugepage(void *p, size_t n) { madvise(p, n, MADV_HUGEPAGE); }

int os_purge(void *p, size_t n, bool lazy)
{
  return madvise(p, n, lazy ? MADV_FREE : MADV_DONTNEED);
}

int os_populate(void *p, size_t n) { return madvise(p, n, MADV_POPULATE_WRITE); }

bool os_mapped(uintptr_t p, size_t n)
{
  unsigned char vec[VEC];
  uintptr_t a = p & ~(uintptr_t)(PAGE - 1);
  size_t len = ((p + n + PAGE - 1) & ~(uintptr_t)(PAGE - 1)) - a;
  for (size_t off = 0; off < len; off += (size_t)VEC * PAGE) {
    size_t l = len - off < (size_t)VEC * PAGE ? len - off : (size_t)VEC * PAGE;
    if (mincore((void *)(a + off), l, vec) != 0 && errno == ENOMEM)
      return false; /* a hole */
  }
  return true;
}

size_t os_nonresident(uintptr_t p, size_t n)
{
  unsigned char vec[VEC];
  size_t missing = 0;
  for (size_t off = 0; off < n; off += (size_t)VEC * PAGE) {
    size_t len = n - off < (size_t)VEC * PAGE ? n - off : (size_t)VEC * PAGE;
    size_t pages = (len + PAGE - 1) / PAGE;
    if (mincore((void *)(p + off), len, vec) != 0)
      return n - off + missing; /* unknown: assume the worst */
    for (size_t i = 0; i < pages; i++)
      missing += (vec[i] & 1) ? 0 : PAGE;
  }
  return missing;
}
