#include "imaging/image.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "fitting/base/error.hpp"

namespace mgscope {

TEST(Image, ConvertsNativeTypesToFloat) {
  RawImage raw{2, 1, PixelType::i16, {}};
  const std::int16_t px[2] = {-300, 1200};
  raw.bytes.resize(4);
  std::memcpy(raw.bytes.data(), px, 4);
  const ImageF f = to_float(raw, "a.tif");
  EXPECT_FLOAT_EQ(f.at(0, 0), -300.f);
  EXPECT_FLOAT_EQ(f.at(1, 0), 1200.f);
}

TEST(Image, RefusesNaNPixelsNamingTheFile) {
  RawImage raw{2, 1, PixelType::f32, {}};
  const float px[2] = {1.f, std::nanf("")};
  raw.bytes.resize(8);
  std::memcpy(raw.bytes.data(), px, 8);
  try {
    to_float(raw, "bad.tif");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.tif: 1 pixel is NaN"), std::string::npos);
  }
}

TEST(Image, RefusesInconsistentBuffer) {
  RawImage raw{4, 4, PixelType::u16, std::vector<std::uint8_t>(10)};
  EXPECT_THROW(to_float(raw, "x"), InputError);
}

// Every integer camera and floats in sensible units are left alone; others are brought, by a power of
// two, to where a 16-bit camera's counts lie, exactly (subnormal pixels included).
TEST(Image, FloatsOutOfTheSpectrasRangeAreScaledExactlyByAPowerOfTwo) {
  for (double in_range : {0.0, 1e-9, 0.5, 65535.0, 4294967295.0, std::ldexp(1.0, 32), std::ldexp(1.0, -32)})
    EXPECT_EQ(float_range_exponent(in_range), 0) << in_range;
  EXPECT_EQ(float_range_exponent(std::ldexp(1.0, 32) * 1.5), 15 - 32);
  EXPECT_EQ(float_range_exponent(1e20), 15 - 66);  // 1e20 = 1.36 2^66
  EXPECT_EQ(float_range_exponent(std::ldexp(1.0, -33)), 15 + 33);
  EXPECT_EQ(float_range_exponent(std::ldexp(1.0, -149)), 15 + 149);  // the smallest subnormal float
  for (double m : {3e9 * 2, 1e20, 3.4e38, 2e-10, 1e-30, 1.4e-45}) {
    const double scaled = std::ldexp(m, float_range_exponent(m));
    EXPECT_GE(scaled, 32768.0) << m;
    EXPECT_LT(scaled, 65536.0) << m;
  }
  ImageF f(3, 2);
  f.pixels = {3e30f, -1.5e30f, 0.f, 7e22f, -2.5e-20f, 1e25f};
  const std::vector<float> before = f.pixels;
  const int k = fit_float_range(f);
  EXPECT_EQ(k, 15 - std::ilogb(3e30f));
  for (std::size_t i : {0, 1, 2, 3, 5}) EXPECT_EQ(double(f.pixels[i]), std::ldexp(double(before[i]), k)) << i;
  EXPECT_EQ(f.pixels[4], 0.f);  // 2^-150 of the largest: below every float, as the comment allows
  ImageF small(2, 1);
  small.pixels = {1e-44f, -3e-45f};  // subnormal
  const int up = fit_float_range(small);
  EXPECT_EQ(double(small.pixels[0]), std::ldexp(double(1e-44f), up));
  EXPECT_EQ(double(small.pixels[1]), std::ldexp(double(-3e-45f), up));
  ImageF ordinary(2, 1);
  ordinary.pixels = {812.f, -0.25f};
  EXPECT_EQ(fit_float_range(ordinary), 0);
  EXPECT_EQ(ordinary.pixels, (std::vector<float>{812.f, -0.25f}));
}

namespace {

RawImage float64_image(const std::vector<double>& px, int width) {
  RawImage raw{width, int(px.size()) / width, PixelType::f64, {}};
  raw.bytes.resize(px.size() * sizeof(double));
  std::memcpy(raw.bytes.data(), px.data(), raw.bytes.size());
  return raw;
}

}  // namespace

// A finite float64 image x1e40 was reported "1048576 pixels are NaN or infinite", one x1e-300
// "every pixel is 0: a blank image": doubles became floats before the range was looked at. They
// are now scaled by a power of two before they are narrowed, as float32 images are after.
TEST(Image, Float64BeyondFloatsRangeIsScaledBeforeItIsNarrowed) {
  const std::vector<double> base = {1.5, -2.25, 0, 3.75, 12, 0.5};
  for (double factor : {1e40, 1e-300, 1e300}) {
    std::vector<double> px;
    for (double v : base) px.push_back(v * factor);
    const RawImage raw = float64_image(px, 3);
    const int k = narrowing_exponent(raw);
    EXPECT_EQ(k, float_range_exponent(12 * factor)) << factor;
    const ImageF f = to_float(raw, "big.mrc", k);
    for (std::size_t i = 0; i < px.size(); ++i)
      EXPECT_EQ(f.pixels[i], static_cast<float>(std::ldexp(px[i], k))) << factor << ' ' << i;
    EXPECT_GE(f.pixels[4], 32768.f);  // the largest where a 16-bit camera's counts lie
    EXPECT_LT(f.pixels[4], 65536.f);
  }
  // Not scaled: a message that says what is wrong, not "NaN or infinite".
  std::vector<double> big;
  for (double v : base) big.push_back(v * 1e40);
  try {
    to_float(float64_image(big, 3), "big.mrc");
    ADD_FAILURE() << "1e40 became a float";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "big.mrc: 5 float64 pixels lie beyond float32's range (largest magnitude 1.2e+41; float32 holds up to "
              "3.4e38)");
  }
  // In range, or not float64: nothing to do. NaN pixels are said as before, the finite ones set k.
  EXPECT_EQ(narrowing_exponent(float64_image(base, 3)), 0);
  RawImage f32{2, 1, PixelType::f32, std::vector<std::uint8_t>(8)};
  EXPECT_EQ(narrowing_exponent(f32), 0);
  std::vector<double> with_nan = big;
  with_nan[2] = std::nan("");
  const RawImage nan_raw = float64_image(with_nan, 3);
  EXPECT_EQ(narrowing_exponent(nan_raw), float_range_exponent(1.2e41));
  try {
    to_float(nan_raw, "nan.mrc", narrowing_exponent(nan_raw));
    ADD_FAILURE() << "a NaN pixel became a float";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "nan.mrc: 1 pixel is NaN or infinite, the first at (x, y) = (2, 0) px from "
              "the top-left");
  }
}

}  // namespace mgscope
