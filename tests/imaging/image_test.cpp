#include "imaging/image.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

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
    EXPECT_NE(std::string(e.what()).find("bad.tif: 1 pixels are NaN"), std::string::npos);
  }
}

TEST(Image, RefusesInconsistentBuffer) {
  RawImage raw{4, 4, PixelType::u16, std::vector<std::uint8_t>(10)};
  EXPECT_THROW(to_float(raw, "x"), InputError);
}

}  // namespace mgscope
