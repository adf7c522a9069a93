#!/bin/sh
# python3 with threads, subprocess, json, sqlite3 and ssl behaves as without the library.
. "$(dirname "$0")/lib.sh"
same "python3 workload" "$PY" "$ROOT/tests/integration/workload.py"
same "python3 exit status" "$PY" -c 'import sys; print("bye"); sys.exit(5)'
GPUSCATTER_BACKEND=off same "python3 with GPUSCATTER_BACKEND=off" "$PY" "$ROOT/tests/integration/workload.py"
gpu_used "python3 workload" "$PY" "$ROOT/tests/integration/workload.py"
