#!/bin/sh
# What an ordinary malloc/free pair costs under the library against
# jemalloc alone, in instructions (callgrind: the same on any machine,
# whatever else it runs). The slope between two loop lengths leaves out
# start-up. Default settings, no GPU window (a program that never makes
# a large block): at most 6% more. With a window, reported.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind is needed (make check installs it)"
JE=$(ldconfig -p | awk '/libjemalloc.so.2 / {print $NF; exit}')
[ -n "$JE" ] || fail "libjemalloc.so.2 not found"
L=$B/tests/malloc_loop
count() { # PRELOAD ITER [window]
  LD_PRELOAD=$1 valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$L" small 1 "$2" ${3:-} \
    >/dev/null 2>"$WORK/cg.err" || { cat "$WORK/cg.err" >&2; fail "callgrind"; }
  awk '/^summary:/ {print $2}' "$WORK/cg.out"
}
slope() { # PRELOAD [window]: instructions per iteration
  a=$(count "$1" 100000 ${2:-}); b=$(count "$1" 300000 ${2:-})
  echo "$a $b" | awk '{ printf "%.2f", ($2 - $1) / 200000 }'
}
je=$(slope "$JE"); gs=$(slope "$LIB"); gw=$(slope "$LIB" window)
pct() { echo "$1 $2" | awk '{ printf "%+.1f%%", ($1 - $2) * 100 / $2 }'; }
echo "malloc+free of 16-256 B, instructions per pair: jemalloc $je, gpuscatter $gs ($(pct "$gs" "$je")), with a GPU window $gw ($(pct "$gw" "$je"))"
echo "$gs $je" | awk '{ exit !($1 <= $2 * 1.06) }' || fail "the ordinary path costs more than 6% over jemalloc alone"
echo "ok: the ordinary path is within 6% of jemalloc alone"
