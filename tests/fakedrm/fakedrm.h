/* A fake amdgpu render node for tests (LD_PRELOAD): the real libdrm code
 * runs on top, and the "kernel" below enforces the amdgpu driver's rules.
 *   FAKEDRM_NODE  the path that opens as the node (default /dev/dri/renderD128)
 *   FAKEDRM_LOG   a file receiving one line per ioctl (appended)
 *   FAKEDRM_FAIL  kind:K[:ERRNO],... fail the K-th ioctl of that kind
 *                 (version, info, userptr, map, unmap, replace, close) */
#ifndef FAKEDRM_H
#define FAKEDRM_H

#include <stdint.h>

enum { FAKE_FILES = 8 };

/* One line to FAKEDRM_LOG, prefixed with the pid. */
void fake_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 0, or the errno FAKEDRM_FAIL asks the next ioctl of this kind to fail with. */
int fake_injected(const char *kind);

/* The kernel side, per open file description (each has its own VM). */
void kernel_open(int file);
void kernel_release(int file, const char *why);
int kernel_ioctl(int file, unsigned long req, void *arg); /* 0 or -errno */

#endif
