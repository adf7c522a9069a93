#!/bin/sh
# make demo: a real workload under the library, then its statistics.
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp /tmp/gpuscatter-demo.XXXXXX.json)
trap 'rm -f "$out"' EXIT
PY=$(python3 -c 'import sys; print(sys.executable)')
echo "== python3 workload under gpuscatter (backend: ${GPUSCATTER_BACKEND:-auto})"
build/gpuscatter --stats "$out" -- "$PY" tests/integration/workload.py
echo "== statistics"
"$PY" -m json.tool "$out"
