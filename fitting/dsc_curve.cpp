// Building an analysis curve from a run segment, and the line/smoothing tools the DSC constructions use.
#include "fitting/dsc_curve.hpp"

#include <algorithm>
#include <cmath>

#include "fitting/base/error.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"

#include "fitting/base/line_fit.hpp"

namespace mgscope {

double intersection_K(const Line& a, const Line& b) {
  const double ds = a.slope - b.slope;
  return ds == 0 ? kNaN : (b.intercept - a.intercept) / ds;
}

std::vector<std::size_t> require_heating_segments(const DscRun& run) {
  auto h = heating_segments(run);
  if (!h.empty()) return h;
  const std::string found = describe_segments(run);
  if (run.line.empty()) fail_input(run.path, "no data rows");
  fail_input(run.path, "no heating segment in the data (" + std::string(run.line_is_index ? "indices " : "lines ") +
                           std::to_string(run.line.front()) + "-" + std::to_string(run.line.back()) + ": " +
                           (found.empty() ? "too few rows" : found) + ")");
}

std::string describe_segments(const DscRun& run) {
  std::string found;
  for (const auto& s : run.segments)
    found += std::string(found.empty() ? "" : ", ") + to_string(s.kind) + " " + dsc_rows_text(run, s);
  return found;
}

std::string CurveOptions::check() const {
  // The rule of a mass in a file's header (dsc_readers.hpp). A rate: wide bounds (flash DSC heats
  // at up to ~1e6 K/min), but a typo of a few decades, or a rate <= 0, is caught.
  if (mass_mg && !(*mass_mg >= kMinMass_mg && *mass_mg <= kMaxMass_mg))
    return "--mass (CurveOptions.mass_mg) must lie within 1 ug to 100 g (0.001 to 100000 mg), got " +
           number_text(*mass_mg, 6);
  if (rate_K_per_min && !(*rate_K_per_min >= 1e-3 && *rate_K_per_min <= 1e7))
    return "--rate (CurveOptions.rate_K_per_min) must lie within 0.001 to 1e7 K/min, got " +
           number_text(*rate_K_per_min, 6);
  return "";
}

DscCurve make_curve(const DscRun& run, std::size_t segment, const CurveOptions& options) {
  require_valid(options);
  const DscSegment& seg = run.segments.at(segment);
  if (seg.kind != SegmentKind::Heating)
    fail_input(run.path, "segment at " + dsc_rows_text(run, seg) + " is " + to_string(seg.kind) + ", not heating");
  DscCurve c;
  c.path = run.path;
  c.segment = segment;
  c.file_segment = seg.file_segment;
  c.first_line = run.line[seg.begin];
  c.last_line = run.line[seg.end - 1];
  c.rate_K_per_min = options.rate_K_per_min.value_or(seg.rate_K_per_min);
  c.mass_mg = options.mass_mg ? options.mass_mg : run.mass_mg;
  const Exotherm exo = options.exotherm.value_or(run.exotherm);
  double scale = exo == Exotherm::Up ? 1.0 : -1.0;
  if (run.heat_flow_unit == HeatFlowUnit::mW_per_mg) {
    c.per_gram = true;
    if (options.mass_mg && run.mass_mg) scale *= *run.mass_mg / *options.mass_mg;
    else if (options.mass_mg)
      c.warnings.push_back("mass override ignored: the file's heat flow is per mass and its mass is unknown");
  } else if (c.mass_mg) {
    c.per_gram = true;
    scale /= *c.mass_mg;  // mW / mg = W/g
  } else {
    c.warnings.push_back("no sample mass: heat flow stays in mW and enthalpies in mJ (give --mass)");
  }
  c.time_s.assign(run.time_s.begin() + long(seg.begin), run.time_s.begin() + long(seg.end));
  c.temperature_K.assign(run.temperature_K.begin() + long(seg.begin), run.temperature_K.begin() + long(seg.end));
  for (std::size_t i = seg.begin; i < seg.end; ++i) c.signal.push_back(scale * run.heat_flow[i]);
  return c;
}

Line fit_line(const std::vector<double>& x, const std::vector<double>& y, double low, double high) {
  return fit_line(x, y, low, high, low, high);
}

Line fit_line(const std::vector<double>& x, const std::vector<double>& y, double low1, double high1, double low2,
              double high2) {
  auto in = [&](double v) { return (v >= low1 && v <= high1) || (v >= low2 && v <= high2); };
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (in(x[i])) xs.push_back(x[i]), ys.push_back(y[i]);
  if (xs.size() < 3) return {};
  const LineFit f = fit_line(xs, ys);
  if (!f.usable()) return {};
  return {f.slope, f.intercept};
}

LocalFit local_linear_fit(const std::vector<double>& x, const std::vector<double>& y, double half_width) {
  const std::size_t n = x.size();
  LocalFit f;
  f.value.assign(n, kNaN);
  f.slope.assign(n, kNaN);
  if (n == 0) return f;
  // Prefix sums of centred x keep the sums well conditioned at x ~ 600 K.
  const double x0 = x[n / 2];
  std::vector<double> S1(n + 1, 0), Sx(n + 1, 0), Sy(n + 1, 0), Sxx(n + 1, 0), Sxy(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = x[i] - x0;
    S1[i + 1] = S1[i] + 1;
    Sx[i + 1] = Sx[i] + u;
    Sy[i + 1] = Sy[i] + y[i];
    Sxx[i + 1] = Sxx[i] + u * u;
    Sxy[i + 1] = Sxy[i] + u * y[i];
  }
  std::size_t lo = 0, hi = 0;  // window [lo, hi)
  // Rows exactly half_width away belong to the window; rounding in written temperatures (0.5 K
  // rows, 0.5 K smoothing) must not drop them.
  const double reach = half_width * (1 + 1e-9);
  for (std::size_t i = 0; i < n; ++i) {
    while (lo < i && x[lo] < x[i] - reach) ++lo;
    if (hi < i + 1) hi = i + 1;
    while (hi < n && x[hi] <= x[i] + reach) ++hi;
    // Fewer than 3 rows fit no line worth having (a slope of 0 for 2 rows made tangents flat and
    // onsets thousands of kelvins away): where the rows are coarser than the smoothing, take in
    // the nearest rows until there are 3.
    std::size_t wlo = lo, whi = hi;
    while (whi - wlo < 3 && (wlo > 0 || whi < n)) {
      if (whi < n && (wlo == 0 || x[whi] - x[i] < x[i] - x[wlo - 1]))
        ++whi;
      else
        --wlo;
    }
    // Counted where the whole window lies inside the data: at the two ends it is one-sided anyway.
    if (whi - wlo > hi - lo && x[i] - reach >= x[0] && x[i] + reach <= x[n - 1]) ++f.widened;
    const double m = S1[whi] - S1[wlo], sx = Sx[whi] - Sx[wlo], sy = Sy[whi] - Sy[wlo];
    const double sxx = Sxx[whi] - Sxx[wlo] - sx * sx / m, sxy = Sxy[whi] - Sxy[wlo] - sx * sy / m;
    const double slope = (m >= 3 && sxx > 0) ? sxy / sxx : 0.0;
    f.slope[i] = slope;
    f.value[i] = sy / m + slope * ((x[i] - x0) - sx / m);
  }
  return f;
}

double noise_sd(const std::vector<double>& y, const std::vector<double>& smoothed) {
  std::vector<double> dev;
  dev.reserve(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) dev.push_back(std::abs(y[i] - smoothed[i]));
  return 1.4826 * median(dev);
}

double integrate_over(const std::vector<double>& t, const std::vector<double>& y, const std::vector<double>& x,
                      double low, double high) {
  double sum = 0;
  for (std::size_t i = 1; i < t.size(); ++i)
    if (x[i - 1] >= low && x[i] <= high && x[i - 1] <= high && x[i] >= low)
      sum += 0.5 * (y[i] + y[i - 1]) * (t[i] - t[i - 1]);
  return sum;
}

}  // namespace mgscope
