#!/usr/bin/env bash
# Installs the Debian 12 packages sdebench needs, only when some are missing (idempotent).
set -euo pipefail

PACKAGES=(
  g++ cmake make pkg-config
  libtorch-dev             # LibTorch 1.13 (CPU)
  libopenblas0-pthread     # fast BLAS for LibTorch (the default libblas3 is the slow reference BLAS)
  libtomlplusplus-dev      # experiment specs
  catch2                   # tests (v2)
  libbenchmark-dev         # Google Benchmark
  libboost-dev             # Boost.Odeint for the dataset generators
  libgnuplot-iostream-dev gnuplot-nox  # report plots
  libmatio-dev             # MATLAB .mat files (MOCAP)
  libssl-dev               # SHA-256 of data files and caches (OpenSSL libcrypto)
  libcli11-dev             # the sdebench command line (help, options, errors)
  nlohmann-json3-dev       # result files (summary.json, sweep.json)
  slurmctld slurmd slurm-client munge  # Slurm sweeps: the local test cluster (scripts/slurm-local.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: not root. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} packages"
