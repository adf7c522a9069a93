#!/bin/sh
# Pin what is asked: registering N bytes of untouched or sparse memory
# costs at most N and one chunk of resident memory (the simulated runtime
# pins N, as the driver does), in every binding mode; nothing stays bound
# once the registrations end; a sparse buffer stays sparse with a backend
# live; a forked child's first pinned allocation costs what the parent's
# did. The limits are in tests/programs/resident.c.
. "$(dirname "$0")/lib.sh"
R=$B/tests/resident
export GPUSCATTER_BACKEND=sim GPUSCATTER_SIM_CALL_US=0 GPUSCATTER_SIM_GIB_MS=0 \
  GPUSCATTER_SIM_HUGE_GIB_MS=0 GPUSCATTER_SIM_ALLOC_GIB_MS=0
# The runtime alone (every registration passed to it): what native pins.
for m in untouched aligned loop; do
  GPUSCATTER_ARENAS=off LD_PRELOAD=$LIB "$R" $m | sed 's/^/runtime alone: /' || fail "$m without arenas"
done
for bind in lazy async eager; do
  # eager binds (and so faults in) everything placed, ahead, by design:
  # for programs that register what they allocate. What it bound must
  # still go back once freed.
  modes="untouched aligned loop sparse fork"
  [ $bind = eager ] && modes="loop fork"
  for m in $modes; do
    out=$(GPUSCATTER_BIND=$bind LD_PRELOAD=$LIB "$R" $m 2>&1) || fail "GPUSCATTER_BIND=$bind: $out"
    echo "ok: GPUSCATTER_BIND=$bind $out"
  done
done
# A profile is a forecast: the runs before registered from a call site,
# this one does not. Taught with the same arguments, the site places its
# memory and nothing binds it; taught with other arguments (another mode of
# the program), the site places nothing until this mode registers.
for bind in async lazy; do
  rm -rf "$XDG_CACHE_HOME"
  GPUSCATTER_BIND=$bind RESIDENT_TEACH=1 LD_PRELOAD=$LIB "$R" forecast >/dev/null || fail "teach"
  out=$(GPUSCATTER_BIND=$bind LD_PRELOAD=$LIB "$R" forecast 2>&1) || fail "GPUSCATTER_BIND=$bind: $out"
  case $out in *" 2048 MiB placed by the learned site"*) ;; *) fail "the site was not learned: $out" ;; esac
  echo "ok: GPUSCATTER_BIND=$bind, learned site, same mode, no registration: $out"
  rm -rf "$XDG_CACHE_HOME"
  GPUSCATTER_BIND=$bind LD_PRELOAD=$LIB "$R" teach >/dev/null || fail "teach"
  out=$(GPUSCATTER_BIND=$bind LD_PRELOAD=$LIB "$R" forecast 2>&1) || fail "GPUSCATTER_BIND=$bind: $out"
  case $out in *" 0 MiB placed by the learned site"*) ;; *) fail "another mode's site placed memory: $out" ;; esac
  echo "ok: GPUSCATTER_BIND=$bind, site learned in another mode: $out"
done
# Registrations into memory the program mapped itself make no mode known:
# the profile's modes stay those of the runs that registered placed memory.
rm -rf "$XDG_CACHE_HOME"
LD_PRELOAD=$LIB "$R" teach >/dev/null || fail "teach"
modes() { cat "$XDG_CACHE_HOME"/gpuscatter/*.profile | grep -c '^m '; }
before=$(modes)
LD_PRELOAD=$LIB "$R" mapped >/dev/null || fail "mapped"
[ "$before" = 1 ] && [ "$(modes)" = 1 ] || fail "modes in the profile: $before after teach, $(modes) after mapped"
echo "ok: registrations into the program's own mapping teach no mode (1 mode before and after)"
# The same arguments as a run that registered: the sites' filled memory is
# bound ahead, before the first registration; other arguments (another
# mode of the program) wait for their own first registration.
rm -rf "$XDG_CACHE_HOME"
ahead() { LD_PRELOAD=$LIB "$R" weights "$@" | sed -n 's/^weights: \([0-9]*\) bytes bound.*/\1/p'; }
first=$(ahead); second=$(ahead); other=$(ahead --other-mode); other2=$(ahead --other-mode)
[ "$first" = 0 ] && [ "$second" -gt 0 ] && [ "$other" = 0 ] && [ "$other2" -gt 0 ] ||
  fail "bound before registering: first $first, same mode $second, other mode $other, then $other2"
echo "ok: bound ahead only in a mode that registered before: 0, $second, 0, $other2 bytes"
