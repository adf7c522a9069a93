#!/bin/sh
# The amdgpu backend over the fake render node (tests/fakedrm), with the
# real libdrm_amdgpu in between: coalesced userptr objects, DELAY_UPDATE on
# all maps of a batch but the last, registrations answered without ioctls,
# everything released at trim and exit, one warning per injected failure,
# nothing from a forked child. First, that the fake refuses what the
# kernel refuses.
. "$(dirname "$0")/lib.sh"
FAKE=$B/tests/fakedrm.so
NODE=/dev/dri/renderD128
"$B/tests/drm_rules" "$NODE" >/dev/null 2>&1 && fail "drm_rules must fail without the fake node"
FAKEDRM_LOG=$WORK/rules.log LD_PRELOAD=$FAKE "$B/tests/drm_rules" "$NODE" >"$WORK/rules.out" ||
  fail "the fake node does not enforce the kernel's rules: $(tail -3 "$WORK/rules.out")"
grep -q "op=violation closing mapped handle" "$WORK/rules.log" || fail "closing a mapped handle is not reported"
echo "ok: fake node: $(grep -c '^ok' "$WORK/rules.out") kernel rules enforced"

export GPUSCATTER_BACKEND=amdgpu GPUSCATTER_AMDGPU_DEVICE=$NODE GPUSCATTER_MIN_SIZE=1M \
  GPUSCATTER_CHUNK_SIZE=4M GPUSCATTER_BIND=lazy GPUSCATTER_BIND_MAX=8M
L=$WORK/drm.log
# run MODE [VAR=VALUE...]: amdgpu_check under the library and the fake node.
run() {
  mode=$1; shift
  rm -f "$L"
  env "$@" FAKEDRM_LOG="$L" LD_PRELOAD="$LIB $FAKE" "$B/tests/amdgpu_check" "$mode" 8 \
    >"$WORK/out" 2>"$WORK/err" || fail "amdgpu_check $mode $*: $(cat "$WORK/err")"
}
count() { grep -c "$1" "$L" || true; }
# Ioctls between two phase marks.
between() {
  awk -v a="phase=$1" -v b="phase=$2" '$0 ~ a { on = 1; next } $0 ~ b { on = 0 } on && !/op=mark/' "$L"
}
# Every object created was closed, every mapping unmapped, nothing left at exit.
balanced() {
  made=$(grep "op=userptr" "$L" | grep -c "rc=0$" || true)
  closed=$(grep "op=close" "$L" | grep -c "rc=0$" || true)
  maps=$(grep "op=map" "$L" | grep -c "rc=0$" || true)
  unmaps=$(grep "op=unmap" "$L" | grep -c "rc=0$" || true)
  [ "$made" = "$closed" ] || fail "$1: $made objects created, $closed closed"
  [ "$maps" = "$unmaps" ] || fail "$1: $maps maps, $unmaps unmaps"
  [ "$(count op=violation)" = 0 ] || fail "$1: $(grep op=violation "$L")"
  grep -q "op=release file=0 handles=0 mappings=0" "$L" || fail "$1: device file not released clean"
}

run bind GPUSCATTER_STATS="$WORK/stats.json"
batch=$(between allocated first-registered) # gpuscatter_flush() binds everything
n=$(echo "$batch" | grep -c "op=userptr.*rc=0$")
total=$(echo "$batch" | sed -n 's/.*op=userptr.* size=\(0x[0-9a-f]*\) .*/\1/p' |
  while read -r s; do echo $((s)); done | awk '{ t += $1 } END { print t }')
committed=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["chunks"]["bytes"])' "$WORK/stats.json")
[ "$total" = "$committed" ] || fail "$total bytes bound, $committed committed"
# Chunks grow to hold whole allocations (6 MiB here): adjacent ones are
# coalesced while the run stays within BIND_MAX.
least=$(( (total + 8388607) / 8388608 ))
[ "$n" -ge "$least" ] && [ "$n" -le $(( 2 * least )) ] ||
  fail "adjacent chunks not coalesced: $n objects for $total bytes (BIND_MAX 8M)"
echo "$batch" | sed -n 's/.*op=userptr.* size=\(0x[0-9a-f]*\) .*/\1/p' | while read -r s; do
  [ $((s)) -le 8388608 ] || fail "an object exceeds GPUSCATTER_BIND_MAX: $s"; done
delays=$(echo "$batch" | grep "op=map" | sed 's/.*delay=\([01]\).*/\1/' | tr -d '\n')
want=$(printf '%*s' $((n - 1)) '' | tr ' ' 1)0
[ "$delays" = "$want" ] || fail "DELAY_UPDATE pattern $delays, want $want"
echo "$batch" | grep "op=userptr" | grep -q "flags=0xe " ||
  fail "userptr flags are not ANONONLY|REGISTER|VALIDATE"
[ -z "$(between first-registered registered)" ] ||
  fail "registrations inside bound units made ioctls: $(between first-registered registered)"
grep -q "hits 8/8" "$WORK/out" || fail "not every registration answered: $(cat "$WORK/out")"
balanced bind
echo "ok: $n objects for $total bytes, delay pattern $delays, 7 registrations without an ioctl, exit released all"

# async: with a bind thread; each batch still ends with a map that updates.
run bind GPUSCATTER_BIND=async
grep -q "hits 8/8" "$WORK/out" || fail "async: not every registration answered: $(cat "$WORK/out")"
[ "$(grep 'op=map' "$L" | tail -1 | sed 's/.*delay=\([01]\).*/\1/')" = 0 ] ||
  fail "async: the last map of the last batch was delayed"
balanced async
echo "ok: async binding: $(grep -c 'op=userptr.*rc=0$' "$L") objects, every registration answered, released at exit"

run trim
between unregistered trimmed | grep -q "op=unmap" || fail "gpuscatter_trim() released nothing"
[ "$(between trimmed end | grep -c 'op=')" = 0 ] || fail "ioctls after trim"
balanced trim
echo "ok: trim unmapped and closed $(between unregistered trimmed | grep -c 'op=close') objects"

run fork
[ "$(grep -v "pid=$(sed -n '1s/pid=\([0-9]*\).*/\1/p' "$L") " "$L" | grep -vc 'op=exit')" = 0 ] ||
  fail "a forked child touched the parent's device: $(cat "$L")"
balanced fork
echo "ok: fork: the child made no ioctl, the parent bound again after it"

run shared
[ "$(grep -c 'op=info file=1' "$L")" = 0 ] || fail "a second device was initialised"
[ "$(grep -c 'op=userptr file=0' "$L")" -ge 2 ] || fail "objects not created in the application's device file"
echo "ok: the application's own device handle is reused (one VM)"

# One injected failure per ioctl kind: the program's registrations fall back
# and its data survive, the log balances, at most one warning.
for f in version:1 info:2 userptr:2:EFAULT userptr:1:EPERM map:2 map:4 unmap:1 close:1; do
  run fault FAKEDRM_FAIL=$f
  w=$(grep -c "gpuscatter:" "$WORK/err" || true)
  case $f in
    close:*) [ "$w" = 0 ] || fail "$f: $(cat "$WORK/err")" # libdrm drops GEM_CLOSE's result
      grep -q "op=release file=0 handles=1 mappings=0" "$L" || fail "$f: the failed close is not released with the file"
      echo "ok: $f: libdrm ignores the result; the kernel frees it with the file (invisible to us)"; continue ;;
    *) [ "$w" = 1 ] || fail "$f: $w warnings: $(cat "$WORK/err")" ;;
  esac
  case $f in version:*|info:*|userptr:*|map:*) grep -q "registrations pass through\|pass through to the runtime" "$WORK/err" ||
    fail "$f: warning does not say what happens: $(cat "$WORK/err")" ;; esac
  case $f in userptr:2:EFAULT) grep -q "EFAULT" "$WORK/err" || fail "$f: errno not named" ;; esac
  if grep -q "op=userptr" "$L"; then balanced "$f"; fi
  echo "ok: $f: $(sed -n 's/hits/hits/p' "$WORK/out"); $(sed 's/gpuscatter: //' "$WORK/err")"
done

# No such node / no amdgpu node: one warning, registrations pass through.
unset GPUSCATTER_AMDGPU_DEVICE
rm -f "$L"
FAKEDRM_NODE=/nonexistent LD_PRELOAD="$LIB $FAKE" FAKEDRM_LOG="$L" "$B/tests/amdgpu_check" fallback 4 \
  >"$WORK/out" 2>"$WORK/err" || fail "no node: $(cat "$WORK/err")"
[ "$(grep -c 'gpuscatter:' "$WORK/err")" = 1 ] || fail "no node: $(cat "$WORK/err")"
echo "ok: without a node: $(sed 's/gpuscatter: //' "$WORK/err")"
GPUSCATTER_AMDGPU_DEVICE=/dev/null LD_PRELOAD="$LIB" "$B/tests/amdgpu_check" fallback 4 \
  >"$WORK/out" 2>"$WORK/err" || fail "/dev/null: $(cat "$WORK/err")"
grep -q "not an amdgpu 3.x render node" "$WORK/err" || fail "a non-DRM device is not refused: $(cat "$WORK/err")"
echo "ok: a non-amdgpu device is refused before libdrm sees it"
# A process that never chooses the backend never loads libdrm_amdgpu.
grep -q "libdrm_amdgpu loaded: yes" "$WORK/out" || fail "the amdgpu backend did not load libdrm_amdgpu"
GPUSCATTER_BACKEND=hip LD_PRELOAD="$LIB" "$B/tests/amdgpu_check" fallback 4 >"$WORK/out" 2>&1 ||
  fail "hip: $(cat "$WORK/out")"
grep -q "libdrm_amdgpu loaded: no" "$WORK/out" || fail "libdrm_amdgpu loaded without the amdgpu backend"
echo "ok: libdrm_amdgpu is loaded only by the amdgpu backend"
