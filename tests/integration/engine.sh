#!/bin/sh
# The batch bind engine on the sim backend: coalescing, lazy and async
# modes, flush, a failing backend (fallback, one warning), trim, budget,
# the pinned region's growth.
. "$(dirname "$0")/lib.sh"
E=$B/tests/engine_check
export GPUSCATTER_BACKEND=sim GPUSCATTER_CHUNK_SIZE=4M GPUSCATTER_MIN_SIZE=1M
GPUSCATTER_BIND=lazy GPUSCATTER_BIND_MAX=16M LD_PRELOAD=$LIB "$E" coalesce
GPUSCATTER_BIND=lazy GPUSCATTER_BIND_MAX=4M LD_PRELOAD=$LIB "$E" lazy
GPUSCATTER_BIND=async LD_PRELOAD=$LIB "$E" async
GPUSCATTER_BIND=lazy LD_PRELOAD=$LIB "$E" flush
GPUSCATTER_BIND=lazy GPUSCATTER_FAULT=bind:1 LD_PRELOAD=$LIB "$E" fail 2>"$WORK/err"
[ "$(grep -c 'gpuscatter: sim backend could not register' "$WORK/err")" = 1 ] ||
  fail "a failing backend must warn exactly once: $(cat "$WORK/err")"
GPUSCATTER_BIND=lazy GPUSCATTER_BIND_MAX=4M LD_PRELOAD=$LIB "$E" trim
GPUSCATTER_MAX_PINNED=48M LD_PRELOAD=$LIB "$E" budget
echo "ok: engine"
# A data loader's loop (allocate, register, unregister, free) keeps its unit
# bound: it is not unbound and bound again every time it empties.
GPUSCATTER_BACKEND=sim GPUSCATTER_MIN_SIZE=4K GPUSCATTER_STATS=$WORK/churn.json LD_PRELOAD=$LIB \
  "$B/scatter" --churn 1 >"$WORK/churn.out"
python3 - "$WORK/churn.json" "$WORK/churn.out" <<'PY' || fail "churn rebinds its unit"
import json, sys
s, r = json.load(open(sys.argv[1])), json.loads(open(sys.argv[2]).read())
regs, binds = r["registrations"], s["backend_calls"]["register"]
print(f"ok: churn, {regs} registrations in 1 s, {binds} backend registrations")
sys.exit(0 if r["failures"] == 0 and regs > 100 and binds * 20 < regs else 1)
PY
# Pinned allocations: a program pinning a lot pays a few driver calls (the
# region grows by half of what is in use), one pinning a little pins little.
GPUSCATTER_STATS=$WORK/pinned.json LD_PRELOAD=$LIB \
  "$B/scatter" --driver-alloc 600 >"$WORK/pinned.out"
GPUSCATTER_STATS=$WORK/one.json LD_PRELOAD=$LIB \
  "$B/scatter" --driver-alloc 1 >"$WORK/one.out"
python3 - "$WORK/pinned.json" "$WORK/pinned.out" "$WORK/one.json" <<'PY' || fail "pinned growth"
import json, sys
s, r, one = (json.load(open(f)) for f in sys.argv[1:])
calls, bound, used = s["backend_calls"]["register"], s["chunks"]["bound_bytes"], r["bytes"]
small = one["chunks"]["bound_bytes"]
print(f"ok: {used >> 20} MiB in 600 pinned allocations: {calls} backend registrations, "
      f"{bound >> 20} MiB bound; one allocation binds {small >> 20} MiB")
sys.exit(0 if r["failures"] == 0 and s["pinned_alloc"]["served"] == 600 and calls <= 16
         and bound <= used * 1.5 + (64 << 20) and small <= 16 << 20 else 1)
PY
# Blocks between half a step and a step: each step holds whole blocks (a
# power-of-two step held one 70 MiB block and 58 MiB nothing could use).
# Lazy: only the steps the program takes, none grown ahead (on a loaded
# machine the bind thread's step can come after the program took its own,
# and stay bound unused until it is unbound five seconds later).
GPUSCATTER_BIND=lazy GPUSCATTER_SIM_ALLOC_GIB_MS=0 GPUSCATTER_STATS=$WORK/blocks.json \
  LD_PRELOAD=$LIB "$B/scatter" --hostalloc 10 --fixed 73400320 >"$WORK/blocks.out"
python3 - "$WORK/blocks.json" "$WORK/blocks.out" <<'PY' || fail "pinned steps for large blocks"
import json, sys
s, r = (json.load(open(f)) for f in sys.argv[1:])
bound, used = s["chunks"]["bound_bytes"], r["bytes"]
print(f"ok: 10 pinned blocks of 70 MiB: {bound >> 20} MiB bound for {used >> 20} MiB")
sys.exit(0 if r["failures"] == 0 and s["pinned_alloc"]["served"] == 10 and bound <= used * 1.25 else 1)
PY
