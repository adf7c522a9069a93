#!/bin/sh
# The README's variables table is the one the option table generates.
. "$(dirname "$0")/lib.sh"
sed -n '/<!-- variables:begin -->/,/<!-- variables:end -->/p' "$ROOT/README.md" | sed '1d;$d' >"$WORK/readme"
"$B/gpuscatter-env" --markdown >"$WORK/table"
cmp -s "$WORK/readme" "$WORK/table" || { diff "$WORK/table" "$WORK/readme" >&2;
  fail "README variables table is stale: run scripts/update-readme-table.sh"; }
echo "ok: README variables table matches the option table"
