// The null's random coefficients: Box-Muller from the mt19937_64 stream, with our own float log,
// cos and sin (null_draws.cpp), checked against the library's in double precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "imaging/mt19937_64_block.hpp"
#include "imaging/null_draws.hpp"

namespace mgscope {
namespace {

// The block generator gives std::mt19937_64's numbers for the same seed, in the same order,
// whatever the sizes of the blocks asked for (across the 312-word refills and inside them).
TEST(Mt19937_64Block, GivesStdMt19937_64sNumbersInBlocksOfAnySize) {
  const std::size_t sizes[] = {1, 5, 311, 312, 313, 1000, 7, 624, 2};
  const std::uint64_t seeds[] = {0, 5489, ~std::uint64_t(0), 0x9E3779B97F4A7C15ull * 5 + 1};
  for (std::uint64_t seed : seeds) {
    std::mt19937_64 reference(seed);
    Mt19937_64Block block(seed);
    std::vector<std::uint64_t> got;
    std::size_t at = 0;
    for (int round = 0; at < 100000; ++round) {
      const std::size_t n = sizes[std::size_t(round) % std::size(sizes)];
      got.resize(n);
      block.fill(got.data(), n);
      for (std::size_t i = 0; i < n; ++i, ++at) ASSERT_EQ(got[i], reference()) << "seed " << seed << ", number " << at;
    }
  }
}

// The one-at-a-time stream feeds the standard distributions exactly what std::mt19937_64 would: the
// synthetic images' Gaussian speckle, uniform placements and Poisson shot noise, interleaved as there,
// come out the same to the bit.
TEST(Mt19937_64Stream, TheStandardDistributionsDrawTheSameFromItAsFromStdMt19937_64) {
  for (const std::uint64_t seed : {std::uint64_t(0), std::uint64_t(11), std::uint64_t(20230111)}) {
    std::mt19937_64 reference(seed);
    Mt19937_64Stream stream(seed);
    std::normal_distribution<float> gauss_a(0.f, 1.f), gauss_b(0.f, 1.f);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int differ = 0;
    for (int i = 0; i < 3000; ++i) {
      differ += gauss_a(reference) != gauss_b(stream);
      differ += unit(reference) != unit(stream);
      const double mean = 5.0 + 0.7 * i;  // below and above the Poisson's switch of algorithm (12)
      differ += std::poisson_distribution<int>(mean)(reference) != std::poisson_distribution<int>(mean)(stream);
    }
    EXPECT_EQ(differ, 0) << "seed " << seed;
    EXPECT_EQ(reference(), stream()) << "the same number of draws taken";
  }
}

TEST(NullDraws, ModulusAndPhaseAreThoseOfTheSameUniformsInDoublePrecision) {
  constexpr std::size_t kCount = 200000;
  const NullDraws d = draw_null_coefficients(kCount, 11);
  ASSERT_EQ(d.modulus.size(), kCount);
  std::mt19937_64 rng(11);
  double worst_modulus = 0, worst_phase = 0, power = 0, mean_cos = 0;
  for (std::size_t i = 0; i < kCount; ++i) {
    const std::uint64_t bits = rng();
    const float u1 = (float(bits >> 40) + 0.5f) * 0x1.0p-24f;
    const float u2 = (float((bits >> 16) & 0xFFFFFF) + 0.5f) * 0x1.0p-24f;
    const double modulus = std::sqrt(-2.0 * std::log(double(u1)));
    const double phi = 2 * 3.14159265358979323846 * double(u2);
    // Relative to the modulus, floored at 0.01: near u1 = 1 the modulus is the square root of a
    // tiny number, where a float's last bit of u1 - 1 is a large relative change.
    worst_modulus = std::max(worst_modulus, std::fabs(d.modulus[i] - modulus) / std::max(modulus, 0.01));
    worst_phase = std::max(worst_phase, std::fabs(d.cos[i] - std::cos(phi)));
    worst_phase = std::max(worst_phase, std::fabs(d.sin[i] - std::sin(phi)));
    power += double(d.modulus[i]) * d.modulus[i];
    mean_cos += d.cos[i];
  }
  // Measured 1.4e-7 for both (a float's rounding is 6e-8).
  EXPECT_LT(worst_modulus, 5e-7);
  EXPECT_LT(worst_phase, 5e-7);
  // Box-Muller: modulus^2 = -2 ln u1 is exponential with mean 2; the phase is uniform.
  EXPECT_NEAR(power / kCount, 2.0, 0.02);     // sd of the mean: 2 / sqrt(200000) = 0.0045
  EXPECT_NEAR(mean_cos / kCount, 0.0, 0.01);  // sd: sqrt(0.5 / 200000) = 0.0016
}

TEST(NullDraws, EveryQuarterTurnAndItsEndsAreRight) {
  // Enough draws that every quarter of the circle and both ends of u1's range occur; the check
  // above covers them, and here the Pythagorean identity holds draw by draw.
  const NullDraws d = draw_null_coefficients(100000, 3);
  int quarters[4] = {0, 0, 0, 0};
  for (std::size_t i = 0; i < d.cos.size(); ++i) {
    EXPECT_NEAR(double(d.cos[i]) * d.cos[i] + double(d.sin[i]) * d.sin[i], 1.0, 1e-6);
    quarters[(d.sin[i] < 0 ? 2 : 0) + ((d.cos[i] < 0) != (d.sin[i] < 0) ? 1 : 0)]++;
  }
  for (int q : quarters) EXPECT_NEAR(q, 25000, 800);
}

TEST(NullDraws, TheSameSeedGivesTheSameBits) {
  const NullDraws a = draw_null_coefficients(5000, 42), b = draw_null_coefficients(5000, 42);
  EXPECT_EQ(a.modulus, b.modulus);
  EXPECT_EQ(a.cos, b.cos);
  EXPECT_EQ(a.sin, b.sin);
  const NullDraws c = draw_null_coefficients(5000, 43);
  EXPECT_NE(a.modulus, c.modulus);
}

TEST(NullDraws, AStreamInBlocksGivesTheDrawsOfTheWholeBits) {
  // A field drawn without a cache streams its draws in blocks (spot_threshold.cpp): block sizes
  // that do and do not divide the count, and single draws.
  constexpr std::size_t kCount = 10007;
  const NullDraws whole = draw_null_coefficients(kCount, 99);
  for (std::size_t block : {std::size_t(1), std::size_t(7), std::size_t(1024), kCount}) {
    NullDraws streamed;
    streamed.modulus.resize(kCount);
    streamed.cos.resize(kCount);
    streamed.sin.resize(kCount);
    NullDrawStream stream(99);
    for (std::size_t first = 0; first < kCount; first += block) {
      const std::size_t n = std::min(block, kCount - first);
      stream.next(n, streamed.modulus.data() + first, streamed.cos.data() + first, streamed.sin.data() + first);
    }
    EXPECT_EQ(streamed.modulus, whole.modulus) << "blocks of " << block;
    EXPECT_EQ(streamed.cos, whole.cos) << "blocks of " << block;
    EXPECT_EQ(streamed.sin, whole.sin) << "blocks of " << block;
  }
}

}  // namespace
}  // namespace mgscope
