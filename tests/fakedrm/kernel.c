/* The amdgpu driver's side of the ioctls libdrm_amdgpu makes for userptr
 * binding, with the kernel's rules (drivers/gpu/drm/amd/amdgpu/amdgpu_gem.c
 * and amdgpu_vm.c): every refusal returns the errno the kernel returns. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fakedrm.h"

#include <drm.h>
#include <amdgpu_drm.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

enum { HANDLES = 4096, MAPPINGS = 4096 };
static const uint64_t PAGE = 4096;
static const uint64_t VA_BOTTOM = 1ull << 20;               /* reserved below */
static const uint64_t VA_MAX = 1ull << 47;                  /* low half, gfx9+ */
static const uint64_t HOLE_START = 0x0000800000000000ull;
static const uint64_t HOLE_END = 0xffff800000000000ull;

struct bo { bool live; uint64_t addr, size; uint32_t flags; };
struct mapping { bool live; uint32_t handle; uint64_t va, size, offset; uint32_t flags; };

static struct file {
  bool open;
  struct bo bo[HANDLES];           /* index = handle; 0 is never a handle */
  struct mapping map[MAPPINGS];
} files[FAKE_FILES];

static const char *err_name(int e)
{
  switch (e) {
  case 0: return "0";
  case EINVAL: return "EINVAL";
  case EFAULT: return "EFAULT";
  case EPERM: return "EPERM";
  case ENOMEM: return "ENOMEM";
  case EACCES: return "EACCES";
  case ENOENT: return "ENOENT";
  case EIO: return "EIO";
  case ENODEV: return "ENODEV";
  default: return "E?";
  }
}

void kernel_open(int file)
{
  memset(&files[file], 0, sizeof files[file]);
  files[file].open = true;
  fake_log("op=open file=%d", file);
}

static void counts(const struct file *f, int *handles, int *maps)
{
  *handles = *maps = 0;
  for (int h = 1; h < HANDLES; h++)
    *handles += f->bo[h].live;
  for (int m = 0; m < MAPPINGS; m++)
    *maps += f->map[m].live;
}

void kernel_release(int file, const char *why)
{
  int h, m;
  counts(&files[file], &h, &m);
  fake_log("op=release file=%d handles=%d mappings=%d (%s)", file, h, m, why);
  files[file].open = false;
}

static void at_exit(void) __attribute__((destructor));
static void at_exit(void)
{
  int open = 0, h = 0, m = 0;
  for (int i = 0; i < FAKE_FILES; i++) {
    if (!files[i].open)
      continue;
    int fh, fm;
    counts(&files[i], &fh, &fm);
    open++, h += fh, m += fm;
  }
  fake_log("op=exit open_files=%d handles=%d mappings=%d", open, h, m);
}

/* --- DRM_IOCTL_VERSION ------------------------------------------------ */

static void put_string(size_t *len, char *dst, const char *s)
{
  size_t n = strlen(s);
  if (dst && *len)
    memcpy(dst, s, *len < n ? *len : n);
  *len = n;
}

static int version(struct drm_version *v)
{
  v->version_major = 3;
  v->version_minor = 49;
  v->version_patchlevel = 0;
  put_string(&v->name_len, v->name, "amdgpu");
  put_string(&v->date_len, v->date, "20150101");
  put_string(&v->desc_len, v->desc, "AMD GPU");
  return 0;
}

/* --- AMDGPU_INFO: what amdgpu_device_initialize asks ------------------ */

static int info(struct drm_amdgpu_info *q)
{
  void *out = (void *)(uintptr_t)q->return_pointer;
  size_t size = q->return_size;
  if (!out || !size)
    return -EINVAL;
  switch (q->query) {
  case AMDGPU_INFO_ACCEL_WORKING: {
    uint32_t one = 1;
    memcpy(out, &one, size < 4 ? size : 4);
    return 0;
  }
  case AMDGPU_INFO_DEV_INFO: {
    struct drm_amdgpu_info_device d = { 0 };
    d.device_id = 0x740f; /* Instinct MI210 */
    d.family = AMDGPU_FAMILY_AI;
    d.num_shader_engines = 8;
    d.virtual_address_offset = VA_BOTTOM;
    d.virtual_address_max = VA_MAX;
    d.virtual_address_alignment = (uint32_t)PAGE;
    d.high_va_offset = HOLE_END;
    d.high_va_max = 0xffffffffffe00000ull;
    memcpy(out, &d, size < sizeof d ? size : sizeof d);
    return 0;
  }
  case AMDGPU_INFO_READ_MMR_REG:
    memset(out, 0, size);
    return 0;
  default:
    return -EINVAL;
  }
}

/* --- GEM_USERPTR ------------------------------------------------------ */

/* The mappings under [a, a+n) from /proc/self/maps: a gap or a page the
 * access cannot use is EFAULT (hmm_range_fault), file backing under
 * ANONONLY is EPERM. Stricter than the kernel in one way: every mapping
 * of the range is checked for file backing, not only the first. */
static int check_vmas(uint64_t a, uint64_t n, bool write, bool anon_only)
{
  FILE *f = fopen("/proc/self/maps", "re");
  if (!f)
    return -EFAULT;
  char line[512];
  uint64_t covered = a, end = a + n;
  int r = 0;
  while (r == 0 && covered < end && fgets(line, sizeof line, f)) {
    unsigned long lo, hi, off, inode;
    char perms[8], devs[16];
    int pos = 0;
    if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off, devs, &inode, &pos) < 6)
      continue;
    if (hi <= covered)
      continue;
    if (lo > covered)
      r = -EFAULT; /* a hole */
    else if (perms[0] != 'r' || (write && perms[1] != 'w'))
      r = -EFAULT;
    else if (anon_only && inode != 0)
      r = -EPERM;
    covered = hi;
  }
  fclose(f);
  return r == 0 && covered < end ? -EFAULT : r;
}

/* VALIDATE faults every page in, for writing unless READONLY. */
static int touch(uint64_t a, uint64_t n, bool write)
{
  if (madvise((void *)(uintptr_t)a, n, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0)
    return 0;
  if (errno != EINVAL)
    return -EFAULT;
  for (uint64_t p = a; p < a + n; p += PAGE) /* before Linux 5.14 */
    (void)*(volatile char *)(uintptr_t)p;
  return 0;
}

static int userptr(struct file *f, struct drm_amdgpu_gem_userptr *u)
{
  const uint32_t known = AMDGPU_GEM_USERPTR_READONLY | AMDGPU_GEM_USERPTR_ANONONLY |
                         AMDGPU_GEM_USERPTR_VALIDATE | AMDGPU_GEM_USERPTR_REGISTER;
  bool ro = u->flags & AMDGPU_GEM_USERPTR_READONLY;
  if ((u->addr | u->size) & (PAGE - 1) || u->size == 0)
    return -EINVAL;
  if (u->flags & ~known)
    return -EINVAL;
  if (!ro && !(u->flags & AMDGPU_GEM_USERPTR_REGISTER))
    return -EACCES; /* writable needs an MMU notifier */
  if (u->flags & AMDGPU_GEM_USERPTR_VALIDATE) {
    int r = check_vmas(u->addr, u->size, !ro, u->flags & AMDGPU_GEM_USERPTR_ANONONLY);
    if (r == 0)
      r = touch(u->addr, u->size, !ro);
    if (r != 0)
      return r;
  }
  uint32_t h = 1;
  while (h < HANDLES && f->bo[h].live)
    h++; /* lowest free, as the kernel's idr */
  if (h == HANDLES)
    return -ENOMEM;
  f->bo[h] = (struct bo){ true, u->addr, u->size, u->flags };
  u->handle = h;
  return 0;
}

/* --- GEM_VA ----------------------------------------------------------- */

static bool overlap(uint64_t a, uint64_t n, uint64_t b, uint64_t m) { return a < b + m && b < a + n; }

static int va_map(struct file *f, const struct drm_amdgpu_gem_va *v)
{
  const struct bo *bo = &f->bo[v->handle];
  if ((v->va_address | v->offset_in_bo | v->map_size) & (PAGE - 1) || v->map_size == 0 ||
      v->va_address + v->map_size <= v->va_address || v->offset_in_bo + v->map_size > bo->size)
    return -EINVAL;
  int free_slot = -1;
  for (int m = 0; m < MAPPINGS; m++) {
    if (!f->map[m].live) {
      if (free_slot < 0)
        free_slot = m;
    } else if (overlap(v->va_address, v->map_size, f->map[m].va, f->map[m].size)) {
      fake_log("op=conflict va=0x%llx size=0x%llx with handle=%u va=0x%llx",
               (unsigned long long)v->va_address, (unsigned long long)v->map_size,
               f->map[m].handle, (unsigned long long)f->map[m].va);
      return -EINVAL;
    }
  }
  if (free_slot < 0)
    return -ENOMEM;
  f->map[free_slot] = (struct mapping){ true, v->handle, v->va_address, v->map_size,
                                        v->offset_in_bo, v->flags };
  return 0;
}

static int va_unmap(struct file *f, const struct drm_amdgpu_gem_va *v)
{
  for (int m = 0; m < MAPPINGS; m++)
    if (f->map[m].live && f->map[m].handle == v->handle && f->map[m].va == v->va_address) {
      f->map[m].live = false;
      return 0;
    }
  return -ENOENT; /* amdgpu_vm_bo_unmap: no mapping of this BO starts there */
}

/* REPLACE and CLEAR first remove what lies in the range; the fake handles
 * mappings wholly inside it (all its callers make). */
static int va_clear(struct file *f, uint64_t va, uint64_t size)
{
  for (int m = 0; m < MAPPINGS; m++) {
    struct mapping *p = &f->map[m];
    if (!p->live || !overlap(va, size, p->va, p->size))
      continue;
    if (p->va < va || p->va + p->size > va + size) {
      fake_log("op=unsupported partial clear va=0x%llx", (unsigned long long)va);
      return -EINVAL;
    }
    p->live = false;
  }
  return 0;
}

static int gem_va(struct file *f, struct drm_amdgpu_gem_va *v, const char **kind)
{
  const uint32_t valid = AMDGPU_VM_DELAY_UPDATE | AMDGPU_VM_PAGE_READABLE |
                         AMDGPU_VM_PAGE_WRITEABLE | AMDGPU_VM_PAGE_EXECUTABLE |
                         AMDGPU_VM_MTYPE_MASK | (1u << 9) /* NOALLOC */;
  const uint32_t prt = AMDGPU_VM_DELAY_UPDATE | AMDGPU_VM_PAGE_PRT;
  *kind = v->operation == AMDGPU_VA_OP_MAP ? "map" : v->operation == AMDGPU_VA_OP_UNMAP ? "unmap"
        : v->operation == AMDGPU_VA_OP_REPLACE ? "replace" : "clear";
  if (v->va_address < VA_BOTTOM)
    return -EINVAL;
  if (v->va_address >= HOLE_START && v->va_address < HOLE_END)
    return -EINVAL;
  if ((v->va_address & ~HOLE_END) + v->map_size > VA_MAX)
    return -EINVAL;
  if ((v->flags & ~valid) && (v->flags & ~prt))
    return -EINVAL;
  if (v->operation < AMDGPU_VA_OP_MAP || v->operation > AMDGPU_VA_OP_REPLACE)
    return -EINVAL;
  if (v->operation != AMDGPU_VA_OP_CLEAR && !(v->flags & AMDGPU_VM_PAGE_PRT) &&
      (v->handle == 0 || v->handle >= HANDLES || !f->bo[v->handle].live))
    return -ENOENT;
  int inj = fake_injected(*kind);
  if (inj)
    return -inj;
  switch (v->operation) {
  case AMDGPU_VA_OP_MAP: return va_map(f, v);
  case AMDGPU_VA_OP_UNMAP: return va_unmap(f, v);
  case AMDGPU_VA_OP_CLEAR: return va_clear(f, v->va_address, v->map_size);
  default: {
    int r = va_clear(f, v->va_address, v->map_size);
    return r ? r : va_map(f, v);
  }
  }
}

/* --- GEM_CLOSE -------------------------------------------------------- */

static int gem_close(struct file *f, const struct drm_gem_close *c)
{
  if (c->handle == 0 || c->handle >= HANDLES || !f->bo[c->handle].live)
    return -EINVAL;
  /* Legal (the kernel drops the BO's mappings), but a tidy user unmaps first. */
  for (int m = 0; m < MAPPINGS; m++)
    if (f->map[m].live && f->map[m].handle == c->handle) {
      fake_log("op=violation closing mapped handle=%u va=0x%llx", c->handle,
               (unsigned long long)f->map[m].va);
      f->map[m].live = false;
    }
  f->bo[c->handle].live = false;
  return 0;
}

int kernel_ioctl(int file, unsigned long req, void *arg)
{
  struct file *f = &files[file];
  int r, inj;
  if (_IOC_TYPE(req) != DRM_IOCTL_BASE) {
    fake_log("op=unknown req=0x%lx", req);
    return -ENOTTY;
  }
  unsigned nr = _IOC_NR(req);
  if (nr == _IOC_NR(DRM_IOCTL_VERSION)) {
    r = (inj = fake_injected("version")) ? -inj : version(arg);
    fake_log("op=version file=%d rc=%s", file, err_name(-r));
  } else if (nr == DRM_COMMAND_BASE + DRM_AMDGPU_INFO) {
    struct drm_amdgpu_info *q = arg;
    r = (inj = fake_injected("info")) ? -inj : info(q);
    fake_log("op=info file=%d query=0x%x rc=%s", file, q->query, err_name(-r));
  } else if (nr == DRM_COMMAND_BASE + DRM_AMDGPU_GEM_USERPTR) {
    struct drm_amdgpu_gem_userptr *u = arg;
    r = (inj = fake_injected("userptr")) ? -inj : userptr(f, u);
    fake_log("op=userptr file=%d addr=0x%llx size=0x%llx flags=0x%x handle=%u rc=%s", file,
             (unsigned long long)u->addr, (unsigned long long)u->size, u->flags,
             r == 0 ? u->handle : 0, err_name(-r));
  } else if (nr == DRM_COMMAND_BASE + DRM_AMDGPU_GEM_VA) {
    struct drm_amdgpu_gem_va *v = arg;
    const char *kind = "va";
    r = gem_va(f, v, &kind);
    fake_log("op=%s file=%d handle=%u va=0x%llx size=0x%llx flags=0x%x delay=%d rc=%s", kind,
             file, v->handle, (unsigned long long)v->va_address,
             (unsigned long long)v->map_size, v->flags,
             (v->flags & AMDGPU_VM_DELAY_UPDATE) != 0, err_name(-r));
  } else if (nr == _IOC_NR(DRM_IOCTL_GEM_CLOSE)) {
    struct drm_gem_close *c = arg;
    r = (inj = fake_injected("close")) ? -inj : gem_close(f, c);
    fake_log("op=close file=%d handle=%u rc=%s", file, c->handle, err_name(-r));
  } else {
    fake_log("op=unknown file=%d nr=0x%x", file, nr);
    r = -EINVAL;
  }
  return r;
}
