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
mkdir -p bench/results
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { srand(7); for (i = 0; i < 100000; i++) printf "%08d line %d\n", int(rand() * 1e8), i }' >"$tmp/sort.in"
ITER=${ITER:-1000000}

# instructions PRELOAD CMD...: total instructions of all threads.
instructions() {
  pre=$1; shift
  LD_PRELOAD=$pre valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" \
    >/dev/null 2>"$tmp/cg.err" || { cat "$tmp/cg.err" >&2; exit 1; }
  awk '/^summary:/ {print $2}' "$tmp/cg.out"
}

json="["
printf '%-28s %14s %14s %14s %9s\n' workload glibc jemalloc gpuscatter "vs je"
for w in "small 1 $ITER" "small 2 $ITER" "mixed 1 $ITER" "mixed 2 $ITER" "sort" "python"; do
  case $w in
    sort) cmd="sort -n $tmp/sort.in"; name="sort -n (100k lines)" ;;
    python) cmd="python3 -c import\ json;json.dumps([{'k':i}\ for\ i\ in\ range(200000)])"; name="python3 json" ;;
    *) set -- $w; cmd="$B/tests/malloc_loop $w"; name="loop $1, $2 thread(s)" ;;
  esac
  # shellcheck disable=SC2086
  g=$(eval instructions "''" $cmd)
  # shellcheck disable=SC2086
  j=$(eval instructions "$JE" $cmd)
  # shellcheck disable=SC2086
  s=$(eval instructions "$LIB" $cmd)
  pct=$(awk -v s="$s" -v j="$j" 'BEGIN { printf "%+.2f%%", (s - j) * 100 / j }')
  printf '%-28s %14s %14s %14s %9s\n' "$name" "$g" "$j" "$s" "$pct"
  json="$json{\"workload\": \"$name\", \"glibc\": $g, \"jemalloc\": $j, \"gpuscatter\": $s},"
done
echo "${json%,}]" >bench/results/malloc.json
echo "instructions counted with valgrind --tool=callgrind; written to bench/results/malloc.json"
