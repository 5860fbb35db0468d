#include "imaging/area_bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mgscope {

namespace {

// splitmix64: tiny, well mixed, and fully specified (unlike std::uniform_int_distribution).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) for n < 2^32: the top 32 bits scaled by n (bias below n / 2^32).
  std::size_t below(std::size_t n) { return std::size_t(((next() >> 32) * std::uint64_t(n)) >> 32); }
};

}  // namespace

Interval block_bootstrap_ratio_95(const std::vector<BlockSums>& blocks, int resamples, std::uint64_t seed) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (blocks.empty() || resamples < 1) return {kNaN, kNaN};
  SplitMix64 rng{seed};
  std::vector<double> ratios;
  ratios.reserve(std::size_t(resamples));
  for (int r = 0; r < resamples; ++r) {
    double num = 0, den = 0;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      const BlockSums& b = blocks[rng.below(blocks.size())];
      num += b.numerator;
      den += b.denominator;
    }
    if (den > 0) ratios.push_back(num / den);
  }
  if (ratios.empty()) return {kNaN, kNaN};
  std::sort(ratios.begin(), ratios.end());
  // Linear interpolation between order statistics (type 7).
  auto quantile = [&](double p) {
    const double h = p * double(ratios.size() - 1);
    const std::size_t i = std::size_t(std::floor(h));
    const std::size_t j = std::min(i + 1, ratios.size() - 1);
    return ratios[i] + (h - double(i)) * (ratios[j] - ratios[i]);
  };
  return {quantile(0.025), quantile(0.975)};
}

}  // namespace mgscope
