#!/bin/sh
# Do no harm (sim backend): a process that places over a GiB of weight-
# sized buffers and never registers pins nothing and grows resident memory
# by what it allocated (within 3% and a chunk), in lazy and async binding;
# freed memory goes back within seconds, registered first or not, and
# blocks of 8 MiB and more at once (as glibc and jemalloc do); and in
# eager mode (everything bound ahead) it is bound, as documented.
. "$(dirname "$0")/lib.sh"
N=$B/tests/noharm
export GPUSCATTER_BACKEND=sim
for mode in lazy async; do
  GPUSCATTER_BIND=$mode LD_PRELOAD=$LIB "$N" idle 1.5 || fail "idle, $mode"
done
LD_PRELOAD=$LIB "$N" freed 1 reg || fail "freed after registering"
LD_PRELOAD=$LIB "$N" freed 1 no || fail "freed, never registered"
LD_PRELOAD=$LIB "$N" large 1 || fail "large blocks freed"
GPUSCATTER_BACKEND=auto LD_PRELOAD=$LIB "$N" large 1 || fail "large blocks freed, no runtime"
GPUSCATTER_BIND=eager GPUSCATTER_STATS=$WORK/e.json LD_PRELOAD=$LIB "$N" idle 0.5 >"$WORK/out" 2>&1 &&
  fail "eager binding bound nothing: $(cat "$WORK/out")"
grep -q "memory the program never registered was bound" "$WORK/out" || fail "eager: $(cat "$WORK/out")"
echo "ok: GPUSCATTER_BIND=eager binds what the program never registered, as documented"
