#!/bin/sh
# The README's variables table is the one the option table generates.
. "$(dirname "$0")/lib.sh"
sed -n '/<!-- variables:begin -->/,/<!-- variables:end -->/p' "$ROOT/README.md" | sed '1d;$d' >"$WORK/readme"
"$B/gpuscatter-env" --markdown >"$WORK/table"
cmp -s "$WORK/readme" "$WORK/table" || { diff "$WORK/table" "$WORK/readme" >&2;
  fail "README variables table is stale: run scripts/update-readme-table.sh"; }
echo "ok: README variables table matches the option table"
# The sections a new user looks for, the two commands, and CI running the
# README's test command.
for h in "Quick start (Debian 12)" "Use" "ComfyUI" "ROCm in a KVM guest" "Backends" "Performance" \
  "Troubleshooting" "Compatibility" "Variables" "How it works" "For developers" "Uninstall"; do
  grep -qx "## $h" "$ROOT/README.md" || fail "README has no section '$h'"
done
grep -q '^make demo ' "$ROOT/README.md" && grep -q '^make check ' "$ROOT/README.md" ||
  fail "README's quick start lacks make demo / make check"
grep -qx 'make check' "$ROOT/.ci/run" || fail ".ci/run does not run the README's make check"
[ -f "$ROOT/LICENSE" ] || fail "no LICENSE"
# Every document the code cites exists.
for d in $(grep -rhoE 'docs/[A-Z]+\.md' "$ROOT"/config "$ROOT"/arena "$ROOT"/classify "$ROOT"/runtime \
  "$ROOT"/bind "$ROOT"/preload | sort -u); do
  [ -f "$ROOT/$d" ] || fail "the code cites $d, which does not exist"
done
# And every section of docs/DESIGN.md they name.
grep -rhoE 'DESIGN\.md, "[^"]+"' "$ROOT"/config "$ROOT"/arena "$ROOT"/classify "$ROOT"/runtime "$ROOT"/bind \
  "$ROOT"/preload "$ROOT"/tests | sed 's/.*, "//; s/"$//' | sort -u | while read -r sec; do
  grep -q "^## $sec" "$ROOT/docs/DESIGN.md" || fail "docs/DESIGN.md has no section '$sec'"
done
echo "ok: README sections, commands, CI command, LICENSE, cited documents and sections"
