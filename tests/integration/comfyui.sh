#!/bin/sh
# scripts/comfyui-check.sh without a GPU: what it says without a ComfyUI
# path, the runs it makes (which under gpuscatter, with which cache, in
# which order), and the summary's medians and output check. The runner is a
# stand-in that records what it was given; the real one needs ComfyUI, a
# GPU and PyTorch (its --help must still work without them).
. "$(dirname "$0")/lib.sh"
C=$ROOT/scripts/comfyui-check.sh

set +e
"$C" >"$WORK/out" 2>"$WORK/err"; rc=$?
"$C" "$WORK/nowhere" >/dev/null 2>&1; rc2=$?
set -e
[ "$rc" = 2 ] && [ "$rc2" = 2 ] || fail "without a ComfyUI path: exit $rc and $rc2, not 2"
grep -q 'COMFYUI_DIR: a ComfyUI checkout' "$WORK/err" || fail "no explanation: $(cat "$WORK/err")"
python3 "$ROOT/scripts/comfyui-check-run.py" --help | grep -q -- '--vram-gib' ||
  fail "the runner's --help needs more than Python"
echo "ok: without a ComfyUI path the check says what to pass (exit 2)"

mkdir -p "$WORK/comfy/comfy"
: >"$WORK/comfy/comfy/model_management.py"
echo 0123abcd >"$WORK/comfy/.revision"
cat >"$WORK/runner.py" <<'PY'
import json, os, sys
a = sys.argv[1:]
if "--make-model" in a:
    open(a[a.index("--make-model") + 1], "w").write("model")
    sys.exit(0)
flags = a[a.index("--") + 1:]
pre = os.environ.get("LD_PRELOAD", "")
if os.environ.get("FAIL_GS") and pre:
    sys.exit(1)
with open(os.environ["TRACE"], "a") as f:
    gs = "libgpuscatter" in pre
    f.write(" ".join(["gs" if gs else "native", os.environ["XDG_CACHE_HOME"] if gs else "-",
                      "vram=" + a[a.index("--vram-gib") + 1]] + flags) + "\n")
t = 0.5 if pre else 1.0
print("noise before the result")
print(json.dumps({"dynamic_vram": not flags or "--disable-dynamic-vram" not in flags,
                  "checkpoint_load_s": t, "load_models_gpu_s": t, "step_s": [t, t],
                  "unload_s": t, "finite": True, "checksum": "same" if "--novram" in flags or not pre else "other",
                  "pins": {"cudaHostRegister": {"calls": 10, "s": t / 10}}, "vmhwm_mib": 100}))
PY
O=$WORK/res
TRACE=$WORK/trace COMFYUI_CHECK_RUN=$WORK/runner.py REPS=2 QUICK=1 VRAM_GIB=3 \
  "$C" "$WORK/comfy" "$O" >"$WORK/log" 2>&1 || { cat "$WORK/log" >&2; fail "the check failed"; }
[ "$(wc -l <"$O/runs.jsonl")" = 18 ] || fail "QUICK=1, 2 rounds: $(wc -l <"$O/runs.jsonl") runs, not 18"
sed "s|$O|OUT|" "$WORK/trace" | head -9 >"$WORK/round1"
cat >"$WORK/want" <<W
native - vram=0 --disable-dynamic-vram --novram
gs OUT/cache-1 vram=0 --disable-dynamic-vram --novram
gs OUT/cache-1 vram=0 --disable-dynamic-vram --novram
native - vram=0 --disable-dynamic-vram --novram --disable-pinned-memory
gs OUT/cache-1 vram=0 --disable-dynamic-vram --novram --disable-pinned-memory
native - vram=3 --disable-dynamic-vram
gs OUT/cache-1 vram=3 --disable-dynamic-vram
native - vram=3
gs OUT/cache-1 vram=3
W
diff "$WORK/want" "$WORK/round1" >&2 || fail "round 1 ran other runs than the ones above"
grep -q "cache-2" "$WORK/trace" || fail "round 2 shares round 1's cache"
grep -q 'ComfyUI 0123abcd' "$O/machine.txt" || fail "the revision is not recorded"
# The library's own statistics (this runner registers nothing: 0 of 0).
[ "$(grep -c '"gpuscatter": {"version": "[0-9.]*", "pid": [0-9]*, "program": "python3' "$O/runs.jsonl")" = 10 ] ||
  fail "statistics not kept with each run under gpuscatter"
S=$O/summary.md
grep -q '| legacy-full | gpuscatter-2 | 2 | 1.00 | 10 | 0.050 |.*| 0/0, 0/0 | 0 | same |' "$S" ||
  fail "legacy-full summary: $(grep 'legacy-full | gpuscatter-2' "$S")"
grep -q '| legacy-partial | gpuscatter-1 | .*| DIFFERENT |' "$S" || fail "a different output is not flagged"
grep -q '| dynamic (DynamicVRAM) | native | 2 | 2.00 |' "$S" || fail "dynamic native: $(grep 'dynamic' "$S")"
echo "ok: the check runs every path natively, under gpuscatter with a cache per round, and without pinning; the summary flags a changed output"

# A run that fails is named and left out; the others go on.
FAIL_GS=1 COMFYUI_CHECK_RUN=$WORK/runner.py TRACE=$WORK/trace2 REPS=1 PATHS=legacy-full \
  "$C" "$WORK/comfy" "$WORK/out2" >"$WORK/log2" 2>&1 || { cat "$WORK/log2" >&2; fail "the check stopped at a failing run"; }
[ "$(grep -c 'FAILED' "$WORK/log2")" = 3 ] || fail "failed runs not named: $(cat "$WORK/log2")"
[ "$(wc -l <"$WORK/out2/runs.jsonl")" = 2 ] || fail "failed runs recorded as results"
echo "ok: a failing run is named, left out of the results, and the check goes on"
