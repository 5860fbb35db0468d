// FFTW planning is not thread-safe: plans are made and destroyed under one mutex; execution is not.
#include "imaging/image_fft.hpp"

#include <fftw3.h>

#include <algorithm>
#include <initializer_list>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

#include "imaging/fftw_planner.hpp"

namespace mgscope {

int smooth_fft_length(int limit) {
  for (int n = limit; n > 1; --n) {
    int m = n;
    for (int p : {2, 3, 5, 7})
      while (m % p == 0) m /= p;
    if (m == 1) return n;
  }
  return 1;
}

HalfSpectrum fft_forward(ImageF image) {
  HalfSpectrum s;
  s.width = image.width;
  s.height = image.height;
  s.data.resize(std::size_t(s.height) * std::size_t(s.columns()));
  fftwf_plan p;  // FFTW_ESTIMATE does not touch the arrays while planning
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    p = fftwf_plan_dft_r2c_2d(s.height, s.width, image.pixels.data(), reinterpret_cast<fftwf_complex*>(s.data.data()),
                              FFTW_ESTIMATE | FFTW_UNALIGNED);
  }
  fftwf_execute(p);
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    fftwf_destroy_plan(p);
  }
  return s;
}

ImageF fft_inverse(HalfSpectrum spectrum) {
  ImageF out(spectrum.width, spectrum.height);
  fftwf_plan p;  // c2r destroys its input, the spectrum (our own copy)
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    p = fftwf_plan_dft_c2r_2d(spectrum.height, spectrum.width, reinterpret_cast<fftwf_complex*>(spectrum.data.data()),
                              out.pixels.data(), FFTW_ESTIMATE | FFTW_UNALIGNED);
  }
  fftwf_execute(p);
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    fftwf_destroy_plan(p);
  }
  const float scale = 1.f / (float(spectrum.width) * float(spectrum.height));
  for (float& v : out.pixels) v *= scale;
  return out;
}

// Columns are transformed kColumnBlock at a time, gathered into a buffer where each is
// contiguous: FFTW_ESTIMATE's plan of the whole 2-D transform runs its column pass on the strided
// columns in place, slower than the rows. FFTW_MEASURE finds such buffering by timing, but a plan
// found by timing could differ from run to run, and so could the numbers. The buffer's columns
// are kColumnPad complex values longer than a column: at 1024 px, columns 8 KiB apart all fall
// into the same cache sets, and the gather took 7x longer. Measured at 1024^2 (all columns):
// gather 0.2 ms, DFTs 0.4 ms, scatter 0.2 ms, rows 0.9 ms; the 2-D plan 2.4 ms.
constexpr int kColumnBlock = 32;
constexpr int kColumnPad = 8;

// Distance between the buffer's columns: padded, and even so that every column keeps the 16-byte
// alignment of the first (FFTW picks its SIMD codelets by alignment).
int column_stride(int height) { return height + kColumnPad + (height & 1); }

RealFft2d::RealFft2d(int width, int height) : width_(width), height_(height) {
  const std::size_t pixels = std::size_t(width) * std::size_t(height);
  const int block = std::min(kColumnBlock, columns());
  real_ = fftwf_alloc_real(pixels);
  spectrum_ = reinterpret_cast<std::complex<float>*>(fftwf_alloc_complex(std::size_t(height) * std::size_t(columns())));
  buffer_ = reinterpret_cast<std::complex<float>*>(
      fftwf_alloc_complex(std::size_t(column_stride(height)) * std::size_t(block)));
  auto release = [&] {
    for (fftwf_plan_s* p :
         {rows_forward_, rows_inverse_, columns_forward_, columns_inverse_, last_forward_, last_inverse_})
      if (p) fftwf_destroy_plan(p);
    fftwf_free(real_);
    fftwf_free(spectrum_);
    fftwf_free(buffer_);
  };
  if (!real_ || !spectrum_ || !buffer_) {
    release();
    throw std::bad_alloc();
  }
  auto* c = reinterpret_cast<fftwf_complex*>(spectrum_);
  auto* b = reinterpret_cast<fftwf_complex*>(buffer_);
  const int cols = columns(), last = cols % block;
  int row_length[1] = {width}, column_length[1] = {height};
  const int stride = column_stride(height);
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  rows_forward_ =
      fftwf_plan_many_dft_r2c(1, row_length, height, real_, nullptr, 1, width, c, nullptr, 1, cols, FFTW_ESTIMATE);
  rows_inverse_ =
      fftwf_plan_many_dft_c2r(1, row_length, height, c, nullptr, 1, cols, real_, nullptr, 1, width, FFTW_ESTIMATE);
  columns_forward_ = fftwf_plan_many_dft(1, column_length, block, b, nullptr, 1, stride, b, nullptr, 1, stride,
                                         FFTW_FORWARD, FFTW_ESTIMATE);
  columns_inverse_ = fftwf_plan_many_dft(1, column_length, block, b, nullptr, 1, stride, b, nullptr, 1, stride,
                                         FFTW_BACKWARD, FFTW_ESTIMATE);
  if (last) {
    last_forward_ = fftwf_plan_many_dft(1, column_length, last, b, nullptr, 1, stride, b, nullptr, 1, stride,
                                        FFTW_FORWARD, FFTW_ESTIMATE);
    last_inverse_ = fftwf_plan_many_dft(1, column_length, last, b, nullptr, 1, stride, b, nullptr, 1, stride,
                                        FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  if (!rows_forward_ || !rows_inverse_ || !columns_forward_ || !columns_inverse_ ||
      (last && (!last_forward_ || !last_inverse_))) {
    release();
    throw std::runtime_error("FFTW could not plan a " + std::to_string(width) + " x " + std::to_string(height) +
                             " transform");
  }
}

RealFft2d::~RealFft2d() {
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    for (fftwf_plan_s* p :
         {rows_forward_, rows_inverse_, columns_forward_, columns_inverse_, last_forward_, last_inverse_})
      if (p) fftwf_destroy_plan(p);
  }
  fftwf_free(real_);
  fftwf_free(spectrum_);
  fftwf_free(buffer_);
}

// Each block of columns: gathered (column j of the block at buffer_ + j * column_stride),
// transformed, written back.
void RealFft2d::transform_columns(bool forward) {
  const int cols = columns(), block = std::min(kColumnBlock, cols);
  const std::size_t stride = std::size_t(column_stride(height_));
  auto* b = reinterpret_cast<fftwf_complex*>(buffer_);
  for (int c0 = 0; c0 < cols; c0 += block) {
    const int count = std::min(block, cols - c0);
    for (int row = 0; row < height_; ++row) {
      const std::complex<float>* src = spectrum_ + std::size_t(row) * std::size_t(cols) + std::size_t(c0);
      for (int j = 0; j < count; ++j) buffer_[std::size_t(j) * stride + std::size_t(row)] = src[j];
    }
    fftwf_plan_s* plan = count == block ? (forward ? columns_forward_ : columns_inverse_)
                                        : (forward ? last_forward_ : last_inverse_);
    fftwf_execute_dft(plan, b, b);
    for (int row = 0; row < height_; ++row) {
      std::complex<float>* dst = spectrum_ + std::size_t(row) * std::size_t(cols) + std::size_t(c0);
      for (int j = 0; j < count; ++j) dst[j] = buffer_[std::size_t(j) * stride + std::size_t(row)];
    }
  }
}

void RealFft2d::forward() {
  fftwf_execute(rows_forward_);
  transform_columns(true);
}

void RealFft2d::inverse() {
  transform_columns(false);
  fftwf_execute(rows_inverse_);
}

}  // namespace mgscope
