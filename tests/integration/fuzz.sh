#!/bin/sh
# The libFuzzer targets (environment parser, profile and rules, the
# registration table against a model) for a few seconds each.
. "$(dirname "$0")/lib.sh"
FUZZ_SECONDS=${FUZZ_SECONDS:-5} "$ROOT/scripts/fuzz.sh"
