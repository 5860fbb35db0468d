#!/usr/bin/env bash
# Installs the dependencies, builds mgscope, and runs the main job on the bundled samples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)" --target mgscope
mkdir -p out
./build/pipelines/mgscope hrtem samples/hrtem/ascast_?.tif samples/hrtem/treated_?.tif -o out/hrtem --gallery
echo "Outputs in out/"
