#!/bin/sh
# Every GPU scenario, natively and under gpuscatter, alternating, REPS runs
# each (default 5), medians and ratios: JSON, a markdown table, and plots
# where matplotlib is installed. Needs an NVIDIA GPU (and PyTorch for the
# torch scenario).   scripts/bench-gpu.sh [OUT [scatter|torch|churn|pinned|hostalloc|loader|layout|resident ...]]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-bench/results/gpu}; [ $# -gt 0 ] && shift
SCENARIOS=${*:-scatter torch churn pinned hostalloc loader}
REPS=${REPS:-5}
B=$PWD/build
LIB=$B/libgpuscatter.so
[ -x "$B/scatter" ] || make -s all build/scatter
mkdir -p "$OUT"
# Profiles learned by these runs stay in OUT, never in the user's cache.
export XDG_CACHE_HOME="$OUT/cache"
rm -rf "$XDG_CACHE_HOME"
R=$OUT/runs.jsonl
: >"$R"
machine="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1), $(python3 -c 'import torch; print("torch", torch.__version__)' 2>/dev/null || echo 'no torch'), $(date -u +%Y-%m-%d)"
echo "bench-gpu: $machine"
tag() { sed "s/^{/{\"run\": \"$1\", \"workload\": \"$2\", /" >>"$R"; }
# Small buffers are GPU-bound by size only below the default threshold.
GS="env GPUSCATTER_MIN_SIZE=4K LD_PRELOAD=$LIB"
for s in $SCENARIOS; do case $s in
  scatter)
    for n in 100 1000 4000 16000; do
      for i in $(seq "$REPS"); do
        "$B/scatter" --n $n | tag baseline "scatter $n x 4 KiB-16 MiB"
        $GS "$B/scatter" --n $n | tag gpuscatter "scatter $n x 4 KiB-16 MiB"
        "$B/scatter" --n $n --fixed 65536 | tag baseline "scatter $n x 64 KiB"
        $GS "$B/scatter" --n $n --fixed 65536 | tag gpuscatter "scatter $n x 64 KiB"
      done
    done ;;
  torch)
    for i in $(seq "$REPS"); do
      python3 bench/torch_offload.py --gib "${TORCH_GIB:-8}" | tag baseline "torch-offload ${TORCH_GIB:-8} GiB"
      LD_PRELOAD=$LIB python3 bench/torch_offload.py --gib "${TORCH_GIB:-8}" | tag gpuscatter "torch-offload ${TORCH_GIB:-8} GiB"
      python3 bench/torch_offload.py --gib "${TORCH_GIB:-8}" --no-pin | tag no-pin "torch-offload ${TORCH_GIB:-8} GiB"
    done ;;
  pinned)
    # Weights loaded into pinned memory (PyTorch's caching host allocator).
    G=${TORCH_GIB:-8}
    for i in $(seq "$REPS"); do
      python3 bench/torch_pinned.py --gib "$G" --mode none | tag no-pin "pinned load without pinning $G GiB"
      python3 bench/torch_pinned.py --gib "$G" --mode empty-pin | tag baseline "pinned empty(pin_memory=True) $G GiB"
      LD_PRELOAD=$LIB python3 bench/torch_pinned.py --gib "$G" --mode empty-pin | tag gpuscatter "pinned empty(pin_memory=True) $G GiB"
      python3 bench/torch_pinned.py --gib "$G" --mode pin-memory | tag baseline "pinned tensor.pin_memory() $G GiB"
      LD_PRELOAD=$LIB python3 bench/torch_pinned.py --gib "$G" --mode pin-memory | tag gpuscatter "pinned tensor.pin_memory() $G GiB"
      # No harm: the load without pinning, with and without the library.
      LD_PRELOAD=$LIB python3 bench/torch_pinned.py --gib "$G" --mode none | tag gpuscatter "noharm torch load without pinning $G GiB"
    done ;;
  hostalloc)
    for i in $(seq "$REPS"); do
      "$B/scatter" --hostalloc 600 | tag baseline "hostalloc cudaHostAlloc 600 x 4 KiB-128 MiB"
      LD_PRELOAD=$LIB "$B/scatter" --hostalloc 600 | tag gpuscatter "hostalloc cudaHostAlloc 600 x 4 KiB-128 MiB"
      "$B/scatter" --driver-alloc 600 | tag baseline "hostalloc cuMemAllocHost 600 x 64 KiB-4 MiB"
      LD_PRELOAD=$LIB "$B/scatter" --driver-alloc 600 | tag gpuscatter "hostalloc cuMemAllocHost 600 x 64 KiB-4 MiB"
    done ;;
  loader)
    for i in $(seq "$REPS"); do
      python3 bench/torch_loader.py | tag baseline "loader DataLoader(pin_memory=True, 4 workers)"
      LD_PRELOAD=$LIB python3 bench/torch_loader.py | tag gpuscatter "loader DataLoader(pin_memory=True, 4 workers)"
      python3 bench/torch_loader.py --no-pin | tag no-pin "loader DataLoader(pin_memory=True, 4 workers)"
    done ;;
  layout)
    # What the driver charges for small registrations by where the buffers
    # lie (a first run's registrations pass through): glibc's layout,
    # page-aligned ones, gpuscatter's and jemalloc's alone.
    [ -x "$B/reg_layout" ] || make -s build/reg_layout
    JE=$(ls "$B/libjemalloc.so.2" /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 2>/dev/null | head -1 || true)
    for i in $(seq "$REPS"); do
      for m in malloc packed pages gaps; do "$B/reg_layout" $m | tag baseline "layout $m"; done
      GPUSCATTER_PROFILE=off LD_PRELOAD=$LIB "$B/reg_layout" malloc | tag gpuscatter "layout malloc"
      [ -z "$JE" ] || LD_PRELOAD=$JE "$B/reg_layout" malloc | tag jemalloc "layout malloc"
    done ;;
  resident)
    # What registering costs in resident memory (untouched, sparse, a
    # loop of small registrations), natively and under gpuscatter.
    for i in $(seq "$REPS"); do
      python3 tests/gpu/torch_resident.py | tag baseline "resident after registering"
      LD_PRELOAD=$LIB python3 tests/gpu/torch_resident.py | tag gpuscatter "resident after registering"
    done ;;
  churn)
    for i in $(seq "$REPS"); do
      "$B/scatter" --churn 3 | tag baseline "churn 64 KiB-4 MiB"
      $GS "$B/scatter" --churn 3 | tag gpuscatter "churn 64 KiB-4 MiB"
    done ;;
  *) echo "bench-gpu: unknown scenario $s" >&2; exit 2 ;;
esac; done
python3 scripts/summarize.py "$R" "$OUT" "$machine"
