#!/bin/sh
# make install PREFIX=...: the installed launcher finds the installed
# library and helper; header and pkg-config file are usable.
. "$(dirname "$0")/lib.sh"
make -s -C "$ROOT" install PREFIX="$WORK/prefix" >/dev/null
P=$WORK/prefix
for f in bin/gpuscatter lib/libgpuscatter.so libexec/gpuscatter/gpuscatter-env \
  include/gpuscatter.h lib/pkgconfig/gpuscatter.pc; do
  [ -f "$P/$f" ] || fail "$f not installed"
done
out=$("$P/bin/gpuscatter" sh -c 'echo $LD_PRELOAD')
[ "$out" = "$P/bin/../lib/libgpuscatter.so" ] || fail "installed launcher preloads '$out'"
"$P/bin/gpuscatter" env | grep -q GPUSCATTER_BACKEND || fail "installed env"
"$P/bin/gpuscatter" --version | grep -q "gpuscatter " || fail "installed --version"
cat >"$WORK/use.c" <<'C'
#include <gpuscatter.h>
#include <stdio.h>
int main(void) { char b[4096]; return gpuscatter_stats_json(b, sizeof b) > 0 ? 0 : 1; }
C
PKG_CONFIG_PATH=$P/lib/pkgconfig cc -o "$WORK/use" "$WORK/use.c" \
  $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs gpuscatter) -Wl,-rpath,"$P/lib"
"$WORK/use" || fail "program built with pkg-config"
echo "ok: install"
