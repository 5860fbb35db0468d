// The first field interval's trapezoid error per isotherm (first_interval.hpp) against closed forms:
// a power law from M = 0 (a paramagnet near Tc), a linear M (far above Tc: no error), a spontaneous
// moment with M - Ms ~ H^(1/2), and a jump at 0+ that the point at H = 0 does not show.
#include <cmath>
#include <functional>

#include <gtest/gtest.h>

#include "magnetics/first_interval.hpp"

namespace mgscope {
namespace {

// Points at 0, w, 2w, ... 10w (M at 0 given apart: it may differ from the limit at 0+).
MhCurve sampled(double m_at_zero, const std::function<double(double)>& m_of_Oe, double w_Oe) {
  MhCurve c;
  c.field_Oe.push_back(0), c.magnetization.push_back(m_at_zero);
  for (int k = 1; k <= 10; ++k) c.field_Oe.push_back(k * w_Oe), c.magnetization.push_back(m_of_Oe(k * w_Oe));
  return c;
}

TEST(FirstInterval, PowerLawFromZeroIsExact) {
  // M = H^(1/3) (the mean-field critical isotherm): integral w^(4/3) 3/4, trapezoid w^(4/3) / 2.
  const double w = 1000;
  const MhCurve c = sampled(0, [](double h) { return std::cbrt(h); }, w);
  EXPECT_NEAR(first_interval_excess(c, 0, 10 * w), -0.25 * std::pow(w, 4.0 / 3), 1e-9 * std::pow(w, 4.0 / 3));
  EXPECT_EQ(first_field_above(c, 0, 10 * w), w);
}

TEST(FirstInterval, LinearIsotherm) {
  const MhCurve c = sampled(0, [](double h) { return 0.01 * h; }, 500);
  EXPECT_NEAR(first_interval_excess(c, 0, 5000), 0, 1e-9);
}

TEST(FirstInterval, SpontaneousMomentAtZeroField) {
  // Single-domain below Tc: M(0) = Ms = 40, M = 40 + 0.1 H^(1/2); the trapezoid misses
  // 0.1 w^(3/2) (1/2 - 2/3).
  const double w = 1000;
  const MhCurve c = sampled(40, [](double h) { return 40 + 0.1 * std::sqrt(h); }, w);
  EXPECT_NEAR(first_interval_excess(c, 0, 10 * w), 0.1 * std::pow(w, 1.5) * (0.5 - 2.0 / 3), 1e-6);
}

TEST(FirstInterval, JumpAtZeroPlusTheZeroFieldPointDoesNotShow) {
  // A demagnetised sample on its internal field below Tc: M = 0 at H_int = 0 (domains), the
  // spontaneous 20 at 0+ and 20 + 0.1 H^(1/2) on. The anchored law (from M = 0) would see only a
  // power ~0.1 of H; the next three points extrapolate to 20 at 0+ and give the area exactly.
  const double w = 400;
  const MhCurve c = sampled(0, [](double h) { return 20 + 0.1 * std::sqrt(h); }, w);
  const double m1 = 20 + 0.1 * std::sqrt(w);
  const double truth = 20 * w + 0.1 * std::pow(w, 1.5) / 1.5;
  EXPECT_NEAR(first_interval_excess(c, 0, 10 * w), 0.5 * m1 * w - truth, 1e-6 * truth);
}

TEST(FirstInterval, SaturatedAfterTheFirstPointIsAStep) {
  // M flat after the first field (a demagnetised sample past technical saturation): the whole bound.
  const MhCurve c = sampled(0, [](double) { return 30.0; }, 1000);
  EXPECT_NEAR(first_interval_excess(c, 0, 10000), -0.5 * 30 * 1000, 1e-9);
}

}  // namespace
}  // namespace mgscope
