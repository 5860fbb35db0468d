// The Arrott-Noakes state's exact -dSm (arrott_noakes_entropy.hpp) against an independent Maxwell
// integral: a central difference of M in T, trapezoids on a fine field grid.
#include <cmath>

#include <gtest/gtest.h>

#include "magnetics/arrott_noakes_entropy.hpp"

namespace mgscope {
namespace {

// -mu0 integral_0^H (M(T + d) - M(T - d)) / 2d dH' by 20000 trapezoids on H' = H s^4 (fine near 0).
double central_difference_minus_dSm(const ArrottNoakesModel& m, double T, double H_Oe) {
  const double d = 1e-3;
  const auto dm_dT = [&](double h) {
    return (arrott_noakes_magnetization_emu_per_g(m, T + d, h) - arrott_noakes_magnetization_emu_per_g(m, T - d, h)) /
           (2 * d);
  };
  const int n = 20000;
  double acc = 0, h_prev = 0, f_prev = dm_dT(0);
  for (int i = 1; i <= n; ++i) {
    const double s = static_cast<double>(i) / n, h = H_Oe * s * s * s * s, f = dm_dT(h);
    acc -= 0.5 * (f_prev + f) * (h - h_prev) * 1e-4;
    h_prev = h, f_prev = f;
  }
  return acc;
}

TEST(ArrottNoakesEntropy, AgreesWithACentralDifferenceOfM) {
  for (const auto& [beta, gamma] : {std::pair{0.365, 1.386}, std::pair{0.326, 1.237}}) {
    ArrottNoakesModel m;
    m.beta = beta, m.gamma = gamma;
    for (double T : {95.0, 99.5, 100.5, 105.0}) {
      const double exact = arrott_noakes_minus_dSm(m, T, {1e4, 5e4}).back();
      EXPECT_NEAR(exact / central_difference_minus_dSm(m, T, 5e4), 1, 1e-5) << beta << " " << T;
    }
  }
}

TEST(ArrottNoakesEntropy, OneFieldOrAFineListGiveTheSameValue) {
  const ArrottNoakesModel m;  // 3D Heisenberg
  std::vector<double> fine;
  for (int k = 0; k <= 500; ++k) fine.push_back(100.0 * k);
  for (double T : {96.5, 100.0, 103.5}) {
    const double alone = arrott_noakes_minus_dSm(m, T, {5e4}).back();
    EXPECT_NEAR(arrott_noakes_minus_dSm(m, T, fine).back() / alone, 1, 1e-8) << T;
    EXPECT_GT(alone, 10);  // J/(kg K): a Gd-glass-sized peak
  }
  EXPECT_THROW(arrott_noakes_minus_dSm(m, 100, {2e4, 1e4}), std::invalid_argument);
}

TEST(ArrottNoakesEntropy, ADemagnetisedSampleHasNoEntropyChangeInDomains) {
  ArrottNoakesModel m;
  DemagnetisedSample sphere;
  sphere.demag_N = 1.0 / 3, sphere.density_g_cm3 = 7;
  // At 95 K the spontaneous M (about 47 emu/g) saturates technically near 1400 Oe.
  EXPECT_EQ(exact_minus_dSm_applied(m, sphere, 95, 0.05), 0.0);
  const double internal_T = demagnetised_sample_field(sphere, [&](double h) {
                              return arrott_noakes_magnetization_emu_per_g(m, 95, h);
                            }, 5e4).internal_field_Oe * 1e-4;
  EXPECT_NEAR(exact_minus_dSm_applied(m, sphere, 95, 5), arrott_noakes_minus_dSm(m, 95, {internal_T * 1e4}).back(),
              1e-12);
  EXPECT_LT(internal_T, 5);
}

}  // namespace
}  // namespace mgscope
