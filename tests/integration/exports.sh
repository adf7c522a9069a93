#!/bin/sh
# The library exports the whole malloc family, glibc's aliases and every C++
# operator, all unversioned (a versioned reference binds only to those).
. "$(dirname "$0")/lib.sh"
nm -D --defined-only "$LIB" | awk '{print $3}' >"$WORK/syms"
for s in malloc free calloc realloc reallocarray posix_memalign aligned_alloc memalign \
  valloc pvalloc malloc_usable_size __libc_malloc __libc_free __libc_calloc __libc_realloc \
  __libc_memalign __libc_valloc __libc_pvalloc gpuscatter_version gpuscatter_stats_json \
  _Znwm _Znam _ZnwmRKSt9nothrow_t _ZnamRKSt9nothrow_t _ZnwmSt11align_val_t _ZnamSt11align_val_t \
  _ZnwmSt11align_val_tRKSt9nothrow_t _ZnamSt11align_val_tRKSt9nothrow_t _ZdlPv _ZdaPv _ZdlPvm \
  _ZdaPvm _ZdlPvRKSt9nothrow_t _ZdaPvRKSt9nothrow_t _ZdlPvSt11align_val_t _ZdaPvSt11align_val_t \
  _ZdlPvmSt11align_val_t _ZdaPvmSt11align_val_t _ZdlPvSt11align_val_tRKSt9nothrow_t \
  _ZdaPvSt11align_val_tRKSt9nothrow_t gpuscatter_flush gpuscatter_trim \
  cudaHostRegister cudaHostUnregister cudaHostGetDevicePointer cudaHostGetFlags \
  cudaPointerGetAttributes cudaGetLastError cudaPeekAtLastError \
  hipHostRegister hipHostUnregister hipHostGetDevicePointer hipHostGetFlags \
  hipPointerGetAttributes hipGetLastError hipPeekAtLastError \
  cudaHostAlloc cudaMallocHost cudaFreeHost cudaGetDriverEntryPoint \
  hipHostMalloc hipHostAlloc hipMallocHost hipHostFree hipFreeHost \
  cuMemHostRegister cuMemHostRegister_v2 cuMemHostUnregister cuMemHostGetDevicePointer \
  cuMemHostGetDevicePointer_v2 cuMemHostGetFlags cuMemAllocHost cuMemAllocHost_v2 \
  cuMemHostAlloc cuMemFreeHost cuGetProcAddress cuGetProcAddress_v2; do
  grep -qx "$s" "$WORK/syms" || fail "$s is not exported"
done
if grep -q '@' "$WORK/syms"; then fail "versioned exports: $(grep '@' "$WORK/syms" | head -3)"; fi
# Exports that are not ours by name would leak internals into the host program.
extra=$(grep -v -e '^_Z' -e '^gpuscatter_' -e '^__libc_' -e 'alloc' -e '^free$' -e 'memalign$' \
  -e '^cuda[A-Z]' -e '^hip[A-Z]' -e '^cu[A-Z]' "$WORK/syms" || true)
[ -z "$extra" ] || fail "unexpected exports: $extra"
echo "ok: $(wc -l <"$WORK/syms") exported symbols, all expected, none versioned"
