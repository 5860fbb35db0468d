// Critical exponents, scaling and the universal curve against generated truths: the mean-field
// (Weiss-Brillouin) ferromagnet (beta 0.5, gamma 1, delta 3, Tc = T0), the Arrott-Noakes
// equation of state with 3D Heisenberg exponents (0.365, 1.386, 4.80), and a first-order
// Bean-Rodbell case whose -dSm must fail the universal-curve collapse.
#include <cmath>
#include <iostream>
#include <map>

#include <gtest/gtest.h>

#include "fitting/error.hpp"
#include "magnetics/arrott_noakes_synth.hpp"
#include "magnetics/critical_exponents.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/mean_field_synth.hpp"
#include "magnetics/scaling_collapse.hpp"
#include "magnetics/universal_curve.hpp"

namespace mgscope {
namespace {

// Isotherms every t_step_K about Tc (Tc a midpoint), fields every field_step_T up to 5 T.
std::vector<double> temperatures(double tc, double step, double below, double above) {
  std::vector<double> t;
  for (double x = tc - step / 2 - std::floor(below / step) * step; x <= tc + above + 1e-9; x += step) t.push_back(x);
  return t;
}
std::vector<double> fields_Oe(double step_T, double max_T = 5.0) {
  std::vector<double> h;
  for (int k = 1; k * step_T <= max_T + 1e-9; ++k) h.push_back(k * step_T * 1e4);
  return h;
}

std::vector<MhCurve> mean_field_isotherms(double eta, const std::vector<double>& T, const std::vector<double>& H) {
  MeanFieldModel m;
  m.eta = eta;
  std::vector<MhCurve> out;
  for (double t : T) {
    MhCurve c;
    c.temperature_K = t;
    for (double h : H) c.field_Oe.push_back(h), c.magnetization.push_back(solve_mean_field(m, t, h * 1e-4).magnetization_emu_per_g);
    out.push_back(std::move(c));
  }
  return out;
}

void print(const char* what, const CriticalSummary& s) {
  std::cout << what << ": " << s.brief_report() << "\n  KF beta " << s.kouvel_fisher_spontaneous.exponent << " Tc "
            << s.kouvel_fisher_spontaneous.tc_K << ", KF gamma " << s.kouvel_fisher_susceptibility.exponent << " Tc "
            << s.kouvel_fisher_susceptibility.tc_K << ", MAP Tc " << s.spontaneous.tc_K << " / " << s.susceptibility.tc_K
            << ", delta CI " << s.critical_isotherm.delta << " Widom " << s.delta_widom << "\n";
  for (const auto& w : s.warnings) std::cout << "  warning: " << w << "\n";
}

TEST(CriticalExponents, MeanField) {
  const auto curves = mean_field_isotherms(0, temperatures(100, 1, 12, 12), fields_Oe(0.0125, 0.25));
  const CriticalSummary s = analyse_critical_behaviour(curves);
  print("mean field", s);
  ASSERT_TRUE(s.usable()) << s.message;
  EXPECT_NEAR(s.beta / 0.5, 1, 0.05);
  EXPECT_NEAR(s.gamma / 1.0, 1, 0.05);
  EXPECT_NEAR(s.delta / 3.0, 1, 0.05);
  EXPECT_NEAR(s.tc_K, 100, 0.5);
  EXPECT_EQ(s.classes.front().name, "mean field");
  const ScalingCollapse sc = scaling_collapse(s.curves, s.beta, s.gamma, s.tc_K);
  std::cout << "  scaling rms " << sc.rms_ln_deviation << " (mean field " << sc.rms_ln_deviation_mean_field << ")\n";
  std::cout << "  EOS " << s.equation_of_state.beta << " " << s.equation_of_state.gamma << " " << s.equation_of_state.tc_K << " rms " << s.equation_of_state.rms_relative << " passes " << s.passes << " MAP pl " << s.spontaneous.exponent << " " << s.susceptibility.exponent << " Tc " << s.spontaneous.tc_K << " " << s.susceptibility.tc_K << "\n";
}

TEST(CriticalExponents, ArrottNoakesHeisenberg) {
  ArrottNoakesModel m;
  const auto curves = arrott_noakes_isotherms(m, temperatures(100, 1, 12, 12), fields_Oe(0.25));
  const CriticalSummary s = analyse_critical_behaviour(curves);
  print("Arrott-Noakes", s);
  ASSERT_TRUE(s.usable()) << s.message;
  EXPECT_NEAR(s.beta / 0.365, 1, 0.05);
  EXPECT_NEAR(s.gamma / 1.386, 1, 0.05);
  EXPECT_NEAR(s.delta / 4.797, 1, 0.05);
  EXPECT_NEAR(s.tc_K, 100, 0.5);
  EXPECT_EQ(s.classes.front().name, "3D Heisenberg");
  const ScalingCollapse sc = scaling_collapse(s.curves, s.beta, s.gamma, s.tc_K);
  std::cout << "  scaling rms " << sc.rms_ln_deviation << " (mean field " << sc.rms_ln_deviation_mean_field << ")\n";
  std::cout << "  EOS " << s.equation_of_state.beta << " " << s.equation_of_state.gamma << " " << s.equation_of_state.tc_K << " rms " << s.equation_of_state.rms_relative << " passes " << s.passes << " MAP pl " << s.spontaneous.exponent << " " << s.susceptibility.exponent << " Tc " << s.spontaneous.tc_K << " " << s.susceptibility.tc_K << "\n";
}

TEST(FrancoUniversalCurve, SecondOrderCollapsesFirstOrderDoesNot) {
  const auto T = temperatures(100, 3, 45, 60);
  const auto H = fields_Oe(0.25);
  for (double eta : {0.0, 2.0}) {
    const EntropyChange e = compute_entropy_change(mean_field_isotherms(eta, T, H), {}, "generated");
    const UniversalCurve u = universal_curve(e);
    std::cout << "eta " << eta << ": " << u.brief_report() << " max " << u.max_spread << "\n";
    for (const auto& f : u.fields) std::cout << "   " << f.field_Oe << " peak " << f.peak << " Tp " << f.tp_K << " Tr " << f.tr1_K << " " << f.tr2_K << "\n";
  }
  ArrottNoakesModel m;
  const EntropyChange e = compute_entropy_change(arrott_noakes_isotherms(m, temperatures(100, 1, 12, 12), H), {}, "generated");
  const UniversalCurve u = universal_curve(e);
  std::cout << "AN: " << u.brief_report() << " max " << u.max_spread << "\n";
}

}  // namespace
}  // namespace mgscope
