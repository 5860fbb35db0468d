#!/usr/bin/env bash
# Regenerates the bundled synthetic HRTEM images (1024 x 1024 px at 0.0199 nm/px, ImageJ-calibrated
# 16-bit TIFF) with their per-pixel truth. Usage: samples/hrtem/make.sh [path/to/mgscope]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mgscope="${1:-$here/../../build/pipelines/mgscope}"
# As-cast-like: about 4 % ordered area. Treated-like (20 CTC cycles): about 10 %.
"$mgscope" synth hrtem -o "$here" --name ascast_1 --ordered-fraction 0.035 --seed 8
"$mgscope" synth hrtem -o "$here" --name ascast_2 --ordered-fraction 0.035 --seed 11
"$mgscope" synth hrtem -o "$here" --name treated_1 --ordered-fraction 0.095 --seed 22
"$mgscope" synth hrtem -o "$here" --name treated_2 --ordered-fraction 0.095 --seed 26
