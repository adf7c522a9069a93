#!/bin/sh
# Programs linked to the real runtimes (Debian's libamdhip64; the CUDA
# toolkit's libcudart.so.13) bind their registration calls to gpuscatter,
# and pointers outside the window get the real library's answer unchanged.
. "$(dirname "$0")/lib.sh"
src=$ROOT/tests/programs/bindings.c
check() { # NAME SYMBOL PROGRAM
  name=$1 symbol=$2 prog=$3
  "$prog" >"$WORK/native" 2>&1 || fail "$name: native run failed: $(cat "$WORK/native")"
  LD_PRELOAD=$LIB "$prog" >"$WORK/pre" 2>&1 || fail "$name: run under gpuscatter failed: $(cat "$WORK/pre")"
  cmp -s "$WORK/native" "$WORK/pre" || fail "$name: $(cat "$WORK/native") natively, $(cat "$WORK/pre") under gpuscatter"
  LD_DEBUG=bindings LD_PRELOAD=$LIB "$prog" 2>&1 >/dev/null |
    grep "binding file $prog .* to $LIB .*symbol \`$symbol'" >/dev/null ||
    fail "$name: $symbol is not bound to gpuscatter"
  echo "ok: $name: $symbol bound to gpuscatter; real answer kept: $(cat "$WORK/pre")"
}
cc -O2 -DHIP -o "$WORK/hip" "$src" -lamdhip64 || fail "cannot link against libamdhip64 (libamdhip64-dev)"
check "libamdhip64" hipHostRegister "$WORK/hip"
CUDA=${CUDA_HOME:-/usr/local/cuda}
if [ -f "$CUDA/lib64/libcudart.so" ]; then
  cc -O2 -o "$WORK/cuda" "$src" -L"$CUDA/lib64" -lcudart -Wl,-rpath,"$CUDA/lib64"
  check "libcudart" cudaHostRegister "$WORK/cuda"
else
  echo "SKIP: libcudart part: no CUDA toolkit at $CUDA (set CUDA_HOME)"
fi

# The hip backend over the real libamdhip64 (no AMD GPU here): the unit's
# registration fails cleanly, with one warning, and the application's call
# inside the window passes through and gets HIP's own error.
cc -O2 -o "$WORK/hipwin" "$ROOT/tests/programs/hip_window.c" -lamdhip64
"$WORK/hipwin" >"$WORK/native" 2>&1 || fail "hip window: native run failed: $(cat "$WORK/native")"
GPUSCATTER_MIN_SIZE=1M GPUSCATTER_BIND=lazy GPUSCATTER_STATS="$WORK/hip.json" LD_PRELOAD=$LIB \
  "$WORK/hipwin" >"$WORK/pre" 2>"$WORK/err" || fail "hip window under gpuscatter: $(cat "$WORK/err")"
cmp -s "$WORK/native" "$WORK/pre" || fail "hip window: $(cat "$WORK/native") natively, $(cat "$WORK/pre") under gpuscatter"
[ "$(grep -c 'gpuscatter: hip backend could not register' "$WORK/err")" = 1 ] ||
  fail "hip window: want one warning: $(cat "$WORK/err")"
python3 - "$WORK/hip.json" <<'PY' || fail "hip window: stats do not show a failed hip unit and a window allocation"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["backend"] == "hip" and s["backend_calls"]["failed"] >= 1, s
assert s["allocations"]["gpu"] >= 1, s["allocations"]
PY
echo "ok: hip backend on the real libamdhip64 without a GPU: unit refused once, app gets HIP's answer: $(cat "$WORK/pre")"
