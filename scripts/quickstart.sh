#!/usr/bin/env bash
# The README's first command: installs what is missing (Debian 12), builds the
# library, its examples and the cxm tool in release mode, runs the main job on
# the bundled sample data (NPS, CSAT and resolution rate per channel with
# intervals, and whether each channel differs from the rest), and ends with
# the HTML report of the same data: build/release/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset release >/dev/null
cmake --build --preset release -j "${jobs}" --target channel_report cxm
build/release/examples/channel_report examples/data/responses.csv "$@"
build/release/src/cli/cxm report examples/data/responses.csv -o build/release/report.html --quiet
echo
echo "Report with charts: $(pwd)/build/release/report.html (open it in a browser)"
