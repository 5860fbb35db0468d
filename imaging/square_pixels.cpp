// Square pixels by resampling the coarser axis with Keys cubic convolution (a = -0.5), which
// passes through the samples and keeps a sinusoid's period; edges repeat the last sample.
#include "imaging/square_pixels.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "fitting/base/error.hpp"

namespace mgscope {

namespace {

std::string nm_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g nm", v);
  return buf;
}

double keys(double s) {
  constexpr double a = -0.5;
  s = std::abs(s);
  if (s < 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
  if (s < 2) return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
  return 0;
}

// The four inputs and weights of each output sample j, taken at input position u = j * in_per_out
// (pixel 0 stays where it was).
struct Taps {
  std::array<int, 4> index;
  std::array<float, 4> weight;
};

std::vector<Taps> make_taps(int n_in, int n_out, double in_per_out) {
  std::vector<Taps> taps(static_cast<std::size_t>(n_out));
  for (int j = 0; j < n_out; ++j) {
    const double u = j * in_per_out;
    const double base = std::floor(u);
    const double t = u - base;
    Taps& tp = taps[std::size_t(j)];
    for (int k = 0; k < 4; ++k) {
      tp.index[std::size_t(k)] = std::clamp(int(base) - 1 + k, 0, n_in - 1);
      tp.weight[std::size_t(k)] = float(keys(t + 1 - k));
    }
  }
  return taps;
}

// Resamples `image` onto `out` when its pixels are not square (see make_square_pixels); reads it a
// row at a time, so integer pixels are converted row by row, never copied whole.
bool resample_to_square(const StoredImage& image, Calibration& cal, AnisotropyPolicy policy,
                        std::vector<std::string>& warnings, const std::string& path, ImageF& out) {
  if (!cal.calibrated) return false;
  const double px = cal.pixel_x_nm, py = cal.pixel_y_nm;
  if (!(px > 0) || !(py > 0))
    fail_input(path, "pixel sizes " + nm_text(px) + " x " + nm_text(py) + " are not positive");
  const double fine = std::min(px, py), coarse = std::max(px, py);
  if ((coarse - fine) / fine <= kSquarePixelTolerance) return false;

  const std::string sizes = "pixel x " + nm_text(px) + ", y " + nm_text(py);
  if (policy == AnisotropyPolicy::refuse)
    fail_input(path, "anisotropic pixels (" + sizes + ", differ by more than 0.1 %): analysis boxes are square "
                     "in nm; resample to square pixels (--anisotropic resample) or fix the calibration");
  if (coarse / fine > 100)
    fail_input(path, "anisotropic pixels (" + sizes + ") differ more than 100-fold; the calibration looks wrong");

  const bool along_x = px > py;
  const int n_in = along_x ? image.width : image.height;
  const long n_out = std::max(1L, std::lround(n_in * coarse / fine));
  const long other = along_x ? image.height : image.width;
  if (n_out > INT32_MAX || double(n_out) * double(other) > double(1u << 31))
    fail_input(path, "resampling to square pixels would make more than 2^31 pixels");
  const std::vector<Taps> taps = make_taps(n_in, int(n_out), fine / coarse);

  // Input rows as floats: pointers into float storage, else converted into one of four buffers.
  const ImageF* floats = image.floats();
  std::vector<std::vector<float>> buffers(4, std::vector<float>(floats ? 0 : std::size_t(image.width)));
  auto input_row = [&](int y, int slot) -> const float* {
    if (floats) return floats->row(y);
    image.copy_block(0, y, image.width, 1, buffers[std::size_t(slot)].data(), image.width);
    return buffers[std::size_t(slot)].data();
  };
  out = ImageF(along_x ? int(n_out) : image.width, along_x ? image.height : int(n_out));
  if (along_x) {
    for (int y = 0; y < out.height; ++y) {
      const float* in = input_row(y, 0);
      float* o = out.row(y);
      for (int j = 0; j < out.width; ++j) {
        const Taps& t = taps[std::size_t(j)];
        o[j] = t.weight[0] * in[t.index[0]] + t.weight[1] * in[t.index[1]] + t.weight[2] * in[t.index[2]] +
               t.weight[3] * in[t.index[3]];
      }
    }
  } else {
    for (int j = 0; j < out.height; ++j) {
      const Taps& t = taps[std::size_t(j)];
      const float* r0 = input_row(t.index[0], 0);
      const float* r1 = input_row(t.index[1], 1);
      const float* r2 = input_row(t.index[2], 2);
      const float* r3 = input_row(t.index[3], 3);
      float* o = out.row(j);
      for (int x = 0; x < out.width; ++x)
        o[x] = t.weight[0] * r0[x] + t.weight[1] * r1[x] + t.weight[2] * r2[x] + t.weight[3] * r3[x];
    }
  }
  warnings.push_back("anisotropic pixels (" + sizes + "): " + (along_x ? "columns" : "rows") + " resampled from " +
                     std::to_string(n_in) + " to " + std::to_string(n_out) + " (cubic) for square " + nm_text(fine) +
                     " pixels");
  cal.pixel_x_nm = fine;
  cal.pixel_y_nm = fine;
  cal.source += "; resampled to square pixels";
  return true;
}

}  // namespace

bool make_square_pixels(StoredImage& image, Calibration& cal, AnisotropyPolicy policy,
                        std::vector<std::string>& warnings, const std::string& path) {
  ImageF out;
  if (!resample_to_square(image, cal, policy, warnings, path, out)) return false;
  image = StoredImage(std::move(out));
  return true;
}

}  // namespace mgscope
