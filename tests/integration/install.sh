#!/bin/sh
# make install PREFIX=...: the installed launcher finds the installed
# library and helper; header and pkg-config file are usable.
. "$(dirname "$0")/lib.sh"
make -s -C "$ROOT" install PREFIX="$WORK/prefix" >/dev/null
P=$WORK/prefix
for f in bin/gpuscatter lib/libgpuscatter.so libexec/gpuscatter/gpuscatter-env \
  libexec/gpuscatter/gpuscatter-report include/gpuscatter.h lib/pkgconfig/gpuscatter.pc; do
  [ -f "$P/$f" ] || fail "$f not installed"
done
out=$("$P/bin/gpuscatter" sh -c 'echo $LD_PRELOAD')
[ "$out" = "$P/bin/../lib/libgpuscatter.so" ] || fail "installed launcher preloads '$out'"
"$P/bin/gpuscatter" env | grep -q GPUSCATTER_BACKEND || fail "installed env"
"$P/bin/gpuscatter" --version | grep -q "gpuscatter " || fail "installed --version"
# The API through dlsym, as the header says: the program runs with and
# without the library, and linking it in (which would make it the
# program's allocator) is not what pkg-config suggests.
cat >"$WORK/use.c" <<'C'
#include <gpuscatter.h>
#include <dlfcn.h>
#include <stdio.h>
int main(void)
{
  int (*stats)(char *, size_t) = (int (*)(char *, size_t))dlsym(RTLD_DEFAULT, "gpuscatter_stats_json");
  char b[8192];
  printf("%s\n", stats && stats(b, sizeof b) > 0 ? "loaded" : "absent");
  return 0;
}
C
PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --libs gpuscatter | grep -q lgpuscatter &&
  fail "gpuscatter.pc links the library in"
cc -o "$WORK/use" "$WORK/use.c" $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags gpuscatter) -ldl
[ "$("$WORK/use")" = absent ] || fail "API found without the library"
[ "$("$P/bin/gpuscatter" "$WORK/use")" = loaded ] || fail "API not found under the launcher"
pre=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --variable=preload gpuscatter)
[ "$pre" = "$P/lib/libgpuscatter.so" ] || fail "pkg-config preload variable: $pre"
GPUSCATTER_BACKEND=sim "$P/bin/gpuscatter" --stats "$WORK/s.json" "$B/scatter" --n 50 >/dev/null
"$P/bin/gpuscatter" report "$WORK/s.json" | grep -q "registrations:  50 by the application" ||
  fail "installed report"
make -s -C "$ROOT" uninstall PREFIX="$WORK/prefix" >/dev/null
left=$(find "$P" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "ok: install, the API through dlsym, pkg-config, report, uninstall"
