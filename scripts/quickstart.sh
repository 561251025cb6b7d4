#!/usr/bin/env bash
# The main job, from a fresh clone: install the Debian packages, build sdebench, train SDE
# Matching and the adjoint latent SDE briefly on a small stochastic Lorenz set (one sweep), then
# aggregate the runs into a report and print the comparison table and where the report and its
# plots are. Budget: under 10 minutes on 2 cores.
#
# Usage: bash scripts/quickstart.sh [extra overrides for the sweep, e.g. training.iterations=50]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh sdebench

# OpenBLAS threads fight LibTorch's on small machines (see core/threads.h). The two methods
# train one after the other with every core each, so their step times compare fairly.
export OPENBLAS_NUM_THREADS=1

runs_file=$(mktemp)
trap 'rm -f "$runs_file"' EXIT
start=$(date +%s)
# A run that diverges or fails is recorded and the sweep goes on; report whatever ran.
build/apps/sdebench sweep experiments/quickstart.toml method.name=sde_matching,latent_sde \
  --runs-file "$runs_file" --no-table "$@" || echo "quickstart: some runs failed (see above)"
mapfile -t runs < "$runs_file"
if [ ${#runs[@]} -eq 0 ]; then
  echo "quickstart: no runs were made" >&2
  exit 1
fi

name="quickstart-$(date -u +%Y%m%d-%H%M%S)"
echo
build/apps/sdebench report "${runs[@]}" --name "$name"
echo
echo "quickstart: finished in $(( $(date +%s) - start )) s (training and report)."
echo "  runs:   ${runs[*]}"
echo "  report: reports/$name/README.md (tables: summary.csv, summary.tex; plots: *.png)"
