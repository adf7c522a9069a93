#!/bin/sh
# The Debian packages gpuscatter needs.
#   install-deps.sh check   what `make` needs (a compiler, jemalloc, libdrm
#                           headers): says what is missing, never installs
#   install-deps.sh build   installs those when missing
#   install-deps.sh test    also what `make check`, `make demo` and `make bench` run
set -eu
what=${1:-test}
if [ "$what" = check ]; then
  # By what the compiler finds, not by package names: any distribution.
  cc=${CC:-cc}
  missing=""
  command -v "$cc" >/dev/null 2>&1 || missing="$missing a C compiler ($cc)"
  if [ -z "$missing" ]; then
    printf '#include <jemalloc/jemalloc.h>\nint main(void){return mallctl(0,0,0,0,0);}\n' |
      "$cc" -x c - -o /dev/null -ljemalloc 2>/dev/null || missing="$missing libjemalloc-dev"
    { pkg-config --exists libdrm 2>/dev/null || [ -f /usr/include/libdrm/amdgpu_drm.h ]; } ||
      missing="$missing libdrm-dev"
  fi
  [ -z "$missing" ] && exit 0
  echo "gpuscatter: missing build dependencies:$missing" >&2
  echo "  install them (Debian: apt-get install gcc make libc6-dev libjemalloc-dev libdrm-dev pkg-config)," >&2
  echo "  or run 'make deps' (installs them with apt-get), 'make check' or 'make demo' (install theirs)" >&2
  exit 1
fi
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
