#!/usr/bin/env bash
# Short CI form of the benchmark regression gate (about a minute on 2 cores): builds
# bench_scaling and sdebench, runs the small sizes (L = 40, 400 solver steps, 40/400
# observations; not the 4000-step points) with 5 repetitions, and compares them with the
# committed baseline results/benchmarks/baseline_ci.json, made by the same filter: timings
# depend on which benchmarks ran before in the process (obs/diffusion/400: 90 ms after the
# 4000-step points, 105-128 ms without them; most likely glibc's adaptive mmap threshold), so
# the short form must not be compared with the full baseline.json. Exits non-zero on a
# regression and prints why. Extra arguments go to `sdebench bench-check` (e.g. --repetitions 9).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1
if [ ! -d build ]; then cmake -S . -B build -DCMAKE_BUILD_TYPE=Release; fi
cmake --build build --target bench_scaling sdebench -j"$(nproc)"
./build/apps/sdebench bench-check \
  --baseline results/benchmarks/baseline_ci.json \
  --program build/bench/bench_scaling \
  --repetitions 5 \
  --filter 'calibration|/40/|/400/' \
  --out build/bench-check/fresh.json "$@"
