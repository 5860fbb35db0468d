#!/usr/bin/env bash
# Speed: reading each image format, then HRTEM: Google Benchmark of the per-box kernel against bare FFTW, then end to end on a
# 4096 x 4096 16-bit image at 0.0199 nm/px (100 px boxes) with stride = box and box/2, peak memory,
# and the vectorised numpy reference (Debian's python3-numpy); last, the creep-fit benchmark.
# Then every target of the speed issue as a ratio (scripts/speed_targets.py; BENCH_BIG=1 adds the
# 16384^2 peak memory). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMGSCOPE_BUILD_BENCHMARKS=ON -DMGSCOPE_BUILD_TESTS=OFF
cmake --build build-bench -j "$(nproc)" --target hrtem_bench readers_bench creep_bench hardware_bound mgscope
echo "== reading 4096 x 4096 uint16 from each format =="
./build-bench/tests/benchmarks/readers_bench --benchmark_min_time=1
work="${BENCH_DIR:-/tmp/mgscope-bench}"
mkdir -p "$work"
echo "== per-box kernel (CPU time per box) =="
./build-bench/tests/benchmarks/hrtem_bench --benchmark_min_time=2
echo "== end to end, 4096 x 4096 uint16 =="
./build-bench/pipelines/mgscope synth hrtem -o "$work" --name big --width 4096 --height 4096 --ordered-fraction 0.1 --seed 1
for stride in 1.985nm 0.9925nm; do
  for t in 1 2; do
    /usr/bin/time -f "mgscope stride $stride threads $t: %e s wall, %M KiB peak" \
      ./build-bench/pipelines/mgscope hrtem "$work/big.tif" -o "$work/out_${t}" --stride "$stride" --threads "$t" >/dev/null
  done
done
echo "== numpy reference (same per-box work, vectorised: the box grid, then the area map's sliding boxes) =="
for frac in 1 0.5; do /usr/bin/python3 tests/benchmarks/hrtem_numpy_reference.py "$work/big.tif" 0.0199 "$frac" 0.25; done
echo "== the speed issue's targets, each as a ratio measured in this run (scripts/speed_targets.py) =="
/usr/bin/python3 scripts/speed_targets.py build-bench "$work/targets" ${BENCH_BIG:+--big}
echo "== 1,000 creep curves of 1,200 points, N = 1..3 with multi-start =="
./build-bench/tests/benchmarks/creep_bench
