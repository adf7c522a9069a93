#!/bin/sh
# make fuzz: each libFuzzer target for FUZZ_SECONDS (60) from the seeds in
# tests/fuzz/corpus/TARGET (the corpus grows in build/fuzz/corpus/). A crash
# leaves its input in build/fuzz/artifacts/ and fails. make check runs the
# same for a few seconds each.
set -eu
cd "$(dirname "$0")/.."
S=${FUZZ_SECONDS:-60}
F=build/fuzz
mkdir -p "$F/artifacts"
: >"$F/results.txt"
for t in env profile regtable; do
  mkdir -p "$F/corpus/$t"
  cp -n tests/fuzz/corpus/$t/* "$F/corpus/$t/" 2>/dev/null || true
  # -close_fd_mask=2: the parsers' warnings would drown the report.
  if ! "$F/$t" -max_total_time="$S" -close_fd_mask=2 -print_final_stats=1 \
       -artifact_prefix="$F/artifacts/$t-" "$F/corpus/$t" >"$F/$t.log" 2>&1; then
    tail -30 "$F/$t.log" >&2
    echo "fuzz: $t FAILED (input in $F/artifacts/)" >&2
    exit 1
  fi
  n=$(awk '/stat::number_of_executed_units/ {print $2}' "$F/$t.log")
  echo "fuzz: $t: $n executions in ${S}s, corpus $(ls "$F/corpus/$t" | wc -l) inputs, no failure" |
    tee -a "$F/results.txt"
done
