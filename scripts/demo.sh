#!/bin/sh
# make demo: the registration workloads users run, without and with
# gpuscatter, on the best backend this machine has, each REPS times
# (default 3) alternating; medians and ranges.
#   cuda: an NVIDIA GPU and libcudart.so.13 (or .12); baseline: no library
#   sim:  anything else; baseline: the library with GPUSCATTER_ARENAS=off,
#         so both runs pay the same modeled driver cost per call
set -eu
cd "$(dirname "$0")/.."
LIB=build/libgpuscatter.so
W=build/scatter
REPS=${REPS:-3}
N=${DEMO_N:-4000}
start=$(date +%s)
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 &&
   ldconfig -p | grep -q 'libcudart.so.1[23]'; then
  backend=cuda; model=${DEMO_MODEL_GIB:-8}
  base_env="GPUSCATTER_DEMO_BASELINE=1"
  base_pre=""
  echo "gpuscatter demo on $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1) (cuda backend)"
  echo "baseline: the same program without gpuscatter"
else
  backend=sim; model=${DEMO_MODEL_GIB:-1}
  export GPUSCATTER_BACKEND=sim
  base_env="GPUSCATTER_ARENAS=off"
  base_pre="LD_PRELOAD=$PWD/$LIB"
  echo "gpuscatter demo: no NVIDIA GPU here, so the SIMULATED runtime (sim backend):"
  echo "  driver costs come from a cost model measured on an H200 (GPUSCATTER_SIM_* variables),"
  echo "  memory, allocation and binding are real."
  echo "baseline: gpuscatter with GPUSCATTER_ARENAS=off (every registration a modeled driver call)"
fi
echo "each workload $REPS times, baseline and gpuscatter alternating; medians [ranges]"
echo

out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
# Learned profiles go to a cache of the demo's own, gone when it ends: the
# demo starts from nothing each time and never changes how the user's own
# programs run later.
export XDG_CACHE_HOME="$out/cache"
# Buffers this small are GPU-bound by size only when the threshold says so
# (call-site classification learns it over runs); the scatter rows set it.
rows="scatter|GPUSCATTER_MIN_SIZE=4K|--n $N
fixed|GPUSCATTER_MIN_SIZE=4K|--n $N --fixed 65536
model||--n 0 --model $model
pinned||--driver-alloc 300"
total=$(($(printf '%s\n' "$rows" | wc -l) * REPS * 2)); k=0
printf '%s\n' "$rows" | while IFS='|' read -r name envs args; do
  echo "$name: baseline   $base_env $envs ${base_pre:+LD_PRELOAD=$LIB} $W $args" | sed 's/GPUSCATTER_DEMO_BASELINE=1 //; s/  */ /g'
  echo "$name: gpuscatter $envs LD_PRELOAD=$LIB $W $args" | sed 's/  */ /g'
  for i in $(seq "$REPS"); do
    k=$((k + 1)); printf '  [%d/%d] %s baseline, run %d\n' "$k" "$total" "$name" "$i"
    # shellcheck disable=SC2086
    env $base_env $envs $base_pre $W $args | tail -1 >>"$out/$name.base"
    k=$((k + 1)); printf '  [%d/%d] %s gpuscatter, run %d\n' "$k" "$total" "$name" "$i"
    # shellcheck disable=SC2086
    env $envs LD_PRELOAD=$PWD/$LIB $W $args | tail -1 >>"$out/$name.gs"
  done
done
python3 - "$out" "$backend" "$(($(date +%s) - start))" <<'PY'
import json, os, statistics, sys
out, backend, secs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def load(n, k):
    return [json.loads(l) for l in open(os.path.join(out, f"{n}.{k}")) if l.strip()]
def span(xs, f):
    return f"{f(statistics.median(xs))} [{f(min(xs))}-{f(max(xs))}]"
ms = lambda x: f"{x * 1e3:.1f}"
print()
print(f"{'workload':<32}{'calls':>7}  {'baseline (ms)':<24}{'gpuscatter (ms)':<24}{'speedup':>8}")
for name, label in (("scatter", "scatter, 4 KiB-16 MiB buffers"), ("fixed", "scatter, 64 KiB buffers"),
                    ("model", "model weights"), ("pinned", "cuMemAllocHost, 64 KiB-4 MiB")):
    b, g = load(name, "base"), load(name, "gs")
    assert all(r["failures"] == 0 for r in b + g), (b, g)
    key = "alloc_s" if name == "pinned" else "register_s"
    bt, gt = [r[key] for r in b], [r[key] for r in g]
    n = g[0].get("registrations", g[0].get("allocations"))
    sp = statistics.median(bt) / statistics.median(gt) if statistics.median(gt) else float("inf")
    print(f"{label:<32}{n:>7}  {span(bt, ms):<24}{span(gt, ms):<24}{sp:>7.1f}x")
print()
print("calls: registrations (or pinned allocations) the program made; times: the program's whole")
print("loop of those calls. Backend: " + backend + (" (simulated: driver costs from the cost model, the rest real)"
      if backend == "sim" else ""))
print(f"total time {secs // 60} min {secs % 60} s")
PY
