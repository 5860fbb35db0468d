// 1,000 creep curves of 1,200 points (10 Hz, 120 s hold), each fitted with N = 1..3 Kelvin units
// and multi-start; target: under 2 s on 2 cores. Run: build/tests/benchmarks/creep_bench.
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "fitting/creep_fit.hpp"
#include "fitting/indent_synth.hpp"

namespace {

struct Curves {
  std::vector<std::vector<double>> t, dh;
};

// 1,000 generated holds: the two-unit truth, 0.1 nm noise, one seed per curve.
const Curves& curves() {
  static const Curves c = [] {
    Curves out;
    mgscope::IndentSynthOptions o;
    o.creep_units = {{8, 0, 2, 0}, {15, 0, 25, 0}};
    o.inv_mu0_nm_per_s = 0.05;
    o.drift_nm_per_s = 0.01;
    o.depth_noise_nm = 0.1;
    o.approach_rows = 0;
    for (std::uint64_t seed = 1; seed <= 1000; ++seed) {
      o.seed = seed;
      const mgscope::IndentCurve curve = mgscope::synth_indent_curve(o, "bench");
      const mgscope::IndentSegments s = mgscope::find_segments(curve);
      std::vector<double> t, dh;
      for (std::size_t i = s.hold_begin; i < s.hold_end && t.size() < 1200; ++i) {
        t.push_back(curve.time_s[i] - curve.time_s[s.hold_begin]);
        dh.push_back(curve.depth_nm[i] - curve.depth_nm[s.hold_begin]);
      }
      out.t.push_back(t);
      out.dh.push_back(dh);
    }
    return out;
  }();
  return c;
}

void BM_CreepFit1000Curves(benchmark::State& state) {
  const Curves& c = curves();
  const auto threads = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::atomic<std::size_t> next{0};
    std::atomic<int> fitted{0};
    std::vector<std::thread> pool;
    for (std::size_t w = 0; w < threads; ++w) {
      pool.emplace_back([&] {
        for (std::size_t i = next++; i < c.t.size(); i = next++) {
          const mgscope::CreepFitSummary s = mgscope::fit_creep(c.t[i], c.dh[i]);
          fitted += s.usable();
        }
      });
    }
    for (auto& t : pool) t.join();
    benchmark::DoNotOptimize(fitted.load());
  }
  state.counters["curves"] = static_cast<double>(c.t.size());
  state.counters["points_per_curve"] = static_cast<double>(c.t[0].size());
}
BENCHMARK(BM_CreepFit1000Curves)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
