// Log-log least squares with Student-t intervals.
#include "fitting/base/power_law.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "fitting/base/distributions.hpp"
#include "fitting/base/line_fit.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

std::string PowerLawOptions::check() const {
  if (!(confidence > 0 && confidence < 1)) return "PowerLawOptions.confidence must be in (0, 1)";
  // A NaN bound compares false, so it kept every point: "no bound" in disguise. The command refuses
  // --tmin-K nan as not a finite number; so does this, for every caller (Python's x_min=nan).
  for (const auto& [name, bound] : {std::pair{"x_min", x_min}, std::pair{"x_max", x_max}})
    if (bound && !std::isfinite(*bound))
      return bad_setting("PowerLawOptions", name, "must be a finite number (unset: no bound)", *bound);
  if (x_min && x_max && !(*x_min <= *x_max)) return "PowerLawOptions: x_min must not exceed x_max";
  return "";
}

namespace {

bool loggable(double x, double y) { return std::isfinite(x) && std::isfinite(y) && x > 0 && y > 0; }

// Points dropped for having no logarithm were dropped without a word (the CLI lists its skipped
// rows; arrays from Python had no such list): a warning naming how many and which.
std::string left_out_warning(const std::vector<std::size_t>& left_out, std::size_t n) {
  std::string indices;
  for (std::size_t k = 0; k < left_out.size() && k < 10; ++k)
    indices += (k ? ", " : "") + std::to_string(left_out[k]);
  if (left_out.size() > 10) indices += ", ...";
  return std::to_string(left_out.size()) + " of " + std::to_string(n) +
         " points left out: x or y is not finite or not > 0, so has no logarithm (indices " + indices + ")";
}

}  // namespace

PowerLawFit fit_power_law(const std::vector<double>& x, const std::vector<double>& y, const PowerLawOptions& o) {
  require_valid(o);
  PowerLawFit f;
  std::vector<std::size_t> left_out;
  const std::size_t n_given = std::min(x.size(), y.size());
  for (std::size_t i = 0; i < n_given; ++i) {
    if (!loggable(x[i], y[i])) {
      left_out.push_back(i);
      continue;
    }
    if ((o.x_min && x[i] < *o.x_min) || (o.x_max && x[i] > *o.x_max)) continue;
    f.used.push_back(i);
  }
  if (!left_out.empty()) f.warnings.push_back(left_out_warning(left_out, n_given));
  f.n_points = static_cast<int>(f.used.size());
  if (f.n_points < 3) {
    f.message = "power law needs at least 3 points with x > 0 and y > 0 in range; got " + std::to_string(f.n_points);
    return f;
  }
  std::vector<double> ln_x, ln_y;
  for (std::size_t i : f.used) ln_x.push_back(std::log(x[i])), ln_y.push_back(std::log(y[i]));
  const LineFit line = fit_line(ln_x, ln_y);
  if (!line.usable()) {
    f.message = "all x values are equal: no exponent can be fitted";
    return f;
  }
  const double n = f.n_points;
  f.exponent = line.slope;
  f.ln_prefactor = line.intercept;
  f.prefactor = std::exp(f.ln_prefactor);
  f.sse = line.sse;
  f.exponent_se = line.slope_se;
  f.ln_prefactor_se = line.intercept_se;
  f.r_squared = line.r_squared();
  f.t_quantile = student_t_quantile(1 - (1 - o.confidence) / 2, n - 2);
  f.exponent_low = f.exponent - f.t_quantile * f.exponent_se;
  f.exponent_high = f.exponent + f.t_quantile * f.exponent_se;
  f.status = FitStatus::Success;
  f.message = "ok";
  return f;
}

TwoRegimeFit fit_two_regime_power_law(const std::vector<double>& x, const std::vector<double>& y,
                                      std::optional<double> breakpoint, int min_points, double confidence) {
  // min_points 0 or a NaN breakpoint gave status Success: a NaN bound keeps every point on both sides.
  if (min_points < 3)
    throw std::invalid_argument("min_points must be >= 3 (a power law with an error needs 3 points), got " +
                                std::to_string(min_points));
  if (breakpoint && !(*breakpoint > 0 && std::isfinite(*breakpoint)))
    throw std::invalid_argument("breakpoint must be a finite number > 0 (in x's unit), got " +
                                number_text(*breakpoint, 6));
  TwoRegimeFit t;
  auto split = [&](double b) {
    PowerLawOptions lo, hi;
    lo.confidence = hi.confidence = confidence;
    // Below: x < b. The fit keeps x <= x_max, so nudge the bound down by one ulp.
    lo.x_max = std::nextafter(b, 0.0);
    hi.x_min = b;
    return std::make_pair(fit_power_law(x, y, lo), fit_power_law(x, y, hi));
  };
  if (breakpoint) {
    auto [b, a] = split(*breakpoint);
    t.breakpoint_x = *breakpoint;
    t.below = b, t.above = a;
  } else {
    t.searched = true;
    std::vector<double> xs;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (loggable(x[i], y[i])) xs.push_back(x[i]);
    std::sort(xs.begin(), xs.end());
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t k = 1; k < xs.size(); ++k) {
      if (xs[k] == xs[k - 1]) continue;
      if (static_cast<int>(k) < min_points || static_cast<int>(xs.size() - k) < min_points) continue;
      const double b = std::sqrt(xs[k - 1] * xs[k]);
      auto [lo, hi] = split(b);
      if (!lo.usable() || !hi.usable() || lo.sse + hi.sse >= best) continue;
      best = lo.sse + hi.sse;
      t.breakpoint_x = b;
      t.below = lo, t.above = hi;
    }
    if (!std::isfinite(best)) {
      t.message = "no breakpoint leaves " + std::to_string(min_points) + " points on each side (" +
                  std::to_string(xs.size()) + " points)";
      return t;
    }
  }
  t.status = t.below.usable() && t.above.usable() ? FitStatus::Success : FitStatus::Failure;
  t.total_sse = t.below.sse + t.above.sse;
  t.message = t.usable() ? "ok" : "below: " + t.below.message + "; above: " + t.above.message;
  return t;
}

}  // namespace mgscope
