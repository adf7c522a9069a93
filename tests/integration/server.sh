#!/bin/sh
# A real server under the library: Redis on loopback, loaded by
# redis-benchmark with values large enough to be placed in the window
# (GPUSCATTER_MIN_SIZE=64K, sim backend, registrations never made), one
# value written and read back whole, the server stopped cleanly.
# REDIS_REQUESTS sets the load (make soak: longer).
. "$(dirname "$0")/lib.sh"
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null ||
  fail "redis-server and redis-tools are needed (make check installs them)"
PORT=$((20000 + $$ % 20000))
N=${REDIS_REQUESTS:-3000}
cd "$WORK"
GPUSCATTER_BACKEND=sim GPUSCATTER_MIN_SIZE=64K GPUSCATTER_STATS=$WORK/redis.json LD_PRELOAD=$LIB \
  redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --protected-mode yes \
  --dir "$WORK" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for i in $(seq 1 100); do redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
redis-cli -p "$PORT" ping | grep -q PONG || fail "the server did not start: $(cat "$WORK/server.log")"
redis-benchmark -p "$PORT" -q -n "$N" -c 8 -d 200000 -t set,get,lpush >"$WORK/raw" 2>&1 ||
  fail "redis-benchmark: $(cat "$WORK/raw")"
tr '\r' '\n' <"$WORK/raw" | grep "requests per second" | sed 's/^ *//' >"$WORK/bench"
[ "$(wc -l <"$WORK/bench")" = 3 ] || fail "no results: $(cat "$WORK/raw")"
head -c 3000000 /dev/urandom >"$WORK/value"
redis-cli -p "$PORT" -x set big <"$WORK/value" | grep -q OK || fail "SET of a 3 MB value"
redis-cli -p "$PORT" --raw get big | head -c 3000000 | cmp -s - "$WORK/value" || fail "the value came back different"
redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
wait $SERVER || fail "the server exited with status $?: $(tail -5 "$WORK/server.log")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["allocations"]["gpu"] > 100, d["allocations"]; print("placed:", d["allocations"]["gpu"], "allocations")' \
  "$WORK/redis.json" || fail "the server placed nothing in the window: the test proves nothing"
echo "ok: redis-server under gpuscatter, $N requests of 200 kB each: $(tr '\n' ';' <"$WORK/bench") a 3 MB value round-tripped"
