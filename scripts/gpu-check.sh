#!/bin/sh
# On a machine with an NVIDIA GPU: the conformance table natively and under
# gpuscatter (they must be identical), the registration workloads natively
# and under gpuscatter (alternating, 5 runs each, medians), host-to-device
# bandwidth from arena memory against an individually registered buffer,
# and PyTorch's own registration path. Results go to OUT (default
# build/gpu-results): results.json and results.md.
#   scripts/gpu-check.sh [OUT]
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-build/gpu-results}
mkdir -p "$OUT"
B=$PWD/build
LIB=$B/libgpuscatter.so
[ -x "$B/tests/conformance" ] && [ -x "$B/scatter" ] || make -s all build/tests/conformance build/scatter
REPS=${REPS:-5}
log() { echo "$*" | tee -a "$OUT/log.txt"; }

nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >"$OUT/gpu.txt"
log "GPU: $(cat "$OUT/gpu.txt"); $(date -u +%Y-%m-%dT%H:%MZ)"

# 1. Conformance: the same table with and without the library.
"$B/tests/conformance" cuda >"$OUT/conformance-native.txt"
LD_PRELOAD=$LIB GPUSCATTER_STATS="$OUT/conformance-stats.json" "$B/tests/conformance" cuda >"$OUT/conformance-gpuscatter.txt"
if diff -u "$OUT/conformance-native.txt" "$OUT/conformance-gpuscatter.txt" >"$OUT/conformance.diff"; then
  log "conformance: identical ($(wc -l <"$OUT/conformance-native.txt") cases)"
else
  log "conformance: DIFFERENT"; cat "$OUT/conformance.diff" | tee -a "$OUT/log.txt"
fi
diff -u tests/conformance/expected-cuda.txt "$OUT/conformance-native.txt" >"$OUT/conformance-vs-expected.diff" &&
  log "conformance: native CUDA matches tests/conformance/expected-cuda.txt" ||
  log "conformance: native CUDA differs from the expected table (see conformance-vs-expected.diff)"

# 2. Workloads, alternating native and gpuscatter runs.
: >"$OUT/runs.jsonl"
workload() { # NAME ARGS...
  name=$1; shift
  for i in $(seq 1 "$REPS"); do
    "$B/scatter" "$@" | sed "s/^{/{\"run\": \"native\", \"workload\": \"$name\", /" >>"$OUT/runs.jsonl"
    GPUSCATTER_STATS="$OUT/stats-$(echo "$name" | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9-').json" \
      GPUSCATTER_MIN_SIZE=4K LD_PRELOAD=$LIB "$B/scatter" "$@" |
      sed "s/^{/{\"run\": \"gpuscatter\", \"workload\": \"$name\", /" >>"$OUT/runs.jsonl"
  done
}
workload "scatter 4000 x 64 KiB" --n 4000 --fixed 65536
workload "scatter 4000 x 4 KiB-16 MiB" --n 4000
workload "model weights 8 GiB" --n 0 --model 8
for i in $(seq 1 "$REPS"); do
  "$B/scatter" --bandwidth 256 | sed 's/^{/{"run": "native", "workload": "h2d 256 MiB", /' >>"$OUT/runs.jsonl"
  LD_PRELOAD=$LIB "$B/scatter" --bandwidth 256 | sed 's/^{/{"run": "gpuscatter", "workload": "h2d 256 MiB", /' >>"$OUT/runs.jsonl"
done

# 3. PyTorch, as ComfyUI registers weights (if torch is installed).
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  python3 tests/gpu/torch_pin.py >"$OUT/torch-native.txt" 2>&1 &&
    log "torch, native: $(tail -1 "$OUT/torch-native.txt")" || log "torch, native: FAILED"
  LD_PRELOAD=$LIB GPUSCATTER_STATS="$OUT/torch-stats.json" python3 tests/gpu/torch_pin.py >"$OUT/torch.txt" 2>&1 &&
    log "torch, gpuscatter: $(tail -1 "$OUT/torch.txt")" || { log "torch: FAILED"; cat "$OUT/torch.txt" >>"$OUT/log.txt"; }
  # Call-site classification: 2000 small weights (4-64 KiB) registered one
  # by one; placed by their site (the torch preset, or learned in one run and
  # loaded from the profile in the next). Alternating runs, medians.
  T=tests/gpu/torch_sites.py
  rm -f "$OUT/torch.profile" "$OUT/sites.jsonl"
  GPUSCATTER_PROFILE="$OUT/torch.profile" LD_PRELOAD=$LIB python3 $T >"$OUT/sites-learn-first.json" &&
    log "sites, learn (first run, writes the profile): $(cat "$OUT/sites-learn-first.json")"
  for i in $(seq 1 "$REPS"); do
    python3 $T | sed 's/^{/{"run": "native", /' >>"$OUT/sites.jsonl"
    LD_PRELOAD=$LIB python3 $T | sed 's/^{/{"run": "size", /' >>"$OUT/sites.jsonl"
    GPUSCATTER_PRESET=torch LD_PRELOAD=$LIB python3 $T | sed 's/^{/{"run": "preset torch", /' >>"$OUT/sites.jsonl"
    GPUSCATTER_PROFILE="$OUT/torch.profile" LD_PRELOAD=$LIB python3 $T |
      sed 's/^{/{"run": "learn, with the profile", /' >>"$OUT/sites.jsonl"
  done
  python3 - "$OUT/sites.jsonl" <<'PY' | tee -a "$OUT/log.txt"
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for k in dict.fromkeys(r["run"] for r in runs):
    rs = [r for r in runs if r["run"] == k]
    ms = statistics.median(r["register_ms"] for r in rs)
    hits = rs[-1].get("hits", "-")
    print(f"sites, {k}: register phase {ms:.1f} ms (median of {len(rs)}), hits {hits}/{rs[-1]['tensors']}, "
          f"copies equal: {all(r['copies_equal'] for r in rs)}")
PY
else
  log "torch: not installed or no CUDA device; skipped"
fi

python3 - "$OUT" <<'PY' | tee -a "$OUT/log.txt"
import json, os, statistics, sys
out = sys.argv[1]
runs = [json.loads(l) for l in open(os.path.join(out, "runs.jsonl")) if l.strip()]
gpu = open(os.path.join(out, "gpu.txt")).read().strip()
rows, res = [], {"gpu": gpu, "workloads": {}}
for w in dict.fromkeys(r["workload"] for r in runs):
    n = [r for r in runs if r["workload"] == w and r["run"] == "native"]
    g = [r for r in runs if r["workload"] == w and r["run"] == "gpuscatter"]
    if w.startswith("h2d"):
        nb, gb = statistics.median(r["h2d_gbs"] for r in n), statistics.median(r["h2d_gbs"] for r in g)
        res["workloads"][w] = {"native_gbs": nb, "gpuscatter_gbs": gb, "ratio": gb / nb}
        rows.append(f"| {w} | | | {nb:.1f} GB/s | {gb:.1f} GB/s | {gb / nb * 100:.1f}% |")
        continue
    nt, gt = statistics.median(r["register_s"] for r in n), statistics.median(r["register_s"] for r in g)
    nc, gc = statistics.median(r["backend_calls"] for r in n), statistics.median(r["backend_calls"] for r in g)
    res["workloads"][w] = {"registrations": g[0]["registrations"], "native_register_s": nt,
                           "gpuscatter_register_s": gt, "speedup": nt / gt,
                           "native_driver_calls": nc, "gpuscatter_driver_calls": gc,
                           "failures": sum(r["failures"] for r in n + g)}
    rows.append(f"| {w} | {g[0]['registrations']} | {nc:.0f} / {gc:.0f} | {nt * 1e3:.1f} ms | "
                f"{gt * 1e3:.2f} ms | {nt / gt:.0f}x |")
md = (f"GPU: {gpu}; median of {len([r for r in runs if r['run'] == 'native']) // max(1, len(res['workloads']))} runs each\n\n"
      "| workload | app registrations | driver calls native / gpuscatter | native | gpuscatter | speedup or ratio |\n"
      "| --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
open(os.path.join(out, "results.md"), "w").write(md)
json.dump(res, open(os.path.join(out, "results.json"), "w"), indent=1)
print(md)
PY
