#!/usr/bin/env bash
# Sets up, builds, runs the short benchmark regression gate, then the whole test suite; the
# ctest summary is the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# Benchmark regression gate, short form (~20 s of benchmarks; passed 10/10 reruns on an
# unchanged tree when added): see results/benchmarks/README.md.
bash scripts/bench-check.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
