#!/bin/sh
# GPUSCATTER_STATS: JSON at exit, to stderr or a file written atomically
# (0600); a FIFO or character device written in place, never replaced; a
# symlink, directory or socket refused with one warning; %p; forked
# children do not overwrite.
. "$(dirname "$0")/lib.sh"
check_json() {
  python3 - "$1" <<'PY' || fail "bad stats JSON in $1"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("version", "backend", "window", "chunks", "allocations", "registrations", "backend_calls", "budget"):
    assert k in d, k
assert d["budget"]["max_pinned"] > 0
PY
}
# On stderr only from a process that did something (report.sh checks that
# idle ones stay quiet): one that registers.
GPUSCATTER_BACKEND=sim GPUSCATTER_STATS=stderr LD_PRELOAD=$LIB "$B/scatter" --n 10 >/dev/null 2>"$WORK/err"
check_json "$WORK/err"
# Binding faulted pages in before registering them, and says how long it waited.
python3 - "$WORK/err" <<'PY' || fail "populate_wait_seconds: $(cat "$WORK/err")"
import json, sys
b = json.load(open(sys.argv[1]))["backend_calls"]
assert b["register"] > 0 and 0 < b["populate_wait_seconds"] < 60, b
PY
GPUSCATTER_STATS=$WORK/s.json LD_PRELOAD=$LIB /bin/true
check_json "$WORK/s.json"
[ "$(stat -c %a "$WORK/s.json")" = 600 ] || fail "mode $(stat -c %a "$WORK/s.json")"
# A symlink planted at the path is refused: link and target left as they are.
echo precious >"$WORK/target"; ln -s "$WORK/target" "$WORK/link.json"
GPUSCATTER_STATS=$WORK/link.json LD_PRELOAD=$LIB /bin/true 2>"$WORK/err"
[ "$(cat "$WORK/target")" = precious ] && [ -L "$WORK/link.json" ] || fail "a symlink was followed or replaced"
grep -q "cannot write statistics to .*link.json: a symbolic link" "$WORK/err" || fail "symlink: $(cat "$WORK/err")"
# A directory: refused.
mkdir "$WORK/dir.json"
GPUSCATTER_STATS=$WORK/dir.json LD_PRELOAD=$LIB /bin/true 2>"$WORK/err"
[ -d "$WORK/dir.json" ] && [ "$(grep -c 'gpuscatter:' "$WORK/err")" = 1 ] || fail "directory: $(cat "$WORK/err")"
# A FIFO with a reader gets the report, and stays a FIFO.
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/from-fifo" &
GPUSCATTER_STATS=$WORK/fifo LD_PRELOAD=$LIB /bin/true
wait
[ -p "$WORK/fifo" ] || fail "the FIFO was replaced"
check_json "$WORK/from-fifo"
# /dev/stdout names the descriptor.
GPUSCATTER_STATS=/dev/stdout LD_PRELOAD=$LIB /bin/true >"$WORK/stdout.json"
check_json "$WORK/stdout.json"
# A character device (a private /dev/full): written in place, never replaced.
if [ "$(id -u)" = 0 ] && mknod "$WORK/full" c 1 7 2>/dev/null; then
  GPUSCATTER_STATS=$WORK/full LD_PRELOAD=$LIB /bin/true 2>"$WORK/err"
  [ -c "$WORK/full" ] || fail "a character device was replaced"
  grep -q "cannot write statistics to .*full: No space left on device" "$WORK/err" || fail "/dev/full: $(cat "$WORK/err")"
  echo "ok: a /dev/full-like device is written in place (ENOSPC, one warning), not replaced"
else
  echo "NOT RUN: the character-device case (needs root to mknod a private /dev/full)"
fi
# %p gives each process its own file; without it a forked child leaves the
# parent's report alone.
GPUSCATTER_STATS=$WORK/p-%p.json LD_PRELOAD=$LIB "$PY" -c 'import os; print(os.getpid())' >"$WORK/pid"
check_json "$WORK/p-$(cat "$WORK/pid").json"
out=$(GPUSCATTER_STATS=$WORK/f.json LD_PRELOAD=$LIB "$PY" -c '
import os, sys
pid = os.fork()
if pid == 0:
    sys.exit(0)     # the child runs exit handlers, ours included
os.waitpid(pid, 0)
print(os.path.exists(sys.argv[1]))
' "$WORK/f.json")
[ "$out" = False ] || fail "a forked child wrote the parent's stats file"
check_json "$WORK/f.json"
ls "$WORK" | grep -q '\.tmp$' && fail "temporary file left behind"
# Unwritable place: one warning, the program's status untouched.
set +e; GPUSCATTER_STATS=/nonexistent-dir/s.json LD_PRELOAD=$LIB "$PY" -c 'import sys; sys.exit(3)' 2>"$WORK/err"; rc=$?; set -e
[ $rc = 3 ] || fail "status $rc"
[ "$(grep -c 'gpuscatter: cannot write statistics' "$WORK/err")" = 1 ] || fail "warning: $(cat "$WORK/err")"
echo "ok: stats"
