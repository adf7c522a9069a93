/* The fake render node refuses what the amdgpu kernel driver refuses, with
 * the same errno, when driven through the real libdrm_amdgpu. Without this
 * the amdgpu backend's tests would prove nothing.
 * usage: drm_rules NODE (with tests/fakedrm preloaded) */
#include <amdgpu.h>
#include <amdgpu_drm.h>
#include <xf86drm.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096ul
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static amdgpu_device_handle dev;
static int fd;

static int userptr(void *p, size_t n, amdgpu_bo_handle *bo)
{
  return amdgpu_create_bo_from_user_mem(dev, p, n, bo);
}

static int raw_userptr(void *p, size_t n, unsigned flags)
{
  struct drm_amdgpu_gem_userptr u = { .addr = (uintptr_t)p, .size = n, .flags = flags };
  return drmCommandWriteRead(fd, DRM_AMDGPU_GEM_USERPTR, &u, sizeof u);
}

static int va(amdgpu_bo_handle bo, size_t n, uint64_t addr, uint32_t op)
{
  return amdgpu_bo_va_op_raw(dev, bo, 0, n, addr, AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE, op);
}

static char *anon(size_t n, int prot)
{
  char *p = mmap(NULL, n, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(p != MAP_FAILED, "mmap");
  return p;
}

#define EXPECT(expr, err, what) do { int r_ = (expr); \
    CHECK(r_ == (err), "%s: got %d (%s), want %d", what, r_, r_ ? strerror(-r_) : "ok", err); \
    printf("ok: %s -> %s\n", what, (err) ? strerrorname_np(-(err)) : "0"); } while (0)

int main(int argc, char **argv)
{
  CHECK(argc == 2, "usage: drm_rules NODE");
  fd = open(argv[1], O_RDWR | O_CLOEXEC);
  CHECK(fd >= 0, "open %s", argv[1]);
  uint32_t maj, min;
  CHECK(amdgpu_device_initialize(fd, &maj, &min, &dev) == 0, "amdgpu_device_initialize");
  fd = amdgpu_device_get_fd(dev);
  amdgpu_bo_handle bo, bo2;

  char *p = anon(16 * PG, PROT_READ | PROT_WRITE);
  EXPECT(userptr(p + 16, PG, &bo), -EINVAL, "unaligned pointer");
  EXPECT(userptr(p, PG - 96, &bo), -EINVAL, "unaligned size");
  EXPECT(raw_userptr(p, PG, AMDGPU_GEM_USERPTR_REGISTER | 0x100), -EINVAL, "unknown flag");
  EXPECT(raw_userptr(p, PG, AMDGPU_GEM_USERPTR_VALIDATE), -EACCES, "writable without REGISTER");

  char path[] = "/tmp/drm_rules.XXXXXX";
  int tf = mkstemp(path);
  CHECK(tf >= 0 && ftruncate(tf, 4 * PG) == 0, "temp file");
  unlink(path);
  char *file = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, tf, 0);
  CHECK(file != MAP_FAILED, "mmap file");
  EXPECT(userptr(file, 4 * PG, &bo), -EPERM, "file-backed memory under ANONONLY");
  char *shared = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(shared != MAP_FAILED, "mmap shared");
  EXPECT(userptr(shared, 4 * PG, &bo), -EPERM, "shared anonymous memory (shmem file)");

  char *hole = anon(3 * PG, PROT_READ | PROT_WRITE);
  munmap(hole + PG, PG);
  EXPECT(userptr(hole, 3 * PG, &bo), -EFAULT, "range with a hole");
  char *ro = anon(2 * PG, PROT_READ);
  EXPECT(userptr(ro, 2 * PG, &bo), -EFAULT, "read-only memory for a writable object");

  char *fresh = anon(8 * PG, PROT_READ | PROT_WRITE);
  EXPECT(userptr(fresh, 8 * PG, &bo), 0, "anonymous, aligned");
  unsigned char vec[8];
  CHECK(mincore(fresh, 8 * PG, vec) == 0, "mincore");
  for (int i = 0; i < 8; i++)
    CHECK(vec[i] & 1, "VALIDATE left page %d untouched", i);
  printf("ok: VALIDATE faulted every page in\n");
  EXPECT(userptr(p, 4 * PG, &bo2), 0, "second object");
  uint32_t h1, h2;
  CHECK(amdgpu_bo_export(bo, amdgpu_bo_handle_type_kms, &h1) == 0 &&
        amdgpu_bo_export(bo2, amdgpu_bo_handle_type_kms, &h2) == 0 && h1 != h2,
        "handles must be unique");
  printf("ok: handles unique (%u, %u)\n", h1, h2);

  EXPECT(va(bo, 8 * PG, 0, AMDGPU_VA_OP_MAP), -EINVAL, "map in the reserved bottom");
  EXPECT(va(bo, 8 * PG, 0x0000800000000000ull, AMDGPU_VA_OP_MAP), -EINVAL, "map in the VA hole");
  EXPECT(va(bo, 8 * PG, (1ull << 47) - 4 * PG, AMDGPU_VA_OP_MAP), -EINVAL, "map past the VA range");
  EXPECT(va(bo, 16 * PG, (uintptr_t)fresh, AMDGPU_VA_OP_MAP), -EINVAL, "map larger than the object");
  EXPECT(va(bo, 8 * PG, (uintptr_t)fresh, AMDGPU_VA_OP_MAP), 0, "map at the CPU address");
  EXPECT(va(bo2, 4 * PG, (uintptr_t)fresh + 4 * PG, AMDGPU_VA_OP_MAP), -EINVAL, "overlapping map");
  EXPECT(va(bo2, 4 * PG, (uintptr_t)p, AMDGPU_VA_OP_UNMAP), -ENOENT, "unmap of what is not mapped");
  EXPECT(va(bo, 8 * PG, (uintptr_t)fresh, AMDGPU_VA_OP_UNMAP), 0, "unmap");
  EXPECT(va(bo, 8 * PG, (uintptr_t)fresh, AMDGPU_VA_OP_UNMAP), -ENOENT, "second unmap");
  EXPECT(drmCloseBufferHandle(fd, 999) ? -errno : 0, -EINVAL, "close of an unknown handle");
  EXPECT(va(bo2, 4 * PG, (uintptr_t)p, AMDGPU_VA_OP_MAP), 0, "map, then close while mapped");
  amdgpu_bo_free(bo2); /* the fake reports it */
  amdgpu_bo_free(bo);
  amdgpu_device_deinitialize(dev);
  return 0;
}
