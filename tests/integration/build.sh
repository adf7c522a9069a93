#!/bin/sh
# What a newcomer's commands do to the machine: plain `make` never installs
# or escalates (it names what is missing), and `make demo` learns into a
# cache of its own, never the user's.
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/bin" "$WORK/src" "$WORK/home"
for t in sudo apt-get apt dpkg; do
  printf '#!/bin/sh\necho "$0 $*" >>%s/escalated\nexit 1\n' "$WORK" >"$WORK/bin/$t"
  chmod +x "$WORK/bin/$t"
done
tar -C "$ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$WORK/src" -xf -
PATH=$WORK/bin:$PATH make -n -C "$WORK/src" all >"$WORK/dry"
grep -q 'install-deps.sh check' "$WORK/dry" || fail "plain make does not check its dependencies"
grep -E 'install-deps.sh (build|test)|apt-get|sudo' "$WORK/dry" && fail "plain make would install"
set +e
PATH=$WORK/bin:$PATH make -C "$WORK/src" all CC=gpuscatter-no-such-cc >"$WORK/out" 2>&1; rc=$?
set -e
[ $rc -ne 0 ] || fail "make without a compiler succeeded"
grep -q 'missing build dependencies: a C compiler (gpuscatter-no-such-cc)' "$WORK/out" ||
  fail "make without a compiler: $(cat "$WORK/out")"
[ ! -e "$WORK/escalated" ] || fail "plain make ran: $(cat "$WORK/escalated")"
echo "ok: plain make checks its dependencies, names what is missing, never installs or escalates"

# The demo, briefly: the user's cache stays as it was.
env -u XDG_CACHE_HOME HOME="$WORK/home" REPS=1 DEMO_N=100 DEMO_MODEL_GIB=0.05 "$ROOT/scripts/demo.sh" \
  >"$WORK/demo" 2>&1 || fail "demo: $(tail -5 "$WORK/demo")"
grep -q 'model weights' "$WORK/demo" || fail "demo printed no table: $(tail -5 "$WORK/demo")"
[ ! -e "$WORK/home/.cache" ] || fail "the demo wrote into the user's cache: $(find "$WORK/home/.cache")"
echo "ok: make demo leaves the user's cache alone"
