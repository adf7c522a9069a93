#!/bin/sh
# Memory freed in gpuscatter's page regions goes back on a clock with the
# program idle: with no bind thread (no runtime call: a short-lived decay
# thread does it) and with one (the simulated runtime live: the bind thread,
# woken by the free). Before, 1.3 GiB of 1 MiB blocks freed by a program
# that then slept stayed resident for good (glibc gives it back at once).
. "$(dirname "$0")/lib.sh"
cat >"$WORK/idle.py" <<'PY'
import time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
base = rss()
blocks = [bytearray(1 << 20) for _ in range(1024)]
held = rss() - base
del blocks
time.sleep(3)
print(held, rss() - base)
PY
PY=$(command -v python3)
read -r nheld nidle <<EOF2
$("$PY" "$WORK/idle.py")
EOF2
[ "$nheld" -ge 1000 ] || fail "the probe held only $nheld MiB natively"
for backend in auto sim; do
  read -r held idle <<EOF2
$(GPUSCATTER_BACKEND=$backend GPUSCATTER_STATS=$WORK/s-$backend.json LD_PRELOAD=$LIB "$PY" "$WORK/idle.py")
EOF2
  [ "$held" -ge 1000 ] || fail "backend $backend: the probe held only $held MiB"
  grep -q '"by_size_bytes": [1-9]' "$WORK/s-$backend.json" || fail "backend $backend: nothing placed by gpuscatter"
  [ "$idle" -le $((nidle + 64)) ] ||
    fail "backend $backend: $idle MiB still resident 3 s after freeing $held (native: $nidle)"
  echo "ok: backend $backend: 3 s after freeing $held MiB, $idle MiB resident (native $nidle)"
done
