#!/bin/sh
# ASan cannot run beside a preloaded allocator; valgrind memcheck can check
# the library's own code for invalid and uninitialised accesses.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind is missing (scripts/install-deps.sh installs it)"
# nouserintercepts: replace only libc's malloc, never ours.
VG="valgrind -q --error-exitcode=9 --soname-synonyms=somalloc=nouserintercepts"
LD_PRELOAD=$LIB $VG "$B/tests/stress" 4 1 65536 >/dev/null || fail "memcheck: stress"
LD_PRELOAD=$LIB $VG "$B/tests/stress" 4 1 1048576 262144 >/dev/null || fail "memcheck: stress with GPU sizes"
GPUSCATTER_MIN_SIZE=16K LD_PRELOAD=$LIB $VG "$B/tests/stress" 2 1 65536 16384 >/dev/null || fail "memcheck: stress, checked free"
LD_PRELOAD=$LIB CK_FORK=no $VG "$B/tests/check_malloc" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "memcheck: check_malloc"; }
LD_PRELOAD=$LIB GPUSCATTER_STATS=$WORK/s.json GPUSCATTER_CHUNK_SIZE=bad $VG python3 -c 'print(1)' \
  >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "memcheck: python3"; }
echo "ok: valgrind memcheck clean (stress, unit tests, python3)"
