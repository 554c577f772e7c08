#!/usr/bin/env bash
# The MLflow test peer: a pinned mlflow (3.17.2; 3.18.0's mlflow-tracing is missing from the
# index here) in a virtual environment of its own under .build/, for the export test to start
# a real `mlflow server` against. Never a runtime dependency of mnist-report. Prints the
# mlflow executable's path.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/mlflow-venv
if [ ! -x "$venv/bin/mlflow" ] || ! "$venv/bin/python" -c "import mlflow, sys; sys.exit(mlflow.__version__ != '3.17.2')" 2>/dev/null; then
  rm -rf "$venv"
  mkdir -p .build
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check mlflow==3.17.2 >&2
fi
echo "$PWD/$venv/bin/mlflow"
