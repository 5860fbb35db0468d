#include "fitting/base/statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "fitting/base/select.hpp"

namespace mgscope {

TEST(Statistics, MeanSd) {
  const MeanSd m = mean_sd({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(m.mean, 5.0);
  EXPECT_NEAR(m.sd, 2.138089935299395, 1e-12);  // sample sd, n - 1
  EXPECT_EQ(m.n, 8);
}

TEST(Statistics, WilsonBoundsSolveTheScoreEquation) {
  // The Wilson bounds are the two roots p of n (k/n - p)^2 = z^2 p (1 - p).
  const double z = 1.959963984540054;
  for (auto [k, n] : {std::pair<long, long>{4, 100}, {37, 120}, {1, 9}}) {
    const Interval i = wilson_interval(k, n, z);
    const double ph = double(k) / double(n);
    for (double p : {i.low, i.high})
      EXPECT_NEAR(double(n) * (ph - p) * (ph - p), z * z * p * (1 - p), 1e-12) << k << "/" << n;
    EXPECT_LT(i.low, ph);
    EXPECT_GT(i.high, ph);
  }
  EXPECT_NEAR(wilson_interval(4, 100).low, 0.0157, 1e-4);  // published example: 1.57 % .. 9.84 %
  EXPECT_NEAR(wilson_interval(4, 100).high, 0.0984, 1e-4);
  const Interval zero = wilson_interval(0, 50);
  EXPECT_EQ(zero.low, 0.0);  // exactly: a CSV must not say 3.5e-18
  EXPECT_EQ(wilson_interval(0, 100).low, 0.0);
  EXPECT_EQ(wilson_interval(100, 100).high, 1.0);
  EXPECT_NEAR(zero.high, z * z / (50 + z * z), 1e-12);  // closed form for k = 0
}

// Exact values (Python's math.comb, and its lgamma sums for n = 100,000): the smallest m with
// P(X <= m) >= q.
TEST(Statistics, BinomialQuantile) {
  EXPECT_EQ(binomial_quantile(100, 0.01, 0.95), 3);  // P(X <= 2) = 0.921, P(X <= 3) = 0.982
  EXPECT_EQ(binomial_quantile(200, 0.01, 0.95), 5);
  EXPECT_EQ(binomial_quantile(400, 0.01, 0.95), 8);
  EXPECT_EQ(binomial_quantile(1600, 0.01, 0.95), 23);
  EXPECT_EQ(binomial_quantile(100000, 0.01, 0.95), 1052);  // P(X <= 1052) = 0.9515
  EXPECT_EQ(binomial_quantile(50, 0.5, 0.5), 25);
  EXPECT_EQ(binomial_quantile(10, 0.3, 0.999999), 10);  // P(X <= 9) = 1 - 0.3^10 falls short
  EXPECT_EQ(binomial_quantile(10, 0.0, 0.95), 0);
  EXPECT_EQ(binomial_quantile(10, 1.0, 0.95), 10);
}

TEST(Statistics, Median) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
}

namespace {

// `fixed` and then `count` arrays of exponential values (as spectrum powers are) of 1 to
// max_size(r) values: every third rounded down to a few levels (ties), some sorted either way.
std::vector<std::vector<float>> selection_arrays(std::vector<std::vector<float>> fixed, unsigned seed, int count,
                                                 const std::function<unsigned(int)>& max_size) {
  std::mt19937 rng(seed);
  std::exponential_distribution<float> power(1.0f);
  for (int r = 0; r < count; ++r) {
    std::vector<float> v(1 + rng() % max_size(r));
    for (float& x : v) x = power(rng);
    if (r % 3 == 1)
      for (float& x : v) x = std::floor(4 * x);  // ties
    if (r % 7 == 2) std::sort(v.begin(), v.end());
    if (r % 7 == 3) std::sort(v.rbegin(), v.rend());
    fixed.push_back(v);
  }
  return fixed;
}

}  // namespace

// kth_smallest must give std::nth_element's value to the bit (the HRTEM whitening and the null's
// ring spectra use it, and their outputs must not change) and leave the same partition, on the
// kinds of arrays it meets: random, many ties, sorted either way, all equal, single values.
TEST(Statistics, KthSmallestIsNthElementsValueAndPartition) {
  const std::vector<std::vector<float>> arrays =
      selection_arrays({{5.f}, {2.f, 1.f}, std::vector<float>(40, 3.f)}, 7, 300, [](int) { return 300u; });
  for (const std::vector<float>& v : arrays)
    for (std::size_t k : {std::size_t(0), v.size() / 2, v.size() - 1}) {
      std::vector<float> expected = v, got = v;
      std::nth_element(expected.begin(), expected.begin() + long(k), expected.end());
      const float value = kth_smallest(got.data(), got.size(), k);
      ASSERT_EQ(value, expected[k]) << "n " << v.size() << " k " << k;
      EXPECT_EQ(got[k], value);
      for (std::size_t i = 0; i < k; ++i) ASSERT_LE(got[i], value);
      for (std::size_t i = k + 1; i < got.size(); ++i) ASSERT_GE(got[i], value);
      std::sort(got.begin(), got.end());  // a permutation of the input
      std::vector<float> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(got, sorted);
    }
  // Orders that defeat median-of-three pivots (reversed, organ pipe: the samples of a smooth
  // ramp image in raster order) end in std::nth_element after 2 log2(n) + 8 partitions instead of
  // running quadratic; the value and partition are the same.
  for (int pattern = 0; pattern < 2; ++pattern) {
    const std::size_t n = 100000;
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = float(pattern == 0 ? n - i : std::min(i, n - i));
    for (std::size_t k : {std::size_t(1), n / 2, n - 2}) {
      std::vector<float> expected = v, got = v;
      std::nth_element(expected.begin(), expected.begin() + long(k), expected.end());
      ASSERT_EQ(kth_smallest(got.data(), n, k), expected[k]) << "pattern " << pattern << " k " << k;
      for (std::size_t i = 0; i < k; ++i) ASSERT_LE(got[i], got[k]);
      for (std::size_t i = k + 1; i < n; ++i) ASSERT_GE(got[i], got[k]);
    }
  }
  // A NaN among the values cannot stall it.
  std::vector<float> with_nan = {3.f, NAN, 1.f, 2.f, NAN, 0.f};
  kth_smallest(with_nan.data(), with_nan.size(), 2);
}

// kth_smallest_value (the box whitening's ring medians) must give std::nth_element's value to the
// bit on the same kinds of arrays, from the sizes it counts ranks on alone (up to 24) to those it
// partitions first, and must not stall on NaN.
TEST(Statistics, KthSmallestValueIsNthElementsValue) {
  const std::vector<std::vector<float>> arrays =
      selection_arrays({{5.f}, {2.f, 1.f}, std::vector<float>(24, 3.f), std::vector<float>(40, 3.f)}, 11, 600,
                       [](int r) { return r < 400 ? 60u : 400u; });
  // Many of them (over 500 of the ~2,400 cases) are short enough for the rank count alone.
  for (const std::vector<float>& v : arrays)
    for (std::size_t k : {std::size_t(0), v.size() / 3, v.size() / 2, v.size() - 1}) {
      std::vector<float> expected = v, got = v;
      std::nth_element(expected.begin(), expected.begin() + long(k), expected.end());
      ASSERT_EQ(kth_smallest_value(got.data(), got.size(), k), expected[k]) << "n " << v.size() << " k " << k;
      std::sort(got.begin(), got.end());  // still a permutation of the input
      std::vector<float> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      ASSERT_EQ(got, sorted);
    }
  std::vector<float> with_nan = {3.f, NAN, 1.f, 2.f, NAN, 0.f};
  const float v = kth_smallest_value(with_nan.data(), with_nan.size(), 2);
  EXPECT_TRUE(v == 0.f || v == 1.f || v == 2.f || v == 3.f || std::isnan(v));
}

}  // namespace mgscope

// r = 0.8 on 4 pairs: t = 0.8 sqrt(2 / 0.36); Student t with 2 degrees of freedom has the closed
// form F(t) = 1/2 + t / (2 sqrt(2 + t^2)) = 0.9, so the two-sided p is exactly 0.2. Fisher
// interval: tanh(atanh(0.8) -+ 1.96 / sqrt(1)).
TEST(Statistics, PearsonPValueAndFisherInterval) {
  const mgscope::Correlation c = mgscope::pearson({1, 2, 3, 4, NAN}, {1, 3, 2, 4, 7});
  EXPECT_EQ(c.n, 4);
  EXPECT_NEAR(c.r, 0.8, 1e-12);
  EXPECT_NEAR(c.p_value, 0.2, 1e-9);
  EXPECT_NEAR(c.r_95.low, std::tanh(std::atanh(0.8) - 1.959963984540054), 1e-12);
  EXPECT_NEAR(c.r_95.high, std::tanh(std::atanh(0.8) + 1.959963984540054), 1e-12);
  const mgscope::Correlation none = mgscope::pearson({1, 2}, {1, 2});
  EXPECT_TRUE(std::isnan(none.r));
  EXPECT_TRUE(std::isnan(none.p_value));
}
