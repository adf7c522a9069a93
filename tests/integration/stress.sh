#!/bin/sh
# 16 threads of mixed allocations with cross-thread frees; fork under load.
. "$(dirname "$0")/lib.sh"
LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576
# GPU-bound and ordinary sizes mixed, ownership asserted on every allocation.
LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 4194304 262144
GPUSCATTER_MIN_SIZE=64K LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576 65536
LD_PRELOAD=$LIB "$B/tests/forkthreads" 20
# With the simulated runtime: concurrent register/unregister of the buffers.
GPUSCATTER_BACKEND=sim GPUSCATTER_MIN_SIZE=64K GPUSCATTER_SIM_CALL_US=0 GPUSCATTER_SIM_GIB_MS=0 GPUSCATTER_SIM_HUGE_GIB_MS=0 \
  LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576 65536
# Call-site learning while 16 threads register and unregister: sites found,
# learned and looked up concurrently, records written and read racily.
GPUSCATTER_BACKEND=sim GPUSCATTER_CLASSIFY=learn GPUSCATTER_MIN_SIZE=128K GPUSCATTER_SIM_CALL_US=0 \
  GPUSCATTER_SIM_GIB_MS=0 GPUSCATTER_SIM_HUGE_GIB_MS=0 GPUSCATTER_STATS="$WORK/learn.json" \
  LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576
python3 - "$WORK/learn.json" <<'PY' || fail "the learning stress run learned nothing"
import json, sys
c = json.load(open(sys.argv[1]))["classify"]
assert c["hot_sites"] >= 1 and c["learned_hits"] > 0, c
print("ok: learning under stress:", c)
PY
# GPU-bound sizes small enough for jemalloc's thread cache: free must check
# the window and bypass the cache.
GPUSCATTER_MIN_SIZE=16K LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 262144 16384
