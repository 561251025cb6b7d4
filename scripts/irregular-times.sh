#!/usr/bin/env bash
# Shared vs per-sequence observation times at the same number of observations (issue 19):
# writes two CSVs of 60 sequences x 30 observations (a random walk in 2 dimensions), one on the
# shared times k * 0.1 and one with every time jittered by less than 0.02 (so no two sequences
# share a time), then trains SDE Matching on each back to back (normalise on, batch 32, 100
# iterations, evaluation every 50, one thread) and prints both wall times and their ratio.
#   bash scripts/irregular-times.sh [build dir] [output dir]
set -euo pipefail
build=${1:-build}
out=${2:-results/irregular-times}
mkdir -p "$out"
write_csv() {  # $1 file, $2 jitter (0 or 1)
  awk -v jitter="$2" 'BEGIN {
    srand(19); print "sequence_id,time,x,y";
    for (s = 0; s < 60; s++) { x = 0; y = 0;
      for (k = 0; k < 30; k++) {
        t = k * 0.1 + (jitter ? 0.02 * rand() : 0);
        x += 0.3 * (rand() - 0.5); y += 0.3 * (rand() - 0.5);
        printf "s%d,%.6f,%.6f,%.6f\n", s, t, x, y } } }' > "$1"
}
write_csv "$out/shared.csv" 0
write_csv "$out/jittered.csv" 1
run() {  # $1 csv; prints the wall seconds of the whole run
  local start end
  start=$(date +%s.%N)
  "$build/apps/sdebench" run experiments/defaults/csv.toml "dataset.path=$1" method.name=sde_matching \
    training.batch_size=32 training.iterations=100 training.eval_every=50 training.threads=1 \
    training.checkpoint_every=0 "output.dir=$out/runs" >"$1.log" 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }' 
}
shared=$(run "$out/shared.csv")
jittered=$(run "$out/jittered.csv")
echo "shared times (60 x 30): ${shared} s"
echo "jittered times (60 x 30, per-sequence): ${jittered} s"
awk -v a="$shared" -v b="$jittered" 'BEGIN { printf "ratio jittered / shared: %.2f\n", b / a }' 
