/* The amdgpu backend: each coalesced run becomes one userptr buffer object
 * on the GPU's render node (tracked by an MMU notifier, not pinned) mapped
 * into the GPU's address space at its CPU address, so device pointers
 * equal host pointers. A few large userptr objects instead of many small
 * ones is the shape the amdgpu maintainers ask for. libdrm_amdgpu is
 * loaded only when this backend is chosen.
 *
 * Not for HIP queues: the kernel revalidates render-node userptrs at
 * command submission, KFD queues never do (docs/DESIGN.md, "libdrm_amdgpu facts"). */
#include "backend.h"
#include "../config/config.h"
#include "../config/log.h"
#include "../config/os.h"

#include <amdgpu.h>
#include <amdgpu_drm.h>
#include <xf86drm.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct bo_rec { uintptr_t base; size_t size; amdgpu_bo_handle bo; };

static struct {
  int (*dev_init)(int, uint32_t *, uint32_t *, amdgpu_device_handle *);
  int (*dev_deinit)(amdgpu_device_handle);
  int (*from_user)(amdgpu_device_handle, void *, uint64_t, amdgpu_bo_handle *);
  int (*va_op)(amdgpu_device_handle, amdgpu_bo_handle, uint64_t, uint64_t, uint64_t, uint64_t,
               uint32_t);
  int (*bo_free)(amdgpu_bo_handle);
  amdgpu_device_handle dev;
  pthread_mutex_t lock;
  struct bo_rec *v;     /* what we created; mmap'ed, never from the arenas */
  size_t n, cap;
  struct bo_rec delayed; /* the last map made with DELAY_UPDATE, bo NULL if none */
} ag = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const uint64_t RW = AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE;

static void *sym(void *h, const char *name, bool *ok)
{
  void *s = dlsym(h, name);
  *ok = *ok && s != NULL;
  return s;
}

static struct {
  drmVersionPtr (*version)(int);
  void (*free_version)(drmVersionPtr);
  int (*devices)(uint32_t, drmDevicePtr *, int);
  void (*free_devices)(drmDevicePtr *, int);
} drm;

/* Whether fd is an amdgpu node of the interface libdrm_amdgpu speaks
 * (3.x). Asked before amdgpu_device_initialize, which does not survive a
 * failing version query, and would send amdgpu queries to any driver. */
static bool is_amdgpu(int fd, bool quiet, const char *path)
{
  drmVersionPtr v = drm.version(fd);
  bool ok = v && strcmp(v->name, "amdgpu") == 0 && v->version_major == 3;
  if (!ok && !quiet)
    log_warn("amdgpu backend: %s is %s%s, not an amdgpu 3.x render node; "
             "registrations pass through", path, v ? "driven by " : "not answering the DRM version query",
             v ? v->name : "");
  if (v)
    drm.free_version(v);
  return ok;
}

/* The first render node whose kernel driver is amdgpu. */
static int find_node(char *path, size_t len)
{
  drmDevicePtr devs[64];
  int n = drm.devices(0, devs, 64), fd = -1;
  if (n > 64)
    n = 64; /* never trust a count past the array */
  for (int i = 0; i < n && fd < 0; i++) {
    if (!(devs[i]->available_nodes & (1 << DRM_NODE_RENDER)))
      continue;
    int f = open(devs[i]->nodes[DRM_NODE_RENDER], O_RDWR | O_CLOEXEC);
    if (f >= 0 && is_amdgpu(f, true, NULL)) {
      snprintf(path, len, "%s", devs[i]->nodes[DRM_NODE_RENDER]);
      fd = f;
    } else if (f >= 0) {
      close(f);
    }
  }
  if (n > 0)
    drm.free_devices(devs, n);
  return fd;
}

static int ag_init(struct backend *be)
{
  (void)be;
  const struct cfg *c = cfg_get();
  void *h = dlopen("libdrm_amdgpu.so.1", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    log_warn("amdgpu backend: cannot load libdrm_amdgpu.so.1 (%s); registrations pass through",
             dlerror());
    return -1;
  }
  bool ok = true;
  *(void **)&ag.dev_init = sym(h, "amdgpu_device_initialize", &ok);
  *(void **)&ag.dev_deinit = sym(h, "amdgpu_device_deinitialize", &ok);
  *(void **)&ag.from_user = sym(h, "amdgpu_create_bo_from_user_mem", &ok);
  *(void **)&ag.va_op = sym(h, "amdgpu_bo_va_op_raw", &ok);
  *(void **)&ag.bo_free = sym(h, "amdgpu_bo_free", &ok);
  void *d = dlopen("libdrm.so.2", RTLD_NOW | RTLD_LOCAL); /* loaded with libdrm_amdgpu */
  *(void **)&drm.version = d ? sym(d, "drmGetVersion", &ok) : NULL;
  *(void **)&drm.free_version = d ? sym(d, "drmFreeVersion", &ok) : NULL;
  *(void **)&drm.devices = d ? sym(d, "drmGetDevices2", &ok) : NULL;
  *(void **)&drm.free_devices = d ? sym(d, "drmFreeDevices", &ok) : NULL;
  if (!ok || d == NULL) {
    log_warn("amdgpu backend: libdrm_amdgpu.so.1 lacks userptr entry points; "
             "registrations pass through");
    return -1;
  }
  char path[256];
  bool any = c->amdgpu_device[0] == '\0' || strcmp(c->amdgpu_device, "auto") == 0;
  snprintf(path, sizeof path, "%s", any ? "" : c->amdgpu_device);
  int fd = any ? find_node(path, sizeof path) : open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (any)
      log_warn("amdgpu backend: no amdgpu render node found (set GPUSCATTER_AMDGPU_DEVICE); "
               "registrations pass through");
    else
      log_warn("amdgpu backend: cannot open %s (%s); registrations pass through", path,
               strerror(errno));
    return -1;
  }
  if (!any && !is_amdgpu(fd, false, path)) {
    close(fd);
    return -1;
  }
  uint32_t major, minor;
  /* Returns the handle the process already has for this GPU (a ROCm
   * runtime's), so our objects live in the VM its queues use. */
  int r = ag.dev_init(fd, &major, &minor, &ag.dev);
  close(fd); /* libdrm keeps a duplicate */
  if (r != 0) {
    log_warn("amdgpu backend: amdgpu_device_initialize(%s) failed (%s); "
             "registrations pass through", path, strerror(-r));
    return -1;
  }
  log_info("amdgpu backend on %s (DRM %u.%u)", path, major, minor);
  return 0;
}

static void ag_attach(struct backend *be) { (void)be; }

static bool remember(uintptr_t base, size_t size, amdgpu_bo_handle bo)
{
  if (ag.n == ag.cap) {
    size_t cap = ag.cap ? ag.cap * 2 : 256;
    void *v = os_remap(ag.v, ag.cap * sizeof *ag.v, cap * sizeof *ag.v);
    if (v == NULL)
      return false;
    ag.v = v;
    ag.cap = cap;
  }
  ag.v[ag.n++] = (struct bo_rec){ base, size, bo };
  return true;
}

/* Page tables of delayed maps are written by the next map made without
 * DELAY_UPDATE; when a batch ends in a failure, by replacing the last
 * delayed map with itself. Called with the lock held. */
static void flush_delayed(void)
{
  if (ag.delayed.bo)
    ag.va_op(ag.dev, ag.delayed.bo, 0, ag.delayed.size, ag.delayed.base, RW,
             AMDGPU_VA_OP_REPLACE);
  ag.delayed.bo = NULL;
}

static int ag_bind(struct backend *be, uintptr_t base, size_t size, bool more, uintptr_t *dev)
{
  (void)be;
  amdgpu_bo_handle bo = NULL;
  int r = ag.from_user(ag.dev, (void *)base, size, &bo);
  if (r == 0) {
    r = ag.va_op(ag.dev, bo, 0, size, base, RW | (more ? AMDGPU_VM_DELAY_UPDATE : 0),
                 AMDGPU_VA_OP_MAP);
    if (r != 0)
      ag.bo_free(bo);
  }
  pthread_mutex_lock(&ag.lock);
  if (r == 0 && !remember(base, size, bo)) {
    ag.va_op(ag.dev, bo, 0, size, base, 0, AMDGPU_VA_OP_UNMAP);
    ag.bo_free(bo);
    r = -ENOMEM;
  }
  if (r == 0 && more)
    ag.delayed = (struct bo_rec){ base, size, bo };
  else if (r == 0)
    ag.delayed.bo = NULL;
  else if (!more)
    flush_delayed();
  pthread_mutex_unlock(&ag.lock);
  if (r != 0)
    return -r;
  *dev = base; /* mapped at the CPU address */
  return 0;
}

static int ag_unbind(struct backend *be, uintptr_t base, size_t size)
{
  (void)be, (void)size;
  pthread_mutex_lock(&ag.lock);
  size_t i = 0;
  while (i < ag.n && ag.v[i].base != base)
    i++;
  int r = i < ag.n ? ag.va_op(ag.dev, ag.v[i].bo, 0, ag.v[i].size, base, 0, AMDGPU_VA_OP_UNMAP)
                   : -EINVAL;
  if (r == 0) {
    if (ag.delayed.bo == ag.v[i].bo)
      ag.delayed.bo = NULL;
    ag.bo_free(ag.v[i].bo);
    ag.v[i] = ag.v[--ag.n];
  }
  pthread_mutex_unlock(&ag.lock);
  return -r;
}

/* Everything we created, then our reference to the device. */
static void ag_fini(struct backend *be)
{
  (void)be;
  pthread_mutex_lock(&ag.lock);
  for (size_t i = 0; i < ag.n; i++) {
    ag.va_op(ag.dev, ag.v[i].bo, 0, ag.v[i].size, ag.v[i].base, 0, AMDGPU_VA_OP_UNMAP);
    ag.bo_free(ag.v[i].bo);
  }
  ag.n = 0;
  ag.delayed.bo = NULL;
  ag.dev_deinit(ag.dev);
  ag.dev = NULL;
  pthread_mutex_unlock(&ag.lock);
}

static const char *ag_error(int rc, char *buf, size_t len)
{
  const char *name = strerrorname_np(rc);
  snprintf(buf, len, "%s: %s", name ? name : "errno", strerror(rc));
  return buf;
}

/* The objects belong to the parent's device file: a forked child keeps
 * the records (it never releases them: fini runs only where they were
 * made). */
static void ag_fork(enum fork_phase ph) { fork_mutex(&ag.lock, ph); }

const struct backend_ops backend_amdgpu = {
  .name = "amdgpu", .cfg = CFG_BACKEND_AMDGPU, .flavors = 1u << FLAVOR_HIP,
  .init = ag_init, .attach = ag_attach, .reg = ag_bind, .unreg = ag_unbind, .fini = ag_fini,
  .error_name = ag_error, .fork = ag_fork,
};
