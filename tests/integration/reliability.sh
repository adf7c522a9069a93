#!/bin/sh
# Races, hangs and limits (sim backend): trim and automatic unbinding
# against registrations, the newest chunk bound twice, thread
# cancellation, fork while every module's lock is held, the dynamic
# loader's lock (dlopen constructors, fork during dlopen), a range passed
# through to the runtime, a forked child of the simulated runtime; the
# window and budget sized from RLIMIT_AS and the memory cgroup; messages
# for odd settings. Longer runs: make soak (RACE_SECONDS).
. "$(dirname "$0")/lib.sh"
R=$B/tests/races
S=${RACE_SECONDS:-2}
export GPUSCATTER_BACKEND=sim GPUSCATTER_SIM_CALL_US=0 GPUSCATTER_SIM_GIB_MS=0 GPUSCATTER_SIM_HUGE_GIB_MS=0
pre() { LD_PRELOAD=$LIB "$@"; }

pre "$R" trim "$S" || fail "trim against registrations"
pre "$R" newest "$S" || fail "registrations in the newest chunk"
GPUSCATTER_BIND=lazy GPUSCATTER_SIM_GIB_MS=20000 GPUSCATTER_SIM_HUGE_GIB_MS=20000 pre "$R" cancel ||
  fail "cancellation"
GPUSCATTER_SITES=races GPUSCATTER_MIN_SIZE=128K pre "$R" forks "${FORKS:-100}" || fail "fork with locks held"
GPUSCATTER_CHUNK_SIZE=4M pre "$R" passed || fail "a range passed through"
# Nothing on the allocation path waits for the dynamic loader: a
# constructor (dlopen holds the loader's lock) waits for a thread that
# places memory, and children forked while threads are inside dlopen and
# walking the stack all finish.
pre "$R" loader "$B/tests/libctorwait.so" "$B/tests/libsiterule.so" "${FORKS:-100}" ||
  fail "the dynamic loader's lock"
pre "$R" unbind "$((S + 2))" || fail "automatic unbinding against registrations"
GPUSCATTER_STATS=$WORK/p.json pre "$R" pinned "$S" || fail "pinned allocations"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["pinned_alloc"]; assert d["served"] > 100, d' "$WORK/p.json" ||
  fail "pinned allocations were not served from bound memory: $(cat "$WORK/p.json")"

# A forked child of the simulated runtime starts with a driver that holds
# nothing, as a real runtime's child does: its registrations succeed.
out=$(pre "$PY" -c '
import ctypes, os
lib = ctypes.CDLL(None)
reg, unreg = lib.cudaHostRegister, lib.cudaHostUnregister
reg.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint]
unreg.argtypes = [ctypes.c_void_p]
buf = ctypes.create_string_buffer(8 << 20)
assert reg(ctypes.addressof(buf), 8 << 20, 0) == 0
pid = os.fork()
if pid == 0:
    mine = ctypes.create_string_buffer(8 << 20)
    rc = reg(ctypes.addressof(mine), 8 << 20, 0)
    rc2 = reg(ctypes.addressof(buf), 8 << 20, 0)   # the parent registered it, not the child
    os._exit(0 if rc == 0 and rc2 == 0 else 1)
_, st = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(st))
')
[ "$out" = "child 0" ] || fail "a forked child's registrations: $out"
echo "ok: a forked child of the simulated runtime registers its own memory and its parent's"

# Settings that once gave misleading messages: none now, and work done.
for v in "GPUSCATTER_MAX_PINNED=0" "GPUSCATTER_WINDOW=1G GPUSCATTER_CHUNK_SIZE=64G"; do
  env $v LD_PRELOAD=$LIB "$R" passed >/dev/null 2>"$WORK/err" || true
  [ ! -s "$WORK/err" ] || fail "$v: $(cat "$WORK/err")"
done
GPUSCATTER_MAX_PINNED=0 GPUSCATTER_STATS=$WORK/z.json pre "$B/tests/noharm" freed 0.1 reg >/dev/null ||
  fail "GPUSCATTER_MAX_PINNED=0: registrations must pass through and succeed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["chunks"]["bound"] == 0 and d["budget"]["refused"] > 0, d' \
  "$WORK/z.json" || fail "MAX_PINNED=0 bound something"
echo "ok: GPUSCATTER_MAX_PINNED=0 binds nothing (registrations go to the runtime); WINDOW=1G with CHUNK_SIZE=64G works; no message"

# RLIMIT_AS: the window takes a sixteenth of it, so ordinary allocations
# keep nearly what they have without the library (jemalloc's own overhead
# is the baseline: this library forwards to jemalloc).
reach='
n = 0
keep = []
try:
    while True:
        keep.append(bytes(50 << 20)); n += 50
except MemoryError:
    print(n)'
je=$( (ulimit -v 4194304; LD_PRELOAD=$(ldconfig -p | sed -n 's/.*libjemalloc.so.2 .*=> //p' | head -1) "$PY" -c "$reach") )
gs=$( (ulimit -v 4194304; GPUSCATTER_BACKEND=auto LD_PRELOAD=$LIB "$PY" -c "$reach") )
[ "$gs" -ge $((je - 300)) ] || fail "under RLIMIT_AS 4 GiB: $gs MiB under gpuscatter, $je MiB under jemalloc alone"
echo "ok: RLIMIT_AS 4 GiB: ordinary allocations reach $gs MiB under gpuscatter, $je MiB under jemalloc alone"

# A memory cgroup: the budget is half its limit, and memory registered,
# unregistered and freed goes back before the program allocates as much
# again (once, it stayed pinned and the program was OOM-killed).
CG=$(sed -n 's/^[0-9]*:memory:\(.*\)/\1/p' /proc/self/cgroup)
D=/sys/fs/cgroup/memory$CG/gpuscatter-test-$$
if [ "$(id -u)" = 0 ] && mkdir "$D" 2>/dev/null; then
  echo $((1 << 30)) >"$D/memory.limit_in_bytes"
  set +e
  sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$D" env GPUSCATTER_STATS="$WORK/cg.json" \
    LD_PRELOAD="$LIB" "$B/tests/noharm" pressure 600 >"$WORK/out" 2>&1
  rc=$?
  set -e
  rmdir "$D"
  [ $rc = 0 ] || fail "in a 1 GiB cgroup (status $rc): $(cat "$WORK/out")"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["budget"]["max_pinned"] == 1 << 29, d["budget"]' \
    "$WORK/cg.json" || fail "the budget is not half the cgroup's limit: $(cat "$WORK/cg.json")"
  echo "ok: 1 GiB memory cgroup: budget 512 MiB; $(cat "$WORK/out")"
else
  echo "NOT RUN: the memory-cgroup case (needs root and a writable cgroup v1 memory controller)"
fi
