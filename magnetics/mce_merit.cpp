// Peak refinement, half-maximum crossings, and windowed integrals of -dSm(T).
#include "magnetics/mce_merit.hpp"
#include "fitting/base/text_file.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace mgscope {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The half-maximum search walks outwards from the peak by index and TEC windows run from the first
// to the last temperature: reversed temperatures gave a FWHM of -50 K and an RCP of -483, an empty
// curve a peak of 0 at 0 K. Refused rather than sorted, since a curve out of order is more often a
// mix-up of columns than a choice.
void check_merit_input(const std::vector<double>& T, const std::vector<double>& s, const std::vector<double>& lifts) {
  if (T.size() != s.size())
    throw std::invalid_argument("temperature_K has " + std::to_string(T.size()) + " values, minus_dSm " +
                                std::to_string(s.size()) + "; they must be as many");
  if (T.empty()) throw std::invalid_argument("minus_dSm(T) has no points: no figures of merit");
  for (std::size_t i = 0; i < T.size(); ++i) {
    if (!std::isfinite(T[i]) || !std::isfinite(s[i]))
      throw std::invalid_argument("point " + std::to_string(i) + ": temperature_K " + number_text(T[i], 6) +
                                  ", minus_dSm " + number_text(s[i], 6) + ": both must be finite numbers");
    // The readers refuse such a row (qd_reader.cpp); arrays in degC gave a Tp of -100 K, status Success.
    if (!(T[i] > 0))
      throw std::invalid_argument("point " + std::to_string(i) + ": temperature_K " + number_text(T[i], 6) +
                                  " K is at or below 0 K; temperatures are above 0 K (kelvin, not degC?)");
    if (i > 0 && !(T[i] > T[i - 1]))
      throw std::invalid_argument("temperature_K must increase strictly: point " + std::to_string(i) + " (" +
                                  number_text(T[i], 6) + " K) follows " + number_text(T[i - 1], 6) +
                                  " K; sort the curve by temperature first");
  }
  for (double lift : lifts)
    if (!(lift > 0 && std::isfinite(lift)))
      throw std::invalid_argument("tec_lifts_K: each lift must be a finite number > 0 K, got " + number_text(lift, 6));
}
}  // namespace

double integrate_abs_linear(const std::vector<double>& x, const std::vector<double>& y, double a, double b) {
  a = std::max(a, x.front());
  b = std::min(b, x.back());
  if (!(b > a)) return 0;
  // Knots inside (a, b) plus the ends; |y| is integrated by trapezoids between them (exact for
  // one-signed segments, which is the case for -dSm).
  std::vector<double> knots{a};
  for (double xi : x)
    if (xi > a && xi < b) knots.push_back(xi);
  knots.push_back(b);
  double s = 0;
  for (std::size_t k = 1; k < knots.size(); ++k)
    s += 0.5 * (std::abs(interpolate_linear(x, y, knots[k - 1])) + std::abs(interpolate_linear(x, y, knots[k]))) *
         (knots[k] - knots[k - 1]);
  return s;
}

MceMerit compute_mce_merit(const std::vector<double>& T, const std::vector<double>& s, double field_Oe,
                           const std::vector<double>& lifts) {
  check_merit_input(T, s, lifts);
  MceMerit m;
  m.field_Oe = field_Oe;
  const std::size_t n = T.size();
  const std::size_t i = static_cast<std::size_t>(std::max_element(s.begin(), s.end()) - s.begin());
  m.peak_raw = s[i], m.peak_raw_T_K = T[i];
  m.peak = s[i], m.peak_T_K = T[i];
  m.peak_at_edge = i == 0 || i + 1 == n;
  if (m.peak_at_edge) {
    m.warnings.push_back("-dSm is largest at the edge of the temperature range (" + number_text(T[i], 6) +
                         " K): the peak may lie outside it");
  } else {
    // Parabola through the top three points (non-uniform spacing).
    const double x0 = T[i - 1], x1 = T[i], x2 = T[i + 1], y0 = s[i - 1], y1 = s[i], y2 = s[i + 1];
    const double d1 = (y1 - y0) / (x1 - x0), d2 = (y2 - y1) / (x2 - x1), c = (d2 - d1) / (x2 - x0);
    if (c < 0) {
      const double b = d1 - c * (x0 + x1);  // y = c x^2 + b x + a
      const double xv = std::clamp(-b / (2 * c), x0, x2);
      m.peak_T_K = xv;
      m.peak = y1 + (xv - x1) * (d1 + c * (xv - x0));  // Newton form through the three points
    }
  }
  // Half-maximum crossings by linear interpolation on each side of the raw peak.
  const double half = 0.5 * m.peak;
  m.fwhm_low_K = m.fwhm_high_K = kNaN;
  for (std::size_t k = i; k > 0; --k)
    if (s[k - 1] <= half) {
      m.fwhm_low_K = T[k - 1] + (half - s[k - 1]) / (s[k] - s[k - 1]) * (T[k] - T[k - 1]);
      break;
    }
  for (std::size_t k = i; k + 1 < n; ++k)
    if (s[k + 1] <= half) {
      m.fwhm_high_K = T[k] + (s[k] - half) / (s[k] - s[k + 1]) * (T[k + 1] - T[k]);
      break;
    }
  m.fwhm_K = m.fwhm_high_K - m.fwhm_low_K;
  if (std::isnan(m.fwhm_K)) {
    m.warnings.push_back("-dSm does not fall to half its maximum on both sides: FWHM, RCP and RC not given");
    m.rcp = m.rc = kNaN;
  } else {
    m.rcp = std::abs(m.peak) * m.fwhm_K;
    m.rc = integrate_abs_linear(T, s, m.fwhm_low_K, m.fwhm_high_K);
  }
  for (double lift : lifts) {
    TecValue t{lift, kNaN, kNaN};
    const double lo = T.front() + lift / 2, hi = T.back() - lift / 2;
    if (hi >= lo) {
      const int steps = std::clamp(static_cast<int>((hi - lo) / 0.01), 1, 100000);
      for (int k = 0; k <= steps; ++k) {
        const double c = lo + (hi - lo) * k / steps;
        const double v = integrate_abs_linear(T, s, c - lift / 2, c + lift / 2) / lift;
        if (std::isnan(t.value) || v > t.value) t.value = v, t.center_K = c;
      }
    } else {
      m.warnings.push_back("temperature range narrower than " + number_text(lift, 4) + " K: TEC not given");
    }
    m.tec.push_back(t);
  }
  return m;
}

std::vector<std::vector<double>> field_exponent(const EntropyChange& e) {
  const auto& H = e.field_Oe;
  std::vector<std::vector<double>> n;
  for (const auto& s : e.minus_dSm) {
    std::vector<double> row(H.size(), kNaN);
    auto lnabs = [&](std::size_t k) { return H[k] > 0 && s[k] != 0 ? std::log(std::abs(s[k])) : kNaN; };
    auto lnh = [&](std::size_t k) { return H[k] > 0 ? std::log(H[k]) : kNaN; };
    for (std::size_t k = 0; k < H.size(); ++k) {
      if (!(H[k] > 0)) continue;
      std::size_t a = k > 0 && H[k - 1] > 0 ? k - 1 : k, b = k + 1 < H.size() ? k + 1 : k;
      if (a == b) continue;
      row[k] = (lnabs(b) - lnabs(a)) / (lnh(b) - lnh(a));
    }
    n.push_back(std::move(row));
  }
  return n;
}

}  // namespace mgscope
