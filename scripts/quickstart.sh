#!/usr/bin/env bash
# The README's first command: installs what is missing (Debian 12), builds the
# library and its examples in release mode, and runs the main job on the
# bundled sample data: NPS, CSAT and resolution rate per channel with
# intervals, and whether each channel differs from the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset release >/dev/null
cmake --build --preset release -j "${jobs}" --target channel_report
build/release/examples/channel_report examples/data/responses.csv "$@"
