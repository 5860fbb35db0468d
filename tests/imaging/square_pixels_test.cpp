#include "imaging/square_pixels.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "fitting/base/error.hpp"
#include "tests/test_support.hpp"

using mgscope::test::kPi;

namespace mgscope {

namespace {

// make_square_pixels on float pixels, as calibrate() hands a float image over.
bool square_floats(ImageF& image, Calibration& cal, AnisotropyPolicy policy, std::vector<std::string>& warnings,
                   const std::string& path) {
  StoredImage stored(std::move(image));
  const bool resampled = make_square_pixels(stored, cal, policy, warnings, path);
  image = *stored.floats();
  return resampled;
}

// cos(2 pi X / period_x) + cos(2 pi Y / period_y) sampled at pixel_x/y nm.
ImageF sinusoids(int w, int h, double pixel_x, double pixel_y, double period_x_nm, double period_y_nm) {
  ImageF im(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      im.at(x, y) =
          float(std::cos(2 * kPi * x * pixel_x / period_x_nm) + std::cos(2 * kPi * y * pixel_y / period_y_nm));
  return im;
}

// Period in pixels of v[i] - 1 (the other sinusoid is 1 along the line through pixel 0),
// from the first and last of its zero crossings.
double period_px(const std::vector<double>& v) {
  std::vector<double> crossings;
  for (std::size_t i = 0; i + 1 < v.size(); ++i) {
    const double a = v[i] - 1, b = v[i + 1] - 1;
    if ((a < 0) != (b < 0)) crossings.push_back(double(i) + a / (a - b));
  }
  if (crossings.size() < 3) return 0;
  return 2 * (crossings.back() - crossings.front()) / double(crossings.size() - 1);
}

std::vector<double> column(const ImageF& im, int x) {
  std::vector<double> v;
  for (int y = 0; y < im.height; ++y) v.push_back(im.at(x, y));
  return v;
}

std::vector<double> row(const ImageF& im, int y) { return {im.row(y), im.row(y) + im.width}; }

Calibration cal_of(double px, double py) {
  Calibration c;
  c.calibrated = true;
  c.pixel_x_nm = px;
  c.pixel_y_nm = py;
  c.origin_x_nm = 5;
  c.origin_y_nm = -2;
  return c;
}

}  // namespace

TEST(SquarePixels, WithinOneThousandthIsLeftAlone) {
  const ImageF im = sinusoids(20, 10, 0.1, 0.10009, 1, 1);
  Calibration c = cal_of(0.1, 0.10009);
  std::vector<std::string> warnings;
  ImageF out = im;
  EXPECT_FALSE(square_floats(out, c, AnisotropyPolicy::refuse, warnings, "a.emd"));
  EXPECT_EQ(out.pixels, im.pixels);
  EXPECT_EQ(c.pixel_y_nm, 0.10009);
  EXPECT_TRUE(warnings.empty());
}

TEST(SquarePixels, UncalibratedIsLeftAlone) {
  const ImageF im = sinusoids(20, 10, 1, 1, 5, 5);
  Calibration c;
  c.pixel_y_nm = 3;  // meaningless without a calibration
  std::vector<std::string> warnings;
  ImageF out = im;
  EXPECT_FALSE(square_floats(out, c, AnisotropyPolicy::refuse, warnings, "a.tif"));
  EXPECT_EQ(out.pixels, im.pixels);
}

TEST(SquarePixels, RefusesNamingTheFileAndBothSizes) {
  const ImageF im = sinusoids(20, 10, 0.1, 0.1002, 1, 1);
  Calibration c = cal_of(0.1, 0.1002);
  std::vector<std::string> warnings;
  try {
    ImageF out = im;
    square_floats(out, c, AnisotropyPolicy::refuse, warnings, "aniso.dm3");
    FAIL();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("aniso.dm3: anisotropic pixels", 0), 0u) << msg;
    EXPECT_NE(msg.find("x 0.1 nm, y 0.1002 nm"), std::string::npos) << msg;
  }
}

// A 1.7 nm x 2.3 nm sinusoid on 0.1 x 0.13 nm pixels: after resampling rows to 0.1 nm the
// periods are 17 and 23 pixels; and the same with x the coarser axis.
TEST(SquarePixels, ResamplingKeepsTheSinusoidPeriodInNm) {
  struct Case { double px, py; int w, h; };
  for (const Case k : {Case{0.1, 0.13, 200, 150}, Case{0.13, 0.1, 150, 200}}) {
    const ImageF im = sinusoids(k.w, k.h, k.px, k.py, 1.7, 2.3);
    Calibration c = cal_of(k.px, k.py);
    std::vector<std::string> warnings;
    ImageF out = im;
    EXPECT_TRUE(square_floats(out, c, AnisotropyPolicy::resample, warnings, "s.emd"));
    EXPECT_DOUBLE_EQ(c.pixel_x_nm, 0.1);
    EXPECT_DOUBLE_EQ(c.pixel_y_nm, 0.1);
    EXPECT_EQ(c.origin_x_nm, 5);
    EXPECT_EQ(c.origin_y_nm, -2);
    EXPECT_EQ(out.width, k.px > k.py ? 195 : 200);  // 150 * 1.3
    EXPECT_EQ(out.height, k.px > k.py ? 200 : 195);
    EXPECT_NEAR(period_px(row(out, 0)), 17.0, 0.17);
    EXPECT_NEAR(period_px(column(out, 0)), 23.0, 0.23);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("resampled from 150 to 195"), std::string::npos) << warnings[0];
  }
}

// Cubic convolution passes through the samples: at a 2:1 ratio every other row is an input row.
TEST(SquarePixels, ResamplingPassesThroughTheSamples) {
  const ImageF im = sinusoids(8, 6, 0.1, 0.2, 0.7, 0.9);
  Calibration c = cal_of(0.1, 0.2);
  std::vector<std::string> warnings;
  ImageF out = im;
  EXPECT_TRUE(square_floats(out, c, AnisotropyPolicy::resample, warnings, "s.emd"));
  ASSERT_EQ(out.height, 12);
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 8; ++x) EXPECT_NEAR(out.at(x, 2 * y), im.at(x, y), 1e-6);
}

}  // namespace mgscope
