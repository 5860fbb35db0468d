// Generated counts as the analysis takes them (float pixels), for the HRTEM tests.
#pragma once
#include <cstdint>

#include "imaging/image.hpp"

namespace mgscope::test {

// The generator's pixel size (SynthHrtemOptions::pixel_nm's default): 1.985 nm boxes are 100 px.
inline constexpr double kPixelNm = 0.0199;

inline ImageF as_float(const Image<std::uint16_t>& counts) {
  ImageF f(counts.width, counts.height);
  for (std::size_t i = 0; i < f.pixels.size(); ++i) f.pixels[i] = counts.pixels[i];
  return f;
}

}  // namespace mgscope::test
