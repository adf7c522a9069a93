#!/bin/sh
# Real ComfyUI on every pinning path, natively, under gpuscatter (a first run
# with an empty cache, then one with what it learned) and without pinning,
# alternating, REPS rounds. Needs an NVIDIA GPU, PyTorch, safetensors and
# the comfy-aimdo version the checkout asks for, importable by $PYTHON.
#
#   scripts/comfyui-check.sh COMFYUI_DIR [OUT]
#
# Paths (PATHS, default all three):
#   legacy-full     --disable-dynamic-vram --novram: every weight stays on
#                   the CPU, one cudaHostRegister each
#   legacy-partial  --disable-dynamic-vram, VRAM_GIB free: part of the model
#                   stays on the CPU, pinned per weight
#   dynamic         ComfyUI's NVIDIA default (DynamicVRAM, comfy-aimdo),
#                   VRAM_GIB free: host buffers per module
# Runs per path and round: native, gpuscatter-1 and gpuscatter-2 (its first
# and second run of that path in the round), no-pin (--disable-pinned-memory)
# and no-pin-gpuscatter; QUICK=1 keeps all five for legacy-full and only
# native and gpuscatter-1 for the others. Each round has its own profile
# cache, shared by all paths in the order above: what the legacy runs teach
# must not cost the paths after them.
# Results: OUT/runs.jsonl (one line per run), OUT/summary.md (medians).
set -eu
if [ $# -lt 1 ] || [ ! -f "$1/comfy/model_management.py" ]; then
  cat >&2 <<EOF
usage: scripts/comfyui-check.sh COMFYUI_DIR [OUT]
  COMFYUI_DIR: a ComfyUI checkout (the folder with main.py and comfy/);
  its Python packages (torch, safetensors, comfy-aimdo) must import with
  \$PYTHON (now: ${PYTHON:-python3}). No model is downloaded: an SDXL UNet
  with random weights is written to \$MODEL (default OUT/sdxl-random.safetensors).
  Variables: REPS (3), STEPS (4), VRAM_GIB (4), PATHS, QUICK, PYTHON, MODEL.
EOF
  exit 2
fi
COMFY=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
OUT=${2:-bench/results/comfyui}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
REPS=${REPS:-3}
STEPS=${STEPS:-4}
VRAM=${VRAM_GIB:-4}
PATHS=${PATHS:-legacy-full legacy-partial dynamic}
MODEL=${MODEL:-$OUT/sdxl-random.safetensors}
LIB=$PWD/build/libgpuscatter.so
RUN=${COMFYUI_CHECK_RUN:-$PWD/scripts/comfyui-check-run.py}   # another runner: tests only
[ -f "$LIB" ] || make -s all
R=$OUT/runs.jsonl
: >"$R"
rev=$(git -C "$COMFY" rev-parse --short HEAD 2>/dev/null || cat "$COMFY/.revision" 2>/dev/null || echo unknown)
aimdo=$("$PY" -c 'import importlib.metadata as m; print(m.version("comfy-aimdo"))' 2>/dev/null ||
  "$PY" -c 'import comfy_aimdo; print("unknown version at", list(comfy_aimdo.__path__)[0])' 2>/dev/null || echo "not importable")
machine="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
echo "comfyui-check: ComfyUI $rev, comfy-aimdo $aimdo, $machine, $(date -u +%Y-%m-%d)" | tee "$OUT/machine.txt"
[ -f "$MODEL" ] || "$PY" "$RUN" --comfyui "$COMFY" --make-model "$MODEL"
cat "$MODEL" >/dev/null   # page cache warm for every run alike

# one RUN-NAME PATH ROUND native|gs [extra ComfyUI flags]
one() {
  name=$1 path=$2 round=$3 how=$4; shift 4
  case $path in
    legacy-full) set -- --disable-dynamic-vram --novram "$@"; v=0 ;;
    legacy-partial) set -- --disable-dynamic-vram "$@"; v=$VRAM ;;
    dynamic) v=$VRAM ;;
  esac
  stats=$OUT/stats-$round-$path-$name.json
  rm -f "$stats"
  case $how in
    native) pre= ;;
    *) pre="env XDG_CACHE_HOME=$OUT/cache-$round GPUSCATTER_STATS=$stats LD_PRELOAD=$LIB" ;;
  esac
  log=$OUT/log-$round-$path-$name.txt
  $pre "$PY" "$RUN" --comfyui "$COMFY" --model "$MODEL" --vram-gib "$v" --steps "$STEPS" \
    -- "$@" >"$OUT/result.json" 2>"$log" || {
    echo "  $path $name: FAILED (see $log)"; tail -5 "$log"; return 0; }
  line=$(tail -1 "$OUT/result.json")
  s=null
  [ -f "$stats" ] && s=$(cat "$stats")
  printf '{"round": %s, "path": "%s", "run": "%s", "comfyui": "%s", "aimdo": "%s", "result": %s, "gpuscatter": %s}\n' \
    "$round" "$path" "$name" "$rev" "$aimdo" "$line" "$s" >>"$R"
  echo "  $path $name: done"
}

for round in $(seq "$REPS"); do
  rm -rf "$OUT/cache-$round"
  echo "round $round"
  for path in $PATHS; do
    one native "$path" "$round" native
    one gpuscatter-1 "$path" "$round" gs
    [ "${QUICK:-0}" = 1 ] && [ "$path" != legacy-full ] && continue
    one gpuscatter-2 "$path" "$round" gs
    one no-pin "$path" "$round" native --disable-pinned-memory
    one no-pin-gpuscatter "$path" "$round" gs --disable-pinned-memory
  done
done
rm -f "$OUT/result.json"
"$PY" scripts/comfyui-summary.py "$R" | tee "$OUT/summary.md"
