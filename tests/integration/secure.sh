#!/bin/sh
# In a set-user-ID program the library reads no GPUSCATTER_* variable
# (secure_getenv) and writes no file; the same program without the bit,
# same user, same environment, writes its statistics and profile (so this
# test would see a write).
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "NOT RUN: needs root and setpriv to make and run a set-user-ID program as another user"
  exit 0
fi
D=$(mktemp -d /tmp/gpuscatter-secure.XXXXXX)
trap 'rm -rf "$D" "$WORK"' EXIT
chmod 755 "$D"
cp "$LIB" "$D/libgpuscatter.so"
mkdir "$D/out" && chmod 777 "$D/out"
cc -O2 -o "$D/prog" "$ROOT/tests/programs/secure_check.c" -L"$D" -lgpuscatter -Wl,-rpath,"$D" -ldl
chmod 755 "$D/prog"
run() {
  env GPUSCATTER_BACKEND=sim GPUSCATTER_STATS="$D/out/stats.json" GPUSCATTER_PROFILE="$D/out/profile" \
    GPUSCATTER_CLASSIFY=learn GPUSCATTER_MIN_SIZE=1M setpriv --reuid=nobody --regid=nogroup --clear-groups "$D/prog"
}
out=$(run) || fail "the program failed without set-user-ID"
[ "$out" = "secure execution: no" ] || fail "control run: $out"
[ -f "$D/out/stats.json" ] && [ -f "$D/out/profile" ] ||
  fail "control run wrote no statistics or profile: the test would prove nothing ($(ls "$D/out"))"
rm -f "$D/out"/*
chmod 4755 "$D/prog"
out=$(run) || fail "the set-user-ID program failed"
[ "$out" = "secure execution: yes" ] || fail "not in secure-execution mode: $out"
[ -z "$(ls -A "$D/out")" ] || fail "the library wrote in a set-user-ID program: $(ls -A "$D/out")"
echo "ok: set-user-ID: nothing written (without the bit: statistics and profile written)"
