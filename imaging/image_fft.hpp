// Whole-image real FFTs (for the generators and the null model), planned per call: these run a
// few times per image, unlike the per-box transforms whose plans are cached.
#pragma once
#include <complex>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope {

struct HalfSpectrum {
  int width = 0, height = 0;                 // of the real image
  std::vector<std::complex<float>> data;     // r2c layout: height rows x (width/2 + 1) columns
  int columns() const { return width / 2 + 1; }
  // Signed frequency indices of element (row, col): kx = col, ky wraps above height/2.
  int ky(int row) const { return row <= height / 2 ? row : row - height; }
};

// Both take their argument by value and work in it (the inverse destroys its input): callers that
// are done with it move it in and save a copy of a whole image or spectrum.
HalfSpectrum fft_forward(ImageF image);
// Inverse, scaled by 1 / (width * height) so that fft_inverse(fft_forward(a)) == a.
ImageF fft_inverse(HalfSpectrum spectrum);
// The same into `out` (made width x height if it is not), destroying `spectrum`: for loops that
// keep their buffers.
void fft_inverse_into(HalfSpectrum& spectrum, ImageF& out);

}  // namespace mgscope
