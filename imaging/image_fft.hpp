// Whole-image real FFTs: fft_forward / fft_inverse planned per call (the synthetic-image generator,
// a few per image), and RealFft2d planned once for the null model's many crops and fields (the
// per-box transforms' plans are cached in box_transform.cpp).
#pragma once
#include <complex>
#include <vector>

#include "imaging/image.hpp"

struct fftwf_plan_s;  // the FFTW plan type, so this header need not include fftw3.h

namespace mgscope {

struct HalfSpectrum {
  int width = 0, height = 0;                 // of the real image
  std::vector<std::complex<float>> data;     // r2c layout: height rows x (width/2 + 1) columns
  int columns() const { return width / 2 + 1; }
  // Signed frequency indices of element (row, col): kx = col, ky wraps above height/2.
  int ky(int row) const { return row <= height / 2 ? row : row - height; }
};

// The largest n <= limit (and >= 1) whose prime factors are all 7 or less: a length FFTW transforms
// with its fastest code (1000, 1008, 1024 ...). Square crops of whole images use it for their side.
int smooth_fft_length(int limit);

// Both take their argument by value and work in it (the inverse destroys its input): callers that
// are done with it move it in and save a copy of a whole image or spectrum.
HalfSpectrum fft_forward(ImageF image);
// Inverse, scaled by 1 / (width * height) so that fft_inverse(fft_forward(a)) == a.
ImageF fft_inverse(HalfSpectrum spectrum);

// A real 2-D FFT pair, planned once, on arrays FFTW allocates itself (the null model's crops and
// fields, many per image). FFTW chooses its SIMD codelets by the arrays' alignment; a vector's
// alignment can change from run to run, which is why the functions above plan FFTW_UNALIGNED, and
// why they run 1.4-1.6x slower at 1024^2. These arrays always have FFTW's alignment, so the plan,
// and with it every number, is the same in every run. Rows and columns are separate passes; the
// columns are gathered a block at a time into a contiguous buffer (image_fft.cpp says why).
class RealFft2d {
 public:
  RealFft2d(int width, int height);
  ~RealFft2d();
  RealFft2d(const RealFft2d&) = delete;
  RealFft2d& operator=(const RealFft2d&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  int columns() const { return width_ / 2 + 1; }
  float* real() { return real_; }                       // height x width, row-major
  std::complex<float>* spectrum() { return spectrum_; }  // r2c layout, height x columns()
  void forward();  // real() -> spectrum(); real() is kept
  void inverse();  // spectrum() -> real(), not scaled (a factor width * height); spectrum() is lost

 private:
  void transform_columns(bool forward);

  int width_, height_;
  float* real_ = nullptr;
  std::complex<float>* spectrum_ = nullptr;
  std::complex<float>* buffer_ = nullptr;  // a block of columns, each contiguous
  // fftwf_plan is fftwf_plan_s*. The rows' r2c and c2r; the columns' DFTs of a whole block and
  // of the last, narrower block (when the block does not divide the columns).
  fftwf_plan_s* rows_forward_ = nullptr;
  fftwf_plan_s* rows_inverse_ = nullptr;
  fftwf_plan_s* columns_forward_ = nullptr;
  fftwf_plan_s* columns_inverse_ = nullptr;
  fftwf_plan_s* last_forward_ = nullptr;
  fftwf_plan_s* last_inverse_ = nullptr;
};

}  // namespace mgscope
