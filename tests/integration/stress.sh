#!/bin/sh
# 8 threads of mixed allocations with cross-thread frees; fork under load.
. "$(dirname "$0")/lib.sh"
LD_PRELOAD=$LIB "$B/tests/stress" 8 "${STRESS_SECONDS:-5}" 1048576
LD_PRELOAD=$LIB "$B/tests/forkthreads" 20
