// 2-D apodisation windows applied to each box before its FFT (they stop the box edges from
// putting streaks through the spectrum).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace mgscope {

enum class WindowKind { hann, hamming, tukey, none };

std::optional<WindowKind> parse_window(const std::string& name);
const char* window_name(WindowKind w);

// The 1-D window of n samples, w1(i) for i = 0 .. n - 1 (periodic form: divided by n).
std::vector<double> window_1d(WindowKind kind, int n);

// Separable n x n window, row-major, w(x, y) = w1(x) w1(y). Tukey uses a taper fraction of 0.5.
std::vector<float> make_window_2d(WindowKind kind, int n);

// Row n / 2 of make_window_2d(kind, n), the same floats, without making the other rows: the 1-D
// window (times w1(n / 2), which is 1 for even n).
std::vector<float> window_middle_row(WindowKind kind, int n);

}  // namespace mgscope
