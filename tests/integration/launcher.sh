#!/bin/sh
# The launcher: exit status, LD_PRELOAD kept, flags become variables,
# env/--help/--version, bad usage.
. "$(dirname "$0")/lib.sh"
G=$B/gpuscatter
set +e; "$G" -- sh -c 'exit 7'; rc=$?; set -e
[ $rc = 7 ] || fail "exit status $rc, wanted 7"
out=$(LD_PRELOAD=/nonexistent-but-kept.so "$G" sh -c 'echo "$LD_PRELOAD"' 2>/dev/null)
[ "$out" = "$LIB:/nonexistent-but-kept.so" ] || fail "LD_PRELOAD is '$out'"
out=$("$G" --backend sim --min-size=1M --chunk-size 128M -- sh -c 'echo $GPUSCATTER_BACKEND $GPUSCATTER_MIN_SIZE $GPUSCATTER_CHUNK_SIZE')
[ "$out" = "sim 1M 128M" ] || fail "flags gave '$out'"
out=$("$G" --stats - sh -c 'echo $GPUSCATTER_STATS')
[ "$out" = "stderr" ] || fail "--stats - gave '$out'"
"$G" --version | grep -qx 'gpuscatter [0-9]*\.[0-9]*\.[0-9]*' || fail "--version"
"$G" --help | grep -q 'usage: gpuscatter' || fail "--help"
"$G" env >"$WORK/env"
for v in $("$B/gpuscatter-env" --names); do grep -q "^$v " "$WORK/env" || fail "env lacks $v"; done
GPUSCATTER_CHUNK_SIZE=12Q "$G" env 2>"$WORK/err" | grep -q '^GPUSCATTER_CHUNK_SIZE .*current 64M' \
  || fail "env shows the wrong current value"
grep -qx "gpuscatter: GPUSCATTER_CHUNK_SIZE='12Q' is not a size (e.g. 64M); using 64M" "$WORK/err" \
  || fail "env does not warn: $(cat "$WORK/err")"
"$G" --min-size 2M env | grep -q '^GPUSCATTER_MIN_SIZE .*current 2M .*(set)' || fail "env with a flag"
set +e
"$G" --no-such-flag x true 2>"$WORK/err"; rc1=$?
"$G" 2>/dev/null; rc2=$?
"$G" --backend 2>/dev/null; rc3=$?
"$G" -- /nonexistent/program 2>/dev/null; rc4=$?
set -e
[ $rc1 = 2 ] && grep -q 'unknown option --no-such-flag' "$WORK/err" || fail "unknown option: $rc1"
[ $rc2 = 2 ] || fail "no command: $rc2"
[ $rc3 = 2 ] || fail "flag without value: $rc3"
[ $rc4 = 127 ] || fail "missing program: $rc4"
# Bad usage: exit 2, what was wrong and a usage line, never a shell error.
for args in "-v" "--" "-x true" "--frobnicate true" ""; do
  set +e
  # shellcheck disable=SC2086
  "$G" $args 2>"$WORK/err" >/dev/null; rc=$?
  set -e
  [ $rc = 2 ] || fail "gpuscatter $args: exit $rc"
  grep -q '^usage: gpuscatter' "$WORK/err" || fail "gpuscatter $args: no usage line: $(cat "$WORK/err")"
  grep -q 'line [0-9]\|not found' "$WORK/err" && fail "gpuscatter $args: a shell error: $(cat "$WORK/err")"
done
echo "ok: bad usage (-v, --, -x, an unknown flag, nothing) exits 2 with a usage line"
# A symlink to the launcher still finds the library.
ln -s "$G" "$WORK/gs"
[ "$("$WORK/gs" sh -c 'echo $LD_PRELOAD')" = "$LIB" ] || fail "launcher via symlink"
echo "ok: launcher"
