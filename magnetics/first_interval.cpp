// The first field interval's trapezoid error per isotherm, from a power law M - M(0+) ~ H^q: near Tc
// in the critical region M ~ H^(1/delta), far above Tc M ~ chi H (q = 1: no error), below Tc the
// spontaneous moment plus M - Ms ~ H^(1/gamma) (Arrott-Noakes) or ~ H (mean field).
#include "magnetics/first_interval.hpp"

#include <algorithm>
#include <cmath>

#include "magnetics/entropy_change.hpp"

namespace mgscope {

double first_field_above(const MhCurve& c, double lower_Oe, double upper_Oe) {
  const double zero_Oe = lower_Oe + 1e-3 * (upper_Oe - lower_Oe);
  for (double h : c.field_Oe)
    if (h > zero_Oe) return std::min(h, upper_Oe);
  return upper_Oe;
}

namespace {

// The first three measured fields above `lower_Oe` (each capped at `upper_Oe`): the interval's end
// and the two the power law is fitted to.
struct FieldsAbove {
  double h1, h2, h3;
};
FieldsAbove fields_above(const MhCurve& c, double lower_Oe, double upper_Oe) {
  const double h1 = first_field_above(c, lower_Oe, upper_Oe), h2 = first_field_above(c, h1, upper_Oe);
  return {h1, h2, first_field_above(c, h2, upper_Oe)};
}

// The exponent q in (0, 1] with (t3^q - t2^q) / (t2^q - t1^q) = ratio for 1 = t1 < t2 < t3, or
// none (-1) when the ratio lies outside what q in (0, 1] gives: the points bend more than any power
// law with an offset (saturation: the step the caller falls back on) or curve upwards.
double offset_power_exponent(double ratio, double t2, double t3) {
  const auto shape = [&](double q) { return (std::pow(t3, q) - std::pow(t2, q)) / (std::pow(t2, q) - 1); };
  const double at_zero = std::log(t3 / t2) / std::log(t2);  // the limit q -> 0
  if (!(ratio > at_zero) || !(ratio <= shape(1.0))) return -1;
  double lo = 0, hi = 1;  // the shape rises with q
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (shape(mid) < ratio ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

// Over [h0, h1] (width w) the trapezoid gives (M0 + M1) w / 2. With M = M0 + (M1 - M0) ((h - h0)/w)^q,
// q from M2 at h2 (two points and the anchor M0), the true integral is M0 w + (M1 - M0) w / (q + 1).
// A sample whose M at h0 is not the M just above it (a demagnetised sample analysed on H_int below Tc:
// M = 0 in domains at H_int = 0, the spontaneous moment at 0+) shows it in its next three points: fitted
// as M_z + a (h - h0)^q with a free offset, they extrapolate above M0, and the area is M_z w + a w^(q+1)
// / (q + 1). A single-domain magnet (M0 the spontaneous moment) or a paramagnet (M0 = 0, rising as a
// power of H) extrapolates to about M0 and keeps the anchored law: the free offset is less sure (three
// points for three unknowns), so it is used only to lift the anchor. M flat or falling after h1: q = 0,
// a step at 0+ (the whole bound).
double first_interval_excess(const MhCurve& c, double lower_Oe, double upper_Oe) {
  const auto [h1, h2, h3] = fields_above(c, lower_Oe, upper_Oe);
  if (!(h1 > lower_Oe)) return 0;
  double h0 = lower_Oe;  // the last point at "zero" (within 1e-3 of the range) is where the interval starts
  for (double h : c.field_Oe)
    if (h >= lower_Oe && h < h1) h0 = std::max(h0, h);
  const auto m = [&](double h) { return interpolate_linear(c.field_Oe, c.magnetization, h); };
  const double m0 = m(h0), m1 = m(h1), m2 = m(h2), w = h1 - h0;
  double q = 0;
  const double rise = (m2 - m0) / (m1 - m0);
  if (h2 > h1 && rise > 1 && std::isfinite(rise)) q = std::log(rise) / std::log((h2 - h0) / w);
  double true_area = m0 * w + (m1 - m0) * w / (q + 1);
  if (h3 > h2 && h2 > h1 && m2 != m1) {
    const double t2 = (h2 - h0) / w, t3 = (h3 - h0) / w;
    const double q_offset = offset_power_exponent((m(h3) - m2) / (m2 - m1), t2, t3);
    if (q_offset > 0) {
      const double a = (m2 - m1) / (std::pow(t2, q_offset) - 1);  // M = M_z + a ((h - h0) / w)^q
      const double m_zero_plus = m1 - a;
      if (m_zero_plus > m0) true_area = m_zero_plus * w + a * w / (q_offset + 1);
    }
  }
  return 0.5 * (m0 + m1) * w - true_area;
}

bool first_interval_judged(const MhCurve& c, double lower_Oe, double upper_Oe) {
  const auto [h1, h2, h3] = fields_above(c, lower_Oe, upper_Oe);
  return h1 > lower_Oe && h2 > h1 && h3 > h2;
}

}  // namespace mgscope
