#!/bin/sh
# Call-site classification (sim backend): learning from registrations with
# no setting at all, profiles kept per program in the user's cache, deep
# keys for a shared wrapper, rules naming a shared library, the torch
# preset without libunwind, and profile files and folders that must be
# refused.
. "$(dirname "$0")/lib.sh"
S=$B/tests/sites_check
export GPUSCATTER_BACKEND=sim GPUSCATTER_BIND=lazy
# pct LINE KEY: the A/B figure after KEY, as a whole percentage.
pct() { echo "$1" | sed -n "s/.*$2 \([0-9]*\)\/\([0-9]*\).*/\1 \2/p" | awk '{ print int($1 * 100 / $2) }'; }
num() { echo "$1" | sed -n "s/.*$2 \([0-9]*\)\/.*/\1/p"; }
fresh() { rm -rf "$WORK/cache"; mkdir -p "$WORK/cache"; }

# Size mode: f's 8-64 KiB buffers stay ordinary, no profile is written.
fresh
out=$(GPUSCATTER_CLASSIFY=size LD_PRELOAD=$LIB "$S" learn 200)
[ "$(pct "$out" "registrations")" = 0 ] || fail "size mode placed sub-threshold buffers: $out"
[ -z "$(ls -A "$WORK/cache")" ] || fail "size mode wrote a profile: $(ls -R "$WORK/cache")"
echo "ok: size mode: $out"

# The default: after the first miss, f's buffers are placed; g's never.
fresh
out=$(GPUSCATTER_STATS=$WORK/s1.json LD_PRELOAD=$LIB "$S" learn 400)
echo "$out" | grep -q "first missed" || fail "learn: the first registration cannot hit: $out"
[ "$(pct "$out" "registrations")" -ge 95 ] || fail "learn: fewer than 95% of later registrations hit: $out"
[ "$(num "$out" "g in window")" = 0 ] || fail "learn: g's allocations entered the window: $out"
echo "$out" | grep -q "stale record registered" || fail "learn: the stale-record case was not exercised: $out"
python3 - "$WORK/s1.json" "$WORK/cache" <<'PY' || fail "learn: classify statistics wrong"
import json, sys
c = json.load(open(sys.argv[1]))["classify"]
assert c["mode"] == "learn" and c["hot_sites"] == 1 and c["learned"] == 1, c
assert c["sites"] >= 2 and c["learned_hits"] >= 399, c
assert c["profile"].startswith(sys.argv[2] + "/gpuscatter/sites_check-"), c
PY
P=$(ls "$WORK"/cache/gpuscatter/sites_check-*.profile)
[ "$(stat -c %a "$WORK/cache/gpuscatter")" = 700 ] || fail "the cache folder is $(stat -c %a "$WORK/cache/gpuscatter"), want 700"
[ "$(stat -c %a "$P")" = 600 ] || fail "profile mode $(stat -c %a "$P"), want 600"
head -1 "$P" | grep -qx "gpuscatter-profile 2" || fail "profile header: $(head -1 "$P")"
echo "ok: learn, no settings: $out; profile $(basename "$P")"

# The second run places from the first allocation.
out=$(LD_PRELOAD=$LIB "$S" learn 400)
echo "$out" | grep -q "first hit at 0" || fail "profile: the first registration must hit: $out"
[ "$(pct "$out" "registrations")" -ge 99 ] || fail "profile: fewer than 99% hit: $out"
[ "$(num "$out" "g in window")" = 0 ] || fail "profile: g's allocations entered the window: $out"
echo "ok: with the profile: $out"
cp "$P" "$WORK/good"

# Weights as a model loads them: 3000 tensors of 256 B - 4 MiB from one
# site, all allocated first, then registered; a scratch site never
# registers. No GPUSCATTER_* variable at all.
fresh
( unset GPUSCATTER_BACKEND GPUSCATTER_BIND; LD_PRELOAD=$LIB "$S" weights 3000 >"$WORK/w1" )
( unset GPUSCATTER_BACKEND GPUSCATTER_BIND; LD_PRELOAD=$LIB "$S" weights 3000 >"$WORK/w2" )
out=$(cat "$WORK/w2")
[ "$(pct "$out" "tensors placed")" -ge 99 ] || fail "weights, second run: $out (first: $(cat "$WORK/w1"))"
[ "$(num "$out" "of its small ones")" = 0 ] || fail "weights: scratch's small ones placed: $out"
echo "ok: weights, no settings: first run $(cat "$WORK/w1"); second $out"

# A wrapper shared by both callers: its return address is demoted, deeper
# frames separate them; the next run knows it from the start.
fresh
out1=$(LD_PRELOAD=$LIB "$S" wrapper 400)
out=$(LD_PRELOAD=$LIB "$S" wrapper 400)
echo "$out1" | grep -q "demoted 1" || fail "wrapper: the shared return address was not demoted: $out1"
[ "$(pct "$out" "a placed")" -ge 99 ] && [ "$(pct "$out" "b placed")" -le 1 ] ||
  fail "wrapper, second run: $out"
echo "ok: shared wrapper: $out1; then $out"

# PyTorch's order through one allocator function: all weights allocated,
# then registered, then temporaries freed unregistered. The first run
# finds the return address shared too late to learn deeper keys; the
# second places the weights from below it and keeps what registers.
fresh
out1=$(LD_PRELOAD=$LIB "$S" loaded 400)
out=$(LD_PRELOAD=$LIB "$S" loaded 400)
out3=$(LD_PRELOAD=$LIB "$S" loaded 400)
echo "$out1" | grep -q "demoted 1" || fail "loaded: the shared return address was not demoted: $out1"
for o in "$out" "$out3"; do
  [ "$(pct "$o" "weights placed")" -ge 99 ] && [ "$(pct "$o" "temporaries placed")" -le 1 ] ||
    fail "loaded, later runs: $out; $out3 (first: $out1)"
done
echo "ok: loaded, then registered, through one allocator: $out1; then $out; then $out3"

# Loading before registering: a record must survive 50 other candidate
# allocations per buffer (with PyTorch, 46 per tensor were measured).
fresh
out=$(LD_PRELOAD=$LIB "$S" churn 300)
[ "$out" = "churn: first load 0/300 hit, hot sites then 1; second load 300/300 hit" ] ||
  fail "learning under churn: $out"
echo "ok: $out"

# Bounded: 40000 distinct sites fill the table; the cold ones are
# forgotten, the learned one is kept.
fresh
out=$(GPUSCATTER_LOG=debug LD_PRELOAD=$LIB "$S" many 100 2>"$WORK/err")
[ "$out" = "many: 40000 other sites; f still placed 100/100; hot sites 1" ] || fail "site table: $out"
grep -q "([1-9][0-9]* forgotten-site resets)" "$WORK/err" || fail "the site table never filled: $(tail -2 "$WORK/err")"
echo "ok: $out; $(grep -o '([0-9]* forgotten-site resets)' "$WORK/err" | head -1)"

# GPUSCATTER_PROFILE=off: learning in the run, nothing kept.
fresh
GPUSCATTER_PROFILE=off LD_PRELOAD=$LIB "$S" learn 50 >/dev/null
[ -z "$(ls -A "$WORK/cache")" ] || fail "PROFILE=off wrote $(ls -R "$WORK/cache")"
echo "ok: GPUSCATTER_PROFILE=off keeps nothing"

# Rules: a module and a qualified-name prefix.
cd "$B/tests"
export LD_LIBRARY_PATH=$B/tests
out=$(GPUSCATTER_CLASSIFY=sites GPUSCATTER_SITES=libsiterule.so:testlib::alloc LD_PRELOAD=$LIB "$S" rule 100)
[ "$out" = "rule: named 100/100 in the window, other 0/100" ] || fail "rule with a symbol: $out"
out=$(GPUSCATTER_SITES=libsiterule.so LD_PRELOAD=$LIB "$S" rule 100)
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
# No libunwind is involved: the process never loads it.
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
SITERULE_LIB=libc10.so LD_LIBRARY_PATH=$WORK/c10 GPUSCATTER_PRESET=torch LD_PRELOAD=$LIB \
  sh -c 'exec "$0" rule 5 && cat /proc/$$/maps' "$S" | grep -q libunwind && fail "libunwind was loaded"
echo "ok: gpuscatter --preset torch places c10::alloc_cpu's allocations (posix_memalign 64), no libunwind"
cd "$ROOT"

# Profiles that must be refused: one warning, ignored, left untouched.
refused() { # NAME FILE
  cp -P "$2" "$WORK/before" 2>/dev/null || true
  GPUSCATTER_PROFILE=$2 LD_PRELOAD=$LIB "$S" learn 50 >"$WORK/out" 2>"$WORK/err" ||
    fail "$1: the program failed: $(cat "$WORK/err")"
  [ "$(grep -c 'gpuscatter: GPUSCATTER_PROFILE=' "$WORK/err")" = 1 ] &&
    [ "$(grep -c gpuscatter: "$WORK/err")" = 1 ] || fail "$1: want one warning: $(cat "$WORK/err")"
  grep -q "first missed" "$WORK/out" || fail "$1: the profile was used: $(cat "$WORK/out")"
  [ -L "$2" ] || [ -d "$2" ] || cmp -s "$WORK/before" "$2" || fail "$1: the refused file was overwritten"
  echo "ok: $1 refused: $(sed 's/.*: //' "$WORK/err")"
}
F=$WORK/bad
printf 'gpuscatter-profile 2\nh 5 sites_check zz\n' >"$F"; chmod 600 "$F"; refused "corrupt" "$F"
head -c $(( $(wc -c <"$WORK/good") - 3 )) "$WORK/good" >"$F"; refused "truncated" "$F"
{ cat "$WORK/good"; i=0; while [ $i -lt 100000 ]; do echo "h 1 libx.so $i"; i=$((i + 1)); done; } >"$F"
refused "oversized" "$F"
{ cat "$WORK/good"; i=0; while [ $i -lt 5000 ]; do echo "h 1 libx.so $i"; i=$((i + 1)); done; } >"$F"
refused "too many sites" "$F"
printf 'not a profile\n' >"$F"; refused "foreign format" "$F"
{ echo "gpuscatter-profile 2"; echo "h 99999999999 a 1"; } >"$F"; refused "hostile depth" "$F"
{ echo "gpuscatter-profile 2"; echo "h 1 ../../etc/passwd 1"; } >"$F"; refused "hostile name" "$F"
{ echo "gpuscatter-profile 2"; echo "h 1 a.so 1234567890abcdef0"; } >"$F"; refused "hostile offset" "$F"
{ echo "gpuscatter-profile 2"; echo "x 1 a.so 10"; } >"$F"; refused "unknown kind" "$F"
cp "$WORK/good" "$F"; chmod 666 "$F"; refused "writable by others" "$F"
rm -f "$F"; ln -s "$WORK/good" "$F"; refused "symlink" "$F"
[ "$(readlink "$F")" = "$WORK/good" ] || fail "the symlink was replaced"
rm -f "$F"; mkdir "$F"; refused "directory" "$F"; rmdir "$F"
if [ "$(id -u)" = 0 ]; then
  cp "$WORK/good" "$F"; chown nobody "$F"; refused "owned by another user" "$F"
else
  echo "NOT RUN: owned by another user (needs root to make such a file)"
fi
# An older profile (other keys) is read as empty and replaced.
rm -f "$F"; { echo "gpuscatter-profile 1"; echo "6 a.so 1 b.so 2 c.so 3 d.so 4 e.so 5 f.so 6"; } >"$F"; chmod 600 "$F"
GPUSCATTER_PROFILE=$F LD_PRELOAD=$LIB "$S" learn 50 >/dev/null 2>"$WORK/err"
[ ! -s "$WORK/err" ] && head -1 "$F" | grep -qx "gpuscatter-profile 2" || fail "a version 1 profile: $(cat "$WORK/err")"
echo "ok: a version 1 profile is replaced by what this run learns"

# The default folder must be ours alone: another user's, or writable by
# others, is refused with one warning and nothing is written in it.
fresh
mkdir -m 777 "$WORK/cache/gpuscatter"
LD_PRELOAD=$LIB "$S" learn 50 >/dev/null 2>"$WORK/err"
grep -q "no profile is kept: the cache folder (gpuscatter) is writable by others" "$WORK/err" &&
  [ "$(grep -c gpuscatter: "$WORK/err")" = 1 ] || fail "a world-writable folder: $(cat "$WORK/err")"
[ -z "$(ls -A "$WORK/cache/gpuscatter")" ] || fail "wrote into a world-writable folder"
if [ "$(id -u)" = 0 ]; then
  chmod 700 "$WORK/cache/gpuscatter"; chown nobody "$WORK/cache/gpuscatter"
  LD_PRELOAD=$LIB "$S" learn 50 >/dev/null 2>"$WORK/err"
  grep -q "belongs to another user" "$WORK/err" || fail "a foreign folder: $(cat "$WORK/err")"
  [ -z "$(ls -A "$WORK/cache/gpuscatter")" ] || fail "wrote into another user's folder"
fi
echo "ok: the default folder is created 0700; a world-writable or foreign one is refused"

# A wrapper's process tree (a pyenv shim: shells, then the program) warns
# about a bad folder once, not once per process.
fresh
mkdir -m 777 "$WORK/cache/gpuscatter"
LD_PRELOAD=$LIB sh -c 'sh -c "\"$0\" learn 20 >/dev/null"; "$0" learn 20 >/dev/null' "$S" 2>"$WORK/err"
[ "$(grep -c 'no profile is kept' "$WORK/err")" = 1 ] || fail "a process tree warned: $(cat "$WORK/err")"
echo "ok: a bad cache folder is warned about once per process tree"

# The profile is written through a handle on the folder checked at start:
# swapping its path for a link to another folder between load and save
# (what a user whose HOME root keeps could do) writes nothing there, and
# says so once.
fresh
mkdir "$WORK/victim"
SITES_CHECK_WAIT=$WORK/go LD_PRELOAD=$LIB "$S" learn 50 >"$WORK/out" 2>"$WORK/err" & pid=$!
for i in $(seq 200); do [ -e "$WORK/go.ready" ] && break; sleep 0.05; done
[ -e "$WORK/go.ready" ] || fail "sites_check did not reach its wait: $(cat "$WORK/err")"
mv "$WORK/cache/gpuscatter" "$WORK/cache/checked"
ln -s "$WORK/victim" "$WORK/cache/gpuscatter"
touch "$WORK/go"
wait $pid || fail "sites_check: $(cat "$WORK/err")"
[ -z "$(ls -A "$WORK/victim")" ] || fail "the profile went through the swapped link: $(ls -A "$WORK/victim")"
[ "$(grep -c 'cannot write the profile .*symbolic link' "$WORK/err")" = 1 ] &&
  [ "$(grep -c gpuscatter: "$WORK/err")" = 1 ] || fail "a swapped folder: $(cat "$WORK/err")"
# Swapped for another real folder: refused by its identity.
rm "$WORK/cache/gpuscatter"
mv "$WORK/cache/checked" "$WORK/cache/gpuscatter"
rm -f "$WORK/go" "$WORK/go.ready" "$WORK"/cache/gpuscatter/*
SITES_CHECK_WAIT=$WORK/go LD_PRELOAD=$LIB "$S" learn 50 >"$WORK/out" 2>"$WORK/err" & pid=$!
for i in $(seq 200); do [ -e "$WORK/go.ready" ] && break; sleep 0.05; done
mv "$WORK/cache/gpuscatter" "$WORK/cache/checked"
mkdir -m 700 "$WORK/cache/gpuscatter"
touch "$WORK/go"
wait $pid || fail "sites_check: $(cat "$WORK/err")"
[ -z "$(ls -A "$WORK/cache/gpuscatter")" ] || fail "the profile went into a folder put in place of the checked one"
grep -q 'cannot write the profile .*no longer the one checked at start' "$WORK/err" ||
  fail "a replaced folder: $(cat "$WORK/err")"
rm -rf "$WORK/cache/gpuscatter"; ln -s "$WORK/victim" "$WORK/cache/gpuscatter"
# And a folder that is a link from the start is refused.
LD_PRELOAD=$LIB "$S" learn 20 >/dev/null 2>"$WORK/err"
grep -q "no profile is kept: the cache folder (gpuscatter) is a symbolic link" "$WORK/err" ||
  fail "a linked folder: $(cat "$WORK/err")"
[ -z "$(ls -A "$WORK/victim")" ] || fail "wrote through a linked folder"
echo "ok: the profile goes to the folder checked at start, whatever its path becomes"

# No descriptor is kept open for the profile: a program started with its
# standard input closed sees the same descriptors as without the library
# (CPython's test_subprocess found a kept folder handle taking fd 0).
fresh
fds='import os; print(sorted(os.listdir("/proc/self/fd")))'
a=$("$PY" -c "$fds" <&-)
b=$(LD_PRELOAD=$LIB "$PY" -c "$fds" <&-)
[ "$a" = "$b" ] || fail "descriptors differ: $a natively, $b under gpuscatter"
echo "ok: no descriptor kept ($b with standard input closed)"
