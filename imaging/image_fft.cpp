// FFTW planning is not thread-safe: plans are made and destroyed under one mutex; execution is not.
#include "imaging/image_fft.hpp"

#include <fftw3.h>

#include <mutex>

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

}  // namespace mgscope
