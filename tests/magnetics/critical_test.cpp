// Critical exponents, scaling and the universal curve against generated truths: the mean-field
// (Weiss-Brillouin) ferromagnet (beta 0.5, gamma 1, delta 3, Tc = T0 = 100 K), the
// Arrott-Noakes equation of state with 3D Heisenberg exponents (0.365, 1.386, delta = 1 +
// gamma/beta = 4.797, Tc = 100 K), and a first-order Bean-Rodbell case (eta = 2) whose -dSm must
// fail the universal-curve collapse.
#include <cmath>

#include <gtest/gtest.h>

#include "fitting/base/error.hpp"
#include "fitting/base/power_law.hpp"
#include "magnetics/arrott_noakes_entropy.hpp"
#include "magnetics/arrott_noakes_synth.hpp"
#include "magnetics/critical_exponents.hpp"
#include "magnetics/entropy_change.hpp"
#include "magnetics/mean_field_synth.hpp"
#include "magnetics/scaling_collapse.hpp"
#include "magnetics/universal_curve.hpp"

namespace mgscope {
namespace {

// Isotherms every step_K about tc (tc a midpoint, as in `synth mce`).
std::vector<double> temperatures(double tc, double step_K, double below_K, double above_K) {
  std::vector<double> t;
  for (double x = tc - step_K / 2 - std::floor(below_K / step_K) * step_K; x <= tc + above_K + 1e-9; x += step_K)
    t.push_back(x);
  return t;
}
// Fields step_T .. max_T, from 0 with with_zero.
std::vector<double> fields_Oe(double step_T, double max_T, bool with_zero = false) {
  std::vector<double> h;
  for (int k = with_zero ? 0 : 1; k * step_T <= max_T + 1e-9; ++k) h.push_back(k * step_T * 1e4);
  return h;
}

std::vector<MhCurve> mean_field_isotherms(double eta, const std::vector<double>& T, const std::vector<double>& H) {
  MeanFieldModel m;
  m.eta = eta;
  std::vector<MhCurve> out;
  for (double t : T) {
    MhCurve c;
    c.temperature_K = t;
    for (double h : H)
      c.field_Oe.push_back(h), c.magnetization.push_back(solve_mean_field(m, t, h * 1e-4).magnetization_emu_per_g);
    out.push_back(std::move(c));
  }
  return out;
}

// Mean field is critical only at small fields (higher Brillouin terms bend the plots beyond):
// 0-0.25 T here; measured with 0-5 T: gamma 1.23, 24 % high (docs/magnetics.md).
const std::vector<MhCurve>& mean_field_near_tc() {
  static const auto c = mean_field_isotherms(0, temperatures(100, 1, 12, 12), fields_Oe(0.0125, 0.25));
  return c;
}
const std::vector<MhCurve>& heisenberg_near_tc() {
  static const auto c =
      arrott_noakes_isotherms(ArrottNoakesModel{}, temperatures(100, 1, 12, 12), fields_Oe(0.1, 5, true));
  return c;
}
EntropyChange heisenberg_entropy() { return compute_entropy_change(heisenberg_near_tc(), {}, "Arrott-Noakes"); }

void expect_exponents(const CriticalSummary& s, double beta, double gamma, double delta, const std::string& model) {
  ASSERT_TRUE(s.usable()) << s.message;
  EXPECT_NEAR(s.beta / beta, 1, 0.05) << s.brief_report();
  EXPECT_NEAR(s.gamma / gamma, 1, 0.05) << s.brief_report();
  EXPECT_NEAR(s.delta / delta, 1, 0.05) << s.brief_report();
  EXPECT_NEAR(s.tc_K, 100, 0.5) << s.brief_report();
  ASSERT_FALSE(s.classes.empty());
  EXPECT_EQ(s.classes.front().name, model);
  // The checks agree with the truth too: Widom, Kouvel-Fisher (within 8 %: its finite
  // differences over 1 K steps), and the field exponent of -dSm at Tc.
  EXPECT_NEAR(s.delta_widom / delta, 1, 0.05);
  EXPECT_NEAR(s.kouvel_fisher_spontaneous.exponent / beta, 1, 0.08);
  EXPECT_NEAR(s.kouvel_fisher_susceptibility.exponent / gamma, 1, 0.08);
  EXPECT_NEAR(s.kouvel_fisher_spontaneous.tc_K, 100, 0.5);
  EXPECT_NEAR(s.kouvel_fisher_susceptibility.tc_K, 100, 0.5);
  EXPECT_NEAR(s.n_at_tc_expected, 1 + (beta - 1) / (beta + gamma), 0.02);
  // The quoted uncertainty covers the error (the point of quoting one).
  EXPECT_LT(std::abs(s.beta - beta), 3 * s.beta_se + 0.01 * beta);
  EXPECT_LT(std::abs(s.gamma - gamma), 3 * s.gamma_se + 0.01 * gamma);
}

TEST(CriticalExponents, MeanFieldGivesMeanFieldExponents) {
  // Measured: beta 0.4946, gamma 1.031, delta 2.917, Tc 99.984 K.
  expect_exponents(analyse_critical_behaviour(mean_field_near_tc()), 0.5, 1.0, 3.0, "mean field");
}

TEST(CriticalExponents, ArrottNoakesGivesHeisenbergExponents) {
  // Measured: beta 0.3631, gamma 1.381, delta 4.758, Tc 99.997 K.
  const CriticalSummary s = analyse_critical_behaviour(heisenberg_near_tc());
  expect_exponents(s, 0.365, 1.386, 1 + 1.386 / 0.365, "3D Heisenberg");
  EXPECT_EQ(s.status, FitStatus::Success);
  EXPECT_TRUE(s.warnings.empty()) << s.warnings.front();
  EXPECT_NE(s.brief_report().find("3D Heisenberg"), std::string::npos);
}

TEST(CriticalExponents, ArrottNoakesFindsEveryClass) {
  // The same generator with each class's beta and gamma (delta = 1 + gamma/beta is its truth).
  // Measured: Ising 0.3235 / 1.236 / 4.76, tricritical 0.249 / 0.998 / 4.86, mean field
  // 0.498 / 0.997 / 2.99.
  for (const UniversalityClass& u : universality_classes()) {
    ArrottNoakesModel m;
    m.beta = u.beta, m.gamma = u.gamma;
    const auto curves = arrott_noakes_isotherms(m, temperatures(100, 1, 12, 12), fields_Oe(0.25, 5, true));
    const CriticalSummary s = analyse_critical_behaviour(curves);
    ASSERT_TRUE(s.usable()) << u.name << ": " << s.message;
    EXPECT_NEAR(s.beta / u.beta, 1, 0.05) << u.name;
    EXPECT_NEAR(s.gamma / u.gamma, 1, 0.05) << u.name;
    EXPECT_NEAR(s.delta / (1 + u.gamma / u.beta), 1, 0.05) << u.name;
    EXPECT_NEAR(s.tc_K, 100, 0.5) << u.name;
    EXPECT_EQ(s.classes.front().name, u.name);
  }
}

TEST(CriticalExponents, ScalingCollapsesWithTheRightExponentsOnly) {
  const CriticalSummary s = analyse_critical_behaviour(heisenberg_near_tc());
  ASSERT_TRUE(s.usable());
  const ScalingCollapse c = scaling_collapse(s.curves, s.beta, s.gamma, s.tc_K);
  ASSERT_TRUE(c.usable()) << c.message;
  // Measured: 0.96 % with the fitted exponents, 20 % with the mean-field ones.
  EXPECT_LT(c.rms_ln_deviation, 0.02);
  EXPECT_GT(c.rms_ln_deviation_mean_field, 5 * c.rms_ln_deviation);
  EXPECT_GT(c.comparisons, 100);
}

// Bean-Rodbell eta = 0.5 is a mean-field magnet (Tc = T0 = 100 K), but its m^3 term bends the
// isotherms: the fit found 3D-Heisenberg-like exponents with "Success" and no warning (probe s49:
// beta 0.394, gamma 1.31, Tc 118.67 +- 0.054 K for 120). The scaling collapse fails beyond the
// clean sets' 0.4-0.7 %, and the Kouvel-Fisher gamma disagrees: both are said.
TEST(CriticalExponents, BeanRodbellHalfIsWarnedNotPassedAsHeisenberg) {
  const auto curves = mean_field_isotherms(0.5, temperatures(100, 1, 10, 10), fields_Oe(0.1, 5));
  const CriticalSummary s = analyse_critical_behaviour(curves);
  ASSERT_TRUE(s.usable()) << s.message;
  const ScalingCollapse c = scaling_collapse(s.curves, s.beta, s.gamma, s.tc_K);
  ASSERT_TRUE(c.usable()) << c.message;
  EXPECT_GT(c.rms_ln_deviation, ScalingOptions{}.max_rms_ln_deviation) << s.brief_report();
  ASSERT_FALSE(c.warnings.empty()) << s.brief_report() << " rms " << c.rms_ln_deviation;
  EXPECT_NE(c.warnings.back().find("the scaling collapse fails"), std::string::npos) << c.warnings.back();
  // The right magnet with its right exponents collapses within the limit, without the warning.
  const CriticalSummary h = analyse_critical_behaviour(heisenberg_near_tc());
  const ScalingCollapse hc = scaling_collapse(h.curves, h.beta, h.gamma, h.tc_K);
  EXPECT_LT(hc.rms_ln_deviation, 0.5 * ScalingOptions{}.max_rms_ln_deviation);
  EXPECT_TRUE(hc.warnings.empty()) << hc.warnings.front();
}

// An exponent pressed against the search box (gamma 4.5 > the box's 4) is no optimum: before, the
// fit returned gamma 3.99999996 with a small standard error as a Success.
TEST(CriticalExponents, AFitAtItsSearchBoundIsNotASuccess) {
  ArrottNoakesModel m;
  m.gamma = 4.5;
  const auto curves = arrott_noakes_isotherms(m, temperatures(100, 1, 12, 12), fields_Oe(0.25, 5, true));
  const CriticalSummary s = analyse_critical_behaviour(curves);
  ASSERT_TRUE(s.usable()) << s.message;
  EXPECT_NEAR(s.gamma, 4, 1e-3) << s.brief_report();
  EXPECT_EQ(s.status, FitStatus::NoConvergence) << s.brief_report();
  EXPECT_TRUE(s.equation_of_state.at_bound) << s.brief_report();
  EXPECT_NE(testing::PrintToString(s.warnings).find("did not converge inside its bounds"), std::string::npos);
}

// n(Tc) from neighbour differences is biased high by the isotherm spacing (3D Heisenberg, 2 K:
// 0.672 for 0.637 in probe s49); the estimate from the state itself recovers the exact n.
TEST(CriticalExponents, FieldExponentSpacingBiasIsEstimated) {
  const ArrottNoakesModel m;
  const auto curves = arrott_noakes_isotherms(m, temperatures(100, 2, 20, 20), fields_Oe(0.1, 5, true));
  const EntropyChange e = compute_entropy_change(curves, {}, "Arrott-Noakes");
  const PowerLawFit n = field_exponent_at(e, 100);
  ASSERT_TRUE(n.usable());
  std::vector<double> h;
  for (std::size_t k = 1; k < e.field_Oe.size(); ++k)
    if (e.field_Oe[k] >= 0.2 * e.field_Oe.back()) h.push_back(e.field_Oe[k]);
  const double exact = fit_power_law(h, arrott_noakes_minus_dSm(m, 100, h)).exponent;
  // The model's own t is (T - Tc)/T, the fit's (T - Tc)/Tc: the same a and b to first order in t.
  const double bias = field_exponent_spacing_bias(e, m.beta, m.gamma, m.curie_K, m.a(), m.b());
  EXPECT_GT(n.exponent - exact, 0.015) << n.exponent << " exact " << exact;
  EXPECT_NEAR(bias, n.exponent - exact, 0.005) << n.exponent << " exact " << exact;
}

TEST(CriticalExponents, DemagnetisingFieldIsRemoved) {
  // The same magnet measured in the applied field H = H_int + 4 pi N rho M of a plate-like
  // sample (N = 0.5, 7.9 g/cm^3): with --demag the exponents come back; without, they move.
  const double N = 0.5, rho = 7.9, pi = 3.14159265358979323846;
  std::vector<MhCurve> applied = heisenberg_near_tc();
  for (auto& c : applied)
    for (std::size_t j = 0; j < c.field_Oe.size(); ++j) c.field_Oe[j] += 4 * pi * N * rho * c.magnetization[j];
  CriticalOptions o;
  o.demag_N = N, o.density_g_cm3 = rho;
  const CriticalSummary corrected = analyse_critical_behaviour(applied, o);
  const CriticalSummary plain = analyse_critical_behaviour(heisenberg_near_tc());
  ASSERT_TRUE(corrected.usable() && plain.usable());
  EXPECT_NEAR(corrected.beta, plain.beta, 1e-3);
  EXPECT_NEAR(corrected.gamma, plain.gamma, 1e-3);
  EXPECT_NEAR(corrected.tc_K, plain.tc_K, 1e-3);
  const CriticalSummary ignored = analyse_critical_behaviour(applied);
  EXPECT_GT(std::abs(ignored.gamma - plain.gamma), 0.01);
}

TEST(CriticalExponents, BadOptionsNameTheirField) {
  auto message = [](const CriticalOptions& o) { return o.check(); };
  CriticalOptions o;
  o.reduced_t_max = 0;
  EXPECT_NE(message(o).find("CriticalOptions.reduced_t_max"), std::string::npos);
  o = {};
  o.demag_N = 0.3;  // no density
  EXPECT_NE(message(o).find("CriticalOptions.density_g_cm3"), std::string::npos);
  o = {};
  o.min_points_per_side = 2;
  EXPECT_THROW(analyse_critical_behaviour(heisenberg_near_tc(), o), std::invalid_argument);
  ArrottNoakesModel m;
  m.beta = 1.5;
  EXPECT_NE(m.check(), "");
}

TEST(CriticalExponents, NoTransitionIsAFailureWithAReason) {
  // A paramagnet (M = chi H): the Arrott intercepts never change sign.
  std::vector<MhCurve> para;
  for (double t : temperatures(100, 1, 12, 12)) {
    MhCurve c;
    c.temperature_K = t;
    for (double h : fields_Oe(0.1, 5)) c.field_Oe.push_back(h), c.magnetization.push_back(h * 1e-3 / t);
    para.push_back(c);
  }
  const CriticalSummary s = analyse_critical_behaviour(para);
  EXPECT_FALSE(s.usable());
  EXPECT_NE(s.message.find("never change sign"), std::string::npos) << s.message;
  const std::vector<MhCurve> few(heisenberg_near_tc().begin(), heisenberg_near_tc().begin() + 5);
  EXPECT_FALSE(analyse_critical_behaviour(few).usable());
}

TEST(ArrottNoakesGenerator, SolvesItsEquationOfState) {
  const ArrottNoakesModel m;
  EXPECT_NEAR(arrott_noakes_magnetization_emu_per_g(m, 100, 5e4), 50, 1e-9);  // its definition
  EXPECT_NEAR(arrott_noakes_magnetization_emu_per_g(m, 90, 0), 60, 1e-9);
  EXPECT_EQ(arrott_noakes_magnetization_emu_per_g(m, 110, 0), 0.0);
  for (double T : {80.0, 99.9, 100.1, 130.0})
    for (double H : {10.0, 1e3, 5e4}) {
      const double M = arrott_noakes_magnetization_emu_per_g(m, T, H);
      const double lhs = std::pow(H / M, 1 / m.gamma), rhs = m.a() * (T - 100) / T + m.b() * std::pow(M, 1 / m.beta);
      EXPECT_NEAR(lhs / rhs, 1, 1e-10) << T << " K, " << H << " Oe";
    }
}

TEST(UniversalityClasses, NearestByRelativeDistance) {
  const auto r = rank_universality_classes(0.365, 1.386, 4.8);
  EXPECT_EQ(r.front().name, "3D Heisenberg");
  EXPECT_NEAR(r.front().distance, 0, 1e-12);
  EXPECT_EQ(rank_universality_classes(0.33, 1.23, 4.8).front().name, "3D Ising");
  EXPECT_EQ(rank_universality_classes(0.26, 1.0, 4.9).front().name, "tricritical mean field");
  // beta 10 % off mean field alone: sqrt(0.01 / 3).
  EXPECT_NEAR(rank_universality_classes(0.55, 1.0, 3.0).front().distance, std::sqrt(0.01 / 3), 1e-12);
}

TEST(FrancoUniversalCurve, SecondOrderCollapsesFirstOrderDoesNot) {
  // The default `synth mce` temperatures (3 K steps, 55-160 K), fields 0-5 T every 0.25 T.
  const auto T = temperatures(100, 3, 45, 60);
  const auto H = fields_Oe(0.25, 5, true);
  const UniversalCurve mf = universal_curve(compute_entropy_change(mean_field_isotherms(0, T, H), {}, "mean field"));
  ASSERT_TRUE(mf.usable()) << mf.message;
  EXPECT_TRUE(mf.collapses) << mf.verdict;  // measured: 1.3 % rms
  EXPECT_EQ(mf.fields.size(), 17u);         // 1-5 T (field_fraction 0.2)
  for (const auto& f : mf.fields) {
    EXPECT_NEAR(f.tp_K, 100, 1.0);  // second order: the peak stays at Tc
    EXPECT_LT(f.tr1_K, f.tp_K);
    EXPECT_GT(f.tr2_K, f.tp_K);
  }
  // Arrott-Noakes: the equation holds near Tc only (M grows without bound as T -> 0), so near Tc.
  const UniversalCurve an = universal_curve(heisenberg_entropy());
  ASSERT_TRUE(an.usable()) << an.message;
  EXPECT_TRUE(an.collapses) << an.verdict;  // measured: 0.9 %
  const UniversalCurve br = universal_curve(compute_entropy_change(mean_field_isotherms(2, T, H), {}, "Bean-Rodbell"));
  ASSERT_TRUE(br.usable()) << br.message;
  EXPECT_FALSE(br.collapses) << br.verdict;  // measured: 10 %
  EXPECT_EQ(br.verdict.rfind("does not collapse", 0), 0u) << br.verdict;
  EXPECT_GT(br.rms_spread, 2 * mf.rms_spread);
}

TEST(FrancoUniversalCurve, FieldExponentAtTc) {
  // n(Tc) = 1 + (beta - 1)/(beta + gamma): 0.635 for the Heisenberg exponents.
  const EntropyChange e = heisenberg_entropy();
  const PowerLawFit n = field_exponent_at(e, 100.0);
  ASSERT_TRUE(n.usable()) << n.message;
  EXPECT_NEAR(n.exponent, 1 + (0.365 - 1) / (0.365 + 1.386), 0.02);
  UniversalCurveOptions bad;
  bad.max_spread = 0;
  EXPECT_THROW(universal_curve(e, bad), std::invalid_argument);
}

}  // namespace
}  // namespace mgscope
