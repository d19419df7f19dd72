#!/usr/bin/env bash
# The test command: installs what is missing, then configures, builds and runs
# the whole test suite for each preset given (default: dev). Presets are in
# CMakePresets.json: dev (warnings as errors), sanitize (ASan+UBSan), clang.
#
#   scripts/test.sh                 # dev preset
#   scripts/test.sh dev sanitize    # what CI runs
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(dev)
jobs=$(nproc 2>/dev/null || echo 2)

for preset in "${presets[@]}"; do
  echo "== cxmetrics: preset ${preset}" >&2
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}" -j "${jobs}"
  ctest --preset "${preset}" -j "${jobs}"
done
