// RealFft2d (rows, then columns gathered a block at a time) against FFTW's own 2-D transform
// (fft_forward), on sizes where the block of columns divides the columns, does not, and exceeds them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <random>

#include "imaging/image_fft.hpp"

namespace mgscope {
namespace {

ImageF noise_image(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.f, 1.f);
  ImageF im(w, h);
  for (float& v : im.pixels) v = g(rng);
  return im;
}

class RealFft2dSizes : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(RealFft2dSizes, ForwardIsFftwsTwoDimensionalTransformAndInverseUndoesIt) {
  const auto [w, h] = GetParam();
  const ImageF im = noise_image(w, h, unsigned(w * 1000 + h));
  RealFft2d fft(w, h);
  std::copy(im.pixels.begin(), im.pixels.end(), fft.real());
  fft.forward();
  const HalfSpectrum reference = fft_forward(im);
  ASSERT_EQ(reference.data.size(), std::size_t(h) * std::size_t(fft.columns()));
  double largest = 0, worst = 0;
  for (const auto& c : reference.data) largest = std::max(largest, double(std::abs(c)));
  for (std::size_t i = 0; i < reference.data.size(); ++i)
    worst = std::max(worst, double(std::abs(fft.spectrum()[i] - reference.data[i])));
  // Float rounding of two summation orders: measured up to 2.4e-7 of the largest coefficient.
  EXPECT_LT(worst / largest, 2e-6) << w << " x " << h;
  fft.inverse();
  double back = 0;
  for (std::size_t i = 0; i < im.pixels.size(); ++i)
    back = std::max(back, std::fabs(double(fft.real()[i]) / (double(w) * h) - im.pixels[i]));
  EXPECT_LT(back, 1e-5) << w << " x " << h;
}

// 19 columns (one narrower block), 101 (three blocks of 32 and one of 5), 513 (16 of 32 and one),
// odd heights (a padded column stride made even), and a 1 px wide image.
INSTANTIATE_TEST_SUITE_P(Sizes, RealFft2dSizes,
                         ::testing::Values(std::make_pair(36, 50), std::make_pair(200, 131), std::make_pair(1024, 1024),
                                           std::make_pair(999, 999), std::make_pair(1, 64)));

TEST(RealFft2d, TheSameNumbersEveryTime) {
  const ImageF im = noise_image(300, 300, 7);
  RealFft2d a(300, 300), b(300, 300);
  std::copy(im.pixels.begin(), im.pixels.end(), a.real());
  std::copy(im.pixels.begin(), im.pixels.end(), b.real());
  a.forward();
  b.forward();
  for (std::size_t i = 0; i < std::size_t(300) * 151; ++i) ASSERT_EQ(a.spectrum()[i], b.spectrum()[i]);
}

}  // namespace
}  // namespace mgscope
