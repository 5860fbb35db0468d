// The overlay's contrast stretch: levels counted for 8- and 16-bit pixels are the levels selected
// among the same samples as floats, and land on the quantiles of a ramp.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "imaging/drawing.hpp"

namespace mgscope {
namespace {

template <class Pixel>
void expect_counted_equals_selected(int w, int h, int lowest, int highest, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(lowest, highest);
  std::vector<Pixel> px(std::size_t(w) * std::size_t(h));
  for (Pixel& p : px) p = Pixel(value(rng));
  auto raw = [&](int x, int y) { return px[std::size_t(y) * std::size_t(w) + std::size_t(x)]; };
  auto as_float = [&](int x, int y) { return float(raw(x, y)); };
  for (double lo_q : {0.0, 0.005, 0.3})
    for (double hi_q : {0.7, 0.995, 1.0}) {
      const StretchLevels counted = stretch_levels(raw, w, h, lo_q, hi_q);
      const StretchLevels selected = stretch_levels(as_float, w, h, lo_q, hi_q);
      EXPECT_EQ(counted.lo, selected.lo) << lo_q << " " << hi_q;
      EXPECT_EQ(counted.scale, selected.scale) << lo_q << " " << hi_q;
    }
}

TEST(StretchLevels, CountedLevelsAreTheSelectedOnes) {
  expect_counted_equals_selected<std::uint16_t>(1500, 900, 0, 65535, 1);   // every sample (step 1)
  expect_counted_equals_selected<std::uint16_t>(2100, 1300, 900, 1000, 2);  // step 2, heavy ties
  expect_counted_equals_selected<std::int16_t>(1200, 1200, -32768, 32767, 3);
  expect_counted_equals_selected<std::uint8_t>(700, 500, 0, 255, 4);
  expect_counted_equals_selected<std::int8_t>(700, 500, -128, 127, 5);
  expect_counted_equals_selected<std::uint16_t>(40, 30, 7, 7, 6);  // flat: no stretch
}

TEST(StretchLevels, LevelsOfARampAreItsQuantiles) {
  // 1000 x 1000 values 0..999,999 (each once, sampled every pixel): the k-th smallest is k.
  const int w = 1000, h = 1000;
  auto at = [&](int x, int y) { return float(y * w + x); };
  const StretchLevels l = stretch_levels(at, w, h, 0.005, 0.995);
  EXPECT_EQ(l.lo, 4999.f);    // floor(0.005 * 999,999)
  EXPECT_EQ(l.scale, 255.f / (994999.f - 4999.f));
  // 16-bit values 0..65535 spread over 2000 x 2000 pixels (step 2): 1,000,000 samples.
  std::vector<std::uint16_t> px(std::size_t(w) * 4 * std::size_t(h));
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = std::uint16_t(i % 65536);
  auto raw = [&](int x, int y) { return px[std::size_t(y) * 2000 + std::size_t(x)]; };
  auto as_float = [&](int x, int y) { return float(raw(x, y)); };
  const StretchLevels a = stretch_levels(raw, 2000, 2000, 0.005, 0.995),
                      b = stretch_levels(as_float, 2000, 2000, 0.005, 0.995);
  EXPECT_EQ(a.lo, b.lo);
  EXPECT_EQ(a.scale, b.scale);
  EXPECT_GT(a.scale, 0.f);
}

}  // namespace
}  // namespace mgscope
