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
# A build: cc1 and ld place large blocks by size (their files show it) but
# register and pin nothing, so on standard error they print nothing.
python3 -c "print('\\n'.join(f'int f{i}(int x) {{ return x * {i}; }}' for i in range(3000)))
print('int main(void) { return f1(0); }')" >"$WORK/big.c"
GPUSCATTER_BACKEND=sim GPUSCATTER_STATS=$WORK/cc-%p.json LD_PRELOAD=$LIB cc -O1 -o "$WORK/big" "$WORK/big.c"
placed=$(cat "$WORK"/cc-*.json | python3 -c 'import json, sys
print(sum(json.loads(l)["allocations"]["gpu"] for l in sys.stdin if l.strip()))')
[ "$placed" -gt 0 ] || fail "the compiler placed nothing: the check below would prove nothing"
GPUSCATTER_BACKEND=sim GPUSCATTER_STATS=- LD_PRELOAD=$LIB cc -O1 -o "$WORK/big" "$WORK/big.c" 2>"$WORK/cc.err"
grep -q '"version"' "$WORK/cc.err" && fail "--stats - printed for a compiler: $(head -c 300 "$WORK/cc.err")"
echo "ok: --stats - is quiet for a build ($placed blocks placed by size, nothing registered)"

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
# The user's Python is the first python3 on PATH (pyenv's, a venv's), often
# without matplotlib: --plot then falls back to the system's. A python3
# that cannot see any site-packages stands in for such an environment.
mkdir -p "$WORK/venv"
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >"$WORK/venv/python3"
chmod +x "$WORK/venv/python3"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  for path in "$PATH" "$WORK/venv:$PATH"; do
    PATH=$path "$G" report --plot "$WORK/t.svg" "$WORK/t.json" >/dev/null 2>"$WORK/e4" ||
      fail "--plot with $(PATH=$path command -v python3): $(cat "$WORK/e4")"
    # Text kept as text: the title names program and backend, the calls
    # axis is logarithmic.
    grep -q 'gpuscatter: scatter ([0-9]*), backend sim' "$WORK/t.svg" || fail "--plot: no title with the backend"
    grep -q 'calls so far (log)' "$WORK/t.svg" || fail "--plot: the calls axis is not the log one"
    rm -f "$WORK/t.svg"
  done
  "$G" report --plot "$WORK/t.png" "$WORK/t.json" >/dev/null
  [ "$(head -c 4 "$WORK/t.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "--plot wrote no PNG"
  echo "ok: --plot draws the time line from the first python3 on PATH or the system's"
else
  "$G" report --plot "$WORK/t.png" "$WORK/t.json" >/dev/null 2>"$WORK/e4" && fail "--plot without matplotlib succeeded"
  grep -q 'needs matplotlib' "$WORK/e4" || fail "--plot without matplotlib: $(cat "$WORK/e4")"
  echo "ok: --plot says it needs matplotlib (not installed here)"
fi

# Hostile input: what a target process's environment names, or a file, is
# read boundedly, never waited on, and its strings are printed escaped.
mkfifo "$WORK/fifo"
GPUSCATTER_STATS=/dev/zero LD_PRELOAD=$LIB sleep 5 & z=$!
GPUSCATTER_STATS=$WORK/fifo LD_PRELOAD=$LIB sleep 5 & f=$!
sleep 0.5
set +e
timeout 10 "$G" report $z >"$WORK/h1" 2>&1; h1=$?
timeout 10 "$G" report $f >"$WORK/h2" 2>&1; h2=$?
timeout 10 "$G" report "$WORK/fifo" >"$WORK/h3" 2>&1; h3=$?
timeout 10 "$G" report /dev/zero >"$WORK/h4" 2>&1; h4=$?
truncate -s 65M "$WORK/huge"
timeout 10 "$G" report "$WORK/huge" >"$WORK/h5" 2>&1; h5=$?
set -e
kill $z $f 2>/dev/null || true
[ $h1 = 1 ] && grep -q 'not a regular file' "$WORK/h1" || fail "report PID with /dev/zero: $h1 $(cat "$WORK/h1")"
[ $h2 = 1 ] && grep -q 'not a regular file' "$WORK/h2" || fail "report PID with a FIFO: $h2 $(cat "$WORK/h2")"
[ $h3 = 2 ] && [ $h4 = 2 ] || fail "report of a FIFO / a device: $h3 $h4 $(cat "$WORK/h3" "$WORK/h4")"
[ $h5 = 2 ] && grep -q 'larger than 64 MiB' "$WORK/h5" || fail "report of a 65 MiB file: $h5 $(cat "$WORK/h5")"
echo "ok: report never waits on a FIFO or device and reads at most 64 MiB"
python3 - "$WORK/t.json" "$WORK/esc.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["program"] = "\x1b]0;owned\x07\x1b[31mred\u202e"
open(sys.argv[2], "w").write(json.dumps(s) + "\n")
PY
"$G" report "$WORK/esc.json" >"$WORK/esc.txt"
grep -q "$(printf '\033')" "$WORK/esc.txt" && fail "an escape sequence reached the terminal"
grep -q 'in \\x1b\]0;owned\\x07\\x1b\[31mred\\u202e (pid' "$WORK/esc.txt" ||
  fail "control characters not shown as escapes: $(cat "$WORK/esc.txt")"
echo "ok: control characters in the statistics are printed escaped"
for bad in '{"version": "0.1", "allocations": "lots"}' '{"version": "0.1", "registrations": {"hits": "many"}}' \
           '{"version": "0.1", "pid": 1' '["version"]' '{"version": "0.1", "timeline": {"ms": ["x"]}}'; do
  printf '%s\n' "$bad" >"$WORK/bad.json"
  set +e
  "$G" report --plot "$WORK/bad.png" "$WORK/bad.json" >/dev/null 2>"$WORK/eb"; rb=$?
  set -e
  [ $rb = 2 ] || [ "$bad" = '["version"]' -a $rb = 1 ] || fail "malformed '$bad': exit $rb"
  [ "$(wc -l <"$WORK/eb")" -eq 1 ] && ! grep -q Traceback "$WORK/eb" ||
    fail "malformed '$bad': $(cat "$WORK/eb")"
done
echo "ok: malformed statistics: one line, exit 2"
