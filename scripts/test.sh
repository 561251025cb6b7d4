#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite; the ctest summary is the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
