#!/bin/sh
# make bench: the sim-backend scenarios (modeled driver cost; baseline
# GPUSCATTER_ARENAS=off) and the malloc overhead comparison. Any machine, no
# GPU; a few minutes on 2 cores. Writes bench/results/sim/,
# bench/results/malloc.json and bench/results/classify.json.
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
B=$PWD/build
OUT=bench/results/sim
REPS=${REPS:-3}
mkdir -p "$OUT"
# Profiles learned here stay here, never in the user's cache.
cache=$(mktemp -d); trap 'rm -rf "$cache"' EXIT
export XDG_CACHE_HOME="$cache"
R=$OUT/runs.jsonl
: >"$R"
export GPUSCATTER_BACKEND=sim GPUSCATTER_MIN_SIZE=4K
run() { # baseline|gpuscatter WORKLOAD ARGS...
  k=$1 w=$2; shift 2
  if [ "$k" = baseline ]; then GPUSCATTER_ARENAS=off LD_PRELOAD=$B/libgpuscatter.so "$B/scatter" "$@"
  else LD_PRELOAD=$B/libgpuscatter.so "$B/scatter" "$@"; fi | sed "s/^{/{\"run\": \"$k\", \"workload\": \"$w\", /" >>"$R"
}
for i in $(seq "$REPS"); do
  for n in 100 1000 4000 16000; do
    run baseline "scatter $n x 64 KiB" --n $n --fixed 65536
    run gpuscatter "scatter $n x 64 KiB" --n $n --fixed 65536
  done
  for n in 100 1000 4000; do
    run baseline "scatter $n x 4 KiB-16 MiB" --n $n
    run gpuscatter "scatter $n x 4 KiB-16 MiB" --n $n
  done
  run baseline "churn 64 KiB-4 MiB" --churn 2
  run gpuscatter "churn 64 KiB-4 MiB" --churn 2
done
python3 scripts/summarize.py "$R" "$OUT" "sim backend (modeled: ${GPUSCATTER_SIM_CALL_US:-80} us a call, ${GPUSCATTER_SIM_GIB_MS:-27}/${GPUSCATTER_SIM_HUGE_GIB_MS:-12} ms a GiB), $(uname -n), $(nproc) cores, $(date -u +%Y-%m-%d)"
# The allocator comparison runs with default settings.
unset GPUSCATTER_BACKEND GPUSCATTER_MIN_SIZE
# Instruction counts scale with the iterations: fewer keep make bench
# within four minutes on two cores (ITER=1000000 for the README's figures).
ITER=${ITER:-200000} TP_ITER=${TP_ITER:-2000000} scripts/bench-malloc.sh
scripts/bench-classify.sh
echo "make bench: $(($(date +%s) - start)) s"
