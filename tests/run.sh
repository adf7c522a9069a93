#!/bin/sh
# Runs every test: unit tests (Check), then integration tests (real
# programs under LD_PRELOAD). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=build
pass=0; failed=0; names=""
suite_start=$(date +%s)
echo "every test's output, and the figures it measured, go to $B/test-NAME.log"
# A line every 30 s while a test runs, so a long one is not mistaken for a
# hang (the classify test takes over a minute on 2 cores).
ticker() {
  name=$1; t=0
  while sleep 30; do t=$((t + 30)); echo "  ... $name still running (${t}s)"; done
}
run() {
  name=$1; shift
  start=$(date +%s)
  ticker "$name" & tick=$!
  if "$@" >"$B/test-$name.log" 2>&1; then
    kill $tick 2>/dev/null; wait $tick 2>/dev/null
    pass=$((pass + 1)); echo "PASS $name ($(( $(date +%s) - start ))s)"
  else
    kill $tick 2>/dev/null; wait $tick 2>/dev/null
    failed=$((failed + 1)); names="$names $name"; echo "FAIL $name"; sed 's/^/    /' "$B/test-$name.log" | tail -30
  fi
}
run check_config "$B/tests/check_config"
run check_arena "$B/tests/check_arena"
run check_classify "$B/tests/check_classify"
run model_units "$B/tests/model_units"
run check_malloc env LD_PRELOAD="$PWD/$B/libgpuscatter.so" "$B/tests/check_malloc"
for t in tests/integration/*.sh; do
  n=$(basename "$t" .sh)
  [ "$n" = lib ] && continue
  run "$n" "$t"
done
[ -z "$names" ] || echo "failed:$names"
echo "$pass passed, $failed failed in $(( $(date +%s) - suite_start ))s; logs and figures: $B/test-*.log"
[ "$failed" -eq 0 ]
