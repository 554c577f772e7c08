#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, for the cluster tests (scripts/test.sh starts it):
#
#   scripts/slurm-cluster.sh start    # munged, slurmctld and slurmd; prints `export SLURM_CONF=…`
#   scripts/slurm-cluster.sh stop     # cancels every job, shuts the daemons down
#
# Everything lives under $SLURM_CLUSTER_DIR (default /tmp/mnist-report-slurm): configuration,
# state, logs and a private munged socket, so nothing of the machine's own Slurm or munge
# is touched. Needs Debian's slurm-wlm and munge (scripts/install-deps.sh) and root, as
# slurmd does. Written for Slurm 22.05 (Debian 12).
set -euo pipefail

dir=${SLURM_CLUSTER_DIR:-/tmp/mnist-report-slurm}
conf=$dir/etc/slurm.conf
socket=$dir/munge/munge.socket.2

start() {
  for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || { echo "slurm-cluster: $tool not found (install slurm-wlm and munge)" >&2; exit 1; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "slurm-cluster: slurmd needs root" >&2; exit 1; }
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    echo "export SLURM_CONF=$conf"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir/etc" "$dir/munge" "$dir/state" "$dir/spool"
  # munged wants its socket folder 0755 and its key 0600.
  chmod 0755 "$dir/munge"
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chmod 0600 "$dir/munge/munge.key"
  munged --force --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

  host=$(hostname -s)
  # The node as slurmd sees it (CPUs, sockets, memory), under this host's name.
  node=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$host NodeAddr=127.0.0.1/")
  cat > "$conf" <<EOF
ClusterName=mnist-report-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
# No 3 s wait between scheduling waves; a job whose dependency failed is cancelled, not left
# pending; finished jobs stay visible to scontrol for an hour (there is no slurmdbd).
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
MinJobAge=3600
$node
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  # slurmd 22.05 always loads a cgroup plugin; v1 works with or without a cgroup filesystem.
  echo "CgroupPlugin=cgroup/v1" > "$dir/etc/cgroup.conf"

  slurmctld -f "$conf"
  slurmd -f "$conf" -N "$host"
  export SLURM_CONF=$conf
  for _ in $(seq 1 100); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle'; then
      echo "export SLURM_CONF=$conf"
      return
    fi
    sleep 0.2
  done
  echo "slurm-cluster: the node did not become idle; logs in $dir" >&2
  tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
  exit 1
}

stop() {
  [ -f "$conf" ] || return 0
  export SLURM_CONF=$conf
  scancel --user="$(id -un)" 2>/dev/null || true
  for _ in $(seq 1 100); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.1
  done
  scontrol shutdown 2>/dev/null || true
  for _ in $(seq 1 50); do
    pgrep -f "slurm(ctl)?d -f $conf" >/dev/null || break
    sleep 0.1
  done
  # What did not stop by itself (a job step still running) is killed.
  pkill -f "slurm(ctl)?d -f $conf" 2>/dev/null || true
  sleep 0.5
  pkill -9 -f "slurm(ctl)?d -f $conf" 2>/dev/null || true
  munged --stop --socket="$socket" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
