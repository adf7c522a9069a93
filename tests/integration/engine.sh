#!/bin/sh
# The batch bind engine on the sim backend: coalescing, lazy and async
# modes, flush, a failing backend (fallback, one warning), trim, budget.
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
