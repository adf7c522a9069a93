#!/bin/sh
# What call-site classification costs per candidate allocation (4-64 KiB,
# six calls deep, malloc then free): callgrind instructions and wall-clock
# nanoseconds, jemalloc alone against gpuscatter by size, with a rule that
# never matches (sites) and learning. Writes bench/results/classify.json.
set -eu
cd "$(dirname "$0")/.."
B=build
LIB=$PWD/$B/libgpuscatter.so
JE=$(ldconfig -p | awk '/libjemalloc.so.2 / {print $NF; exit}')
[ -n "$JE" ] || { echo "bench-classify: libjemalloc.so.2 not found" >&2; exit 1; }
mkdir -p bench/results
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
N=${CLASSIFY_ITER:-200000}
TN=${CLASSIFY_TP_ITER:-2000000}
cmd() { # NAME ITER
  case $1 in
    jemalloc) env LD_PRELOAD="$JE" "$B/tests/malloc_loop" candidate 1 "$2" ;;
    size) env GPUSCATTER_CLASSIFY=size LD_PRELOAD="$LIB" "$B/tests/malloc_loop" candidate 1 "$2" ;;
    sites) env GPUSCATTER_CLASSIFY=sites GPUSCATTER_SITES=libnothing.so LD_PRELOAD="$LIB" \
             "$B/tests/malloc_loop" candidate 1 "$2" ;;
    learn) env GPUSCATTER_CLASSIFY=learn LD_PRELOAD="$LIB" "$B/tests/malloc_loop" candidate 1 "$2" ;;
  esac
}
json=""
printf '%-10s %16s %14s\n' column "instr/op" "ns/op (best 3)"
for k in jemalloc size sites learn; do
  case $k in jemalloc) pre=$JE ;; *) pre=$LIB ;; esac
  env $(case $k in size) echo GPUSCATTER_CLASSIFY=size ;; sites) echo GPUSCATTER_CLASSIFY=sites GPUSCATTER_SITES=libnothing.so ;;
        learn) echo GPUSCATTER_CLASSIFY=learn ;; esac) LD_PRELOAD="$pre" \
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$B/tests/malloc_loop" candidate 1 "$N" \
    >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  ins=$(awk -v n="$N" '/^summary:/ { printf "%.0f", $2 / n }' "$tmp/cg")
  best=""
  for i in 1 2 3; do
    s=$(date +%s%N); cmd "$k" "$TN" >/dev/null; e=$(date +%s%N)
    t=$(( (e - s) / TN ))
    [ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
  done
  printf '%-10s %16s %14s\n' "$k" "$ins" "$best"
  json="$json${json:+, }{\"column\": \"$k\", \"instructions_per_op\": $ins, \"ns_per_op\": $best}"
done
printf '{"machine": "%s, %s cores", "date": "%s", "iterations": %s, "rows": [%s]}\n' \
  "$(uname -n)" "$(nproc)" "$(date -u +%Y-%m-%d)" "$TN" "$json" >bench/results/classify.json
