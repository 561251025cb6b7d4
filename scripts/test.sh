#!/usr/bin/env bash
# Sets up, builds, runs the short benchmark regression gate, then the whole test suite; the
# ctest summary is the last line before the phase times (build, bench gate, ctest), which
# reports/build-time.md tracks.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
bash scripts/build.sh
built=$SECONDS
# Benchmark regression gate, short form (~20 s of benchmarks; passed 10/10 reruns on an
# unchanged tree when added): see results/benchmarks/README.md.
bash scripts/bench-check.sh
gated=$SECONDS
ctest --test-dir build --output-on-failure -j"$(nproc)"
echo "test.sh wall times: build $((built - start)) s, bench gate $((gated - built)) s, ctest $((SECONDS - gated)) s"
