#!/bin/sh
# g++ under the library builds the same binary, and that program (new,
# delete, std::vector, exceptions) runs the same under the library.
. "$(dirname "$0")/lib.sh"
src=$ROOT/tests/programs/cxx_workload.cc
g++ -O2 -std=c++17 -o "$WORK/native" "$src"
LD_PRELOAD=$LIB g++ -O2 -std=c++17 -o "$WORK/pre" "$src"
cmp -s "$WORK/native" "$WORK/pre" || fail "g++ under gpuscatter produced a different binary"
echo "ok: g++ under gpuscatter builds a byte-identical binary"
same "C++ new/delete/vector/exceptions" "$WORK/native"
grep -q "wide=1 threw=1 nothrow_null=1" "$WORK/pre.out" || fail "C++ semantics: $(cat "$WORK/pre.out")"
gpu_used "g++" g++ -O2 -std=c++17 -o "$WORK/again" "$src"
gpu_used "C++ program" "$WORK/native"
