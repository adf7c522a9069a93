#!/bin/sh
# 16 threads of mixed allocations with cross-thread frees; fork under load.
. "$(dirname "$0")/lib.sh"
LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576
# GPU-bound and ordinary sizes mixed, ownership asserted on every allocation
# (by size alone: call-site placement would put small ones in the window).
export GPUSCATTER_CLASSIFY=size
LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 4194304 262144
GPUSCATTER_MIN_SIZE=64K LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576 65536
LD_PRELOAD=$LIB "$B/tests/forkthreads" 20
# With the simulated runtime: concurrent register/unregister of the buffers
# (placed by size alone: the test checks every pointer's home by its size).
GPUSCATTER_CLASSIFY=size GPUSCATTER_BACKEND=sim GPUSCATTER_MIN_SIZE=64K GPUSCATTER_SIM_CALL_US=0 GPUSCATTER_SIM_GIB_MS=0 GPUSCATTER_SIM_HUGE_GIB_MS=0 \
  LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576 65536
# Call-site learning while 16 threads register and unregister: sites found,
# learned and looked up concurrently, records written and read racily.
GPUSCATTER_BACKEND=sim GPUSCATTER_CLASSIFY=learn GPUSCATTER_MIN_SIZE=128K GPUSCATTER_SIM_CALL_US=0 \
  GPUSCATTER_SIM_GIB_MS=0 GPUSCATTER_SIM_HUGE_GIB_MS=0 GPUSCATTER_STATS="$WORK/learn.json" \
  LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 1048576
python3 - "$WORK/learn.json" <<'PY' || fail "the learning stress run learned nothing"
import json, sys
c = json.load(open(sys.argv[1]))["classify"]
# Sites learned and answered registrations; the test registers some of a
# site's buffers and frees the rest unregistered, so some are demoted.
assert c["learned_hits"] > 0 and c["sites"] > 2, c
print("ok: learning under stress:", c)
PY
# GPU-bound sizes small enough for jemalloc's thread cache: free must check
# the window and bypass the cache.
GPUSCATTER_MIN_SIZE=16K LD_PRELOAD=$LIB "$B/tests/stress" 16 "${STRESS_SECONDS:-3}" 262144 16384
