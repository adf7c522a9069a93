/* The flavor descriptors. Figures from docs/DESIGN.md ("Runtime
 * semantics"): CUDA measured on CUDA 13.0 / H200, HIP read from ROCm's clr. */
#include "flavor.h"

#include <stddef.h>

static const char *const cuda_libs[] = { "libcudart.so.13", "libcudart.so.12", "libcudart.so", NULL };
static const char *const cuda_nodes[] = { "libcudart.so.13", "libcudart.so.12", NULL };
static const char *const hip_libs[] = { "libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5",
                                        "libamdhip64.so", NULL };
static const char *const hip_nodes[] = { "hip_4.2", NULL };
static const char *const cu_libs[] = { "libcuda.so.1", NULL };
static const char *const cu_nodes[] = { NULL };

/* Indexed by call: a swapped pair cannot compile into a wrong table. */
#define CALLS(p, alloc, free)                                                              \
  { [RT_REGISTER] = p "HostRegister", [RT_UNREGISTER] = p "HostUnregister",               \
    [RT_DEVPTR] = p "HostGetDevicePointer", [RT_GETFLAGS] = p "HostGetFlags",             \
    [RT_ATTRS] = p "PointerGetAttributes", [RT_LAST_ERROR] = p "GetLastError",            \
    [RT_PEEK_ERROR] = p "PeekAtLastError", [RT_GET_DEVICE] = p "GetDevice",               \
    [RT_SET_DEVICE] = p "SetDevice", [RT_VERSION] = p "RuntimeGetVersion",                \
    [RT_DEVICE_COUNT] = p "GetDeviceCount", [RT_HOST_ALLOC] = alloc, [RT_HOST_FREE] = free }

const struct flavor_desc flavors[FLAVOR_N] = {
  [FLAVOR_CUDA] = {
    .name = "cuda", .family = FAMILY_CUDA, .libs = cuda_libs, .nodes = cuda_nodes,
    .calls = CALLS("cuda", "cudaHostAlloc", "cudaFreeHost"),
    /* Portable 1, Mapped 2, ReadOnly 8; IoMemory 4 is refused on anonymous
     * memory. GetFlags reports Portable as registered, Mapped always. */
    .reg_flags = 0xBu, .flags_keep = 1u, .flags_add = 2u, .bind_flags = 3u,
    .overlap_ok = false, .device_required = true,
    /* Measured on CUDA 13: flags 1..7 accepted (Portable, Mapped,
     * WriteCombined), GetFlags adds Mapped. */
    .alloc_flags = 7u, .alloc_serve = 3u, .alloc_implied = 2u, .alloc_dropped = 1u, .alloc_served = true,
    .err = { .invalid = 1, .already = 712, .not_registered = 713, .no_device = 100,
             .capture = 900, .no_memory = 2 },
    .abi_new = { .host = 1, .unregistered = 0 }, .new_abi_major = 0, .version_div = 1000,
  },
  [FLAVOR_HIP] = {
    .name = "hip", .family = FAMILY_HIP, .libs = hip_libs, .nodes = hip_nodes,
    .calls = CALLS("hip", "hipHostMalloc", "hipHostFree"),
    /* Portable, Mapped, IoMemory, 0x8 (coarse-grained / read-only) and
     * Uncached 0x80000000; GetFlags reports them as registered. Registering
     * an overlapping range succeeds in clr. */
    .reg_flags = 0x8000000Fu, .flags_keep = ~0u, .flags_add = 0u, .bind_flags = 3u,
    .overlap_ok = true, .device_required = false,
    /* hipHostMalloc: Portable 1, Mapped 2, WriteCombined 4, NumaUser
     * 0x20000000, Coherent 0x40000000, NonCoherent 0x80000000 (clr); its
     * memory is Portable and Mapped always. Not served by default: whether
     * memory registered with hipHostRegister is as coherent as what
     * hipHostMalloc returns could not be checked on AMD hardware here. */
    .alloc_flags = 0xE0000007u, .alloc_serve = 3u, .alloc_implied = 3u, .alloc_dropped = 0u, .alloc_served = false,
    .err = { .invalid = 1, .already = 712, .not_registered = 713, .no_device = 100,
             .capture = 0, .no_memory = 2 },
    /* HIP 6 added hipMemoryTypeUnregistered = 0 and moved host to 1; HIP 5
     * has host = 0 and fails on unregistered memory. */
    .abi_new = { .host = 1, .unregistered = 0 },
    .abi_old = { .host = 0, .unregistered = 0, .unregistered_fails = true },
    .new_abi_major = 6, .version_div = 10000000,
  },
  [FLAVOR_CU] = {
    /* The driver API: CUresult numbers match cudaError_t's for these. No
     * last error, no pointer-attribute struct, calls need a context. */
    .name = "cu", .family = FAMILY_CUDA, .libs = cu_libs, .nodes = cu_nodes,
    .calls = { [RT_REGISTER] = "cuMemHostRegister_v2", [RT_UNREGISTER] = "cuMemHostUnregister",
               [RT_DEVPTR] = "cuMemHostGetDevicePointer_v2", [RT_GETFLAGS] = "cuMemHostGetFlags",
               [RT_GET_DEVICE] = "cuCtxGetDevice", [RT_VERSION] = "cuDriverGetVersion",
               [RT_DEVICE_COUNT] = "cuDeviceGetCount", [RT_HOST_ALLOC] = "cuMemHostAlloc",
               [RT_HOST_FREE] = "cuMemFreeHost", [RT_CURRENT_CONTEXT] = "cuCtxGetCurrent" },
    .reg_flags = 0xFu, .flags_keep = 1u, .flags_add = 2u, .bind_flags = 3u,
    .overlap_ok = false, .device_required = true,
    .alloc_flags = 7u, .alloc_serve = 3u, .alloc_implied = 2u, .alloc_dropped = 1u, .alloc_served = true,
    .err = { .invalid = 1, .already = 712, .not_registered = 713, .no_device = 100,
             .capture = 0, .no_memory = 2 },
    .abi_new = { .host = 1, .unregistered = 0 }, .new_abi_major = 0, .version_div = 1000,
  },
};
