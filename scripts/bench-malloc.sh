#!/bin/sh
# Instructions (callgrind) for allocation-heavy workloads under glibc,
# jemalloc alone and gpuscatter. Instruction counts, unlike seconds, do not
# depend on what else the machine is doing.
set -eu
cd "$(dirname "$0")/.."
B=build
LIB=$PWD/$B/libgpuscatter.so
JE=$(ldconfig -p | awk '/libjemalloc.so.2 / {print $NF; exit}')
[ -n "$JE" ] || { echo "bench-malloc: libjemalloc.so.2 not found" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "bench-malloc: valgrind is needed" >&2; exit 1; }
PY=$(python3 -c 'import sys; print(sys.executable)')
mkdir -p bench/results
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { srand(7); for (i = 0; i < 100000; i++) printf "%08d line %d\n", int(rand() * 1e8), i }' >"$tmp/sort.in"
printf 'import json\njson.dumps([{"k": i, "v": [i] * 3} for i in range(100000)])\n' >"$tmp/w.py"
ITER=${ITER:-1000000}

# instructions PRELOAD CMD...: total instructions of all threads.
instructions() {
  pre=$1; shift
  LD_PRELOAD=$pre valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" \
    >/dev/null 2>"$tmp/cg.err" || { cat "$tmp/cg.err" >&2; exit 1; }
  awk '/^summary:/ {print $2}' "$tmp/cg.out"
}

json=""
row() { # NAME CMD...
  name=$1; shift
  g=$(instructions "" "$@"); j=$(instructions "$JE" "$@"); s=$(instructions "$LIB" "$@")
  pct=$(awk -v s="$s" -v j="$j" 'BEGIN { printf "%+.2f%%", (s - j) * 100 / j }')
  printf '%-34s %14s %14s %14s %9s\n' "$name" "$g" "$j" "$s" "$pct"
  json="$json${json:+, }{\"workload\": \"$name\", \"glibc\": $g, \"jemalloc\": $j, \"gpuscatter\": $s}"
}
printf '%-34s %14s %14s %14s %9s\n' workload glibc jemalloc gpuscatter "vs je"
for mode in small mixed; do
  for t in 1 2; do
    row "$mode loop, $t thread(s)" "$B/tests/malloc_loop" $mode $t "$ITER"
  done
done
row "small loop, 1 thread, GPU window" "$B/tests/malloc_loop" small 1 "$ITER" window
row "mixed loop, 2 threads, GPU window" "$B/tests/malloc_loop" mixed 2 "$ITER" window
row "sort -n, 100k lines" sort -n "$tmp/sort.in"
row "python3 json, 100k dicts" "$PY" "$tmp/w.py"
# Throughput: wall clock, best of 3, natively (noisy on a shared machine;
# the instruction counts above are the stable measure).
tp="" ; TP_ITER=${TP_ITER:-10000000}
best() { # PRELOAD ARGS...: best seconds of 3
  pre=$1; shift
  for i in 1 2 3; do
    s=$(date +%s.%N); LD_PRELOAD=$pre "$@" >/dev/null; e=$(date +%s.%N)
    echo "$e - $s" | bc
  done | sort -n | head -1
}
printf '\n%-34s %14s %14s %14s\n' "throughput (Mops/s)" glibc jemalloc gpuscatter
for mode in small mixed; do
  for t in 1 2; do
    line="" ; vals=""
    for pre in "" "$JE" "$LIB"; do
      sec=$(best "$pre" "$B/tests/malloc_loop" $mode $t "$TP_ITER")
      v=$(awk -v n="$TP_ITER" -v t=$t -v s="$sec" 'BEGIN { printf "%.1f", n * t / s / 1e6 }')
      line="$line $(printf '%14s' "$v")"; vals="$vals${vals:+, }$v"
    done
    printf '%-34s%s\n' "$mode loop, $t thread(s)" "$line"
    tp="$tp${tp:+, }{\"workload\": \"$mode loop, $t thread(s)\", \"mops\": [$vals]}"
  done
done
echo "{\"instructions\": [$json], \"throughput_mops_glibc_jemalloc_gpuscatter\": [$tp]}" >bench/results/malloc.json
echo "instructions: valgrind --tool=callgrind ($ITER iterations a loop); throughput: best of 3, $TP_ITER iterations; bench/results/malloc.json"
