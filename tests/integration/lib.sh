# Helpers for integration tests: sourced, never run.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/build
LIB=$B/libgpuscatter.so
WORK=$(mktemp -d /tmp/gpuscatter-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# Learned profiles go to the test's own cache, never the user's.
export XDG_CACHE_HOME=$WORK/cache

fail() { echo "FAIL: $*" >&2; exit 1; }

# same NAME CMD...: the command's stdout, stderr and exit status are the
# same natively and under gpuscatter.
same() {
  name=$1; shift
  set +e
  "$@" >"$WORK/native.out" 2>"$WORK/native.err"; n=$?
  LD_PRELOAD=$LIB${LD_PRELOAD:+:$LD_PRELOAD} "$@" >"$WORK/pre.out" 2>"$WORK/pre.err"; p=$?
  set -e
  [ "$n" = "$p" ] || { cat "$WORK/pre.err" >&2; fail "$name: exit $n natively, $p under gpuscatter"; }
  cmp -s "$WORK/native.out" "$WORK/pre.out" || {
    diff "$WORK/native.out" "$WORK/pre.out" | head -20 >&2; fail "$name: stdout differs"; }
  cmp -s "$WORK/native.err" "$WORK/pre.err" || {
    diff "$WORK/native.err" "$WORK/pre.err" | head -20 >&2; fail "$name: stderr differs"; }
  [ -s "$WORK/native.out" ] || fail "$name: printed nothing, so the comparison proves nothing"
  echo "ok: $name (exit $n, $(wc -c <"$WORK/native.out") bytes of output)"
}

# The interpreter itself, not a wrapper script (pyenv's shim runs helper
# processes of its own, each of which would load the library too).
PY=$(python3 -c 'import sys; print(sys.executable)')

# gpu_used NAME CMD...: under the library the command made GPU-bound
# allocations, so a comparison with it exercised the GPU arena.
gpu_used() {
  name=$1; shift
  GPUSCATTER_STATS=$WORK/gpu-%p.json LD_PRELOAD=$LIB${LD_PRELOAD:+:$LD_PRELOAD} "$@" >/dev/null 2>&1 || true
  n=$(cat "$WORK"/gpu-*.json | python3 -c 'import json, sys
print(sum(json.loads(l)["allocations"]["gpu"] for l in sys.stdin if l.strip()))')
  rm -f "$WORK"/gpu-*.json
  [ "$n" -gt 0 ] || fail "$name made no GPU-bound allocation: the comparison tests nothing of the arena"
  echo "ok: $name made $n GPU-bound allocations"
}
