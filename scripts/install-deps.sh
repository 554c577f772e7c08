#!/usr/bin/env bash
# Installs the Debian packages that mnist-report builds and tests with, when missing.
set -euo pipefail

packages=(
  pkg-config
  zlib1g-dev          # gzip decompression of the IDX files
  libpng-dev          # mnist-report predict reads PNG images
  libcairo2-dev       # charts
  libpango1.0-dev     # chart text
  fonts-dejavu-core   # the charts' font
  dataset-fashion-mnist  # the second built-in dataset
  slurm-wlm           # the cluster test: slurmctld and slurmd on localhost (scripts/slurm-cluster.sh)
  munge               # Slurm's authentication
  chromium            # the browser tests: the report printed, on a phone, in dark mode
  poppler-utils       # the browser tests: pdftotext and pdfinfo read the printed report
  libcmark-gfm-dev    # GitHub's Markdown (cmark-gfm): the HTML report's Markdown
  libcmark-gfm-extensions-dev  # its tables, strikethrough and autolinks
  cmark-gfm           # the link tests: report.md rendered as GitHub renders it
  python3-nbformat    # the notebook tests: Jupyter's own validator checks report.ipynb
  jupyter-nbconvert   # the notebook tests: report.ipynb converted to HTML as Jupyter would
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
