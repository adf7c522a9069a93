#!/bin/sh
# Call-site classification (sim backend): learning from registrations,
# profiles across runs, rules naming a shared library, and profile files
# that must be refused.
. "$(dirname "$0")/lib.sh"
S=$B/tests/sites_check
export GPUSCATTER_BACKEND=sim GPUSCATTER_BIND=lazy
# pct LINE KEY: the A/B figure after KEY, as a whole percentage.
pct() { echo "$1" | sed -n "s/.*$2 \([0-9]*\)\/\([0-9]*\).*/\1 \2/p" | awk '{ print int($1 * 100 / $2) }'; }
num() { echo "$1" | sed -n "s/.*$2 \([0-9]*\)\/.*/\1/p"; }

# Size alone (the default without rules or a profile, and size mode even
# with a profile): f's 8-64 KiB buffers stay ordinary.
out=$(LD_PRELOAD=$LIB "$S" learn 200)
[ "$(pct "$out" "registrations")" = 0 ] || fail "the default placed sub-threshold buffers: $out"
out=$(GPUSCATTER_CLASSIFY=size GPUSCATTER_PROFILE=$WORK/unused LD_PRELOAD=$LIB "$S" learn 200)
[ "$(pct "$out" "registrations")" = 0 ] || fail "size mode placed sub-threshold buffers: $out"
[ ! -e "$WORK/unused" ] || fail "size mode wrote a profile"
echo "ok: size mode: $out"

# learn: after the first miss, f's buffers are placed; g's never.
P=$WORK/profile
out=$(GPUSCATTER_CLASSIFY=learn GPUSCATTER_PROFILE=$P GPUSCATTER_STATS=$WORK/s1.json LD_PRELOAD=$LIB "$S" learn 400)
echo "$out" | grep -q "first missed" || fail "learn: the first registration cannot hit: $out"
[ "$(pct "$out" "registrations")" -ge 95 ] || fail "learn: fewer than 95% of later registrations hit: $out"
[ "$(num "$out" "g in window")" = 0 ] || fail "learn: g's allocations entered the window: $out"
echo "$out" | grep -q "stale record registered" || fail "learn: the stale-record case was not exercised: $out"
python3 - "$WORK/s1.json" <<'PY' || fail "learn: classify statistics wrong"
import json, sys
c = json.load(open(sys.argv[1]))["classify"]
assert c["mode"] == "learn" and c["hot_sites"] == 1, c
assert c["candidates"] >= 800 and c["backtraces"] == c["candidates"], c
assert c["learned_hits"] >= 399, c
PY
[ -f "$P" ] || fail "learn: no profile saved"
[ "$(stat -c %a "$P")" = 600 ] || fail "profile mode $(stat -c %a "$P"), want 600"
head -1 "$P" | grep -qx "gpuscatter-profile 1" || fail "profile header: $(head -1 "$P")"
echo "ok: learn: $out"

# Loading before registering: a record must survive 50 other candidate
# allocations per buffer (with PyTorch, 46 per tensor were measured).
out=$(GPUSCATTER_CLASSIFY=learn LD_PRELOAD=$LIB "$S" churn 300)
[ "$out" = "churn: first load 0/300 hit, hot sites then 1; second load 300/300 hit" ] ||
  fail "learning under churn: $out"
echo "ok: $out"

# Bounded: 32768 distinct sites fill the table; the cold ones are
# forgotten, the learned one is kept.
out=$(GPUSCATTER_CLASSIFY=learn GPUSCATTER_LOG=debug LD_PRELOAD=$LIB "$S" many 100 2>"$WORK/err")
[ "$out" = "many: 32768 other sites; f still placed 100/100; hot sites 1" ] || fail "site table: $out"
grep -q "([1-9][0-9]* forgotten sites reset)" "$WORK/err" || fail "the site table never filled: $(tail -2 "$WORK/err")"
echo "ok: $out; $(grep -o '([0-9]* forgotten sites reset)' "$WORK/err" | head -1)"

# With the saved profile: right from the first allocation.
out=$(GPUSCATTER_PROFILE=$P LD_PRELOAD=$LIB "$S" learn 400) # auto: learn, given a profile
echo "$out" | grep -q "first hit at 0" || fail "profile: the first registration must hit: $out"
[ "$(pct "$out" "registrations")" -ge 99 ] || fail "profile: fewer than 99% hit: $out"
[ "$(num "$out" "g in window")" = 0 ] || fail "profile: g's allocations entered the window: $out"
echo "ok: profile: $out"
cp "$P" "$WORK/good"

# Rules: a module and a qualified-name prefix.
cd "$B/tests"
export LD_LIBRARY_PATH=$B/tests
out=$(GPUSCATTER_CLASSIFY=sites GPUSCATTER_SITES=libsiterule.so:testlib::alloc LD_PRELOAD=$LIB "$S" rule 100)
[ "$out" = "rule: named 100/100 in the window, other 0/100" ] || fail "rule with a symbol: $out"
out=$(GPUSCATTER_SITES=libsiterule.so LD_PRELOAD=$LIB "$S" rule 100) # auto: sites, given rules
[ "$out" = "rule: named 100/100 in the window, other 100/100" ] || fail "rule on a module: $out"
out=$(GPUSCATTER_CLASSIFY=size GPUSCATTER_SITES=libsiterule.so LD_PRELOAD=$LIB "$S" rule 100)
[ "$out" = "rule: named 0/100 in the window, other 0/100" ] || fail "size mode must ignore rules: $out"
GPUSCATTER_CLASSIFY=sites GPUSCATTER_SITES='libsiterule.so:testlib::alloc,bad name' LD_PRELOAD=$LIB \
  "$S" rule 10 >"$WORK/out" 2>"$WORK/err" || fail "bad rules: $(cat "$WORK/err")"
grep -q "GPUSCATTER_SITES=.*is not a list of module\[:symbol-prefix\]" "$WORK/err" &&
  [ "$(grep -c gpuscatter: "$WORK/err")" = 1 ] || fail "bad rules: want one warning: $(cat "$WORK/err")"
grep -q "named 0/10" "$WORK/out" || fail "a malformed rule list must be ignored whole"
echo "ok: rules: module:prefix and module alone route; malformed list refused with one warning"
# The torch preset names c10::alloc_cpu in libc10.so: a stand-in library
# with that function (PyTorch itself is not needed for the rule to fire).
mkdir -p "$WORK/c10"
printf '%s\n' '#include <cstdlib>' '#include <cstring>' \
  'namespace c10 { __attribute__((noinline)) void *alloc_cpu(size_t n) { void *p = nullptr;' \
  '  if (posix_memalign(&p, 64, n)) return nullptr; memset(p, 0, 64); return p; } }' \
  'extern "C" char *siterule_alloc(size_t n) { return (char *)c10::alloc_cpu(n); }' \
  'extern "C" char *siterule_other(size_t n) { char *p = (char *)malloc(n); if (p) memset(p, 0, 64); return p; }' \
  >"$WORK/c10/c10.cc"
g++ -O2 -fPIC -shared -o "$WORK/c10/libc10.so" "$WORK/c10/c10.cc"
out=$(SITERULE_LIB=libc10.so LD_LIBRARY_PATH=$WORK/c10 "$B/gpuscatter" --preset torch -- "$S" rule 100)
[ "$out" = "rule: named 100/100 in the window, other 0/100" ] || fail "the torch preset: $out"
echo "ok: gpuscatter --preset torch places c10::alloc_cpu's allocations (posix_memalign 64)"
cd "$ROOT"

# Profiles that must be refused: one warning, ignored, left untouched.
refused() { # NAME FILE
  cp -P "$2" "$WORK/before" 2>/dev/null || true
  GPUSCATTER_CLASSIFY=learn GPUSCATTER_PROFILE=$2 LD_PRELOAD=$LIB "$S" learn 50 >"$WORK/out" 2>"$WORK/err" ||
    fail "$1: the program failed: $(cat "$WORK/err")"
  [ "$(grep -c 'gpuscatter: GPUSCATTER_PROFILE=' "$WORK/err")" = 1 ] &&
    [ "$(grep -c gpuscatter: "$WORK/err")" = 1 ] || fail "$1: want one warning: $(cat "$WORK/err")"
  grep -q "first missed" "$WORK/out" || fail "$1: the profile was used: $(cat "$WORK/out")"
  [ -L "$2" ] || [ -d "$2" ] || cmp -s "$WORK/before" "$2" || fail "$1: the refused file was overwritten"
  echo "ok: $1 refused: $(sed 's/.*: //' "$WORK/err")"
}
F=$WORK/bad
printf 'gpuscatter-profile 1\n5 sites_check zz\n' >"$F"; chmod 600 "$F"; refused "corrupt" "$F"
head -c $(( $(wc -c <"$WORK/good") - 3 )) "$WORK/good" >"$F"; refused "truncated" "$F"
{ cat "$WORK/good"; i=0; while [ $i -lt 100000 ]; do echo "1 libx.so $i"; i=$((i + 1)); done; } >"$F"
refused "oversized" "$F"
{ cat "$WORK/good"; i=0; while [ $i -lt 5000 ]; do echo "1 libx.so $i"; i=$((i + 1)); done; } >"$F"
refused "too many sites" "$F"
printf 'not a profile\n' >"$F"; refused "foreign format" "$F"
{ echo "gpuscatter-profile 1"; echo "99999999999 a 1"; } >"$F"; refused "hostile depth" "$F"
{ echo "gpuscatter-profile 1"; echo "1 ../../etc/passwd 1"; } >"$F"; refused "hostile name" "$F"
{ echo "gpuscatter-profile 1"; echo "1 a.so 1234567890abcdef0"; } >"$F"; refused "hostile offset" "$F"
cp "$WORK/good" "$F"; chmod 666 "$F"; refused "writable by others" "$F"
rm -f "$F"; ln -s "$WORK/good" "$F"; refused "symlink" "$F"
[ "$(readlink "$F")" = "$WORK/good" ] || fail "the symlink was replaced"
rm -f "$F"; mkdir "$F"; refused "directory" "$F"; rmdir "$F"
if [ "$(id -u)" = 0 ]; then
  cp "$WORK/good" "$F"; chown nobody "$F"; refused "owned by another user" "$F"
else
  echo "NOT RUN: owned by another user (needs root to make such a file)"
fi
