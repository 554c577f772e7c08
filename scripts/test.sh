#!/usr/bin/env bash
# The README's test command (`make test`): every test of `swift test`, with a single-node
# Slurm cluster on localhost for the cluster tests when this machine can run one (Debian's
# slurm-wlm and munge installed, and root, as slurmd needs). Without one the cluster tests
# are skipped, unless MNIST_REPORT_REQUIRE_SLURM=1 (CI), which makes them fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}

if [ "$(id -u)" -eq 0 ] && command -v slurmctld >/dev/null && command -v munged >/dev/null; then
  export SLURM_CLUSTER_DIR=${SLURM_CLUSTER_DIR:-$(mktemp -d /tmp/mnist-report-slurm.XXXXXX)}
  trap 'bash scripts/slurm-cluster.sh stop' EXIT
  if started=$(bash scripts/slurm-cluster.sh start); then
    eval "$started"
    echo "test: Slurm cluster up (SLURM_CONF=$SLURM_CONF)" >&2
  else
    # The cluster tests then skip, or fail under MNIST_REPORT_REQUIRE_SLURM=1.
    unset SLURM_CONF
    echo "test: the Slurm cluster did not start (logs in $SLURM_CLUSTER_DIR)" >&2
  fi
else
  echo "test: no Slurm cluster here (needs root, slurm-wlm and munge); the cluster tests are skipped" >&2
fi
# The MLflow export test runs against the test peer when it is installed
# (scripts/mlflow-peer.sh; .ci/run installs it), and is skipped otherwise.
if [ -z "${MNIST_REPORT_MLFLOW:-}" ] && [ -x .build/mlflow-venv/bin/mlflow ]; then
  export MNIST_REPORT_MLFLOW=$PWD/.build/mlflow-venv/bin/mlflow
fi
"$swift" test "$@"
