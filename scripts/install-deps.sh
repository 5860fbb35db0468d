#!/usr/bin/env bash
# Installs mgscope's build and run dependencies from Debian 12 packages (skips what is there).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libopencv-core-dev libopencv-imgproc-dev libdeflate-dev zlib1g-dev libpng-dev libjpeg-dev
  libfftw3-dev libeigen3-dev libtiff-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libhdf5-dev libzip-dev libgtest-dev libgmock-dev libbenchmark-dev gnuplot-nox python3-numpy python3-tifffile python3-jsonschema
  pybind11-dev python3-dev python3-pytest python3-distributed python3-pandas
  libopenmpi-dev openmpi-bin
  chromium  # tests only: report.html and study.html are checked in headless Chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
