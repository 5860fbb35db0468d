#!/usr/bin/env bash
# Installs the dependencies, builds mgscope, and runs the main job on the bundled samples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)" --target mgscope
# Install it so that `mgscope` works from any folder: /usr/local as root, else ~/.local.
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
# The program, its EMD, MPI, figures and zip modules (lib/mgscope/, built with the target mgscope) and the docs
# (the Python module, component "python", needs a full build).
cmake --install build --prefix "$prefix" --component Unspecified > /dev/null
echo "mgscope installed in $prefix/bin (its modules in $prefix/lib/mgscope, docs in $prefix/share/doc/mgscope)"
mkdir -p out
# The demo study (samples/study: as-cast, 10, 20, 40 CTC cycles): every module of every sample, one
# report per sample and the study across them. A second run only redoes what changed.
./build/pipelines/mgscope study samples/study/study.toml -o out/study
echo "Open out/study/study.html (the study) and out/study/samples/*/report.html (one page per sample)"
