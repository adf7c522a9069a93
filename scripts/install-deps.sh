#!/bin/sh
# Install the Debian packages gpuscatter needs, when missing.
#   install-deps.sh build   what `make` needs: a compiler, jemalloc, libdrm headers
#   install-deps.sh test    also what `make check`, `make demo` and `make bench` run
set -eu
what=${1:-test}
pkgs="gcc make libc6-dev libjemalloc-dev libdrm-dev pkg-config"
if [ "$what" = test ]; then
  # Unit tests, the HIP runtime to bind against, tools the tests run as
  # real workloads under the library.
  pkgs="$pkgs check libamdhip64-dev g++ git python3 libpython3.11-testsuite valgrind bc"
  # A second project's test suite (NumPy's), a real server, libFuzzer,
  # matplotlib for the report's plots.
  pkgs="$pkgs python3-numpy python3-pytest python3-hypothesis redis-server redis-tools"
  pkgs="$pkgs clang libclang-rt-dev python3-matplotlib"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "gpuscatter: installing$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
