/* Backtraces for call-site classification. unw_backtrace walks the stack
 * with a per-thread cache (measured: 75 ns for 8 frames on the development
 * VM); it is reached through dlopen so that processes classifying by size
 * alone never load libunwind. */
#include "backtrace.h"

#include <dlfcn.h>
#include <link.h>
#include <stddef.h>

static int (*unw_bt)(void **, int);
static uintptr_t self_lo, self_hi;   /* our own code */
static __thread int inside;

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
  (void)size;
  uintptr_t me = (uintptr_t)arg, lo = UINTPTR_MAX, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD)
      continue;
    uintptr_t a = info->dlpi_addr + ph->p_vaddr;
    if (a < lo)
      lo = a;
    if (a + ph->p_memsz > hi)
      hi = a + ph->p_memsz;
  }
  if (me < lo || me >= hi)
    return 0;
  self_lo = lo;
  self_hi = hi;
  return 1;
}

bool bt_init(void)
{
  if (unw_bt != NULL)
    return true;
  dl_iterate_phdr(find_self, (void *)(uintptr_t)&bt_init);
  void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL || self_hi == 0)
    return false;
  int (*f)(void **, int) = (int (*)(void **, int))dlsym(h, "unw_backtrace");
  __atomic_store_n(&unw_bt, f, __ATOMIC_RELEASE);
  return f != NULL;
}

int bt_capture(uintptr_t *pc, int depth)
{
  int (*f)(void **, int) = __atomic_load_n(&unw_bt, __ATOMIC_ACQUIRE);
  if (f == NULL || inside)
    return 0;
  inside = 1;
  void *raw[BT_MAX + 8];
  int n = f(raw, depth + 8), k = 0, i = 0; /* ours: at most 8 deep */
  inside = 0;
  while (i < n && (uintptr_t)raw[i] >= self_lo && (uintptr_t)raw[i] < self_hi)
    i++; /* our own frames: malloc, routing, this function */
  for (; i < n && k < depth; i++)
    pc[k++] = (uintptr_t)raw[i];
  return k;
}
