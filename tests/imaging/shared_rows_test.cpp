// Sliding boxes that share their rows' transforms (BoxTransformer::transform_sharing_rows) against
// the same boxes transformed one by one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "imaging/box_features.hpp"
#include "imaging/box_transform.hpp"
#include "imaging/stored_image.hpp"
#include "imaging/synth_hrtem.hpp"

namespace mgscope {
namespace {

constexpr int kBox = 100;

// A 16-bit synthetic glass with crystals, a ramp (so the plane matters) and a flat patch.
StoredImage test_image() {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 400;
  o.ordered_fraction = 0.3;
  o.seed = 5;
  const SynthHrtem s = make_synth_hrtem(o);
  Image<std::uint16_t> u(o.width_px, o.height_px);
  for (int y = 0; y < u.height; ++y)
    for (int x = 0; x < u.width; ++x) {
      const bool flat = x >= 300 && y >= 300;
      const float v = flat ? 700.f : s.counts.at(x, y) * (1.f + 0.5f * float(x) / float(u.width)) + 3000.f;
      u.pixels[std::size_t(y) * std::size_t(u.width) + std::size_t(x)] = std::uint16_t(std::lround(v));
    }
  return StoredImage::from_raw(to_raw(u), "test");
}

std::unique_ptr<BoxTransformer> spots_only(int n = kBox) {
  const SpectrumGeometry g(n, n, 1.985 / n, SpotOptions{});
  return spots_only_transformer(g, WindowKind::hann, AcfMode::circular);
}

// Power within 2e-6 of the strongest value of the box; normalised() and flatness to the bit.
void expect_same_box(BoxTransformer& shared, BoxTransformer& alone, const StoredImage& image, int x, int y) {
  const bool a = shared.transform_sharing_rows(image, x, y);
  const bool b = alone.transform(image, x, y);
  ASSERT_EQ(a, b) << "box at " << x << ", " << y;
  const int n = alone.n();
  const std::size_t count = std::size_t(n) * std::size_t(n / 2 + 1);
  const float* p = shared.power();
  const float* q = alone.power();
  const float top = *std::max_element(q, q + count);
  double worst = 0;
  for (std::size_t i = 0; i < count; ++i) worst = std::max(worst, double(std::fabs(p[i] - q[i])));
  EXPECT_LE(worst, 2e-6 * top) << "box at " << x << ", " << y;
  if (!b) return;
  EXPECT_EQ(std::memcmp(shared.normalised(), alone.normalised(), sizeof(float) * std::size_t(n) * std::size_t(n)), 0)
      << "box at " << x << ", " << y;
}

TEST(SharedRows, EveryBoxOfAQuarterBoxGridMatchesTheBoxAlone) {
  const StoredImage image = test_image();
  auto shared = spots_only();
  auto alone = spots_only();
  for (int x = 0; x + kBox <= image.width; x += 25)
    for (int y = 0; y + kBox <= image.height; y += 25) expect_same_box(*shared, *alone, image, x, y);
}

// Other sizes: 64 px by FFTW, 101 and 187 px by chirp-z (chirp_dft.hpp; 187 px was the size where
// FFTW's banded pair did not match its full transform): the same numbers either way.
TEST(SharedRows, OtherBoxSizes) {
  const StoredImage image = test_image();
  for (int n : {64, 101, 187}) {
    auto shared = spots_only(n);
    auto alone = spots_only(n);
    for (int x = 0; x + n <= image.width; x += n / 4)
      for (int y = 0; y + n <= image.height; y += n / 4) expect_same_box(*shared, *alone, image, x, y);
  }
}

TEST(SharedRows, OrderOfTheBoxesDoesNotMatter) {
  const StoredImage image = test_image();
  auto shared = spots_only();
  auto alone = spots_only();
  std::vector<std::pair<int, int>> boxes;
  for (int x = 0; x + kBox <= image.width; x += 50)
    for (int y = 0; y + kBox <= image.height; y += 10) boxes.emplace_back(x, y);
  std::mt19937 rng(3);
  std::shuffle(boxes.begin(), boxes.end(), rng);
  // Also the measured spots: the area map and the null read max_whitened and the spots.
  const SpectrumGeometry g(kBox, kBox, 0.0199, SpotOptions{});
  BoxMeasurer ma(g), mb(g);
  for (const auto& [x, y] : boxes) {
    expect_same_box(*shared, *alone, image, x, y);
    const BoxFeatures fa = ma.measure(*shared, 20, 13), fb = mb.measure(*alone, 20, 13);
    EXPECT_NEAR(fa.max_whitened, fb.max_whitened, 1e-4 * std::max(1.0, fb.max_whitened));
    EXPECT_EQ(fa.spots.size(), fb.spots.size());
  }
}

// The same box gives the same power to the bit whichever boxes came before it: chirp-z sizes (97
// px) transform image rows 2k and 2k + 1 together, whichever box asks first, and FFTW's (100 px)
// one row at a time.
TEST(SharedRows, ABoxsNumbersDoNotDependOnTheOrderOfTheBoxes) {
  const StoredImage image = test_image();
  for (int n : {97, 100}) {
    std::vector<std::pair<int, int>> boxes;
    for (int x = 0; x + n <= image.width; x += 50)
      for (int y = 0; y + n <= image.height; y += 7) boxes.emplace_back(x, y);
    std::vector<std::pair<int, int>> shuffled = boxes;
    std::mt19937 rng(7);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    auto in_order = spots_only(n), out_of_order = spots_only(n);
    const std::size_t count = std::size_t(n) * std::size_t(n / 2 + 1);
    std::map<std::pair<int, int>, std::vector<float>> first;
    for (const auto& box : boxes) {
      in_order->transform_sharing_rows(image, box.first, box.second);
      first[box].assign(in_order->power(), in_order->power() + count);
    }
    for (const auto& box : shuffled) {
      out_of_order->transform_sharing_rows(image, box.first, box.second);
      ASSERT_EQ(std::memcmp(out_of_order->power(), first[box].data(), sizeof(float) * count), 0)
          << n << " px, box at " << box.first << ", " << box.second;
    }
  }
}

// A row of boxes at a time across more columns than the transformer keeps (16): columns are
// dropped and taken up again, row sums and transforms included, with the same numbers.
TEST(SharedRows, RowsOfBoxesAcrossManyColumns) {
  const StoredImage image = test_image();
  auto shared = spots_only();
  auto alone = spots_only();
  int columns = 0;
  for (int x = 0; x + kBox <= image.width; x += 10) ++columns;
  ASSERT_GT(columns, 16);
  for (int y = 0; y + kBox <= image.height; y += 25)
    for (int x = 0; x + kBox <= image.width; x += 10) expect_same_box(*shared, *alone, image, x, y);
}

TEST(SharedRows, PixelsChangedInPlaceAreSeenAfterForgetting) {
  ImageF field(200, 200);
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(100.f, 10.f);
  for (float& v : field.pixels) v = noise(rng);
  const StoredImage view(field);
  auto shared = spots_only();
  auto alone = spots_only();
  expect_same_box(*shared, *alone, view, 0, 0);
  for (float& v : field.pixels) v = noise(rng);  // the null redraws its field in place
  shared->forget_shared_rows();
  expect_same_box(*shared, *alone, view, 0, 0);
  expect_same_box(*shared, *alone, view, 0, 50);
}

}  // namespace
}  // namespace mgscope
