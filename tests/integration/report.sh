#!/bin/sh
# What a user sees: the startup lines, the backend the statistics name, one
# statistics object per process that did something, and gpuscatter report.
. "$(dirname "$0")/lib.sh"
G=$B/gpuscatter

# Startup lines at GPUSCATTER_LOG=info, nothing at the default level.
GPUSCATTER_LOG=info GPUSCATTER_BACKEND=sim LD_PRELOAD=$LIB "$B/scatter" --n 10 >/dev/null 2>"$WORK/err"
grep -q '^gpuscatter: version [0-9.]* loaded in scatter (pid [0-9]*): backend sim' "$WORK/err" ||
  fail "no startup line: $(cat "$WORK/err")"
grep -q '^gpuscatter: sim backend live on device 0 (async binding, a window of up to' "$WORK/err" ||
  fail "no backend line: $(cat "$WORK/err")"
GPUSCATTER_BACKEND=sim LD_PRELOAD=$LIB "$B/scatter" --n 10 >/dev/null 2>"$WORK/err"
[ ! -s "$WORK/err" ] || fail "lines at the default level: $(cat "$WORK/err")"
echo "ok: startup lines at GPUSCATTER_LOG=info only"

# The backend chosen, or none and why.
backend() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["backend"] + "|" + s["backend_why"])' "$1"; }
GPUSCATTER_BACKEND=sim GPUSCATTER_STATS=$WORK/a.json LD_PRELOAD=$LIB "$B/scatter" --n 10 >/dev/null
[ "$(backend "$WORK/a.json")" = "sim|" ] || fail "sim: $(backend "$WORK/a.json")"
GPUSCATTER_BACKEND=off GPUSCATTER_STATS=$WORK/b.json LD_PRELOAD=$LIB "$B/scatter" --n 10 >/dev/null 2>&1 || true
[ "$(backend "$WORK/b.json")" = "none|GPUSCATTER_BACKEND=off" ] || fail "off: $(backend "$WORK/b.json")"
# CUDA's runtime without a device: the backend cannot start, and says so.
if [ -e /usr/local/cuda/lib64/libcudart.so.13 ] || ldconfig -p | grep -q 'libcudart.so.1[23]'; then
  LD_LIBRARY_PATH=/usr/local/cuda/lib64 GPUSCATTER_STATS=$WORK/c.json LD_PRELOAD=$LIB "$B/scatter" --n 10 \
    >/dev/null 2>&1 || true
  case $(backend "$WORK/c.json") in none\|?*) ;; *) fail "cuda without a device: $(backend "$WORK/c.json")" ;; esac
  echo "ok: cuda runtime without a device: $(backend "$WORK/c.json")"
fi
echo "ok: statistics name the backend chosen (sim), or none and why (off)"

# A wrapper starts processes that do nothing: on standard error, one
# object, the one that did. (perl leaves through exit(), so the library's
# exit handler runs in it; dash itself leaves through _exit.)
GPUSCATTER_BACKEND=sim GPUSCATTER_STATS=- LD_PRELOAD=$LIB \
  sh -c 'perl -e 1; perl -e 1; "$0" --n 20 >/dev/null' "$B/scatter" 2>"$WORK/tree"
[ "$(grep -c '"version"' "$WORK/tree")" = 1 ] || fail "objects for idle processes: $(cat "$WORK/tree")"
grep -q '"program": "scatter"' "$WORK/tree" || fail "the object does not name its program"
echo "ok: --stats - under a wrapper prints one object, for scatter"

# The report: in words, from a file, from standard input, several processes.
"$G" report "$WORK/a.json" >"$WORK/r.txt"
grep -q '^gpuscatter [0-9.]* in scatter (pid [0-9]*): backend sim on device 0' "$WORK/r.txt" || fail "report head: $(cat "$WORK/r.txt")"
grep -q 'registrations:  10 by the application; [0-9]* answered from bound memory' "$WORK/r.txt" || fail "report registrations"
grep -q 'driver calls:   [0-9]* registrations of chunks' "$WORK/r.txt" || fail "report driver calls"
cat "$WORK/a.json" "$WORK/b.json" | "$G" report >"$WORK/r2.txt"
[ "$(grep -c '^gpuscatter ' "$WORK/r2.txt")" = 2 ] || fail "two processes, $(grep -c '^gpuscatter ' "$WORK/r2.txt") reports"
grep -q 'no backend (GPUSCATTER_BACKEND=off)' "$WORK/r2.txt" || fail "report of a process without a backend"
set +e
"$G" report /nonexistent 2>"$WORK/e1"; r1=$?
echo 'not json' >"$WORK/bad"; "$G" report "$WORK/bad" 2>"$WORK/e2"; r2=$?
"$G" report --frobnicate 2>"$WORK/e3"; r3=$?
set -e
[ $r1 = 1 ] && [ $r2 = 1 ] && [ $r3 = 2 ] || fail "report errors exit $r1 $r2 $r3"
grep -q 'no gpuscatter statistics' "$WORK/e2" || fail "report of a file without statistics: $(cat "$WORK/e2")"
# A running process: is the library loaded, and where do its statistics go?
sleep 5 & plain=$!
GPUSCATTER_STATS=$WORK/live-%p.json LD_PRELOAD=$LIB sleep 5 & pre=$!
sleep 0.5
set +e
"$G" report $plain >/dev/null 2>"$WORK/p1"; q1=$?
"$G" report $pre >"$WORK/p2" 2>&1; q2=$?
set -e
kill $plain $pre 2>/dev/null || true
[ $q1 = 1 ] && grep -q 'does not have libgpuscatter.so loaded' "$WORK/p1" || fail "report of a process without it: $q1 $(cat "$WORK/p1")"
grep -q 'libgpuscatter.so is loaded' "$WORK/p2" && grep -q "live-$pre.json at exit; not written yet" "$WORK/p2" ||
  fail "report of a process with it: $(cat "$WORK/p2")"
echo "ok: gpuscatter report (file, stdin, several processes, errors, a running process)"

# The time line, plotted.
GPUSCATTER_BACKEND=sim GPUSCATTER_STATS=$WORK/t.json LD_PRELOAD=$LIB "$B/scatter" --n 300 >/dev/null
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timeline"]; n=len(t["ms"]); assert n >= 2 and all(len(v) == n for v in t.values()), t; assert t["app_registrations"][-1] > 0, t' "$WORK/t.json" ||
  fail "no time line in the statistics"
# Debian's python3 first: install-deps.sh installs python3-matplotlib for it.
[ -x /usr/bin/python3 ] && export PATH="/usr/bin:$PATH"
if python3 -c 'import matplotlib' 2>/dev/null; then
  "$G" report --plot "$WORK/t.png" "$WORK/t.json" >/dev/null
  [ "$(head -c 4 "$WORK/t.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "--plot wrote no PNG"
  echo "ok: --plot draws the time line"
else
  "$G" report --plot "$WORK/t.png" "$WORK/t.json" >/dev/null 2>"$WORK/e4" && fail "--plot without matplotlib succeeded"
  grep -q 'needs matplotlib' "$WORK/e4" || fail "--plot without matplotlib: $(cat "$WORK/e4")"
  echo "ok: --plot says it needs matplotlib (not installed here)"
fi
