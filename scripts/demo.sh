#!/bin/sh
# make demo: the registration workload users run, without and with
# gpuscatter, on the best backend this machine has.
#   cuda: an NVIDIA GPU and libcudart.so.13 (or .12); baseline: no library
#   sim:  anything else; baseline: the library with GPUSCATTER_ARENAS=off,
#         so both runs pay the same modeled driver cost per call
set -eu
cd "$(dirname "$0")/.."
LIB=$PWD/build/libgpuscatter.so
W=build/scatter
N=${DEMO_N:-4000}
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 &&
   ldconfig -p | grep -q 'libcudart.so.1[23]'; then
  backend=cuda; model=${DEMO_MODEL_GIB:-8}
  baseline() { "$@"; }
else
  backend=sim; model=${DEMO_MODEL_GIB:-2}
  export GPUSCATTER_BACKEND=sim
  baseline() { GPUSCATTER_ARENAS=off LD_PRELOAD=$LIB "$@"; }
fi
gpuscatter() { LD_PRELOAD=$LIB "$@"; }
# Buffers this small are GPU-bound by size only when the threshold says so
# (call-site classification makes it automatic); the scatter workload sets it.
small="env GPUSCATTER_MIN_SIZE=4K"

out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
run() { # NAME ARGS...
  name=$1; shift
  baseline $small $W "$@" >"$out/$name.base"
  gpuscatter $small $W "$@" >"$out/$name.gs"
}
echo "gpuscatter demo: backend $backend ($(uname -n), $(date -u +%Y-%m-%d))"
run scatter --n "$N"
run fixed --n "$N" --fixed 65536
run model --n 0 --model "$model"
python3 - "$out" "$backend" <<'PY'
import json, os, sys
out, backend = sys.argv[1], sys.argv[2]
print(f"{'workload':<34}{'app regs':>9}{'driver calls':>22}{'register time':>26}{'speedup':>9}")
print(f"{'':<34}{'':>9}{'baseline':>11}{'gpuscatter':>11}{'baseline':>13}{'gpuscatter':>13}")
for name, label in (("scatter", "scatter 4 KiB-16 MiB"), ("fixed", "scatter 64 KiB"),
                    ("model", "model weights")):
    b = json.loads(open(os.path.join(out, name + ".base")).read().splitlines()[-1])
    g = json.loads(open(os.path.join(out, name + ".gs")).read().splitlines()[-1])
    assert b["failures"] == 0 and g["failures"] == 0, (b, g)
    label = f"{label}, {g['bytes'] / 2**30:.1f} GiB"
    sp = b["register_s"] / g["register_s"] if g["register_s"] else float("inf")
    print(f"{label:<34}{g['registrations']:>9}{b['backend_calls']:>11}{g['backend_calls']:>11}"
          f"{b['register_s'] * 1e3:>10.1f} ms{g['register_s'] * 1e3:>10.1f} ms{sp:>8.1f}x")
print(f"backend: {backend}" + ("" if backend != "sim" else
      " (modeled cost: GPUSCATTER_SIM_CALL_US per call, GPUSCATTER_SIM_GIB_MS per GiB)"))
PY
