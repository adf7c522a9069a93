#!/bin/sh
# Fault injection (GPUSCATTER_FAULT): whatever fails inside gpuscatter, the
# program's allocations and registrations still succeed, exactly one
# warning is printed, and valgrind finds nothing wrong in our code.
. "$(dirname "$0")/lib.sh"
S=$B/scatter
export GPUSCATTER_BACKEND=sim GPUSCATTER_MIN_SIZE=4K GPUSCATTER_CHUNK_SIZE=4M \
  GPUSCATTER_SIM_CALL_US=0 GPUSCATTER_SIM_GIB_MS=0 GPUSCATTER_SIM_HUGE_GIB_MS=0
# fault WHAT EXPECTED-WARNING [VARIABLES...]: the workload succeeds and warns once.
fault() {
  what=$1 warning=$2; shift 2
  env GPUSCATTER_FAULT="$what" GPUSCATTER_STATS="$WORK/s.json" "$@" LD_PRELOAD=$LIB \
    "$S" --n 300 --model 0.1 >"$WORK/out" 2>"$WORK/err" ||
    fail "$what: the workload failed: $(cat "$WORK/err")"
  grep -q '"failures": 0' "$WORK/out" || fail "$what: registrations failed: $(cat "$WORK/out")"
  [ "$(grep -c "$warning" "$WORK/err")" = 1 ] && [ "$(grep -c 'gpuscatter:' "$WORK/err")" = 1 ] ||
    fail "$what: expected exactly one warning '$warning', got: $(cat "$WORK/err")"
  echo "ok: fault $what: workload intact, one warning"
}
fault reserve "cannot reserve an address window"
fault commit:3 "cannot commit"
fault map "cannot map"
fault map:2 "cannot map"
fault bind:2 "could not register"
fault bind "could not register"
fault thread "cannot start the bind thread" GPUSCATTER_BIND=async
# A failing unregister at trim: the unit stays bound, one warning.
GPUSCATTER_FAULT=unbind GPUSCATTER_BIND=lazy GPUSCATTER_BIND_MAX=4M LD_PRELOAD=$LIB \
  "$B/tests/engine_check" trim >"$WORK/out" 2>"$WORK/err" && fail "trim succeeded although every unbind failed"
[ "$(grep -c 'could not unregister' "$WORK/err")" = 1 ] || fail "unbind: $(cat "$WORK/err")"
echo "ok: fault unbind: chunks stay registered, one warning"
# The statistics file cannot be written: exit status kept, one warning, no file.
set +e
GPUSCATTER_FAULT=stats GPUSCATTER_STATS=$WORK/st.json LD_PRELOAD=$LIB "$PY" -c 'import sys; sys.exit(4)' 2>"$WORK/err"
rc=$?; set -e
[ $rc = 4 ] && [ ! -e "$WORK/st.json" ] && [ "$(grep -c 'cannot write statistics' "$WORK/err")" = 1 ] ||
  fail "stats: rc $rc, $(cat "$WORK/err")"
echo "ok: fault stats: exit status kept, one warning, nothing written"
# Every fault at once under valgrind: no invalid access in our code.
GPUSCATTER_FAULT=commit:3,bind:2,thread GPUSCATTER_BIND=async LD_PRELOAD=$LIB \
  valgrind -q --error-exitcode=9 --soname-synonyms=somalloc=nouserintercepts \
  "$S" --n 100 >/dev/null 2>"$WORK/err" || fail "valgrind: $(cat "$WORK/err")"
echo "ok: faults under valgrind memcheck: clean"
