#!/bin/sh
# Install the Debian packages tshoot needs to build, test and benchmark.
# Idempotent: only missing packages are installed. Root is needed only when
# something is missing.
#   scripts/deps.sh          build + unit/cli tests
#   scripts/deps.sh full     + servers and tools used by integration tests/benchmarks
set -eu
pkgs="build-essential meson ninja-build pkg-config clang clang-format \
libcmocka-dev libcurl4-openssl-dev libpcre2-dev libhyperscan-dev libfyaml-dev \
libjansson-dev zlib1g-dev libdeflate-dev libzstd-dev libmicrohttpd-dev \
libsqlite3-dev libsystemd-dev libclang-rt-14-dev \
gzip zstd util-linux procps iproute2 python3 systemd-journal-remote \
python3-yaml curl prometheus prometheus-alertmanager chromium"
if [ "${1:-}" = full ]; then
    pkgs="$pkgs hyperfine valgrind prometheus-node-exporter"
fi
# Node.js runs the MCP SDK and markdownlint tests: Debian's nodejs/npm unless a
# node (>= 18) is already installed by other means.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    pkgs="$pkgs nodejs npm"
fi
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || true
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
