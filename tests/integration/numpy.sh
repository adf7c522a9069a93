#!/bin/sh
# A second project's own test suite under the library: NumPy's (Debian's
# python3-numpy with pytest), about 8000 tests of arrays of every size, with
# GPU-bound arrays from 64 KiB and call-site learning on, so that real
# allocation patterns go through the arenas and the backtrace path.
. "$(dirname "$0")/lib.sh"
NP=/usr/bin/python3
$NP -c 'import numpy, pytest' 2>/dev/null || fail "python3-numpy and python3-pytest are needed (make deps)"
cd "$WORK"
MODULES="numpy.core.tests.test_numeric numpy.core.tests.test_nditer numpy.core.tests.test_indexing
  numpy.core.tests.test_memmap numpy.core.tests.test_umath numpy.lib.tests.test_function_base
  numpy.fft numpy.linalg.tests.test_linalg"
# shellcheck disable=SC2086
GPUSCATTER_BACKEND=sim GPUSCATTER_MIN_SIZE=64K GPUSCATTER_CLASSIFY=learn \
  GPUSCATTER_STATS="$WORK/np.json" LD_PRELOAD=$LIB \
  $NP -m pytest -q -p no:cacheprovider --pyargs $MODULES >"$WORK/out" 2>&1 ||
  { tail -30 "$WORK/out" >&2; fail "NumPy's tests failed under gpuscatter"; }
summary=$(tail -1 "$WORK/out")
echo "$summary" | grep -q " passed" && ! echo "$summary" | grep -Eq '[0-9]+ (failed|errors?)' ||
  fail "unexpected summary: $summary"
python3 - "$WORK/np.json" <<'PY' || fail "NumPy's tests placed nothing, or classification looked at nothing"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["allocations"]["gpu"] > 1000 and s["classify"]["sites"] > 20, s
print("ok: %d placed allocations, %d call sites seen" % (s["allocations"]["gpu"], s["classify"]["sites"]))
PY
echo "ok: NumPy under gpuscatter: $summary"
