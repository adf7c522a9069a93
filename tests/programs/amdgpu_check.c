/* The amdgpu backend seen from a HIP-style program, over the fake render
 * node (tests/fakedrm). Phases are marked in FAKEDRM_LOG so that the test
 * script can count the ioctls each one made.
 * usage: amdgpu_check bind|trim|fork|shared|fault|fallback N
 *   fault: registrations may pass through (a unit the backend could not
 *   bind), fallback: all must (no backend); data must survive either way.
 *   N buffers of 3 MiB (GPUSCATTER_MIN_SIZE=1M, CHUNK_SIZE=4M expected).
 *   bind binds everything first (gpuscatter_flush), in batches. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static int (*reg)(void *, size_t, unsigned);
static int (*unreg)(void *);
static int (*devptr)(void **, void *, unsigned);
static size_t (*trim)(void);
static void (*flush)(void);

static void mark(const char *phase)
{
  const char *path = getenv("FAKEDRM_LOG");
  if (path == NULL)
    return; /* not over the fake node */
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
  CHECK(fd >= 0, "cannot open FAKEDRM_LOG");
  dprintf(fd, "pid=%d op=mark phase=%s\n", (int)getpid(), phase);
  close(fd);
}

static void fill(char *p, size_t n, int seed)
{
  for (size_t i = 0; i < n; i += 4096)
    p[i] = (char)(seed + (int)(i >> 12));
}

static void verify(const char *p, size_t n, int seed)
{
  for (size_t i = 0; i < n; i += 4096)
    CHECK(p[i] == (char)(seed + (int)(i >> 12)), "data lost at %p", (const void *)(p + i));
}

int main(int argc, char **argv)
{
  *(void **)&reg = dlsym(RTLD_DEFAULT, "hipHostRegister");
  *(void **)&unreg = dlsym(RTLD_DEFAULT, "hipHostUnregister");
  *(void **)&devptr = dlsym(RTLD_DEFAULT, "hipHostGetDevicePointer");
  *(void **)&trim = dlsym(RTLD_DEFAULT, "gpuscatter_trim");
  *(void **)&flush = dlsym(RTLD_DEFAULT, "gpuscatter_flush");
  CHECK(reg && unreg && devptr && trim && flush, "gpuscatter is not preloaded");
  const char *m = argc > 1 ? argv[1] : "";
  int n = argc > 2 ? atoi(argv[2]) : 8;
  size_t size = 3 * MB;

  if (strcmp(m, "shared") == 0) {
    /* As a ROCm runtime would: the process has its own handle first. */
    void *h = dlopen("libdrm_amdgpu.so.1", RTLD_NOW);
    CHECK(h, "libdrm_amdgpu.so.1");
    int (*init)(int, uint32_t *, uint32_t *, void **) =
      (int (*)(int, uint32_t *, uint32_t *, void **))dlsym(h, "amdgpu_device_initialize");
    int fd = open(getenv("GPUSCATTER_AMDGPU_DEVICE"), O_RDWR | O_CLOEXEC);
    uint32_t maj, min;
    void *dev;
    CHECK(fd >= 0 && init && init(fd, &maj, &min, &dev) == 0, "application's own device");
    mark("app-device");
  }

  char **bufs = calloc((size_t)n, sizeof *bufs);
  for (int i = 0; i < n; i++) {
    bufs[i] = malloc(size);
    CHECK(bufs[i], "malloc");
    fill(bufs[i], size, i);
  }
  mark("allocated");
  if (strcmp(m, "bind") == 0) {
    /* A runtime call starts the backend, as any HIP program makes before
     * registering; then every chunk, in batches: the delay pattern. */
    int (*last)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "hipGetLastError");
    CHECK(last != NULL, "hipGetLastError");
    last();
    flush();
  }
  int expect = strcmp(m, "fallback") == 0 ? -1 : strcmp(m, "fault") == 0 ? 1 : 0, hits = 0;
  char *ok = calloc((size_t)n, 1);
  for (int i = 0; i < n; i++) {
    int rc = reg(bufs[i], size, 0);
    ok[i] = rc == 0;
    hits += rc == 0;
    if (expect == 0 || (expect == 1 && rc == 0)) {
      CHECK(rc == 0, "hipHostRegister(%p): %d", (void *)bufs[i], rc);
      void *d = NULL;
      CHECK(devptr(&d, bufs[i], 0) == 0 && d == bufs[i],
            "device pointer of %p is %p, not the CPU address", (void *)bufs[i], d);
    } else if (expect == -1) {
      CHECK(rc != 0, "no runtime: the call must pass through and fail");
    }
    if (i == 0)
      mark("first-registered");
  }
  mark("registered");
  printf("hits %d/%d\n", hits, n);

  if (strcmp(m, "fork") == 0) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      char *p = malloc(size);
      fill(p, size, 99);
      verify(bufs[0], size, 0);
      int rc = reg(p, size, 0); /* the child owns no binding: passes through */
      free(p);
      exit(rc == 0 ? 3 : 0);   /* runs atexit handlers, as a child would */
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child failed (status %d)", st);
    mark("child-done");
    char *more = malloc(size);
    fill(more, size, 7);
    CHECK(reg(more, size, 0) == 0, "parent registration after fork");
    verify(more, size, 7);
  }

  if (strcmp(m, "trim") == 0 || strcmp(m, "fault") == 0 || strcmp(m, "fallback") == 0) {
    for (int i = 0; i < n; i++)
      if (ok[i])
        CHECK(unreg(bufs[i]) == 0, "hipHostUnregister");
    mark("unregistered");
    size_t freed = trim();
    printf("trimmed %zu\n", freed);
    mark("trimmed");
  }
  for (int i = 0; i < n; i++) {
    verify(bufs[i], size, i);
    free(bufs[i]);
  }
  free(bufs);
  free(ok);
  mark("end");
  FILE *maps = fopen("/proc/self/maps", "r");
  char line[512];
  bool drm = false;
  while (maps && fgets(line, sizeof line, maps))
    drm |= strstr(line, "libdrm_amdgpu") != NULL;
  if (maps)
    fclose(maps);
  printf("libdrm_amdgpu loaded: %s\n", drm ? "yes" : "no");
  return 0;
}
