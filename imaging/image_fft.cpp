// FFTW planning is not thread-safe: plans are made and destroyed under one mutex; execution is not.
#include "imaging/image_fft.hpp"

#include <fftw3.h>

#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

#include "imaging/fftw_planner.hpp"

namespace mgscope {

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
  fft_inverse_into(spectrum, out);  // the spectrum is our own copy
  return out;
}

void fft_inverse_into(HalfSpectrum& spectrum, ImageF& out) {
  if (out.width != spectrum.width || out.height != spectrum.height) out = ImageF(spectrum.width, spectrum.height);
  fftwf_plan p;  // c2r destroys its input
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
}

RealFft2d::RealFft2d(int width, int height) : width_(width), height_(height) {
  const std::size_t pixels = std::size_t(width) * std::size_t(height);
  real_ = fftwf_alloc_real(pixels);
  spectrum_ = reinterpret_cast<std::complex<float>*>(fftwf_alloc_complex(std::size_t(height) * std::size_t(columns())));
  if (!real_ || !spectrum_) {
    fftwf_free(real_);
    fftwf_free(spectrum_);
    throw std::bad_alloc();
  }
  auto* c = reinterpret_cast<fftwf_complex*>(spectrum_);
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  forward_ = fftwf_plan_dft_r2c_2d(height, width, real_, c, FFTW_ESTIMATE);
  inverse_ = fftwf_plan_dft_c2r_2d(height, width, c, real_, FFTW_ESTIMATE);
  if (!forward_ || !inverse_) {
    if (forward_) fftwf_destroy_plan(forward_);
    if (inverse_) fftwf_destroy_plan(inverse_);
    fftwf_free(real_);
    fftwf_free(spectrum_);
    throw std::runtime_error("FFTW could not plan a " + std::to_string(width) + " x " + std::to_string(height) + " transform");
  }
}

RealFft2d::~RealFft2d() {
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    if (forward_) fftwf_destroy_plan(forward_);
    if (inverse_) fftwf_destroy_plan(inverse_);
  }
  fftwf_free(real_);
  fftwf_free(spectrum_);
}

void RealFft2d::forward() { fftwf_execute(forward_); }
void RealFft2d::inverse() { fftwf_execute(inverse_); }

}  // namespace mgscope
