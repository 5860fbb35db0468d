// One scan segment ready for analysis: exotherm up, per gram when the mass is known, plus the
// small numerical tools the constructions share (straight lines, local linear regression).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/nan.hpp"
#include "fitting/io/dsc_readers.hpp"

namespace mgscope {

// y = slope * T + intercept, T in K, y in the curve's signal unit.
struct Line {
  double slope = kNaN;
  double intercept = kNaN;
  double at(double T_K) const { return slope * T_K + intercept; }
};
// The temperature where two lines cross (NaN when parallel).
double intersection_K(const Line& a, const Line& b);

struct CurveOptions {
  std::optional<double> mass_mg;          // overrides the file's mass
  std::optional<double> rate_K_per_min;   // overrides the fitted heating rate
  std::optional<Exotherm> exotherm;       // overrides the file's exotherm direction

  std::string check() const;  // "" or the bad field: a mass within 1 ug-100 g, a rate 0.001-1e7 K/min
};

struct DscCurve {
  std::string path;
  std::size_t segment = 0;  // index into DscRun::segments
  int file_segment = 0;
  std::vector<double> time_s;
  std::vector<double> temperature_K;
  std::vector<double> signal;  // exotherm up: positive = heat released by the sample
  bool per_gram = false;       // signal in W/g (= mW/mg); else mW
  double rate_K_per_min = 0;
  std::optional<double> mass_mg;
  std::size_t first_line = 0, last_line = 0;  // source lines of the segment
  std::vector<std::string> warnings;

  const char* signal_unit() const { return per_gram ? "W/g" : "mW"; }
  // Signal integrated over time: W/g * s = J/g, mW * s = mJ.
  const char* enthalpy_unit() const { return per_gram ? "J/g" : "mJ"; }
};

// Takes segment `segment` of `run`, flips an exotherm-down signal, divides by the mass (the option's,
// else the file's) when the file holds absolute heat flow, and rescales a per-mass signal when the
// option's mass differs from the file's. Throws InputError for a segment that is not heating,
// std::invalid_argument for invalid options.
DscCurve make_curve(const DscRun& run, std::size_t segment, const CurveOptions& options);

// heating_segments(run), or InputError naming the file, its data lines and the segments found
// when there is no heating segment.
std::vector<std::size_t> require_heating_segments(const DscRun& run);

// "heating lines 12-480, cooling lines 481-900": every segment of the run, for messages.
std::string describe_segments(const DscRun& run);

// Least-squares line through (x[i], y[i]) for x in [low, high]; NaN line when < 3 points.
Line fit_line(const std::vector<double>& x, const std::vector<double>& y, double low, double high);
// Same, over the union of [low1, high1] and [low2, high2] (the two sides of a peak).
Line fit_line(const std::vector<double>& x, const std::vector<double>& y, double low1, double high1, double low2,
              double high2);

// Local linear regression at each point over |x - x_i| <= half_width (x roughly increasing):
// a smoothed value and a slope that stay unbiased on straight stretches and tolerate noise.
// Every fit holds at least 3 rows: where fewer lie within the half-width, the window takes in the
// nearest rows (`widened` counts those points).
struct LocalFit {
  std::vector<double> value;
  std::vector<double> slope;
  std::size_t widened = 0;
};
LocalFit local_linear_fit(const std::vector<double>& x, const std::vector<double>& y, double half_width);

// Robust noise of y about its local fit (1.4826 * median absolute deviation).
double noise_sd(const std::vector<double>& y, const std::vector<double>& smoothed);

// Trapezoid integral of y over t for rows whose x lies in [low, high].
double integrate_over(const std::vector<double>& t, const std::vector<double>& y, const std::vector<double>& x,
                      double low, double high);

}  // namespace mgscope
