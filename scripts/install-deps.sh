#!/bin/sh
# Install the Debian packages gpuscatter builds and tests with, when missing.
set -eu
pkgs="libjemalloc-dev libunwind-dev libdrm-dev check libamdhip64-dev pkg-config"
# Tools the tests run as real workloads under the library.
pkgs="$pkgs gcc g++ make git python3 libpython3.11-testsuite valgrind bc"
# A second project's test suite (NumPy's), and libFuzzer for make fuzz.
pkgs="$pkgs python3-numpy python3-pytest python3-hypothesis clang libclang-rt-dev"
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
