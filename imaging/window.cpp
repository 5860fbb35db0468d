// Window shapes; the periodic form (divide by n, not n - 1) suits spectra of boxes.
#include "imaging/window.hpp"

#include <cmath>

namespace mgscope {

std::optional<WindowKind> parse_window(const std::string& name) {
  if (name == "hann") return WindowKind::hann;
  if (name == "hamming") return WindowKind::hamming;
  if (name == "tukey") return WindowKind::tukey;
  if (name == "none") return WindowKind::none;
  return std::nullopt;
}

const char* window_name(WindowKind w) {
  switch (w) {
    case WindowKind::hann: return "hann";
    case WindowKind::hamming: return "hamming";
    case WindowKind::tukey: return "tukey";
    case WindowKind::none: return "none";
  }
  return "?";
}

std::vector<double> window_1d(WindowKind kind, int n) {
  const double pi = 3.14159265358979323846;
  std::vector<double> w1(static_cast<std::size_t>(n), 1.0);
  for (int i = 0; i < n; ++i) {
    const double t = double(i) / double(n);  // 0 .. 1
    switch (kind) {
      case WindowKind::hann: w1[i] = 0.5 - 0.5 * std::cos(2 * pi * t); break;
      case WindowKind::hamming: w1[i] = 0.54 - 0.46 * std::cos(2 * pi * t); break;
      case WindowKind::tukey: {
        const double a = 0.5;
        if (t < a / 2) w1[i] = 0.5 * (1 - std::cos(2 * pi * t / a));
        else if (t > 1 - a / 2) w1[i] = 0.5 * (1 - std::cos(2 * pi * (1 - t) / a));
        break;
      }
      case WindowKind::none: break;
    }
  }
  return w1;
}

std::vector<float> make_window_2d(WindowKind kind, int n) {
  const std::vector<double> w1 = window_1d(kind, n);
  std::vector<float> w(static_cast<std::size_t>(n) * std::size_t(n));
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) w[std::size_t(y) * std::size_t(n) + std::size_t(x)] = float(w1[y] * w1[x]);
  return w;
}

std::vector<float> window_middle_row(WindowKind kind, int n) {
  const std::vector<double> w1 = window_1d(kind, n);
  std::vector<float> row(static_cast<std::size_t>(n));
  for (int x = 0; x < n; ++x) row[std::size_t(x)] = float(w1[std::size_t(n / 2)] * w1[std::size_t(x)]);
  return row;
}

}  // namespace mgscope
