#!/usr/bin/env bash
# Installs everything Pactum needs on Debian 12, idempotently: Debian packages (only those
# missing) and the pinned npm toolchain (package-lock.json) into ./node_modules.
# Run as root (or with sudo available). Safe to run again; does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-16 libclang-rt-16-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libsecp256k1-dev libssl-dev libcrypto++-dev libsodium-dev
  libboost1.81-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libtomlplusplus-dev
  libsqlite3-dev sqlite3 libicu-dev
  wrk nginx-light valgrind openssl ca-certificates curl
)
# Node.js and npm: Debian's, unless the machine already has them (some images ship a newer
# Node.js whose bundled npm conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  APT_PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm: install exactly what the lockfile pins, only when node_modules is older than the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-deps: installing the pinned npm toolchain (solc-js, forge, anvil, cast, ethers, OpenZeppelin)"
  npm ci --no-audit --no-fund --loglevel=error
fi
