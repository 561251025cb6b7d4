#!/usr/bin/env bash
# A real single-node Slurm cluster (munge, slurmctld, slurmd from Debian 12's packages) on this
# machine, for trying `sdebench sweep --launcher slurm` and for the `slurm` ctest label.
#
#   bash scripts/slurm-local.sh up     # start one (or reuse the one already running); waits until idle
#   bash scripts/slurm-local.sh down   # stop the daemons by their pid files
#
# Needs root (daemons, /etc/slurm/slurm.conf, the munge key). There is no systemd in containers,
# so the daemons are started by hand; state, spool, pid and log files live under $SLURM_LOCAL_DIR
# (default /tmp/sdebench-slurm), which `up` wipes before a fresh start, because old jobs saved
# there would otherwise come back. Facts behind the settings: ../shared/notes/slurm-local.md.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${SLURM_LOCAL_DIR:-/tmp/sdebench-slurm}
CONF=/etc/slurm/slurm.conf
MARKER="# written by sdebench scripts/slurm-local.sh"

die() { echo "slurm-local: $*" >&2; exit 1; }

# pid_alive FILE NAME: the pid in FILE is running and is NAME. Pid files outlive their daemons
# and pids are reused: never signal a pid without checking what it is now.
pid_alive() {
  [ -f "$1" ] || return 1
  local pid
  pid=$(cat "$1")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# "idle", "mixed" or "allocated" when our node answers; empty otherwise.
node_state() { timeout 5 sinfo -h -o %T 2>/dev/null | head -n1 || true; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

node_ready() { case "$(node_state)" in idle*|mixed*|alloc*) return 0 ;; *) return 1 ;; esac; }

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile /etc/munge/munge.key || die "cannot create /etc/munge/munge.key"
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  # munged forks and writes /run/munge/munged.pid.
  su -s /bin/sh munge -c /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
  # `down` stops munged only if we started it (a machine's own munge stays up).
  touch "$STATE/started-munge"
  wait_for 10 munge sh -c 'munge -n | unmunge >/dev/null 2>&1' || die "munge does not answer (munge -n | unmunge)"
}

write_conf() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # RealMemory must not exceed what slurmd finds, or the node is drained; stay below free memory.
  mem=$(($(free -m | awk '/^Mem:/ {print $2}') * 9 / 10))
  if [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    die "$CONF exists and was not written by this script; refusing to replace a real cluster's configuration"
  fi
  mkdir -p /etc/slurm "$STATE"/{state,spool,log}
  cat > "$CONF" <<EOF
$MARKER (single-node test cluster; state in $STATE)
ClusterName=sdebench-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
# No systemd or cgroups in a container: track processes by parent pid, no task containment.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
# 22.05 reads this key here only; otherwise a dependent job of a failed afterok pends forever.
DependencyParameters=kill_invalid_depend
# SIGTERM, then SIGKILL this many seconds later (a run needs one iteration to checkpoint).
KillWait=30
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

up() {
  # sinfo retries for seconds when no slurmctld answers: ask it only when one is running.
  if pidof slurmctld >/dev/null && node_ready; then
    echo "slurm-local: using the running cluster (node $(node_state))"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "needs root (daemons, $CONF, the munge key)"
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
      || ! command -v munged >/dev/null; then
    bash scripts/install-deps.sh
  fi
  # Leftovers of a cluster that is half up (or of an old one) would keep old jobs and ports.
  down quiet
  rm -rf "$STATE"
  mkdir -p "$STATE"
  start_munge
  write_conf
  slurmctld || die "slurmctld did not start (see $STATE/log/slurmctld.log)"
  slurmd || die "slurmd did not start (see $STATE/log/slurmd.log)"
  if ! wait_for 30 node node_ready; then
    echo "--- $STATE/log/slurmctld.log" >&2; tail -n 20 "$STATE/log/slurmctld.log" >&2 || true
    echo "--- $STATE/log/slurmd.log" >&2; tail -n 20 "$STATE/log/slurmd.log" >&2 || true
    die "the node did not become idle within 30 s (sinfo: '$(node_state)')"
  fi
  echo "slurm-local: up: node $(hostname -s), $(nproc) CPUs, partition debug (state in $STATE)"
}

stop_pidfile() {  # stop_pidfile FILE NAME: SIGTERM, then wait up to 10 s for the process to go
  local file=$1 name=$2 pid
  pid_alive "$file" "$name" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  wait_for 10 "$name" sh -c "! kill -0 $pid 2>/dev/null" || {
    echo "slurm-local: $name (pid $pid) still running after 10 s; sending SIGKILL" >&2
    kill -9 "$pid" 2>/dev/null || true
  }
  rm -f "$file"
}

down() {
  stop_pidfile "$STATE/slurmd.pid" slurmd
  stop_pidfile "$STATE/slurmctld.pid" slurmctld
  if [ -f "$STATE/started-munge" ]; then
    stop_pidfile /run/munge/munged.pid munged
    rm -f "$STATE/started-munge"
  fi
  [ "${1:-}" = quiet ] || echo "slurm-local: down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: bash scripts/slurm-local.sh up|down" >&2; exit 2 ;;
esac
