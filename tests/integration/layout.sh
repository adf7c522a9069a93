#!/bin/sh
# The library's folders form a one-way stack (config, arena, classify,
# runtime, bind, preload): no folder includes a header of a folder after it
# in the stack, and no folder holds more than 40% of the library's lines.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
layers=$(sed -n 's/^LAYERS *:= *//p' Makefile)
[ -n "$layers" ] || fail "no LAYERS in the Makefile"
i=0
for l in $layers; do
  eval "rank_$l=$i"; i=$((i + 1))
done
bad=""
for l in $layers; do
  eval "mine=\$rank_$l"
  for f in "$l"/*.c "$l"/*.h; do
    [ -e "$f" ] || continue
    for inc in $(sed -n 's|^#include "\.\./\([a-z]*\)/.*|\1|p' "$f"); do
      eval "theirs=\${rank_$inc:-}"
      [ -n "$theirs" ] || fail "$f includes from $inc/, which is not a layer"
      [ "$theirs" -lt "$mine" ] || bad="$bad $f->$inc/"
    done
  done
done
[ -z "$bad" ] || fail "includes against the stack:$bad"
total=$(cat $(for l in $layers; do ls "$l"/*.c "$l"/*.h; done) | wc -l)
for l in $layers; do
  n=$(cat "$l"/*.c "$l"/*.h | wc -l)
  [ $((n * 100)) -le $((total * 40)) ] || fail "$l/ holds $n of $total lines (over 40%)"
  echo "ok: $l/ $n lines ($((n * 100 / total))%)"
done
# Only the top layer exports symbols: the malloc family, the runtime calls
# and the public API (tests/integration/exports.sh checks the names).
if grep -l 'GS_EXPORT' $(for l in $layers; do [ "$l" = preload ] || ls "$l"/*.c; done) 2>/dev/null; then
  fail "exports outside preload/"
fi
echo "ok: $layers form a one-way stack of includes"
