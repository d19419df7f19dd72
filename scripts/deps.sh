#!/usr/bin/env bash
# Installs the Debian 12 packages cxmetrics needs to build, test and run its
# examples, if any are missing. As root it runs apt-get; otherwise it prints
# the exact command to run and exits with status 2.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  g++ clang libclang-rt-14-dev
  libeigen3-dev libboost-math-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhwy-dev libcli11-dev libreadstat-dev
  python3 chromium fonts-liberation
  python3-dev python3-pybind11 python3-numpy python3-pandas python3-pytest python3-distributed
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "cxmetrics: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $cmd
else
  echo "cxmetrics: these Debian packages are missing: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo $cmd" >&2
  exit 2
fi
