#!/bin/sh
# Regenerate the README's variables table from the option table.
set -eu
cd "$(dirname "$0")/.."
make -s build/gpuscatter-env
awk -v table="$(build/gpuscatter-env --markdown)" '
  /<!-- variables:begin -->/ { print; print table; skip = 1; next }
  /<!-- variables:end -->/ { skip = 0 }
  !skip { print }' README.md >README.md.new
mv README.md.new README.md
