#!/bin/sh
# GPU arenas seen from real programs: placement, resident overhead,
# alignment, realloc across the threshold, calloc, budget and window
# fallbacks, fork, the stats JSON.
. "$(dirname "$0")/lib.sh"
A=$B/tests/arena_check
export GPUSCATTER_CHUNK_SIZE=64M GPUSCATTER_MIN_SIZE=64K
# With the default settings: no backend is live here, so chunks stay on
# small pages and jemalloc's size-class slack never becomes resident.
GPUSCATTER_STATS=$WORK/s.json LD_PRELOAD=$LIB "$A" place
LD_PRELOAD=$LIB "$A" align
LD_PRELOAD=$LIB "$A" realloc
LD_PRELOAD=$LIB "$A" calloc
LD_PRELOAD=$LIB "$A" fork
GPUSCATTER_MAX_PINNED=512M LD_PRELOAD=$LIB "$A" budget
GPUSCATTER_WINDOW=1G GPUSCATTER_MAX_PINNED=100% LD_PRELOAD=$LIB "$A" exhaust
# The JSON at exit of the placement run, parsed back.
python3 - "$WORK/s.json" <<'PY' || fail "stats JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["window"]["size"] == 1 << 40 and d["window"]["base"] % (2 << 20) == 0, d["window"]
assert d["allocations"]["gpu"] >= 4000 and d["allocations"]["gpu_bytes"] > 4000 * 65536, d
assert d["chunks"]["count"] > 0 and d["chunks"]["bytes"] >= d["chunks"]["count"] * (2 << 20), d
assert d["allocations"]["ordinary_fallback"] == 0 and d["budget"]["refused"] == 0, d
print("stats: window %#x + %d, %d chunks, %d GPU allocations" % (d["window"]["base"],
      d["window"]["size"], d["chunks"]["count"], d["allocations"]["gpu"]))
PY
unset GPUSCATTER_CHUNK_SIZE GPUSCATTER_MIN_SIZE
# A process with no GPU-bound allocation reserves nothing.
GPUSCATTER_STATS=$WORK/n.json LD_PRELOAD=$LIB /bin/true
grep -q '"window": {"base": 0, "size": 0' "$WORK/n.json" || fail "window reserved without need: $(cat "$WORK/n.json")"
# GPUSCATTER_BACKEND=off: a plain forwarder, no window at all.
GPUSCATTER_BACKEND=off GPUSCATTER_STATS=$WORK/o.json LD_PRELOAD=$LIB "$PY" -c 'b = bytearray(8 << 20)'
grep -q '"window": {"base": 0, "size": 0' "$WORK/o.json" || fail "BACKEND=off made a window"
# An address-space limit the default window cannot fit in: it is halved.
( ulimit -v 4000000; GPUSCATTER_STATS=$WORK/l.json LD_PRELOAD=$LIB "$PY" -c 'b = bytearray(8 << 20)' )
python3 -c 'import json,sys; w = json.load(open(sys.argv[1]))["window"]; assert 0 < w["size"] < 4 << 30, w' "$WORK/l.json" \
  || fail "window under RLIMIT_AS: $(cat "$WORK/l.json")"
# Too small for even the floor: one warning, everything ordinary, no crash.
( ulimit -v 200000; GPUSCATTER_STATS=$WORK/t.json LD_PRELOAD=$LIB "$PY" -c 'b = bytearray(8 << 20); print(len(b))' ) >"$WORK/out" 2>"$WORK/err"
[ "$(cat "$WORK/out")" = 8388608 ] || fail "program under a tiny RLIMIT_AS: $(cat "$WORK/err")"
[ "$(grep -c 'cannot reserve an address window' "$WORK/err")" = 1 ] || fail "warning: $(cat "$WORK/err")"
echo "ok: arena"
