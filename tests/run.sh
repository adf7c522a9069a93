#!/bin/sh
# Runs every test: unit tests (Check), then integration tests (real
# programs under LD_PRELOAD). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=build
pass=0; failed=0; names=""
run() {
  name=$1; shift
  start=$(date +%s)
  if "$@" >"$B/test-$name.log" 2>&1; then
    pass=$((pass + 1)); echo "PASS $name ($(( $(date +%s) - start ))s)"
  else
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
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
