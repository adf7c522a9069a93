#!/bin/sh
# What call-site classification costs per candidate allocation (4-64 KiB,
# six calls deep, malloc then free): callgrind instructions and wall-clock
# nanoseconds. Columns: jemalloc alone; gpuscatter's default in a process
# with no GPU runtime (one compare: nothing is looked at); the default once
# a runtime is in use (every candidate's return address looked up and its
# pointer recorded, for learning); a hot site (each allocation placed in the
# window, and freed from it). Writes bench/results/classify.json.
set -eu
cd "$(dirname "$0")/.."
B=build
LIB=$PWD/$B/libgpuscatter.so
JE=$(ldconfig -p | awk '/libjemalloc.so.2 / {print $NF; exit}')
[ -n "$JE" ] || { echo "bench-classify: libjemalloc.so.2 not found" >&2; exit 1; }
mkdir -p bench/results
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache
N=${CLASSIFY_ITER:-200000}
TN=${CLASSIFY_TP_ITER:-2000000}
settings() { # COLUMN: the environment it runs in
  case $1 in
    jemalloc) echo "LD_PRELOAD=$JE" ;;
    default) echo "LD_PRELOAD=$LIB" ;;
    recording) echo "LD_PRELOAD=$LIB GPUSCATTER_BACKEND=sim GPUSCATTER_SIM_CALL_US=0" ;;
    hot) echo "LD_PRELOAD=$LIB GPUSCATTER_BACKEND=sim GPUSCATTER_SIM_CALL_US=0 GPUSCATTER_SITES=malloc_loop" ;;
  esac
}
json=""
printf '%-10s %16s %14s\n' column "instr/op" "ns/op (best 3)"
for k in jemalloc default recording hot; do
  env $(settings $k) valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" \
    "$B/tests/malloc_loop" candidate 1 "$N" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  ins=$(awk -v n="$N" '/^summary:/ { printf "%.0f", $2 / n }' "$tmp/cg")
  best=""
  for i in 1 2 3; do
    s=$(date +%s%N); env $(settings $k) "$B/tests/malloc_loop" candidate 1 "$TN" >/dev/null; e=$(date +%s%N)
    t=$(( (e - s) / TN ))
    [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
  done
  printf '%-10s %16s %14s\n' "$k" "$ins" "$best"
  json="$json${json:+, }{\"column\": \"$k\", \"instructions_per_op\": $ins, \"ns_per_op\": $best}"
done
printf '{"machine": "%s, %s cores", "date": "%s", "iterations": %s, "rows": [%s]}\n' \
  "$(uname -n)" "$(nproc)" "$(date -u +%Y-%m-%d)" "$TN" "$json" >bench/results/classify.json
